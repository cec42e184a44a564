/// The merge loop of byte-pair encoding, on a word's symbols, exactly as
/// the `tokenizers` library's `Word::merge_all`: a min-queue of candidate
/// merges ordered by (rank, position), stale entries skipped when the pair
/// now at that position no longer yields the same token.

/// Per-call scratch space: the word's symbols as parallel arrays and the
/// queue, reused from word to word so that the hot loop never allocates.
final class BPEScratch {
    var ids: UnsafeMutablePointer<Int32>      // symbol token ids
    var lens: UnsafeMutablePointer<Int32>     // byte lengths; 0 = merged away
    var prev: UnsafeMutablePointer<Int32>
    var next: UnsafeMutablePointer<Int32>
    var symbolCapacity = 0
    var count = 0
    var heap: UnsafeMutablePointer<UInt64>    // (rank << 32) | position
    var heapCapacity = 0
    var heapCount = 0
    var word: [UInt8] = []                    // a byte-level word's mapped text

    init() {
        symbolCapacity = 256
        ids = .allocate(capacity: symbolCapacity)
        lens = .allocate(capacity: symbolCapacity)
        prev = .allocate(capacity: symbolCapacity)
        next = .allocate(capacity: symbolCapacity)
        heapCapacity = 256
        heap = .allocate(capacity: heapCapacity)
    }

    deinit {
        ids.deallocate(); lens.deallocate(); prev.deallocate(); next.deallocate(); heap.deallocate()
    }

    /// Room for `n` symbols (and as many queue entries), dropping the contents.
    func reserve(_ n: Int) {
        count = 0
        if n > symbolCapacity {
            ids.deallocate(); lens.deallocate(); prev.deallocate(); next.deallocate()
            symbolCapacity = max(n, symbolCapacity * 2)
            ids = .allocate(capacity: symbolCapacity)
            lens = .allocate(capacity: symbolCapacity)
            prev = .allocate(capacity: symbolCapacity)
            next = .allocate(capacity: symbolCapacity)
        }
    }

    @inline(__always)
    func add(_ id: Int32, _ len: Int) {
        ids[count] = id
        lens[count] = Int32(truncatingIfNeeded: len)
        count += 1
    }

    // MARK: the queue (4-ary min-heap of UInt64)

    @inline(__always)
    func push(_ v: UInt64) {
        if heapCount == heapCapacity {
            let bigger = UnsafeMutablePointer<UInt64>.allocate(capacity: heapCapacity * 2)
            bigger.update(from: heap, count: heapCount)
            heap.deallocate()
            heap = bigger
            heapCapacity *= 2
        }
        var i = heapCount
        heapCount += 1
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
    func pop() -> UInt64? {
        guard heapCount > 0 else { return nil }
        let top = heap[0]
        heapCount -= 1
        if heapCount > 0 { siftDown(heap[heapCount], from: 0) }
        return top
    }

    @inline(__always)
    private func siftDown(_ v: UInt64, from start: Int) {
        var i = start
        let n = heapCount
        while true {
            let first = 4 * i + 1
            if first >= n { break }
            var best = first
            var bestValue = heap[first]
            let last = min(first + 4, n)
            var c = first + 1
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

    /// Runs the merges on symbols `lo ..< hi`, which no merge links to
    /// their neighbours outside (see `BPEModel.inMerge`).
    @inline(__always)
    func mergeRun(_ lo: Int, _ hi: Int, newIDs: UnsafePointer<Int32>, lookup: (Int32, Int32) -> UInt32?) {
        heapCount = 0
        if hi - lo > heapCapacity {
            heap.deallocate()
            heapCapacity = max(hi - lo, heapCapacity * 2)
            heap = .allocate(capacity: heapCapacity)
        }
        for i in lo..<hi {
            prev[i] = Int32(truncatingIfNeeded: i - 1)
            next[i] = Int32(truncatingIfNeeded: i + 1)
        }
        prev[lo] = -1
        next[hi - 1] = -1
        for i in lo..<(hi - 1) {
            if let r = lookup(ids[i], ids[i + 1]) {
                heap[heapCount] = UInt64(r) << 32 | UInt64(i)
                heapCount += 1
            }
        }
        if heapCount > 1 {
            var i = (heapCount - 2) >> 2
            while i >= 0 { siftDown(heap[i], from: i); i -= 1 }
        }
        while let top = pop() {
            let pos = Int(truncatingIfNeeded: top & 0xFFFF_FFFF)
            let newID = newIDs[Int(top >> 32)]
            if lens[pos] == 0 { continue }
            let right = Int(next[pos])
            if right < 0 { continue }
            guard let r = lookup(ids[pos], ids[right]), newIDs[Int(r)] == newID else { continue }
            ids[pos] = newID
            lens[pos] += lens[right]
            lens[right] = 0
            let after = Int(next[right])
            next[pos] = Int32(truncatingIfNeeded: after)
            if after >= 0 { prev[after] = Int32(truncatingIfNeeded: pos) }
            let before = Int(prev[pos])
            if before >= 0, let r = lookup(ids[before], newID) { push(UInt64(r) << 32 | UInt64(before)) }
            if after >= 0, let r = lookup(newID, ids[after]) { push(UInt64(r) << 32 | UInt64(pos)) }
        }
    }
}
