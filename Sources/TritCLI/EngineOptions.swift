import ArgumentParser
import Compiler
import Core
import Cosim
import DeviceAPI
import Foundation
import HDL
import Interpreter
import Runner

/// `--engine` and its settings, shared by `trit run`, `generate` and `eval`:
/// which implementation of `DeviceAPI.Engine` runs a build.
struct EngineOptions: ParsableArguments {
    enum Kind: String, ExpressibleByArgument, CaseIterable { case interpreter, cosim }

    @Option(help: """
        Engine: interpreter (the golden model), cosim (the D5005 core in Verilator, memory latency 20, \
        in lock step with the interpreter).
        """)
    var engine: Kind = .interpreter

    /// An engine for `manifest`'s target.
    func make(for manifest: BuildManifest) throws -> Engine {
        switch engine {
        case .interpreter:
            return InterpreterEngine(config: manifest.target)
        case .cosim:
            var p = CoreParameters.d5005
            p.isa.fracBits = manifest.target.fracBits
            try BuildSession.checkCompatible(manifest, p.isa)
            let cosim = try CoSimulation(design: HDL.elaborate(TritCore(params: p)), parameters: p,
                                         options: TestBenchOptions(latency: 20))
            return CosimEngine(cosim)
        }
    }
}
