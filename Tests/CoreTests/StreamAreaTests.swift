import Core
import Foundation
import HDL
import HDLEmit
import HDLSim
import ISA
import Testing

/// Generic Yosys synthesis (`Lint.synthesize`, as bench/REPORT.md's) of
/// what grows with the streams: the ternary unit (one weight stream, B
/// accumulator sets), the vector and reduction units (row addressing, B
/// scale units) and the load/store unit's stream sequencer, at B = 1, 2, 4,
/// 8, 16 on a 128-bit core (64 trits per cycle at the memory's rate).
/// Tens of minutes on two cores, so only on request:
/// `TRIT_AREA=1 swift test --skip-build --filter StreamAreaTests`.
@Suite(.serialized) struct StreamAreaTests {
    static let enabled = ProcessInfo.processInfo.environment["TRIT_AREA"] == "1"

    static func params(streams: Int) -> CoreParameters {
        CoreParameters(isa: CoreConfig(maxVectorLength: 2048, streams: streams), dataBits: 128)
    }

    @Test(.enabled(if: enabled, "TRIT_AREA=1 runs the synthesis sweep"))
    func areaAgainstStreams() throws {
        print("| module | streams | cells | flip-flops | memories (bits) | seconds |")
        print("| --- | --- | --- | --- | --- | --- |")
        for streams in [1, 2, 4, 8, 16] {
            let p = Self.params(streams: streams)
            var modules: [(String, any Module)] = [("TernaryUnit", TernaryUnit(params: p)), ("VectorUnit", VectorUnit(params: p)),
                                                   ("ReductionUnit", ReductionUnit(params: p))]
            if streams > 1 {
                modules.append(("StreamSequencer (load/store)", StreamSequencer(params: p, readPorts: ["a"], memory: true, scalarResults: true)))
            }
            for (name, module) in modules {
                let clock = Date()
                let design = try elaborate(module)
                let r = try Lint.synthesize(SystemVerilogEmitter().files(for: design), top: design.top.name)
                print("| \(name) | \(streams) | \(r.cells) | \(r.flipFlops) | \(r.memories) (\(r.memoryBits)) | \(String(format: "%.1f", Date().timeIntervalSince(clock))) |")
            }
        }
    }
}
