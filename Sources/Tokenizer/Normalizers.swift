import Foundation

/// Normalizers (`normalizers.*`), each a function of a piece of text
/// (a `Sequence` is flattened into its members).
enum NormalizerStep: Sendable, Equatable {
    case prepend([UInt8])
    case replace(pattern: [UInt8], content: [UInt8])
    case nfc, nfd, nfkc, nfkd
    case lowercase
    case strip(left: Bool, right: Bool)
    case stripAccents

    func apply(_ s: [UInt8]) -> [UInt8] {
        switch self {
        case .prepend(let p):
            return s.isEmpty ? s : p + s
        case let .replace(pattern, content):
            return replaceLiteral(s, pattern, content)
        case .nfc: return Array(string(s).precomposedStringWithCanonicalMapping.utf8)
        case .nfd: return Array(string(s).decomposedStringWithCanonicalMapping.utf8)
        case .nfkc: return Array(string(s).precomposedStringWithCompatibilityMapping.utf8)
        case .nfkd: return Array(string(s).decomposedStringWithCompatibilityMapping.utf8)
        case .lowercase:
            // Rust's `char::to_lowercase`: per character, no context (Σ is always σ).
            if s.allSatisfy({ $0 < 0x80 }) { return s.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 } }
            var out: [UInt8] = []
            for scalar in string(s).unicodeScalars { out.append(contentsOf: scalar.properties.lowercaseMapping.utf8) }
            return out
        case let .strip(left, right):
            var scalars = Substring(string(s)).unicodeScalars[...]
            if left { while let f = scalars.first, f.properties.isWhitespace { scalars.removeFirst() } }
            if right { while let l = scalars.last, l.properties.isWhitespace { scalars.removeLast() } }
            return Array(String(scalars).utf8)
        case .stripAccents:
            var out = String.UnicodeScalarView()
            for scalar in string(s).unicodeScalars {
                switch scalar.properties.generalCategory {
                case .nonspacingMark, .spacingMark, .enclosingMark: continue
                default: out.append(scalar)
                }
            }
            return Array(String(out).utf8)
        }
    }

    private func string(_ s: [UInt8]) -> String { String(decoding: s, as: UTF8.self) }
}

/// Every non-overlapping occurrence of `pattern`, left to right, replaced.
func replaceLiteral(_ s: [UInt8], _ pattern: [UInt8], _ content: [UInt8]) -> [UInt8] {
    guard let first = pattern.first, s.count >= pattern.count else { return s }
    var out: [UInt8] = []
    out.reserveCapacity(s.count + s.count / 4 * max(0, content.count - pattern.count))
    s.withUnsafeBufferPointer { p in
        var i = 0
        let n = p.count
        let m = pattern.count
        while i < n {
            if p[i] == first, i + m <= n, memcmp(p.baseAddress! + i, pattern, m) == 0 {
                out.append(contentsOf: content)
                i += m
            } else {
                out.append(p[i])
                i += 1
            }
        }
    }
    return out
}
