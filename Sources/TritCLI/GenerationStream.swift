import Foundation
import Runner
import Tokenizer

/// The text side of `trit generate`: decodes each new token in the context
/// of the tokens before it, holds back what could be a stop text, and
/// writes the rest to stdout as it comes.
struct GenerationStream {
    private var decoder: StreamingDecoder?
    private var stops: StopText
    private let echo: Bool
    private var wrote = false
    private(set) var generated: [Int] = []
    /// The generated text released so far (stop text excluded).
    private(set) var text = ""

    /// `tokenizer` nil: ids only. `echo`: write text to stdout.
    init(tokenizer: Tokenizer?, prompt: [Int], stops: [String], echo: Bool) throws {
        if let tokenizer {
            // The prompt goes through the decoder first, so that the first new
            // token decodes as it does after the prompt (its leading space kept).
            var d = StreamingDecoder(tokenizer)
            for id in prompt { _ = try d.push(id) }
            decoder = d
        }
        self.stops = StopText(stops)
        self.echo = echo
    }

    mutating func write(_ s: String) {
        guard echo, !s.isEmpty else { return }
        FileHandle.standardOutput.write(Data(s.utf8))
        wrote = true
    }

    /// Takes a new token; false when a stop text has appeared.
    mutating func add(_ id: Int) throws -> Bool {
        generated.append(id)
        guard decoder != nil else { return true }
        release(stops.push(try decoder!.push(id)))
        return !stops.stopped
    }

    /// Ends the stream; the whole generated text, nil without a tokenizer.
    mutating func finish() throws -> String? {
        guard decoder != nil else { return nil }
        release(stops.push(decoder!.finish()))
        release(stops.finish())
        if wrote { write("\n") }
        return text
    }

    /// A fault ended generation: end the line, so the error reads on its own.
    mutating func interrupted() {
        if wrote { write("\n") }
    }

    private mutating func release(_ piece: String) {
        text += piece
        write(piece)
    }
}
