import Dispatch
import ISA

/// Quantizes float weights straight into the ISA's packed matrix format
/// (`TernaryMatrix`: row-interleaved groups of 64 rows, either packing), in one pass without intermediate trit arrays.
enum TernaryPacker {
    /// Writes rows `rows` of the row-major [*, cols] tensor `w` as one matrix
    /// (header with `scaleQ`, then the rows) at byte `offset` of `memory`,
    /// which must be zeroed there (padding stays 0).
    static func pack(_ w: [Float], cols: Int, rows: Range<Int>, scale ws: Double, scaleQ: Int32,
                     packing: WeightPacking = .twoBit, into memory: SharedBytes, at offset: Int) {
        let perByte = TernaryMatrix.tritsPerByte(packing)
        for (i, v) in TernaryMatrix.headerWords(rows: rows.count, cols: cols, weightScale: scaleQ).enumerated() {
            memory.put32(offset + 4 * i, v)
        }
        let first = offset
        // Row blocks in parallel; each row's bytes belong to one iteration.
        let blocks = min(rows.count, 64)
        let per = (rows.count + blocks - 1) / blocks
        w.withUnsafeBufferPointer { buf in
            let source = SharedFloats(buf)
            DispatchQueue.concurrentPerform(iterations: blocks) { block in
                let lo = block * per, hi = min(rows.count, lo + per)
                guard lo < hi else { return }
                for r in lo..<hi {
                    let src = (rows.lowerBound + r) * cols
                    var c = 0
                    while c < cols {
                        let (o, _) = TernaryMatrix.location(row: r, col: c, cols: cols, packing: packing)
                        var byte: UInt8 = 0
                        for j in 0..<min(perByte, cols - c) {
                            let t = WeightQuantizer.trit(source[src + c + j], scale: ws)
                            TernaryMatrix.place(t, digit: j, into: &byte, packing: packing)
                        }
                        memory[first + o] = byte
                        c += perByte
                    }
                }
            }
        }
    }
}

/// The build's data memory, written from `concurrentPerform` iterations
/// that each own disjoint bytes.
struct SharedBytes: @unchecked Sendable {
    let base: UnsafeMutableRawBufferPointer
    init(_ base: UnsafeMutableRawBufferPointer) { self.base = base }

    subscript(i: Int) -> UInt8 {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }

    func put32(_ offset: Int, _ v: UInt32) {
        base.storeBytes(of: v.littleEndian, toByteOffset: offset, as: UInt32.self)
    }

    func putWords(_ offset: Int, _ words: [Int32]) {
        for (i, v) in words.enumerated() { put32(offset + 4 * i, UInt32(bitPattern: v)) }
    }
}
