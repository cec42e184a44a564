import Dispatch
import ISA

/// Quantizes float weights straight into the ISA's packed matrix format
/// (`TernaryMatrix`, packing mode 0: 2 bits per trit, rows padded to whole
/// 64-byte beats), in one pass without intermediate trit arrays.
enum TernaryPacker {
    /// Writes rows `rows` of the row-major [*, cols] tensor `w` as one matrix
    /// (header with `scaleQ`, then the rows) at byte `offset` of `memory`,
    /// which must be zeroed there (padding stays 0).
    static func pack(_ w: [Float], cols: Int, rows: Range<Int>, scale ws: Double, scaleQ: Int32,
                     into memory: SharedBytes, at offset: Int) {
        memory.put32(offset, UInt32(rows.count))
        memory.put32(offset + 4, UInt32(cols))
        memory.put32(offset + 8, UInt32(bitPattern: scaleQ))
        let stride = TernaryMatrix.rowStride(cols: cols)
        let first = offset + TernaryMatrix.headerBytes
        // Row blocks in parallel; each row's bytes belong to one iteration.
        let blocks = min(rows.count, 64)
        let per = (rows.count + blocks - 1) / blocks
        w.withUnsafeBufferPointer { buf in
            let source = SharedFloats(buf)
            DispatchQueue.concurrentPerform(iterations: blocks) { k in
                let lo = k * per, hi = min(rows.count, lo + per)
                guard lo < hi else { return }
                for r in lo..<hi {
                    let src = (rows.lowerBound + r) * cols
                    var dst = first + r * stride
                    var c = 0
                    while c < cols {
                        var byte: UInt8 = 0
                        for j in 0..<min(4, cols - c) {
                            let t = WeightQuantizer.trit(source[src + c + j], scale: ws)
                            byte |= TernaryMatrix.code(t) << UInt8(2 * j)
                        }
                        memory[dst] = byte
                        dst += 1
                        c += 4
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
