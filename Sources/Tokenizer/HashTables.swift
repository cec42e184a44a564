import Foundation

/// Open-addressing tables for the encoder's hot lookups. Keys are raw
/// UTF-8 bytes (never `String`, whose equality is canonical equivalence,
/// while the `tokenizers` library compares bytes), stored in one arena.

/// A fast, non-cryptographic hash of a byte string (8 bytes per step).
@inline(__always)
func hashBytes(_ p: UnsafeRawPointer, _ count: Int) -> UInt64 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(truncatingIfNeeded: count &+ 1)
    var i = 0
    while i &+ 8 <= count {
        h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 29
        i &+= 8
    }
    if i < count {
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < count {
            tail |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << shift
            shift &+= 8
            i &+= 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
    }
    h ^= h >> 32
    return h &* 0xD6E8_FEB8_6659_FD93
}

/// Byte strings to ids: the vocabulary (and added tokens) by content.
struct ByteStringTable: Sendable {
    private var arena: [UInt8] = []
    private var starts: [Int] = []          // entry k's key is arena[starts[k] ..< starts[k + 1]]
    private var values: [Int32] = []
    private var slots: [Int32]              // entry index + 1; 0 = empty
    private var mask: Int

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        starts = [0]
    }

    var count: Int { values.count }

    /// Inserts or overwrites (the last value wins, like serde's maps).
    mutating func set(_ key: [UInt8], _ value: Int32) {
        if values.count * 2 >= slots.count { grow() }
        let h = key.withUnsafeBytes { hashBytes($0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, $0.count) }
        var s = Int(truncatingIfNeeded: h) & mask
        while slots[s] != 0 {
            let k = Int(slots[s]) - 1
            if arena[starts[k]..<starts[k + 1]].elementsEqual(key) { values[k] = value; return }
            s = (s + 1) & mask
        }
        arena.append(contentsOf: key)
        starts.append(arena.count)
        values.append(value)
        slots[s] = Int32(values.count)
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        for k in 0..<values.count {
            let h = arena.withUnsafeBytes { hashBytes($0.baseAddress! + starts[k], starts[k + 1] - starts[k]) }
            var s = Int(truncatingIfNeeded: h) & mask
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = Int32(k + 1)
        }
    }

    @inline(__always)
    func get(_ p: UnsafeRawPointer, _ count: Int) -> Int32? {
        let h = hashBytes(p, count)
        return slots.withUnsafeBufferPointer { slots in
            arena.withUnsafeBytes { arena in
                var s = Int(truncatingIfNeeded: h) & mask
                while true {
                    let e = Int(slots[s])
                    if e == 0 { return nil }
                    let k = e - 1
                    let a = starts[k]
                    if starts[k + 1] - a == count, memcmp(arena.baseAddress! + a, p, count) == 0 { return values[k] }
                    s = (s + 1) & mask
                }
            }
        }
    }

    func get(_ key: [UInt8]) -> Int32? {
        key.withUnsafeBytes { get($0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, $0.count) }
    }

    func get(_ key: String) -> Int32? { get(Array(key.utf8)) }

    /// Every (key, value) pair, in insertion order.
    var entries: [(key: [UInt8], value: Int32)] {
        (0..<values.count).map { (Array(arena[starts[$0]..<starts[$0 + 1]]), values[$0]) }
    }
}

/// Finished words to their ids, as the `tokenizers` library caches BPE
/// results per word: at most 10,000 words shorter than 256 bytes, and no
/// eviction (the library stops inserting when full). A struct, so that the
/// encoder works on a local copy (no run-time exclusivity checks).
struct WordCache {
    static let capacity = 10_000
    static let maxKeyLength = 256
    /// A disabled cache finds nothing and keeps nothing.
    let enabled: Bool
    private var keys: [UInt8] = []
    private var keyStarts: [Int] = [0]
    private var ids: [Int32] = []
    private var idStarts: [Int] = [0]
    private var slots: [Int32] = []     // allocated on the first insert
    private let mask = 32767

    init(enabled: Bool) { self.enabled = enabled }

    /// Appends the cached ids of the word at `p` to `out`; false when absent.
    @inline(__always)
    func lookup(_ p: UnsafeRawPointer, _ count: Int, into out: inout [Int32]) -> Bool {
        guard !slots.isEmpty else { return false }
        return slots.withUnsafeBufferPointer { slots in
            keys.withUnsafeBytes { keys in
                var s = Int(truncatingIfNeeded: hashBytes(p, count)) & mask
                while true {
                    let e = Int(slots[s])
                    if e == 0 { return false }
                    let k = e - 1
                    let a = keyStarts[k]
                    if keyStarts[k + 1] - a == count, memcmp(keys.baseAddress! + a, p, count) == 0 {
                        out.append(contentsOf: ids[idStarts[k]..<idStarts[k + 1]])
                        return true
                    }
                    s = (s + 1) & mask
                }
            }
        }
    }

    mutating func insert(_ p: UnsafeRawPointer, _ count: Int, ids newIDs: ArraySlice<Int32>) {
        guard enabled, count < WordCache.maxKeyLength, idStarts.count - 1 < WordCache.capacity else { return }
        if slots.isEmpty { slots = [Int32](repeating: 0, count: mask + 1) }
        var s = Int(truncatingIfNeeded: hashBytes(p, count)) & mask
        while slots[s] != 0 { s = (s + 1) & mask }
        keys.append(contentsOf: UnsafeRawBufferPointer(start: p, count: count))
        keyStarts.append(keys.count)
        ids.append(contentsOf: newIDs)
        idStarts.append(ids.count)
        slots[s] = Int32(idStarts.count - 1)
    }
}
