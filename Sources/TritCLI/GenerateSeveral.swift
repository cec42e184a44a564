import ArgumentParser
import Foundation
import Runner
import Tokenizer
import TritJSON

/// `trit generate` with several prompts: one per stream of a batched build,
/// decoded side by side; each stream's text is printed when all have ended.
extension GenerateCommand {
    func generateSeveral(_ session: TokenStepper, prompts: [[Int]], texts: [String]?, tokenizer: Tokenizer?,
                         embeddings: EmbeddingTable, sampling: SamplingOptions) throws {
        if reference != nil { throw ValidationError("--reference compares one prompt's generation; give one prompt") }
        // Stream k samples as a run of its prompt alone with --seed seed + k would.
        var samplers = try prompts.indices.map { k in
            var s = sampling
            s.seed = sampling.seed &+ UInt64(k)
            return try Sampler(s)
        }
        var streams = try prompts.map { try GenerationStream(tokenizer: tokenizer, prompt: $0, stops: stop, echo: false) }
        let clock = Date()
        let gens = try Generation.generate(session, embeddings: embeddings, prompts: prompts, maxNew: maxNew, samplers: &samplers,
                                           endOfSequence: tokenizer?.eosID.map { [$0] } ?? []) { k, t in try streams[k].add(t) }
        let seconds = Date().timeIntervalSince(clock)
        let generatedTexts = try streams.indices.map { try streams[$0].finish() }
        let steps = gens.map(\.run.tokens.count).max() ?? 0
        if json {
            let idList = { (xs: [Int]) in JSON.array(xs.map { .int($0) }) }
            let list: [JSON] = gens.indices.map { k in
                .object(["prompt_ids": idList(prompts[k]), "ids": idList(Array(gens[k].generated)),
                         "text": .optional(generatedTexts[k]) { .string($0) }, "ending": .string(gens[k].ending.rawValue),
                         "saturations": .int(gens[k].run.saturationTotal)])
            }
            print(JSON.object(["streams": .array(list), "steps": .int(steps),
                               "steps_per_second": .rounded(Double(steps) / max(seconds, 1e-9), 3)]).serialized)
        } else {
            for k in gens.indices {
                print("--- prompt \(k + 1) (\(gens[k].ending.rawValue)) ---")
                if let t = generatedTexts[k], let p = texts?[k] {
                    print(p + t)
                } else {
                    print("prompt:    " + prompts[k].map(String.init).joined(separator: ","))
                    print("generated: " + gens[k].generated.map(String.init).joined(separator: ","))
                }
            }
        }
        for (k, g) in gens.enumerated() {
            for w in g.run.warnings(inputWidth: embeddings.width) { ISAToolFiles.stderr("prompt \(k + 1): " + w) }
        }
        let generated = gens.reduce(0) { $0 + $1.generated.count }
        ISAToolFiles.stderr(String(format: "[%d prompts, %d tokens generated in %d steps of %d streams, %.1f steps per second, on %@]",
                                   prompts.count, generated, steps, session.streams, Double(steps) / max(seconds, 1e-9),
                                   engine.engine.described))
    }
}
