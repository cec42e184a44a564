import TritJSON
import ArgumentParser
import Foundation
import Model
import Tokenizer

/// `trit tokenize DIR --text S`: text to ids, as the `tokenizers` library encodes it.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Encode text with a Hugging Face tokenizer.json (a checkpoint's or a build's).",
        discussion: """
            Prints the ids comma-separated, or with --json {"ids": [...], "tokens": [...]}. The ids are those \
            of the `tokenizers` library's encode(text).ids: the special tokens the tokenizer's post-processor \
            adds (<s> for Llama and Mistral tokenizers) are included unless --no-special.
            """)

    @Argument(help: "A tokenizer.json, or a directory holding one (checkpoint or build).")
    var tokenizer: String

    @Option(help: "The text to encode.")
    var text: String?

    @Option(help: "Encode this file's contents (UTF-8).")
    var file: String?

    @Flag(help: "Leave out the special tokens the post-processor adds.")
    var noSpecial = false

    @Flag(help: "Print {\"ids\": [...], \"tokens\": [...]}.")
    var json = false

    func run() throws {
        try exitOnError {
            guard (text == nil) != (file == nil) else { throw ValidationError("give exactly one of --text and --file") }
            try checkArgumentsAreUTF8()
            let t = try loadTokenizer(tokenizer)
            let input = try text ?? readUTF8File(file!)
            let encoding = t.encode(input, addSpecialTokens: !noSpecial)
            if json {
                print(JSON.object(["ids": .array(encoding.ids.map { .int(Int($0)) }),
                                   "tokens": .array(encoding.tokens.map { .string($0) })]).serialized)
            } else {
                print(encoding.ids.map(String.init).joined(separator: ","))
            }
        }
    }
}

/// `trit detokenize DIR --ids 1,2,3`: ids to text.
struct DetokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detokenize",
        abstract: "Decode token ids with a Hugging Face tokenizer.json, as the `tokenizers` library does.")

    @Argument(help: "A tokenizer.json, or a directory holding one (checkpoint or build).")
    var tokenizer: String

    @Option(help: "Token ids, comma-separated.")
    var ids: String

    @Flag(help: "Keep special tokens (<s>, </s>) in the text.")
    var keepSpecial = false

    func run() throws {
        try exitOnError {
            let t = try loadTokenizer(tokenizer)
            let list = try parseIDs(ids, option: "--ids", vocabulary: t.vocabularySize)
            print(try t.decode(list, skipSpecialTokens: !keepSpecial))
        }
    }
}
