/// Decoding several prompts side by side on a batched build: prompt k on
/// stream k, one run per step for all of them. Prompts may differ in
/// length: a stream still feeding its prompt and one already generating
/// share a step; a stream that has ended runs on zeros, unread.
extension Generation {
    /// Each prompt's generation as `generate` would give it alone (bit for
    /// bit: the streams do not interact). `onToken(k, token)` is called with
    /// each new token of stream k; returning false ends that stream.
    public static func generate(_ session: TokenStepper, embeddings: EmbeddingTable, prompts: [[Int]], maxNew: Int,
                                samplers: inout [Sampler], endOfSequence: Set<Int> = [],
                                onToken: (Int, Int) throws -> Bool = { _, _ in true }) throws -> [Generation] {
        guard session.head else { throw RunnerError.incompatible("generation needs a build compiled with --head") }
        guard !prompts.isEmpty, prompts.count <= session.streams else {
            throw RunnerError.input("\(prompts.count) prompts; the build runs \(session.streams) stream(s) (compile with --batch \(max(prompts.count, 1)))")
        }
        guard samplers.count == prompts.count else { throw RunnerError.input("\(samplers.count) samplers for \(prompts.count) prompts") }
        if let k = prompts.firstIndex(where: \.isEmpty) { throw RunnerError.input("prompt \(k + 1) is empty") }
        guard maxNew >= 0 else { throw RunnerError.input("--max-new must not be negative") }
        var gens = prompts.map { Generation(tokens: $0, promptLength: $0.count, run: TokenRun(), ending: .length) }
        var next = [Int](repeating: 0, count: prompts.count)
        var live = [Bool](repeating: true, count: prompts.count)
        let zeros = [Float](repeating: 0, count: embeddings.width)
        while live.contains(true) {
            let inputs = try gens.indices.map { k in live[k] ? try embeddings.row(gens[k].tokens[next[k]]) : zeros }
            let steps = try session.step(streams: inputs)
            for k in gens.indices where live[k] {
                gens[k].run.tokens.append(TokenRun.Token(steps[k], input: inputs[k], reference: nil, head: true))
                next[k] += 1
                guard next[k] == gens[k].tokens.count else { continue }
                guard gens[k].tokens.count < prompts[k].count + maxNew else { live[k] = false; continue }
                let token = samplers[k].next(steps[k].output)
                gens[k].tokens.append(token)
                if endOfSequence.contains(token) { gens[k].ending = .endOfSequence; live[k] = false }
                else if try !onToken(k, token) { gens[k].ending = .stopped; live[k] = false }
            }
        }
        return gens
    }
}
