import ArgumentParser
import Compiler
import Core
import Cosim
import DeviceAPI
import Foundation
import HDL
import Interpreter
import OPAE
import Runner

/// `--engine` and its settings, shared by `trit run`, `generate` and `eval`:
/// which implementation of `DeviceAPI.Engine` runs a build.
struct EngineOptions: ParsableArguments {
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case interpreter, cosim, opae

        /// For reports: where the program ran.
        var described: String {
            switch self {
            case .interpreter: return "the interpreter"
            case .cosim: return "the D5005 core in Verilator, in lock step with the interpreter"
            case .opae: return "the card (OPAE)"
            }
        }
    }

    @Option(help: """
        Engine: interpreter (the golden model), cosim (the D5005 core in Verilator, memory latency 20, \
        in lock step with the interpreter), opae (a card running the Trit AFU, through libopae-c).
        """)
    var engine: Kind = .interpreter

    @Option(help: "With --engine opae: the libopae-c to load (default: the system's; a simulated card: `trit sim-card`).")
    var opaeLibrary: String?

    func validate() throws {
        if opaeLibrary != nil && engine != .opae { throw ValidationError("--opae-library goes with --engine opae") }
    }

    /// An engine for `manifest`'s target; `card` picks the accelerator when
    /// a model spans several (OPAE enumerates them in order).
    func make(for manifest: BuildManifest, card: Int = 0) throws -> Engine {
        switch engine {
        case .interpreter:
            return InterpreterEngine(config: manifest.target)
        case .cosim:
            var p = CorePreset.d5005.parameters
            p.isa.fracBits = manifest.target.fracBits
            p.isa.streams = manifest.streams
            try BuildSession.checkCompatible(manifest, p.isa)
            let cosim = try CoSimulation(design: HDL.elaborate(TritCore(params: p)), parameters: p,
                                         options: TestBenchOptions(latency: 20))
            return CosimEngine(cosim)
        case .opae:
            let card = try OPAEEngine(library: opaeLibrary, card: card)
            try BuildSession.checkCompatible(manifest, card.config)
            return card
        }
    }
}
