import TritJSON
import ArgumentParser
import Compiler
import Foundation
import ISA
import Model
import Runner
import Tokenizer

/// `trit compile CKPT --out BUILD_DIR`: a checkpoint to a build directory.
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile HGRN-Bit blocks of a checkpoint into a program and memory image for the core.",
        discussion: """
            Quantizes every projection to ternary (absmean) and packs it for streaming, converts norm \
            weights and lower bounds to fixed point, plans data memory and writes one program per token \
            step: program.s (readable), program.bin, memory.bin, embeddings.npy (when the build starts at \
            layer 0) and manifest.json. --packing 1.6bit stores the same trits 5 per byte (base 3) \
            instead of 4, so a token step streams 20 % fewer weight bytes. --batch B compiles for a core \
            of B streams: each token step runs B sequences on one weight pass; --prefill T adds prefill.s \
            and prefill.bin, which run B consecutive tokens of one prompt (up to T tokens) per weight pass, \
            used by `trit generate` for prompts. The directory is written under a temporary name and moved into \
            place only when everything succeeded. Run it with `trit run BUILD_DIR` or `trit cosim BUILD_DIR`.
            """)

    @Argument(help: "Checkpoint directory (config.json and safetensors).")
    var checkpoint: String

    @Option(help: "Layers to compile: A..B (both included) or A. Default: all.")
    var layers: String?

    @Flag(help: "End with the final norm and lm_head: the output is logits (needs the last layer).")
    var head = false

    @OptionGroup var core: CoreOptions

    @Option(help: "Split the layers over this many cards (balanced by weights; the last holds the head): BUILD/card0, card1, ... and BUILD/cards.json.")
    var cards = 1

    @Option(help: PackingChoice.help)
    var packing: PackingChoice = .twoBit

    @Option(help: "With --batch B: also write a prefill program for prompts of up to T tokens (a multiple of B), B tokens per weight pass.")
    var prefill: Int?

    @Option(help: "Build directory to write.")
    var out: String

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        try exitOnError { try execute() }
    }

    func execute() throws {
        let clock = Date()
        let ckpt = try Checkpoint(directory: checkpoint)
        let range = try layers.map { try LayerRange.parse($0, layers: ckpt.config.layers) }
        // The instruction set of the core the build will run on (d5005's, as generic's but for its vector length).
        let target = try core.instructionSet(default: .d5005)
        var lastShown = Date.distantPast
        func compile(_ layers: ClosedRange<Int>?, head: Bool) throws -> Build {
            try ModelCompiler.compile(ckpt, layers: layers, head: head, target: target, packing: packing.packing, prefill: prefill) { p in
                // Progress at most twice a second, and the last tensor.
                guard !json, p.completed == p.total || Date().timeIntervalSince(lastShown) > 0.5 else { return }
                lastShown = Date()
                ISAToolFiles.stderr("compiling: \(p.completed)/\(p.total) tensors (\(p.tensor))")
            }
        }
        let extras = try tokenizerFiles(vocabulary: ckpt.config.vocabSize)
        if cards != 1 && (target.streams > 1 || prefill != nil) {
            throw ValidationError("--cards runs one stream: it does not combine with --batch or --prefill")
        }
        if cards != 1 { return try compileCards(ckpt, range ?? 0...(ckpt.config.layers - 1), extras: extras, clock: clock, compile) }
        let build = try compile(range, head: head)
        try build.write(to: URL(fileURLWithPath: out), extraFiles: extras)
        let seconds = Date().timeIntervalSince(clock)
        let m = build.manifest
        if json {
            print(JSON.object(["out": .string(out), "instructions": .int(m.instructions), "memory_bytes": .int(m.memorySize),
                               "weight_bytes": .int(m.weightBytes), "packing": .int(Int(m.packing)),
                               "streams": .int(m.streams), "prefill": .optional(m.prefillLength) { .int($0) },
                               "seconds": .rounded(seconds, 3)]).serialized)
        } else {
            print("wrote \(out): " + RunReport.describe(m) + String(format: "; data memory %.1f MiB; %.1f s",
                                                                  Double(m.memorySize) / Double(1 << 20), seconds))
        }
    }

    /// `--cards N`: one build per card, written together with the index.
    func compileCards(_ ckpt: Checkpoint, _ range: ClosedRange<Int>, extras: [String: Data], clock: Date,
                      _ compile: (ClosedRange<Int>?, Bool) throws -> Build) throws {
        let split = try CardSplit.ranges(ckpt.config, layers: range, head: head, cards: cards)
        let builds = try split.enumerated().map { k, r in try compile(r, head && k == split.count - 1) }
        try MultiCardBuild(builds: builds).write(to: URL(fileURLWithPath: out), extraFiles: extras)
        let seconds = Date().timeIntervalSince(clock)
        if json {
            let list: [JSON] = builds.map { .object($0.manifest.spanSummary) }
            print(JSON.object(["out": .string(out), "cards": .array(list), "seconds": .rounded(seconds, 3)]).serialized)
        } else {
            print("wrote \(out) for \(builds.count) cards" + String(format: " (%.1f s):", seconds))
            for (k, b) in builds.enumerated() { print("  \(MultiCardBuild.directoryName(k)): " + RunReport.describe(b.manifest)) }
        }
    }

    /// The checkpoint's tokenizer.json, checked, for the build to carry (none when the checkpoint has none).
    func tokenizerFiles(vocabulary: Int) throws -> [String: Data] {
        let file = URL(fileURLWithPath: checkpoint).appendingPathComponent(tokenizerFileName)
        guard let data = FileManager.default.contents(atPath: file.path) else { return [:] }
        let t = try Tokenizer(json: data, source: file.path)
        guard t.vocabularySize <= vocabulary else {
            throw ValidationError("\(file.path): the tokenizer has \(t.vocabularySize) tokens, the model's vocabulary only \(vocabulary)")
        }
        return [tokenizerFileName: data]
    }
}
