import Foundation
import TritJSON

extension Tokenizer {
    /// Decodes `data` as UTF-8, refusing (not replacing) ill-formed bytes:
    /// the error names `source` and the byte offset of the first bad byte.
    /// Use it to read text files before `encode`, which takes a `String`.
    public static func string(fromUTF8 data: Data, source: String) throws -> String {
        let bytes = [UInt8](data)
        if let offset = UTF8Check.firstInvalidOffset(bytes) {
            throw TokenizerError.invalidUTF8(source: source, offset: offset)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
