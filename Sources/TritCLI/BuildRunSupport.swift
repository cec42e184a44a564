import ArgumentParser
import Compiler
import DeviceAPI
import Foundation
import Model
import Runner
import TritJSON

/// The options `trit run BUILD_DIR` and `trit cosim BUILD_DIR` share: what
/// to feed the build token by token, where to write its outputs, and the
/// checkpoint to compare with.
struct TokenOptions: ParsableArguments {
    @Option(help: "Build directory only: hidden states entering the first compiled block (.npy, [T, d] or [d]; [B, T, d] for B streams of a --batch build).")
    var input: String?

    @Option(help: "Build directory only: token ids, comma-separated, looked up in the build's embedding table; streams of a --batch build separated by ';' (\"1,2,3;4,5,6\").")
    var token: String?

    @Option(help: "Build directory only: write the outputs here (.npy float32, [T, d], or [T, vocab] logits for a --head build; [B, T, ...] for several streams).")
    var output: String?

    @Option(help: "Build directory only: compare every token with the float reference of this checkpoint.")
    var reference: String?

    var isEmpty: Bool { input == nil && token == nil && output == nil && reference == nil }

    /// Refuses the build-only options for a program image.
    func refuseForImage() throws {
        if !isEmpty { throw ValidationError("--input, --token, --output and --reference are for build directories, not program images") }
    }
}

/// Parses `1,2,3` into token ids.
func parseTokenList(_ text: String, option: String) throws -> [Int] {
    try text.split(separator: ",", omittingEmptySubsequences: false).map { t in
        guard let v = Int(t.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("\(option): '\(t)' is not a token id")
        }
        return v
    }
}

/// The rows of a [T, width] (or [width]) .npy file, one token's input each;
/// of a [B, T, width] file, B streams of them.
func readInputRows(_ file: String, width d: Int) throws -> [[[Double]]] {
    let x = try NPY.read(path: file)
    let s = x.shape
    guard (s.count == 1 && s[0] == d) || (s.count == 2 && s[1] == d && s[0] > 0) || (s.count == 3 && s[2] == d && s[0] > 0 && s[1] > 0) else {
        throw ValidationError("\(file): shape \(s), expected [T, \(d)], [\(d)] or [B, T, \(d)] with B, T > 0")
    }
    if let k = x.values.firstIndex(where: { !$0.isFinite }) {
        throw ValidationError("\(file): non-finite value at element \(k)")
    }
    let rows = (0..<(x.values.count / d)).map { Array(x.values[($0 * d)..<(($0 + 1) * d)]) }
    let t = s.count == 3 ? s[1] : rows.count
    return stride(from: 0, to: rows.count, by: t).map { Array(rows[$0..<($0 + t)]) }
}

/// Whether `path` names a directory (a build) rather than a file (a program image).
func isDirectory(_ path: String) -> Bool {
    var dir: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &dir) && dir.boolValue
}

/// A build directory (or a model compiled for several cards) opened for
/// running, with its inputs and optional reference.
struct BuildRunSetup {
    let path: String
    let model: CompiledModel
    /// Each stream's inputs, one row per token (one stream unless several were given).
    let streams: [[[Float]]]
    let reference: FloatReference?

    /// The one stream's inputs.
    var inputs: [[Float]] { streams[0] }

    init(path: String, options: TokenOptions) throws {
        guard (options.input == nil) != (options.token == nil) else {
            throw ValidationError("a build directory needs exactly one of --input and --token")
        }
        self.path = path
        model = try CompiledModel(path: path)
        let first = model.first, d = first.model.hiddenSize
        if let token = options.token {
            guard let table = model.embeddings else {
                throw ValidationError("--token: the build starts at layer \(first.firstLayer), so it has no embedding table; use --input")
            }
            let embeddings = try EmbeddingTable(vocab: first.model.vocabSize, width: d, values: table)
            streams = try token.split(separator: ";", omittingEmptySubsequences: false).map {
                try parseTokenList(String($0), option: "--token").map { try embeddings.row($0) }
            }
        } else {
            streams = try readInputRows(options.input!, width: d).map { $0.map { $0.map(Float.init) } }
        }
        let batch = model.builds.count == 1 ? first.streams : 1, given = streams.count
        guard given <= batch else {
            throw ValidationError("\(given) streams of tokens; the build runs \(batch) (compile with --batch \(given))")
        }
        let lengths = streams.map(\.count)
        guard Set(lengths).count == 1 else {
            throw ValidationError("the streams have \(lengths.map(String.init).joined(separator: ", ")) tokens; `trit run` steps every stream together, so they must have one length")
        }
        if let ckpt = options.reference {
            let source = try Checkpoint(directory: ckpt)
            guard source.config == first.model else {
                throw ValidationError("--reference \(ckpt): its config differs from the one the build was compiled from")
            }
            reference = try FloatReference(source: source, layers: first.firstLayer...(model.last.firstLayer + model.last.layerCount - 1),
                                           head: model.last.head)
        } else {
            reference = nil
        }
    }

    /// The one card's build, for commands that run a single build.
    func singleBuild(_ command: String, instead: String) throws -> Build {
        guard model.builds.count == 1 else {
            throw ValidationError("\(path) is compiled for \(model.builds.count) cards; `\(command)` runs one card's build (\(instead))")
        }
        return model.builds[0]
    }

    /// Writes the outputs of every token as one float32 array [T, width],
    /// or [B, T, width] for several streams.
    func writeOutputs(_ runs: [TokenRun], to file: String) throws {
        let rows = runs.flatMap { $0.tokens.map(\.step.output) }
        let flat = rows.flatMap { $0.map(Float.init) }
        let shape = [runs[0].tokens.count, rows.first?.count ?? 0]
        try ISAToolFiles.writeAtomically(NPY.float32(flat, shape: runs.count == 1 ? shape : [runs.count] + shape), to: file)
    }

    /// Runs every stream's tokens on `session`: one stream token by token, several side by side.
    func run(_ session: TokenStepper, progress: ((Int) -> Void)? = nil) throws -> [TokenRun] {
        streams.count == 1 ? [try TokenRun.run(session, inputs: inputs, reference: reference, progress: progress)]
            : try TokenRun.run(session, streams: streams, reference: reference, progress: progress)
    }
}

/// Prints the report of one stream's run, or of each of several streams
/// (JSON: `{"streams": [...]}`), and their warnings on stderr.
func printRuns(_ runs: [TokenRun], cards: [BuildManifest], loads: [LoadReport], json: Bool) {
    if json {
        let reports = runs.map { RunReport.json($0, cards: cards, loads: loads) }
        print((runs.count == 1 ? reports[0] : .object(["streams": .array(reports)])).serialized)
    } else {
        for (k, run) in runs.enumerated() {
            if runs.count > 1 { print("stream \(k):") }
            RunReport.lines(run, cards: cards).forEach { print((runs.count > 1 ? "  " : "") + $0) }
        }
    }
    for (k, run) in runs.enumerated() {
        run.warnings(inputWidth: cards[0].input.count).forEach { ISAToolFiles.stderr((runs.count > 1 ? "stream \(k): " : "") + $0) }
    }
}

/// The float reference of a whole model with its head, from checkpoint `ckpt`,
/// which must have the config the build was compiled from.
func fullModelReference(_ ckpt: String, _ model: ModelConfig) throws -> FloatReference {
    let source = try Checkpoint(directory: ckpt)
    guard source.config == model else {
        throw ValidationError("--reference \(ckpt): its config differs from the one the build was compiled from")
    }
    return try FloatReference(source: source, layers: 0...(model.layers - 1), head: true)
}

/// A build directory, or a model compiled for several cards
/// (`trit compile --cards N`), ready to run on the chosen engines.
struct CompiledModel {
    let directory: URL
    let builds: [Build]

    init(path: String) throws {
        let url = URL(fileURLWithPath: path)
        directory = url
        builds = MultiCardBuild.isMultiCard(url) ? try MultiCardBuild.load(from: url).builds : [try Build.load(from: url)]
    }

    var manifests: [BuildManifest] { builds.map(\.manifest) }
    var first: BuildManifest { builds[0].manifest }
    var last: BuildManifest { builds[builds.count - 1].manifest }
    /// The embedding table of the first card, when it starts at layer 0.
    var embeddings: [Float]? { builds[0].embeddings }

    /// One session per card, each on its own engine (card k of the engine's kind).
    func stepper(_ engine: EngineOptions) throws -> TokenStepper {
        let sessions = try builds.enumerated().map { k, b in
            try BuildSession(b, engine: try engine.make(for: b.manifest, card: k))
        }
        return sessions.count == 1 ? sessions[0] : try CardChain(sessions)
    }
}
