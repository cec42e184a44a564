import Foundation
import Model
import Testing
import TestSupport

/// The float reference against the official implementation: checkpoints
/// written by its own `save_pretrained` (BF16, transformers' config as it
/// writes it) and its module graph evaluated in float64 (fixtures/official).
/// fixD has `rms_norm_eps` 1e-5, so it checks that the projections' norms
/// keep 1e-6; its layer 0 has an exact activation tie (token 29, i_proj).
@Suite struct OfficialFixtureTests {
    @Test(arguments: ["fixA", "fixD"])
    func referenceMatchesOfficialFloat64(_ name: String) throws {
        let dir = fixturePath("official/" + name)
        let ckpt = try Checkpoint(directory: dir + "/checkpoint")
        let c = ckpt.config
        let tokens = try NPY.read(path: dir + "/tokens.npy").values.map { Int($0) }
        let embeddings = try FloatReference.embeddings(ckpt, tokens: tokens)
        #expect(embeddings.flatMap { $0 } == (try NPY.read(path: dir + "/embeddings.npy").values))

        let reference = try FloatReference(source: ckpt, layers: 0...(c.layers - 1), head: true)
        let steps = embeddings.map { reference.step($0) }
        for l in 0..<c.layers {
            let want = try NPY.read(path: dir + "/layer\(l)_out_f64.npy")
            #expect(want.shape == [tokens.count, c.hiddenSize])
            let err = relativeL2(steps.flatMap { $0.layerOutputs[l] }, want.values)
            print("\(name) layer \(l): relative L2 to the official float64 graph \(err)")
            #expect(err <= 1e-12, "\(name) layer \(l): relative L2 \(err)")
        }
        let logits = try NPY.read(path: dir + "/logits_f64.npy")
        let err = relativeL2(steps.flatMap { $0.logits! }, logits.values)
        print("\(name) logits: relative L2 to the official float64 graph \(err)")
        #expect(err <= 1e-12, "\(name) logits: relative L2 \(err)")
    }

    /// The config exactly as transformers 5 writes it (`dtype`, null
    /// `intermediate_size`) loads, with I derived as the official code does.
    @Test func officialConfigLoads() throws {
        let c = try Checkpoint(directory: fixturePath("official/fixD/checkpoint")).config
        #expect(c.hiddenSize == 256 && c.layers == 4 && c.vocabSize == 512 && c.intermediateSize == 768)
        #expect(c.rmsNormEps == 1e-5 && c.useLowerBound)
    }
}
