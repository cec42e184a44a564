import TritJSON

/// The decoder chain (`decoders.*` of the `tokenizers` library) as stages
/// that take tokens one at a time and pass on only what no later token can
/// change. `decode` feeds every token and then finishes; the streaming
/// decoder finishes only at the end, so both run the same code.

/// One decoder of a chain (a `Sequence` is flattened into its members).
enum DecoderStep: Sendable, Equatable {
    case replace(pattern: [UInt8], content: [UInt8])
    case byteFallback
    case fuse
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    case metaspace(replacement: Unicode.Scalar, prependFirst: Bool)
    case byteLevel
    case bpe(suffix: [UInt8])

    /// Whether the stage joins its input into one string: later stages then
    /// see chunks of a single token (token index 0) instead of whole tokens.
    var fuses: Bool { self == .fuse || self == .byteLevel }
}

/// One stage's running state.
struct DecoderStageState {
    var pending: [UInt8] = []   // held-back bytes
    var tokens = 0              // tokens seen (index of the next one)
    var leading = 0             // leading characters stripped so far
    var leadDone = false        // past the leading characters (or, for byte fallback, past 6 bytes)
}

/// A chain's running state.
struct DecoderPipeline {
    private let steps: [DecoderStep]
    private let fusedInput: [Bool]
    private var states: [DecoderStageState]
    /// Finished text, taken by the caller.
    var output: [UInt8] = []
    private var joinedAny = false

    /// `steps` nil: no decoder, tokens are joined with spaces (as the library does).
    init(_ steps: [DecoderStep]?) {
        self.steps = steps ?? []
        var fused = false
        var inputs: [Bool] = []
        for s in self.steps { inputs.append(fused); fused = fused || s.fuses }
        fusedInput = inputs
        states = Array(repeating: DecoderStageState(), count: self.steps.count)
        joinWithSpaces = steps == nil
    }

    private let joinWithSpaces: Bool

    mutating func push(_ token: [UInt8]) {
        if joinWithSpaces {
            if joinedAny { output.append(0x20) }
            joinedAny = true
        }
        feed(token, 0)
    }

    /// The stream ended: releases everything held back.
    mutating func finish() {
        for k in 0..<steps.count { flush(k) }
    }

    private mutating func feed(_ item: [UInt8], _ k: Int) {
        guard k < steps.count else { output.append(contentsOf: item); return }
        if fusedInput[k] { feedChunk(item, k) } else { feedToken(item, k) }
    }

    /// A whole token reaches stage k.
    private mutating func feedToken(_ token: [UInt8], _ k: Int) {
        let index = states[k].tokens
        states[k].tokens += 1
        switch steps[k] {
        case let .replace(pattern, content):
            feed(replaceLiteral(token, pattern, content), k + 1)
        case .byteFallback:
            if let b = byteToken(token) {
                states[k].pending.append(b)
            } else {
                flush(k)
                feed(token, k + 1)
            }
        case .fuse:
            feed(token, k + 1)
        case let .strip(content, start, stop):
            feed(strip(token, content, start, stop), k + 1)
        case let .metaspace(replacement, prependFirst):
            feed(metaspace(token, replacement, removeAll: index == 0 && prependFirst), k + 1)
        case .byteLevel:
            states[k].pending.append(contentsOf: ByteLevelMap.bytes(ofToken: token))
            var text: [UInt8] = []
            let used = UTF8Check.appendLossy(states[k].pending, final: false, into: &text)
            states[k].pending.removeFirst(used)
            if !text.isEmpty { feed(text, k + 1) }
        case let .bpe(suffix):
            // Every token but the last has its suffix replaced by a space.
            if index > 0 { feed(replaceLiteral(states[k].pending, suffix, [0x20]), k + 1) }
            states[k].pending = token
        }
    }

    /// A chunk of the single fused token reaches stage k.
    private mutating func feedChunk(_ chunk: [UInt8], _ k: Int) {
        switch steps[k] {
        case let .replace(pattern, _), let .bpe(suffix: pattern):
            states[k].pending.append(contentsOf: chunk)
            let content: [UInt8] = if case .replace(_, let c) = steps[k] { c } else { [] }
            let (done, used) = replaceSome(states[k].pending, pattern, content, final: false)
            states[k].pending.removeFirst(used)
            if !done.isEmpty { feed(done, k + 1) }
        case .byteFallback:
            // The fused text is a byte token only if it is exactly "<0xXX>".
            if states[k].leadDone { feed(chunk, k + 1); return }
            states[k].pending.append(contentsOf: chunk)
            if states[k].pending.count > 6 {
                states[k].leadDone = true
                let all = states[k].pending
                states[k].pending = []
                feed(all, k + 1)
            }
        case .fuse:
            feed(chunk, k + 1)
        case let .strip(content, start, stop):
            feed(stripStreaming(chunk, content, start, stop, &states[k]), k + 1)
        case let .metaspace(replacement, prependFirst):
            feed(metaspace(chunk, replacement, removeAll: prependFirst), k + 1)
        case .byteLevel:
            states[k].pending.append(contentsOf: chunk)   // decided on the whole text
        }
    }

    /// Releases what stage k holds (the stream ended or, for byte fallback, a run of bytes did).
    private mutating func flush(_ k: Int) {
        let pending = states[k].pending
        states[k].pending = []
        switch steps[k] {
        case .byteFallback where !fusedInput[k]:
            guard !pending.isEmpty else { return }
            if UTF8Check.firstInvalidOffset(pending) == nil {
                feed(pending, k + 1)
            } else {
                for _ in pending { feed(UTF8Check.replacement, k + 1) }
            }
        case .byteFallback:
            if !states[k].leadDone, let b = byteToken(pending) {
                var text: [UInt8] = []
                _ = UTF8Check.appendLossy([b], final: true, into: &text)
                feed(text, k + 1)
            } else if !pending.isEmpty {
                feed(pending, k + 1)
            }
        case let .replace(pattern, content) where fusedInput[k]:
            let (done, _) = replaceSome(pending, pattern, content, final: true)
            if !done.isEmpty { feed(done, k + 1) }
        case let .bpe(suffix):
            if fusedInput[k] {
                let (done, _) = replaceSome(pending, suffix, [], final: true)
                if !done.isEmpty { feed(done, k + 1) }
            } else if states[k].tokens > 0 {
                feed(replaceLiteral(pending, suffix, []), k + 1)
            }
        case .strip(let content, _, let stop):
            // The held trailing run: all but its last `stop` characters stay.
            let scalars = Array(String(decoding: pending, as: UTF8.self).unicodeScalars)
            var cut = scalars.count
            while cut > 0, scalars.count - cut < stop, scalars[cut - 1] == content { cut -= 1 }
            var kept = String.UnicodeScalarView()
            kept.append(contentsOf: scalars[..<cut])
            if !kept.isEmpty { feed(Array(String(kept).utf8), k + 1) }
        case .byteLevel where fusedInput[k]:
            var text: [UInt8] = []
            _ = UTF8Check.appendLossy(ByteLevelMap.bytes(ofToken: pending), final: true, into: &text)
            if !text.isEmpty { feed(text, k + 1) }
        case .byteLevel:
            var text: [UInt8] = []
            _ = UTF8Check.appendLossy(pending, final: true, into: &text)
            if !text.isEmpty { feed(text, k + 1) }
        case .replace, .fuse, .metaspace:
            break
        }
    }
}

// MARK: the stages' text operations

/// The byte of a `<0xXX>` token, parsed like Rust's `u8::from_str_radix` (which also takes a `+`).
private func byteToken(_ t: [UInt8]) -> UInt8? {
    guard t.count == 6, t[0] == UInt8(ascii: "<"), t[1] == UInt8(ascii: "0"), t[2] == UInt8(ascii: "x"),
          t[5] == UInt8(ascii: ">") else { return nil }
    func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
    if t[3] == UInt8(ascii: "+") { return hex(t[4]) }
    guard let hi = hex(t[3]), let lo = hex(t[4]) else { return nil }
    return hi << 4 | lo
}

/// Replaces non-overlapping occurrences of `pattern` left to right. Unless
/// `final`, stops before the last `pattern.count - 1` bytes (a match may
/// still complete there), at a character boundary; `used` is where it stopped.
private func replaceSome(_ s: [UInt8], _ pattern: [UInt8], _ content: [UInt8], final: Bool) -> (done: [UInt8], used: Int) {
    guard !pattern.isEmpty else { return (s, s.count) }
    var limit = final ? s.count : max(0, s.count - pattern.count + 1)
    while limit > 0, limit < s.count, s[limit] & 0xC0 == 0x80 { limit -= 1 }
    var out: [UInt8] = []
    out.reserveCapacity(s.count)
    var i = 0
    while i < limit {
        if s[i] == pattern[0], i + pattern.count <= s.count, s[i..<(i + pattern.count)].elementsEqual(pattern) {
            out.append(contentsOf: content)
            i += pattern.count
        } else {
            out.append(s[i])
            i += 1
            while i < s.count, s[i] & 0xC0 == 0x80 { out.append(s[i]); i += 1 }
        }
    }
    return (out, i)
}

/// Strip of a whole token: up to `start` leading and `stop` trailing `content` characters.
private func strip(_ token: [UInt8], _ content: Unicode.Scalar, _ start: Int, _ stop: Int) -> [UInt8] {
    let scalars = Array(String(decoding: token, as: UTF8.self).unicodeScalars)
    var lo = 0
    while lo < min(start, scalars.count), scalars[lo] == content { lo += 1 }
    var hi = scalars.count
    while hi > lo, scalars.count - hi < stop, scalars[hi - 1] == content { hi -= 1 }
    var view = String.UnicodeScalarView()
    view.append(contentsOf: scalars[lo..<hi])
    return Array(String(view).utf8)
}

/// Strip over chunks of one token: leading characters are dropped as they
/// come; a trailing run of `content` is held back in `state.pending`.
private func stripStreaming(_ chunk: [UInt8], _ content: Unicode.Scalar, _ start: Int, _ stop: Int,
                            _ state: inout DecoderStageState) -> [UInt8] {
    var out: [UInt8] = []
    for scalar in String(decoding: chunk, as: UTF8.self).unicodeScalars {
        if !state.leadDone {
            if state.leading < start && scalar == content { state.leading += 1; continue }
            state.leadDone = true
        }
        let bytes = Array(String(scalar).utf8)
        if stop > 0 && scalar == content {
            state.pending.append(contentsOf: bytes)
        } else {
            out.append(contentsOf: state.pending)
            state.pending = []
            out.append(contentsOf: bytes)
        }
    }
    return out
}

/// The Metaspace decoder on one token: the replacement character becomes a
/// space, or disappears in the first token when a prefix space was added.
private func metaspace(_ token: [UInt8], _ replacement: Unicode.Scalar, removeAll: Bool) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(token.count)
    for scalar in String(decoding: token, as: UTF8.self).unicodeScalars {
        if scalar == replacement {
            if !removeAll { out.append(0x20) }
        } else {
            out.append(contentsOf: String(scalar).utf8)
        }
    }
    return out
}
