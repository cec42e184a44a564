/// The BPE model of the `tokenizers` library (`models.BPE`): a word is cut
/// into characters, each looked up in the vocabulary (else byte-fallback
/// tokens `<0xXX>`, else the unknown token), then merged by rank.
struct BPEModel: Sendable {
    struct Options: Sendable {
        var unkToken: String? = nil
        var continuingSubwordPrefix: String? = nil
        var endOfWordSuffix: String? = nil
        var fuseUnk = false
        var byteFallback = false
        var ignoreMerges = false
    }

    let vocab: ByteStringTable
    /// Token text by id (the library's `vocab_r`); nil where no token has the id.
    let tokens: [[UInt8]?]
    let merges: PairTable
    /// The token each merge makes, by rank.
    let newIDs: [Int32]
    /// Whether the id is a side of some merge: symbols that are not split a
    /// word into runs that merge independently, so a long text without a
    /// pre-tokenizer costs a small queue per run, not one huge queue.
    let inMerge: [Bool]
    let unkID: Int32?
    /// `<0xXX>` ids by byte, -1 where the vocabulary lacks one.
    let byteIDs: [Int32]
    /// Single-character tokens by scalar value (BMP), -1 if absent; the rest in `astralIDs`.
    let bmpIDs: [Int32]
    let astralIDs: [UInt32: Int32]
    let prefix: [UInt8]
    let suffix: [UInt8]
    let options: Options

    var vocabularySize: Int { vocab.count }

    /// Ids index arrays: a file claiming a larger one is refused, not allocated.
    static let maxID: Int32 = 1 << 24

    /// `merges` are the pairs in rank order; a side or result missing from
    /// the vocabulary is an error, as in the library.
    init(vocab entries: [(key: [UInt8], value: Int32)], merges pairs: [([UInt8], [UInt8])], options: Options) throws(BPEError) {
        var vocab = ByteStringTable(capacity: entries.count)
        var maxID: Int32 = -1
        for (key, id) in entries {
            guard id < BPEModel.maxID else { throw .idTooLarge(String(decoding: key, as: UTF8.self), id) }
            vocab.set(key, id)
            maxID = max(maxID, id)
        }
        var tokens = [[UInt8]?](repeating: nil, count: Int(maxID) + 1)
        var bmp = [Int32](repeating: -1, count: 0x10000)
        var astral: [UInt32: Int32] = [:]
        for (key, id) in vocab.entries {
            tokens[Int(id)] = key
            let scalars = String(decoding: key, as: UTF8.self).unicodeScalars
            if scalars.count == 1, let s = scalars.first {
                if s.value < 0x10000 { bmp[Int(s.value)] = id } else { astral[s.value] = id }
            }
        }
        let prefix = Array((options.continuingSubwordPrefix ?? "").utf8)
        var table = PairTable(capacity: pairs.count)
        var newIDs: [Int32] = []
        newIDs.reserveCapacity(pairs.count)
        var inMerge = [Bool](repeating: false, count: Int(maxID) + 1)
        for (rank, (a, b)) in pairs.enumerated() {
            guard let aID = vocab.get(a) else { throw .mergeTokenMissing(String(decoding: a, as: UTF8.self)) }
            guard let bID = vocab.get(b) else { throw .mergeTokenMissing(String(decoding: b, as: UTF8.self)) }
            // The right side loses the continuing-subword prefix in the result.
            guard b.starts(with: prefix) else { throw .mergeWithoutPrefix(String(decoding: b, as: UTF8.self)) }
            let joined = a + b.dropFirst(prefix.count)
            guard let newID = vocab.get(joined) else { throw .mergeTokenMissing(String(decoding: joined, as: UTF8.self)) }
            table.set(aID, bID, rank: UInt32(rank))
            newIDs.append(newID)
            inMerge[Int(aID)] = true
            inMerge[Int(bID)] = true
        }
        if let unk = options.unkToken, vocab.get(unk) == nil { throw .unkTokenMissing(unk) }
        self.vocab = vocab
        self.tokens = tokens
        self.merges = table
        self.newIDs = newIDs
        self.inMerge = inMerge
        self.unkID = options.unkToken.flatMap { vocab.get($0) }
        self.byteIDs = (0..<256).map { b in
            vocab.get("<0x" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true) + ">") ?? -1
        }
        self.bmpIDs = bmp
        self.astralIDs = astral
        self.prefix = prefix
        self.suffix = Array((options.endOfWordSuffix ?? "").utf8)
        self.options = options
    }

    /// Appends the ids of one pre-tokenized word (valid UTF-8) to `out`.
    func tokenize(_ word: UnsafeRawBufferPointer, scratch: BPEScratch, cache: inout WordCache, into out: inout [Int32]) {
        guard let base = word.baseAddress, word.count > 0 else { return }
        if options.ignoreMerges, let id = vocab.get(base, word.count) {
            out.append(id)
            return
        }
        if cache.lookup(base, word.count, into: &out) { return }
        let first = out.count
        split(word, scratch)
        mergeAndAppend(scratch, into: &out)
        cache.insert(base, word.count, ids: out[first...])
    }

    /// The word's characters as initial symbols (the library's `merge_word`).
    private func split(_ word: UnsafeRawBufferPointer, _ scratch: BPEScratch) {
        let p = word.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let n = word.count
        scratch.reserve(n * (1 + prefix.count) + suffix.count + 1)
        var out = SymbolWriter(ids: scratch.ids, lens: scratch.lens)
        defer { scratch.count = out.count }
        var pendingUnk: (id: Int32, len: Int)? = nil
        let plain = prefix.isEmpty && suffix.isEmpty
        var i = 0
        bmpIDs.withUnsafeBufferPointer { bmp in
            while i < n {
                let (scalar, len) = scalarAt(p, i)
                if plain {
                    let id = scalar < 0x10000 ? bmp[Int(scalar)] : (astralIDs[scalar] ?? -1)
                    if id >= 0 {
                        if let u = pendingUnk { out.add(u.id, u.len); pendingUnk = nil }
                        out.add(id, len)
                    } else {
                        unknown(UnsafeBufferPointer(start: p + i, count: len), len, &out, &pendingUnk)
                    }
                } else {
                    var s: [UInt8] = i > 0 ? prefix : []
                    s.append(contentsOf: UnsafeBufferPointer(start: p + i, count: len))
                    if i + len == n { s.append(contentsOf: suffix) }
                    if let id = vocab.get(s) {
                        if let u = pendingUnk { out.add(u.id, u.len); pendingUnk = nil }
                        out.add(id, len)
                    } else {
                        s.withUnsafeBufferPointer { unknown($0, len, &out, &pendingUnk) }
                    }
                }
                i += len
            }
        }
        if let u = pendingUnk { out.add(u.id, u.len) }
    }

    /// A character the vocabulary lacks: its bytes as `<0xXX>` tokens when all
    /// exist, else the unknown token (fused with a previous one if `fuse_unk`),
    /// else nothing. Like the library, byte tokens do not flush a pending unknown.
    @inline(never)
    private func unknown(_ s: UnsafeBufferPointer<UInt8>, _ len: Int, _ out: inout SymbolWriter,
                         _ pendingUnk: inout (id: Int32, len: Int)?) {
        if options.byteFallback, s.allSatisfy({ byteIDs[Int($0)] >= 0 }) {
            for b in s { out.add(byteIDs[Int(b)], 1) }
            return
        }
        guard let unk = unkID else { return }
        if let u = pendingUnk {
            if options.fuseUnk { pendingUnk = (u.id, u.len + len); return }
            out.add(u.id, u.len)
        }
        pendingUnk = (unk, len)
    }

    private func mergeAndAppend(_ scratch: BPEScratch, into out: inout [Int32]) {
        let count = scratch.count
        let ids = scratch.ids
        newIDs.withUnsafeBufferPointer { newIDs in
            inMerge.withUnsafeBufferPointer { inMerge in
                merges.withLookup { pairs in
                    var start = 0
                    for i in 0...count where i == count || !inMerge[Int(ids[i])] {
                        if i - start > 1 { scratch.mergeRun(start, i, newIDs: newIDs.baseAddress!, pairs: pairs) }
                        start = i + 1
                    }
                }
            }
        }
        let lens = scratch.lens
        for i in 0..<count where lens[i] != 0 { out.append(ids[i]) }
    }
}

/// Writes symbols into the scratch arrays through local pointers (see BPEMerge.swift on why).
private struct SymbolWriter {
    let ids: UnsafeMutablePointer<Int32>
    let lens: UnsafeMutablePointer<Int32>
    var count = 0

    @inline(__always)
    mutating func add(_ id: Int32, _ len: Int) {
        ids[count] = id
        lens[count] = Int32(truncatingIfNeeded: len)
        count += 1
    }
}

/// The scalar starting at `p[i]` of valid UTF-8, and its length in bytes.
@inline(__always)
func scalarAt(_ p: UnsafePointer<UInt8>, _ i: Int) -> (value: UInt32, length: Int) {
    let b0 = p[i]
    if b0 < 0x80 { return (UInt32(b0), 1) }
    if b0 < 0xE0 { return (UInt32(b0 & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F), 2) }
    if b0 < 0xF0 {
        return (UInt32(b0 & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F), 3)
    }
    return (UInt32(b0 & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6
                | UInt32(p[i + 3] & 0x3F), 4)
}

/// Why a BPE model cannot be built (the loader adds the file's name).
enum BPEError: Error {
    case mergeTokenMissing(String)
    case unkTokenMissing(String)
    case mergeWithoutPrefix(String)
    case idTooLarge(String, Int32)

    var problem: String {
        switch self {
        case .mergeTokenMissing(let t): return "merge token \"\(t)\" is not in the vocabulary"
        case .unkTokenMissing(let t): return "unk_token \"\(t)\" is not in the vocabulary"
        case .mergeWithoutPrefix(let t): return "merge token \"\(t)\" lacks the continuing_subword_prefix"
        case let .idTooLarge(t, id): return "token \"\(t)\" has id \(id), over the supported \(BPEModel.maxID)"
        }
    }
}
