import HDL

/// The vector registers: one lane-masked memory per register (chunks of
/// `vectorLanes` 32-bit elements), so every unit can read and write its own
/// registers in the same cycle. Each named read port reads any register with
/// one cycle of latency; each named write port writes the masked lanes of
/// one chunk. The issue stage guarantees that two write ports never target
/// the same register in one cycle (a register has at most one pending writer).
///
/// Clearing (the ISA's registers start at 0): `clear_start` restarts it, then
/// each register zeroes one chunk per cycle from chunk 0 up, through its own
/// write port, pausing in the cycles a unit writes that register.
/// `cleared[r]` is the number of chunks of register `r` already zeroed
/// (`chunksPerRegister` when done). The issue stage lets an instruction touch
/// only chunks below it, so the clear never overwrites a result.
///
/// Streams: each register holds a row per stream and chunk (ports address
/// rows, `RegisterRead(rows:)`: the stream above the chunk). The clear zeroes
/// chunk c of every stream before chunk c + 1, so `cleared` still counts chunks.
public struct VectorRegisterFile: Module {
    public let params: CoreParameters
    public let readPorts: [String]
    public let writePorts: [String]

    public init(params: CoreParameters, readPorts: [String], writePorts: [String]) {
        self.params = params
        self.readPorts = readPorts
        self.writePorts = writePorts
    }

    public var name: String { "VectorRegisterFile" }

    /// Bits of a clear progress count, 0 ... chunksPerRegister inclusive.
    public static func progressBits(_ p: CoreParameters) -> Int { addressWidth(p.chunksPerRegister + 1) }
    public var parameters: [Parameter] {
        [Parameter("V", params.isa.vectorRegisters), Parameter("N", params.vectorLanes),
         Parameter("C", params.chunksPerRegister), Parameter("RP", readPorts.count), Parameter("WP", writePorts.count)]
            + params.streamParameters
    }

    public func build(_ m: ModuleBuilder) {
        let p = params
        guard m.require(!readPorts.isEmpty && !writePorts.isEmpty, "a register file needs read and write ports") else { return }
        let chunk = HWType.vec(.sint(32), count: p.vectorLanes)
        // The unit side of each port, flipped: the unit's outputs are inputs here.
        let reads = readPorts.map { m.ports(RegisterRead(p, rows: true).flipped(), prefix: RegisterRead.prefix($0)) }
        let writes = writePorts.map { m.ports(RegisterWrite(p, rows: true).flipped(), prefix: RegisterWrite.prefix($0)) }
        let clearStart = m.input("clear_start", .bool)
        let progressType = HWType.uint(Self.progressBits(p))
        let allChunks = lit(p.chunksPerRegister, width: Self.progressBits(p))
        let batched = p.streams > 1
        // One stream: chunks; several: rows, the stream above a whole chunk field.
        let depth = batched ? p.streams << p.chunkBits : Swift.max(2, p.chunksPerRegister)
        let chunkAddress = { (c: Signal) -> Signal in
            let width = batched ? p.rowBits : addressWidth(p.chunksPerRegister)
            return c.width! == width ? c : c.truncate(to: width)
        }

        var readData: [[Signal]] = Array(repeating: [], count: reads.count)
        var progress: [Signal] = []
        for r in 0..<p.isa.vectorRegisters {
            let mem = m.memory("v\(r)", depth: depth, of: chunk, laneMask: true)
            // The writer of this register this cycle (at most one; the first wins otherwise).
            let hits = writes.map { w in w.valid && w.reg == lit(r, width: p.vregBits) }
            let written = hits.reduce(Signal.no) { $0 || $1 }
            // Nothing to clear until the first start.
            let cleared = m.reg("cleared\(r)", progressType, reset: allChunks)
            let clearing = cleared != allChunks && !written
            // With streams: the stream whose row of chunk `cleared` is zeroed next.
            let clearStream = batched ? m.reg("clear_stream\(r)", .uint(p.streamBits), reset: 0) : nil
            let lastStream = clearStream.map { $0 == lit(p.streams - 1, width: p.streamBits) } ?? true
            m.when(clearStart) {
                cleared.set(lit(0, width: Self.progressBits(p)))
                clearStream?.set(0)
            }.elseWhen(clearing) {
                m.when(lastStream) { cleared.set(cleared + 1) }
                if let c = clearStream { c.set(mux(lastStream, lit(0, width: p.streamBits), c + 1)) }
            }
            progress.append(cleared)
            let clearRow = clearStream.map { cat($0, resize(cleared, p.chunkBits)) } ?? chunkAddress(cleared)
            let port = mem.write()
            port.enable.set(written || clearing)
            // Built from the last port up, so the first listed hit is the outermost choice.
            let last = writes[writes.count - 1]
            var address = chunkAddress(last.chunk), mask = last.mask, data = last.data
            for (w, hit) in zip(writes, hits).dropLast().reversed() {
                address = mux(hit, chunkAddress(w.chunk), address)
                mask = mux(hit, w.mask, mask)
                data = mux(hit, w.data, data)
            }
            port.address.set(mux(clearing, chunkAddress(clearRow), address))
            port.mask!.set(mux(clearing, lit(BitVector(width: p.vectorLanes, value: -1), .uint(p.vectorLanes)), mask))
            port.data.set(mux(clearing, lit(.zero(chunk.width), chunk), data))
            for (i, rd) in reads.enumerated() {
                // Only the register a port selects is read: one read per
                // port and cycle instead of one per register (the output
                // case below picks this register's data one cycle later).
                let read = mem.read(enabled: true)
                read.enable!.set(rd.reg == lit(r, width: p.vregBits))
                read.address.set(chunkAddress(rd.chunk))
                readData[i].append(read.data)
            }
        }
        m.output("cleared", .vec(progressType, count: p.isa.vectorRegisters)).set(vec(progress))
        for (i, rd) in reads.enumerated() {
            let selected = m.regNext("\(readPorts[i])_sel", rd.reg)
            if p.isa.vectorRegisters == 1 {
                rd.data.set(readData[i][0])
            } else {
                // A case on the register rather than indexing a vector of
                // all registers' data: the same multiplexer, but Verilator
                // would build that vector (16 x a chunk, up to 32 kbit) by
                // repeated concatenation in every cycle, which made this
                // the most expensive logic of the simulated core.
                let last = readData[i].count - 1
                m.switch(selected) { c in
                    for (r, data) in readData[i].enumerated().dropLast() {
                        c.is(lit(r, width: p.vregBits)) { rd.data.set(data) }
                    }
                    c.default { rd.data.set(readData[i][last]) }
                }
            }
        }
    }
}
