import HDL
import HDLLib
import ISA

/// Streams the program's instruction words from memory, in bursts, ahead of
/// the issue stage. There are no branches, so fetching is a prefetch of the
/// code region `[code_base_line, code_base_line + ceil(code_length / words per beat))`.
///
/// After `start` (only while `quiet`), `head_valid` shows instruction
/// `head_index` as `head_word`; `pop` takes it. Once every instruction has
/// been taken, the head shows `head_past_end` at index `code_length`: the
/// issue stage reports `fetch-out-of-range` there. `stop` ends fetching
/// (requests already made are still collected; `quiet` rises when none is
/// outstanding).
public struct FetchUnit: Module {
    public let params: CoreParameters
    /// Beats buffered ahead of the issue stage.
    public let bufferBeats: Int

    public init(params: CoreParameters, bufferBeats: Int = 16) {
        self.params = params
        self.bufferBeats = bufferBeats
    }

    public var parameters: [Parameter] {
        [Parameter("D", params.dataBits), Parameter("FB", bufferBeats), Parameter("M", params.maxBurst)]
    }

    var wordsPerBeat: Int { params.dataBits / Encoding.wordBits }

    public func build(_ m: ModuleBuilder) {
        let p = params
        guard m.require(bufferBeats >= 2 && bufferBeats & (bufferBeats - 1) == 0,
                        "the fetch buffer must be a power of two of at least 2 beats, got \(bufferBeats)") else { return }
        // Bursts of half the buffer keep a request in flight while the other half drains.
        let maxBurst = Swift.min(p.maxBurst, bufferBeats / 2)
        let start = m.input("start", .bool)
        let stop = m.input("stop", .bool)
        let codeBaseLine = m.input("code_base_line", .uint(p.lineBits))
        let codeLength = m.input("code_length", .uint(32))
        let pop = m.input("pop", .bool)
        let headValid = m.output("head_valid", .bool)
        let headWord = m.output("head_word", .uint(Encoding.wordBits))
        let headIndex = m.output("head_index", .uint(32))
        let headPastEnd = m.output("head_past_end", .bool)
        let quiet = m.output("quiet", .bool)
        let client = m.ports(MemoryRead(p))

        let countBits = Swift.max(addressWidth(bufferBeats) + 1, p.burstBits)
        let wordBits = addressWidth(wordsPerBeat)
        // Beats of the code region: ceil(length / words per beat), in 33 bits.
        let lengthWide = codeLength.extend(to: 33)
        let totalBeats = m.wire("total_beats", ((lengthWide + lit(wordsPerBeat - 1, width: 33)) >> wordBits).extend(to: 33))

        let active = m.reg("active", .bool, reset: false)
        let requested = m.reg("requested", .uint(33), reset: 0)      // beats asked for so far
        let index = m.reg("index", .uint(32), reset: 0)

        let buffer = m.instance(FIFO(width: p.dataBits, depth: bufferBeats), "buffer")
        buffer.in_valid.set(client.responseValid)
        buffer.in_data.set(client.responseData)

        // Ask for the next burst when the buffer can hold it and everything before it.
        // Why registered, twice: the request must not wait on this arithmetic,
        // and the burst size and the room are compared a cycle after they are
        // worked out (the difference, the size's choice, the room's sum and the
        // compare in one cycle were 8 LUT levels). The figures are two cycles
        // late, so no request follows a taken one or a start within two cycles
        // (the events that shrink the room or move the remaining beats; arrivals
        // and pops only add room).
        let remaining = m.wire("remaining", totalBeats - requested)
        let nextBurst = m.wire("next_burst", mux(remaining > lit(maxBurst, width: 33), lit(maxBurst, width: p.burstBits),
                                                 remaining.truncate(to: p.burstBits)))
        let burst = m.regNext("burst", nextBurst)
        let moreLeft = m.regNext("more_left", remaining != 0, reset: false)
        // The buffer's room less the beats owed to it (requested, not yet
        // arrived), kept as one register.
        let free = m.reg("free", .uint(countBits), reset: lit(bufferBeats, width: countBits))
        let fits = m.regNext("fits", moreLeft && free >= burst.extend(to: countBits), reset: false)
        let movedLast = m.reg("moved_last", .bool, reset: false)
        let movedBefore = m.regNext("moved_before", movedLast, reset: false)
        let ask = m.wire("ask", active && fits && !movedLast && !movedBefore)
        client.requestValid.set(ask)
        client.requestLine.set(codeBaseLine + requested.truncate(to: p.lineBits))
        client.requestBeats.set(burst)
        let taken = m.wire("taken", ask && client.requestReady)
        movedLast.set(taken || start)

        // The head word: word (index mod words per beat) of the oldest beat.
        let offset = index[wordBits - 1, 0]
        let words = m.wire("beat_words", buffer.out_data.reinterpret(as: .vec(.uint(Encoding.wordBits), count: wordsPerBeat)))
        let pastEnd = m.wire("past_end", index == codeLength)
        headValid.set(active && (pastEnd || buffer.out_valid))
        headPastEnd.set(pastEnd)
        headWord.set(words[offset])
        headIndex.set(index)
        let taking = m.wire("taking", pop && active && buffer.out_valid && !pastEnd)
        let leaving = mux(taken, burst.extend(to: countBits), lit(0, width: countBits))
        m.when(start) {
            active.set(true)
            requested.set(0)
            index.set(0)
        }.elseWhen(stop) {
            active.set(false)
        }.otherwise {
            m.when(taken) { requested.set(requested + burst.extend(to: 33)) }
            m.when(taking) { index.set(index + 1) }
        }

        // A beat leaves after its last word, or when it holds the code's last word.
        let lastOfBeat = offset == lit(wordsPerBeat - 1, width: wordBits)
        let popped = m.wire("popped", (taking && (lastOfBeat || index + 1 == codeLength)) || (!active && buffer.out_valid))
        buffer.out_ready.set(popped)
        free.set(mux(popped, free + 1, free) - leaving)
        // Quiet: nothing owed and nothing buffered, that is, all the room free.
        quiet.set(free == lit(bufferBeats, width: countBits))
    }
}
