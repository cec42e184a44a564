import Compiler
import DeviceAPI
import ISA
import Model

/// Runs a sequence of tokens through a build session, optionally side by
/// side with the float reference, and collects what a user reports: the
/// outputs, the core's cycles, and the agreement with the float model per
/// token, per block output and per recurrent state.
public struct TokenRun {
    /// One token's results.
    public struct Token {
        public var step: BuildSession.Step
        /// Agreement of each block output and state with the reference (when given).
        public var layerOutputs: [Agreement] = []
        public var states: [Agreement] = []
        /// Agreement of the build's output (last block, or logits) with the reference.
        public var output: Agreement?
        /// With a head: the argmax of the build's logits and of the reference's.
        public var argmax: (build: Int, reference: Int?)?
    }

    public var tokens: [Token] = []

    /// The worst agreement over all tokens and layers, nil without a reference.
    public var worstBlockOutput: Agreement? { worst(\.layerOutputs) }
    public var worstState: Agreement? { worst(\.states) }
    public var worstOutput: Agreement? {
        let all = tokens.compactMap(\.output)
        return all.isEmpty ? nil : all.reduce(Agreement.perfect) { $0.worst($1) }
    }
    /// Fraction of tokens whose logits' argmax agrees with the reference's.
    public var argmaxAgreement: Double? {
        let pairs = tokens.compactMap(\.argmax).filter { $0.reference != nil }
        return pairs.isEmpty ? nil : Double(pairs.filter { $0.build == $0.reference }.count) / Double(pairs.count)
    }

    private func worst(_ field: KeyPath<Token, [Agreement]>) -> Agreement? {
        let all = tokens.flatMap { $0[keyPath: field] }
        return all.isEmpty ? nil : all.reduce(Agreement.perfect) { $0.worst($1) }
    }

    /// Saturated elements over all tokens, per instruction kind (the interpreter's count).
    public var saturations: SaturationCounts {
        tokens.reduce(SaturationCounts()) { $0.adding($1.step.saturations) }
    }
    /// Every saturated element, also where only the core's counter knows them.
    public var saturationTotal: Int { tokens.reduce(0) { $0 + $1.step.run.saturationTotal } }
    /// Input elements clamped when written, over all tokens.
    public var clampedInputs: Int { tokens.reduce(0) { $0 + $1.step.clampedInputs } }

    /// Core cycles summed over the tokens (co-simulation only).
    public var cycles: UInt64? {
        let counters = tokens.compactMap(\.step.counters)
        return counters.isEmpty ? nil : counters.reduce(0) { $0 + $1.cycles }
    }

    /// Runs `inputs` (each the hidden state entering the first compiled block)
    /// in sequence. `reference`, when given, must cover the same layers and head.
    public static func run(_ session: TokenStepper, inputs: [[Float]], reference: FloatReference? = nil,
                           progress: ((Int) -> Void)? = nil) throws -> TokenRun {
        var run = TokenRun()
        for (t, x) in inputs.enumerated() {
            run.tokens.append(Token(try session.step(x), input: x, reference: reference, head: session.head))
            progress?(t)
        }
        return run
    }

    /// Runs several sequences of equal length side by side, sequence k on
    /// stream k of a batched build: one run per step for all of them. With
    /// `reference`, each sequence is compared from a fresh float state.
    public static func run(_ session: TokenStepper, streams inputs: [[[Float]]], reference: FloatReference? = nil,
                           progress: ((Int) -> Void)? = nil) throws -> [TokenRun] {
        guard let length = inputs.first?.count, inputs.allSatisfy({ $0.count == length }) else {
            throw RunnerError.input("the streams have \(inputs.map { String($0.count) }.joined(separator: ", ")) tokens; a run takes streams of one length")
        }
        var steps: [[BuildSession.Step]] = []
        for t in 0..<length {
            steps.append(try session.step(streams: inputs.map { $0[t] }))
            progress?(t)
        }
        return inputs.indices.map { k in
            reference?.reset()
            var run = TokenRun()
            for t in 0..<length { run.tokens.append(Token(steps[t][k], input: inputs[k][t], reference: reference, head: session.head)) }
            return run
        }
    }
}

extension TokenRun.Token {
    /// `step`, the result of `input`, compared with the next step of `reference` when given.
    init(_ step: BuildSession.Step, input x: [Float], reference: FloatReference?, head: Bool) {
        self.init(step: step)
        if let reference {
            let r = reference.step(x.map(Double.init))
            layerOutputs = zip(step.layerOutputs, r.layerOutputs).map { Agreement($0, reference: $1) }
            states = zip(step.states, r.states).map { Agreement($0, reference: $1) }
            let expected = r.logits ?? r.layerOutputs.last ?? []
            if expected.count == step.output.count { output = Agreement(step.output, reference: expected) }
            if head { argmax = (Runner.argmax(step.output), r.logits.map { Runner.argmax($0) }) }
        } else if head {
            argmax = (Runner.argmax(step.output), nil)
        }
    }
}
