import HDL
import ISA

extension StreamSequencer {
    /// The copy of a one-address load's vd from stream 0 to the other active streams.
    struct Copy {
        /// Reading stream 0's row `readRow` on port a this cycle.
        let reading, readRow: Signal
        /// Writing `data` (port a's, read last cycle) to `writeRow` under `writeMask`.
        let writing, writeRow, writeMask, data: Signal
        /// This write ends a stream's copy / the whole copy.
        let streamEnd, end: Signal
    }

    /// Why: a load of one address for every stream reads memory once; the
    /// register file takes the other streams' copies a row per cycle.
    func broadcast(_ m: ModuleBuilder, _ held: Held, streamLast: Signal, begin: Signal) -> Copy {
        let p = params
        let lanes = p.vectorLanes
        let reading = m.reg("copy_reading", .bool, reset: false)
        let chunk = m.reg("copy_chunk", .uint(p.chunkBits))
        let stream = m.reg("copy_stream", .uint(p.streamBits))

        let (lastChunk, tailMask) = lastChunkAndMask(m, vl: held.vl, lanes: lanes, chunkBits: p.chunkBits, prefix: "copy_")
        let isLast = m.wire("copy_last", chunk == lastChunk)
        let isEnd = m.wire("copy_end_now", isLast && stream == streamLast)

        m.when(begin) {
            reading.set(true)
            chunk.set(0)
            stream.set(1)
        }.elseWhen(reading) {
            m.when(isLast) {
                chunk.set(0)
                stream.set(stream + 1)
                m.when(isEnd) { reading.set(false) }
            }.otherwise {
                chunk.set(chunk + 1)
            }
        }
        // A row read this cycle is written the next.
        let writing = m.regNext("copy_writing", reading, reset: false)
        let writeRow = m.regNext("copy_write_row", cat(stream, chunk))
        let writeLast = m.regNext("copy_write_last", isLast)
        let writeEnd = m.regNext("copy_write_end", isEnd)
        let full = lit(BitVector(width: lanes, value: -1), .uint(lanes))
        return Copy(reading: reading, readRow: cat(lit(0, width: p.streamBits), chunk),
                    writing: writing, writeRow: writeRow, writeMask: m.wire("copy_mask", mux(writeLast, tailMask, full)),
                    data: m.wire("copy_data", .vec(.sint(32), count: lanes)),
                    streamEnd: m.wire("copy_stream_end", writing && writeLast), end: m.wire("copy_done", writing && writeEnd))
    }
}
