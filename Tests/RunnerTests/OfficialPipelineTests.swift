import Compiler
import Foundation
import Model
import Interpreter
import Runner
import Testing
import TestSupport

/// The integer pipeline (the compiled program on the interpreter) against
/// the official float64 graph on the official fixtures: reported, and held
/// only to a loose bound. The tight checks are the float reference's
/// (ModelTests/OfficialFixtureTests) and perplexity on the trained model.
struct OfficialPipelineTests {
    @Test(arguments: ["fixA", "fixD"])
    func integerPipelineNearOfficialFloat64(_ name: String) throws {
        let dir = fixturePath("official/" + name)
        let ckpt = try Checkpoint(directory: dir + "/checkpoint")
        let c = ckpt.config
        let build = try ModelCompiler.compile(ckpt, head: true)
        let session = try BuildSession(manifest: build.manifest, program: build.program, memory: build.memory,
                                       engine: InterpreterEngine(config: build.manifest.target))
        let inputs = try NPY.read(path: dir + "/embeddings.npy").floats
        let d = c.hiddenSize
        let run = try TokenRun.run(session, inputs: stride(from: 0, to: inputs.count, by: d).map { Array(inputs[$0..<($0 + d)]) })
        var report: [String] = []
        for l in 0..<c.layers {
            let err = relativeL2(run.tokens.flatMap { $0.step.layerOutputs[l] }, try NPY.read(path: dir + "/layer\(l)_out_f64.npy").values)
            report.append(String(format: "layer %d %.4f", l, err))
            #expect(err < 0.1, "\(name) layer \(l): relative L2 \(err)")
        }
        let err = relativeL2(run.tokens.flatMap(\.step.output), try NPY.read(path: dir + "/logits_f64.npy").values)
        report.append(String(format: "logits %.4f", err))
        #expect(err < 0.1, "\(name) logits: relative L2 \(err)")
        print("\(name): integer pipeline against the official float64 graph, relative L2: " + report.joined(separator: ", "))
    }
}
