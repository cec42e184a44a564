/// The merge loop of byte-pair encoding, on a word's symbols, exactly as
/// the `tokenizers` library's `Word::merge_all`: a min-queue of candidate
/// merges ordered by (rank, position), stale entries skipped when the pair
/// now at that position no longer yields the same token.
///
/// Written for speed in debug builds too (no whole-module optimization):
/// the loop, the queue and the pair table are in this one file, and the
/// loop works on local pointers, not on class properties (whose every
/// access would be checked for exclusivity at run time).

/// Merge pairs (left id, right id) to the merge's rank: open addressing.
struct PairTable: Sendable {
    private var keys: [UInt64]
    private var ranks: [UInt32]
    private let mask: Int
    static let empty = UInt64.max

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: PairTable.empty, count: size)
        ranks = [UInt32](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    static func key(_ a: Int32, _ b: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
    }

    @inline(__always)
    static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// Inserts or overwrites: a repeated merge keeps its last rank, as the
    /// `tokenizers` library's hash map does.
    mutating func set(_ a: Int32, _ b: Int32, rank: UInt32) {
        let key = PairTable.key(a, b)
        var s = PairTable.slot(key, mask)
        while keys[s] != PairTable.empty && keys[s] != key { s = (s + 1) & mask }
        keys[s] = key
        ranks[s] = rank
    }

    func withLookup<R>(_ body: (PairLookup) -> R) -> R {
        keys.withUnsafeBufferPointer { k in
            ranks.withUnsafeBufferPointer { r in body(PairLookup(keys: k.baseAddress!, ranks: r.baseAddress!, mask: mask)) }
        }
    }
}

/// A read-only view of a `PairTable`, valid inside `withLookup`.
struct PairLookup {
    let keys: UnsafePointer<UInt64>
    let ranks: UnsafePointer<UInt32>
    let mask: Int
    static let none = UInt32.max

    /// The rank of merging (a, b), or `PairLookup.none`.
    @inline(__always)
    func rank(_ a: Int32, _ b: Int32) -> UInt32 {
        let key = PairTable.key(a, b)
        var s = PairTable.slot(key, mask)
        while true {
            let k = keys[s]
            if k == key { return ranks[s] }
            if k == PairTable.empty { return PairLookup.none }
            s = (s + 1) & mask
        }
    }
}

/// A 4-ary min-heap of (rank << 32 | position), on memory it does not own.
private struct MergeQueue {
    var heap: UnsafeMutablePointer<UInt64>
    var count = 0
    var capacity: Int

    @inline(__always)
    mutating func push(_ v: UInt64) {
        if count == capacity {
            let bigger = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity * 2)
            bigger.update(from: heap, count: count)
            heap.deallocate()
            heap = bigger
            capacity *= 2
        }
        var i = count
        count += 1
        while i > 0 {
            let parent = (i - 1) >> 2
            let p = heap[parent]
            if p <= v { break }
            heap[i] = p
            i = parent
        }
        heap[i] = v
    }

    @inline(__always)
    mutating func pop() -> UInt64? {
        guard count > 0 else { return nil }
        let top = heap[0]
        count -= 1
        if count > 0 { siftDown(heap[count], from: 0) }
        return top
    }

    @inline(__always)
    func siftDown(_ v: UInt64, from start: Int) {
        var i = start
        while true {
            let first = 4 * i + 1
            if first >= count { break }
            var best = first
            var bestValue = heap[first]
            var c = first + 1
            let last = min(first + 4, count)
            while c < last {
                let x = heap[c]
                if x < bestValue { best = c; bestValue = x }
                c += 1
            }
            if bestValue >= v { break }
            heap[i] = bestValue
            i = best
        }
        heap[i] = v
    }

    /// Orders `count` entries already written.
    func heapify() {
        guard count > 1 else { return }
        var i = (count - 2) >> 2
        while i >= 0 { siftDown(heap[i], from: i); i -= 1 }
    }
}

/// Per-call scratch space: a word's symbols as parallel arrays and the
/// queue, reused from word to word so that the hot loop never allocates.
final class BPEScratch {
    private(set) var ids: UnsafeMutablePointer<Int32>      // symbol token ids
    private(set) var lens: UnsafeMutablePointer<Int32>     // byte lengths; 0 = merged away
    private var prev: UnsafeMutablePointer<Int32>
    private var next: UnsafeMutablePointer<Int32>
    private var capacity = 256
    private var heap: UnsafeMutablePointer<UInt64>
    private var heapCapacity = 256
    /// Symbols in use.
    var count = 0

    init() {
        ids = .allocate(capacity: capacity)
        lens = .allocate(capacity: capacity)
        prev = .allocate(capacity: capacity)
        next = .allocate(capacity: capacity)
        heap = .allocate(capacity: heapCapacity)
    }

    deinit {
        ids.deallocate(); lens.deallocate(); prev.deallocate(); next.deallocate(); heap.deallocate()
    }

    /// Room for `n` symbols, dropping the contents.
    func reserve(_ n: Int) {
        count = 0
        guard n > capacity else { return }
        ids.deallocate(); lens.deallocate(); prev.deallocate(); next.deallocate()
        capacity = max(n, capacity * 2)
        ids = .allocate(capacity: capacity)
        lens = .allocate(capacity: capacity)
        prev = .allocate(capacity: capacity)
        next = .allocate(capacity: capacity)
    }

    /// Runs the merges on symbols `lo ..< hi`, which no merge links to
    /// their neighbours outside (see `BPEModel.inMerge`).
    func mergeRun(_ lo: Int, _ hi: Int, newIDs: UnsafePointer<Int32>, pairs: PairLookup) {
        let (ids, lens, prev, next) = (self.ids, self.lens, self.prev, self.next)
        if hi - lo > heapCapacity {
            heap.deallocate()
            heapCapacity = max(hi - lo, heapCapacity * 2)
            heap = .allocate(capacity: heapCapacity)
        }
        var queue = MergeQueue(heap: heap, capacity: heapCapacity)
        defer { heap = queue.heap; heapCapacity = queue.capacity }
        for i in lo..<hi {
            prev[i] = Int32(truncatingIfNeeded: i - 1)
            next[i] = Int32(truncatingIfNeeded: i + 1)
        }
        prev[lo] = -1
        next[hi - 1] = -1
        for i in lo..<(hi - 1) {
            let r = pairs.rank(ids[i], ids[i + 1])
            if r != PairLookup.none {
                queue.heap[queue.count] = UInt64(r) << 32 | UInt64(i)
                queue.count += 1
            }
        }
        queue.heapify()
        while let top = queue.pop() {
            let pos = Int(truncatingIfNeeded: top & 0xFFFF_FFFF)
            let newID = newIDs[Int(top >> 32)]
            if lens[pos] == 0 { continue }
            let right = Int(next[pos])
            if right < 0 { continue }
            let r = pairs.rank(ids[pos], ids[right])
            guard r != PairLookup.none, newIDs[Int(r)] == newID else { continue }
            ids[pos] = newID
            lens[pos] += lens[right]
            lens[right] = 0
            let after = Int(next[right])
            next[pos] = Int32(truncatingIfNeeded: after)
            if after >= 0 { prev[after] = Int32(truncatingIfNeeded: pos) }
            let before = Int(prev[pos])
            if before >= 0 {
                let r = pairs.rank(ids[before], newID)
                if r != PairLookup.none { queue.push(UInt64(r) << 32 | UInt64(before)) }
            }
            if after >= 0 {
                let r = pairs.rank(newID, ids[after])
                if r != PairLookup.none { queue.push(UInt64(r) << 32 | UInt64(pos)) }
            }
        }
    }
}
