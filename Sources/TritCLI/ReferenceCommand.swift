import ArgumentParser
import Foundation
import Model

/// `trit reference CKPT`: the float reference over a sequence of tokens.
struct ReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reference",
        abstract: "Run the float reference of HGRN-Bit blocks over a token sequence.",
        discussion: """
            --input X.npy holds the hidden states entering the first requested layer, \
            shape [T, d] (or [d] for one token); --token looks up embeddings instead \
            (the input of layer 0). Tokens run in order with the recurrent state carried. \
            The output is the last requested block's output [T, d], or the logits [T, vocab] \
            with --head, written as float64.
            """)

    @Argument(help: "Checkpoint directory.")
    var checkpoint: String

    @Option(help: "Layers to run: A..B (both included) or A. Default: all.")
    var layers: String?

    @Flag(help: "Apply the final norm and lm_head: write logits.")
    var head = false

    @Option(help: "Input hidden states (.npy, [T, d] or [d]).")
    var input: String?

    @Option(help: "Token ids, comma-separated, looked up in the embedding table.")
    var token: String?

    @Option(help: "Output file (.npy).")
    var output: String

    func validate() throws {
        guard (input == nil) != (token == nil) else { throw ValidationError("give exactly one of --input and --token") }
    }

    func run() throws {
        try exitOnError { try execute() }
    }

    func execute() throws {
        let ckpt = try Checkpoint(directory: checkpoint)
        let c = ckpt.config
        let range = try layers.map { try LayerRange.parse($0, layers: c.layers) } ?? 0...(c.layers - 1)
        let rows: [[Double]]
        if let token {
            let ids = try parseTokenList(token, option: "--token")
            guard range.lowerBound == 0 else {
                throw ReferenceError("--token feeds layer 0 but --layers starts at \(range.lowerBound); use --input")
            }
            rows = try FloatReference.embeddings(ckpt, tokens: ids)
        } else {
            let streams = try readInputRows(input!, width: c.hiddenSize)
            guard streams.count == 1 else { throw ReferenceError("\(input!): the float reference runs one sequence, [T, d]") }
            rows = streams[0]
        }
        let reference = try FloatReference(source: ckpt, layers: range, head: head)
        var out: [Double] = []
        for x in rows {
            let s = reference.step(x)
            out += head ? s.logits! : s.layerOutputs.last!
        }
        let width = head ? c.vocabSize : c.hiddenSize
        try ISAToolFiles.writeAtomically(NPY.float64(out, shape: [rows.count, width]), to: output)
        print("wrote \(output): [\(rows.count), \(width)] (\(head ? "logits" : "output of layer \(range.upperBound)"), layers \(range.lowerBound)..\(range.upperBound))")
    }
}
