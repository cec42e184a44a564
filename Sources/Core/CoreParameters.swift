import HDL
import ISA

/// Every parameter of a generated core, in one place: the instruction set's
/// `CoreConfig` (registers, maximum vector length, element format), shared
/// with the interpreter and the assembler, plus the hardware's own choices.
/// The units, the shells, the co-simulation harness and the CSR map all
/// derive their widths from this value.
public struct CoreParameters: Sendable, Equatable, Codable {
    /// The instruction set configuration the interpreter also runs with.
    public var isa: CoreConfig
    /// Width of one memory beat (the Avalon-MM data bus of every bank, as the
    /// core sees it: a shell may put a width adapter between a wider core
    /// and the platform's banks, as the D5005's does for 1024 bits).
    public var dataBits: Int
    /// Local-memory banks (1, 2 or 4); consecutive beats are interleaved
    /// across banks, so one stream uses every bank.
    public var banks: Int
    /// Width of each bank's Avalon-MM word (beat) address.
    public var addressBits: Int
    /// Longest Avalon-MM burst (burstcount is 7 bits: up to 64 beats).
    public var maxBurst: Int
    /// Read beats each bank may have requested but not yet delivered: the
    /// response buffer per bank, sized to cover memory latency.
    public var outstandingBeats: Int
    /// Wide beats (a beat of every bank) the ternary unit's weight stream
    /// buffer holds: how far the stream runs ahead of the datapath, into
    /// the next matrix, while dependent vector work keeps it waiting.
    public var weightBufferBeats: Int
    /// Wide beats the weight stream keeps requested and not yet arrived: it
    /// must cover the memory latency for the stream to run at full rate, and
    /// bounds how long a load queued behind the stream waits.
    public var streamWindowBeats: Int

    public init(isa: CoreConfig = .standard, dataBits: Int = 512, banks: Int = 1,
                addressBits: Int = 27, maxBurst: Int = 64, outstandingBeats: Int = 256, weightBufferBeats: Int = 1024,
                streamWindowBeats: Int = 64) {
        self.isa = isa
        self.dataBits = dataBits
        self.banks = banks
        self.addressBits = addressBits
        self.maxBurst = maxBurst
        self.outstandingBeats = outstandingBeats
        self.weightBufferBeats = weightBufferBeats
        self.streamWindowBeats = streamWindowBeats
    }

    /// The D5005 core at one stream: 512-bit DDR4 banks (one by default, 2
    /// or 4 by option); the ternary unit takes a beat of every bank per
    /// cycle. The `d5005` preset widens the beat to 1024 bits (a width adapter
    /// in the shell) and adds its streams (`CorePreset`).
    public static let d5005 = CoreParameters()
    /// A smaller core for boards with a 256-bit memory port.
    public static let generic = CoreParameters(isa: CoreConfig(maxVectorLength: 4096), dataBits: 256,
                                               addressBits: 32, outstandingBeats: 128)

    // MARK: - Derived widths

    /// 32-bit elements per wide beat (a beat of every bank): the elements
    /// each vector unit handles per cycle and the width of one register-file
    /// chunk, so the vector side keeps up with memory as banks are added.
    public var vectorLanes: Int { dataBits * banks / 32 }
    /// Chunks (rows of `vectorLanes` elements) per vector register.
    public var chunksPerRegister: Int { (isa.maxVectorLength + vectorLanes - 1) / vectorLanes }
    /// Bits of a vector register number.
    public var vregBits: Int { Swift.max(1, addressWidth(isa.vectorRegisters)) }
    /// Bits of a scalar register number.
    public var sregBits: Int { Swift.max(1, addressWidth(isa.scalarRegisters)) }
    /// Bits of a chunk index within a register.
    public var chunkBits: Int { Swift.max(1, addressWidth(chunksPerRegister)) }
    /// Streams (`CoreConfig.streams`): each has its own registers.
    public var streams: Int { isa.streams }
    /// Bits of a stream number (none with one stream, so a one-stream core
    /// is exactly the core without streams).
    public var streamBits: Int { streams > 1 ? addressWidth(streams) : 0 }
    /// Bits of a register-file row: the stream above the chunk.
    public var rowBits: Int { chunkBits + streamBits }
    /// The `ST` code of generated module names, with several streams only
    /// (a one-stream core keeps the names it had before streams).
    public var streamParameters: [Parameter] { streams > 1 ? [Parameter("ST", streams)] : [] }
    /// Bits of an instruction's saturation count, 0 ... streams * maxVectorLength.
    public var saturationBits: Int { addressWidth(streams * isa.maxVectorLength + 1) }
    /// Bits holding a vector length 0 ... maxVectorLength inclusive.
    public var vlBits: Int { Swift.max(1, addressWidth(isa.maxVectorLength + 1)) }
    /// Bytes per beat.
    public var beatBytes: Int { dataBits / 8 }
    /// Bytes the memory delivers to the ternary unit per cycle: a beat of
    /// every bank (one wide beat).
    public var wideBeatBytes: Int { beatBytes * banks }
    /// Wide beats the ternary datapath consumes per cycle: twice what memory
    /// delivers, so after a gap in which the stream ran ahead into the
    /// buffer, the datapath catches up with memory.
    public static let ternaryCatchUp = 2
    /// Wide beats per weight-stream burst: a quarter of the window, so
    /// several bursts are in flight.
    public var streamBurst: Int { Swift.max(1, Swift.min(maxBurst, streamWindowBeats / 4)) }
    /// Weight bytes the ternary datapath consumes per cycle.
    public var weightBytesPerCycle: Int { Self.ternaryCatchUp * wideBeatBytes }
    /// Trits the ternary unit multiplies per cycle in 2-bit packing (5/4 of
    /// this in base-3 packing).
    public var tritsPerCycle: Int { 4 * weightBytesPerCycle }
    /// Bits of a beat (line) address across all banks: the core's 32-bit
    /// byte addresses plus a base.
    public var lineBits: Int { 32 }
    /// Bits of an Avalon burst count (1 ... maxBurst).
    public var burstBits: Int { addressWidth(maxBurst + 1) }
    /// Bits of a wide read client's beat count (B ... maxBurst * B).
    public var wideBurstBits: Int { addressWidth(maxBurst * banks + 1) }

    /// Problems with these parameters, empty when a core can be generated.
    public var problems: [String] {
        var p = isa.problems
        func pow2(_ v: Int) -> Bool { v > 0 && v & (v - 1) == 0 }
        if !pow2(dataBits) || dataBits < 128 || dataBits > 1024 {
            p.append("memory data width must be 128, 256, 512 or 1024 bits, got \(dataBits)")
        }
        if ![1, 2, 4].contains(banks) { p.append("banks must be 1, 2 or 4, got \(banks)") }
        if !(8...40).contains(addressBits) { p.append("bank address width must be 8...40 bits, got \(addressBits)") }
        if !(1...64).contains(maxBurst) || !pow2(maxBurst) { p.append("maximum burst must be a power of two in 1...64, got \(maxBurst)") }
        // Room for a matrix header and the first datapath cycle's two wide beats.
        let twoHeaders = 2 * TernaryMatrix.headerBytes / Swift.max(1, wideBeatBytes)
        if !pow2(weightBufferBeats) || weightBufferBeats < twoHeaders {
            p.append("weight buffer beats must be a power of two of at least two matrix headers (\(twoHeaders) wide beats), got \(weightBufferBeats)")
        }
        if !pow2(streamWindowBeats) || streamWindowBeats < 4 || streamWindowBeats > outstandingBeats || streamWindowBeats > weightBufferBeats {
            p.append("stream window must be a power of two of at least 4 wide beats, within the outstanding beats (\(outstandingBeats)) and the weight buffer (\(weightBufferBeats)), got \(streamWindowBeats)")
        }
        if !pow2(outstandingBeats) || outstandingBeats < maxBurst {
            p.append("outstanding beats must be a power of two of at least one burst (\(maxBurst)), got \(outstandingBeats)")
        }
        // The ternary unit writes a row group's sums a chunk at a time.
        if pow2(dataBits) && vectorLanes > TernaryMatrix.groupRows {
            p.append("a beat of every bank (\(dataBits) bits x \(banks) banks) is \(vectorLanes) elements: at most \(TernaryMatrix.groupRows), the ternary matrix's row group")
        }
        // Registers are stored and moved in whole chunks of vectorLanes elements.
        if pow2(dataBits) && (isa.maxVectorLength % vectorLanes != 0 || isa.maxVectorLength < 2 * vectorLanes) {
            p.append("max vector length \(isa.maxVectorLength) must be a multiple of the \(vectorLanes) elements of a register chunk, at least twice them")
        }
        return p
    }
}

// MARK: - Line (beat) addresses of wide clients

extension CoreParameters {
    /// Wide beats (a count, or a wide-beat address) as lines, `banks` per
    /// wide beat, at `width` bits: what wide clients put on `rq_line`,
    /// `rq_beats` and `wq_line`.
    func lines(fromWide wide: Signal, width: Int) -> Signal {
        let shift = banks.trailingZeroBitCount
        return shift == 0 ? resize(wide, width) : resize(resize(wide, width) << shift, width)
    }

    /// A line (a multiple of `banks`) as a wide-beat address, at `width` bits.
    func wide(fromLines line: Signal, width: Int) -> Signal {
        let shift = banks.trailingZeroBitCount
        return resize(shift == 0 ? line : line >> shift, width)
    }
}
