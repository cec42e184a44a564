import HDL

// Small helpers on widths and lists of Bools, shared by the core's modules.

/// Exact log2 of a power of two.
func log2(_ n: Int) -> Int { n.trailingZeroBitCount }

/// `s` zero- or sign-extended, or cut, to `width` bits (for values known to fit).
func resize(_ s: Signal, _ width: Int) -> Signal {
    let w = s.width!
    return w == width ? s : w < width ? s.extend(to: width) : s.truncate(to: width)
}

/// `x >> k`, also for k = 0.
func shiftDown(_ x: Signal, _ k: Int) -> Signal { k == 0 ? x : x >> k }

/// The OR of `xs` (false when empty).
func anyTrue(_ xs: [Signal]) -> Signal { xs.isEmpty ? false : xs.dropFirst().reduce(xs[0]) { $0 || $1 } }

/// The AND of `xs` (true when empty).
func allTrue(_ xs: [Signal]) -> Signal { xs.isEmpty ? true : xs.dropFirst().reduce(xs[0]) { $0 && $1 } }

extension Signal {
    /// The Bool constant false, as a starting value for `||` folds.
    static var no: Signal { false }
}

/// The chunks a vector of `vl` elements covers, `lanes` (a power of two) per
/// chunk: the last chunk's index, (vl - 1) / lanes in `chunkBits` bits, and
/// the mask of its lanes below vl (lane j when j <= (vl - 1) mod lanes).
/// Wires are named `<prefix>vl_minus_one`.
func lastChunkAndMask(_ m: ModuleBuilder, vl: Signal, lanes: Int, chunkBits: Int, prefix: String = "") -> (lastChunk: Signal, tailMask: Signal) {
    let laneBits = log2(lanes)
    let vlMinusOne = m.wire("\(prefix)vl_minus_one", vl - 1)
    let tailIndex = vlMinusOne[laneBits - 1, 0]
    let mask = cat((0..<lanes).reversed().map { $0 == 0 ? Signal(true) : lit($0, width: laneBits) <= tailIndex })
    return (resize(vlMinusOne >> laneBits, chunkBits), mask)
}

/// A register-file row: the stream's number above the chunk (the chunk alone with one stream).
func registerRow(_ stream: Signal?, _ chunk: Signal) -> Signal { stream.map { cat($0, chunk) } ?? chunk }
