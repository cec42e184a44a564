import HDL

/// The ternary unit's activation copy, built inside `TernaryUnit`: va's
/// register chunks (the low 8 bits of each element) pass through a gearbox
/// into a local memory of words of `5 * stepsPerCycle` bytes, so a cycle
/// reads the activations of its column steps in one access (2-bit packing
/// fills 4 bytes per step and leaves the fifth unused).
///
/// The gearbox is a ring of whole chunks: a chunk lands in the next slot
/// (no shifting on the write side); a word is read from any position that
/// is a multiple of `stepsPerCycle` bytes. A chunk is read from the register
/// file only when the ring will have room for it; after the register,
/// zero chunks complete the last word. The copy starts at dispatch and
/// runs until every word is written or the instruction ends; columns at
/// or past C are masked by the consumer, so C need not be known here.
struct ActivationCopy {
    /// The register chunk to read (the unit's `a_chunk`).
    let chunk: Signal
    /// Words written so far (word w is readable once this exceeds w).
    let wordsWritten: Signal
    /// The word at the address given to `readWord`, one cycle later.
    let word: Signal
    let wordBits: Int
    private let chunkData: Signal
    private let readAddress: Signal

    /// The copy reads `chunk` this cycle (the copies of several streams take turns on one read port).
    let issue: Signal

    /// `suffix` tells the copies of several streams apart in signal names;
    /// a copy reads a chunk only in cycles with `grant`.
    init(_ m: ModuleBuilder, _ p: CoreParameters, unit: TernaryUnit, start: Signal, active: Signal, base3: Signal,
         suffix: String = "", grant: Signal? = nil) {
        let n = { (name: String) in "copy\(suffix)_\(name)" }
        let V = p.vectorLanes
        let steps = unit.stepsPerCycle
        let ringBytes = unit.gearboxBytes
        let slots = ringBytes / V
        let units = ringBytes / steps
        let words = unit.activationWords
        wordBits = addressWidth(words)
        let countBits = addressWidth(ringBytes + 1) + 2

        let issued = m.reg(n("issued"), .uint(addressWidth(unit.copyChunks + 1)), reset: 0)
        let count = m.reg(n("count"), .uint(countBits), reset: 0)
        let writeSlot = m.reg(n("write_slot"), .uint(log2(slots)), reset: 0)
        let readUnit = m.reg(n("read_unit"), .uint(log2(units)), reset: 0)
        let written = m.reg(n("words"), .uint(wordBits + 1), reset: 0)
        wordsWritten = written

        let wordBytes = mux(base3, lit(5 * steps, width: countBits), lit(4 * steps, width: countBits))
        let emit = m.wire(n("emit"), active && count >= wordBytes && written < lit(words, width: wordBits + 1))
        let arrived = m.wire(n("arrived"), .bool)
        let level = count + mux(arrived, lit(V, width: countBits), lit(0, width: countBits))
            - mux(emit, wordBytes, lit(0, width: countBits))
        let allowed = grant.map { active && $0 } ?? active
        let issue = m.wire(n("issue"), allowed && !start && issued < lit(unit.copyChunks, width: issued.width!)
                           && level + lit(V, width: countBits) <= lit(ringBytes, width: countBits))
        let virtual = m.wire(n("virtual"), issued >= lit(p.chunksPerRegister, width: issued.width!))
        chunk = m.wire(n("chunk"), mux(virtual, lit(0, width: p.chunkBits), resize(issued, p.chunkBits)))
        arrived.set(m.regNext(n("arrived_q"), issue, reset: false))
        self.issue = issue
        let arrivedZero = m.regNext(n("arrived_zero"), virtual)

        let data = m.wire(n("data"), .vec(.sint(32), count: V))
        chunkData = data
        let bytes = m.wire(n("bytes"), mux(arrivedZero, lit(0, width: 8 * V),
                                             cat((0..<V).reversed().map { data[$0].asUInt[7, 0] })))
        let ring = (0..<slots).map { m.reg(n("ring\($0)"), .uint(8 * V)) }
        for (s, r) in ring.enumerated() {
            m.when(arrived && writeSlot == lit(s, width: log2(slots))) { r.set(bytes) }
        }
        let ringUnits = cat(ring.reversed()).reinterpret(as: .vec(.uint(8 * steps), count: units))
        let out = (0..<5).map { u in ringUnits[readUnit + lit(u, width: log2(units))] }

        m.when(start) {
            issued.set(0); count.set(0); writeSlot.set(0); readUnit.set(0); written.set(0)
        }.otherwise {
            m.when(issue) { issued.set(issued + 1) }
            count.set(level)
            m.when(arrived) { writeSlot.set(writeSlot + 1) }
            m.when(emit) {
                readUnit.set(readUnit + mux(base3, lit(5, width: log2(units)), lit(4, width: log2(units))))
                written.set(written + 1)
            }
        }

        let memory = m.memory(suffix.isEmpty ? "activations" : "activations\(suffix)", depth: words, of: .uint(8 * 5 * steps), readLatency: 1)
        let port = memory.write()
        port.enable.set(emit)
        port.address.set(written.truncate(to: memory.addressWidth))
        port.data.set(cat(out.reversed()))
        let reader = memory.read()
        readAddress = reader.address
        word = reader.data
    }

    /// Drives the copy's register data input (the unit's `a_data`).
    func connect(data: Signal) { chunkData.set(data) }

    /// Reads activation word `index` (data on `word` one cycle later).
    func readWord(_ index: Signal) { readAddress.set(resize(index, readAddress.width!)) }
}
