import TritJSON
import DeviceAPI
import ISA

/// What runs tokens for `TokenRun`, `Generation` and `Evaluation`: one
/// build on one engine (`BuildSession`), or a model split over several
/// cards (`CardChain`).
public protocol TokenStepper: AnyObject {
    /// Whether the output is logits (the last card holds the head).
    var head: Bool { get }
    /// The first layer run: 0 when the input is a token's embedding.
    var firstLayer: Int { get }
    /// One token: `input` enters the first layer; the recurrent state carries on.
    func step(_ input: [Float]) throws -> BuildSession.Step
    /// Sequences a step runs side by side (`trit compile --batch`).
    var streams: Int { get }
    /// One token of each of up to `streams` sequences, input k on stream k.
    func step(streams inputs: [[Float]]) throws -> [BuildSession.Step]
    /// The longest prompt `prefill` takes, nil without a prefill program.
    var prefillLength: Int? { get }
    /// `streams` consecutive tokens of stream 0's sequence in one weight pass.
    func prefill(_ inputs: [[Float]]) throws -> [BuildSession.Step]
    /// Forget every token: all recurrent state to zero.
    func resetState() throws
    /// What putting each card's image in place cost.
    var loads: [LoadReport] { get }
}

extension LoadReport {
    /// `{"bytes": B, "dma_cycles": C}` (null cycles where the engine has no DMA).
    public var json: JSON { .object(["bytes": .int(bytes), "dma_cycles": .optional(cycles) { .int(Int($0)) }]) }
}

/// A model compiled for several cards (`trit compile --cards N`), each on
/// its own engine: a token runs through the cards in turn, and each card's
/// output words are the next card's input words, so the result is bit for
/// bit what one card running every layer gives.
public final class CardChain: TokenStepper {
    public let cards: [BuildSession]

    public init(_ cards: [BuildSession]) throws {
        guard !cards.isEmpty else { throw RunnerError.incompatible("no cards") }
        if let batched = cards.first(where: { $0.streams > 1 }) {
            throw RunnerError.incompatible("a model split over several cards runs one stream; card with layers from \(batched.manifest.firstLayer) is compiled for \(batched.streams)")
        }
        for (a, b) in zip(cards, cards.dropFirst()) {
            let next = a.manifest.firstLayer + a.manifest.layerCount
            guard !a.manifest.head, b.manifest.firstLayer == next, a.manifest.target.fracBits == b.manifest.target.fracBits,
                  a.manifest.output.count == b.manifest.input.count else {
                throw RunnerError.incompatible("card with layers from \(b.manifest.firstLayer) does not continue the card before it "
                                               + "(which ends at layer \(next - 1)\(a.manifest.head ? " with the head" : ""))")
            }
        }
        self.cards = cards
    }

    public var head: Bool { cards.last!.head }
    public var streams: Int { 1 }
    public var prefillLength: Int? { nil }

    public func step(streams inputs: [[Float]]) throws -> [BuildSession.Step] {
        guard inputs.count == 1 else { throw RunnerError.input("\(inputs.count) streams' inputs, a model on several cards runs one") }
        return [try step(inputs[0])]
    }

    public func prefill(_ inputs: [[Float]]) throws -> [BuildSession.Step] {
        throw RunnerError.incompatible("a model on several cards has no prefill program")
    }
    public var firstLayer: Int { cards[0].firstLayer }

    public func step(_ input: [Float]) throws -> BuildSession.Step {
        var step = try cards[0].step(input)
        for card in cards.dropFirst() {
            let next = try card.step(encoded: step.rawOutput)
            step = merged(step, next)
        }
        return step
    }

    /// The later card's output, with both cards' layers, instructions and saturations.
    func merged(_ a: BuildSession.Step, _ b: BuildSession.Step) -> BuildSession.Step {
        var run = b.run
        run.instructions += a.run.instructions
        run.saturations = a.run.saturations.adding(b.run.saturations)
        if let x = a.run.counters, let y = b.run.counters {
            run.counters = CoreCounters(cycles: x.cycles + y.cycles, busy: zip(x.busy, y.busy).map(+),
                                        memoryStall: x.memoryStall + y.memoryStall, weightBeats: x.weightBeats + y.weightBeats,
                                        issueStall: x.issueStall + y.issueStall, saturations: x.saturations + y.saturations,
                                        banks: y.banks)
        }
        return BuildSession.Step(output: b.output, rawOutput: b.rawOutput, layerOutputs: a.layerOutputs + b.layerOutputs,
                                 states: a.states + b.states, run: run, clampedInputs: a.clampedInputs)
    }

    public func resetState() throws { for c in cards { try c.resetState() } }
    public var loads: [LoadReport] { cards.map(\.load) }
}
