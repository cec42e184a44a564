import HDL
import HDLEmit
import HDLSim
import Testing

/// The path with the most LUT levels of `module` alone in the Intel flow
/// (docs/silicon.md): the pipelined datapaths' depth tests hold it to the
/// 300 MHz budget of 4 levels.
func deepestPath(of module: some Module) throws -> LogicPath {
    let design = try elaborate(module)
    let job = IntelSynthesisJob(top: design.top.name, files: SystemVerilogEmitter().files(for: design))
    return try #require(try IntelFlow.run(job, options: .init(timeoutSeconds: 600)).deepestPath)
}
