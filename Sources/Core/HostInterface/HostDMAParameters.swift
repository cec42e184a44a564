import HDL

/// The host-memory side of `HostDMA`: the host channel's address width,
/// longest burst and widest beat, and the engine's data buffer. The
/// channel's beat is the core's (`dataBits`), or `channelBits` when the
/// core's is wider: then a `HostWidthAdapter` in the AFU top sends each
/// core beat as several channel beats, and the DMA works in core beats
/// (`inCoreBeats`).
public struct HostDMAParameters: Sendable, Equatable {
    /// Width of a host-memory beat address (host byte address / beat bytes):
    /// 51 on the D5005's host channel (the PIM's `ADDR_WIDTH_LINES`, from
    /// its `d5005_pac_ias` configuration; `make lint-pim` checks it).
    public var addressBits: Int
    /// Longest host burst (a power of two, 1 ... 64). Bursts never cross a
    /// multiple of it, so they stay within a 4 KiB page at 64-byte beats.
    public var maxBurst: Int
    /// Beats of the engine's buffer between the two sides (a power of two):
    /// host reads are issued only into free room, so it must cover the host's
    /// read latency for the engine to stream.
    public var bufferBeats: Int
    /// Widest beat the host channel carries (512 bits on the D5005's).
    /// `addressBits` and `maxBurst` count beats of the channel.
    public var channelBits: Int

    public init(addressBits: Int = 51, maxBurst: Int = 16, bufferBeats: Int = 512, channelBits: Int = 512) {
        self.addressBits = addressBits
        self.maxBurst = maxBurst
        self.bufferBeats = bufferBeats
        self.channelBits = channelBits
    }

    /// The channel's beat for a core of `p`: the core's, or `channelBits` when the core's is wider.
    public func beatBits(_ p: CoreParameters) -> Int { Swift.min(p.dataBits, channelBits) }

    /// Channel beats per core beat: 1, or the width adapter's ratio.
    public func ratio(_ p: CoreParameters) -> Int { p.ratio(toPlatformBeat: channelBits) }

    /// The channel counted in the core's beats, as the DMA sees it behind the
    /// width adapter (the channel itself when there is none).
    public func inCoreBeats(_ p: CoreParameters) -> HostDMAParameters {
        let r = ratio(p)
        guard r > 1 else { return self }
        return HostDMAParameters(addressBits: addressBits - r.trailingZeroBitCount, maxBurst: Swift.max(1, maxBurst / r),
                                 bufferBeats: bufferBeats, channelBits: p.dataBits)
    }

    /// The D5005 preset (and the generic board's): 51-bit beat addresses,
    /// bursts of 16 beats (1 KiB at 512 bits), a 512-beat buffer (2.5 us of
    /// host read latency at 200 MHz).
    public static let standard = HostDMAParameters()

    /// Bits of a host burst count (1 ... maxBurst).
    public var burstBits: Int { addressWidth(maxBurst + 1) }

    /// Problems with these parameters next to a core's, empty when a DMA can be generated.
    public func problems(_ p: CoreParameters) -> [String] {
        func pow2(_ v: Int) -> Bool { v > 0 && v & (v - 1) == 0 }
        var out: [String] = []
        if !(16...58).contains(addressBits) { out.append("host address width must be 16...58 bits, got \(addressBits)") }
        if !pow2(maxBurst) || maxBurst > 64 { out.append("host maximum burst must be a power of two in 1...64, got \(maxBurst)") }
        if !pow2(channelBits) || channelBits < 64 { out.append("host channel beat must be a power of two of at least 64 bits, got \(channelBits)") }
        if p.dataBits > channelBits && maxBurst < ratio(p) {
            out.append("a host burst (\(maxBurst) beats of \(channelBits) bits) must hold a whole core beat of \(p.dataBits) bits")
        }
        let least = 2 * Swift.max(inCoreBeats(p).maxBurst, p.maxBurst)
        if !pow2(bufferBeats) || bufferBeats < least {
            out.append("DMA buffer must be a power of two of at least two bursts (\(least) beats), got \(bufferBeats)")
        }
        return out
    }
}

/// The DMA's registers, 64-bit each, in the AFU's second MMIO window: byte
/// offset `0x100 + 8 * index` (`byteOffset`). docs/host.md has the protocol.
public enum DMARegister: Int, CaseIterable, Sendable {
    /// Host IO address of the transfer's first byte (as `fpgaGetIOAddress` returns it); beat-aligned.
    case hostAddress = 0
    /// Card byte address in the banks' beat-interleaved space; beat-aligned.
    case cardAddress = 1
    /// Bytes to move: a nonzero multiple of the beat.
    case length = 2
    /// Bit 0: 0 host to card, 1 card to host.
    case direction = 3
    /// Write bit 0 = 1: start the transfer the four registers above describe.
    case control = 4
    /// Read: bit 0 busy, bit 1 done, bit 2 error, bit 3 a core start was
    /// refused while the DMA owned the banks; bits 15:8 the error code (`DMAError`).
    case status = 5
    /// Cycles without progress before the `timeout` error (0: 2^24).
    case timeout = 6
    /// Bytes written at the destination by the last transfer.
    case bytes = 7
    /// Cycles of the last transfer, from start to done or error.
    case cycles = 8
    /// Read-only: bytes of card memory (banks x bank beats x beat bytes, at most 2^32 beats).
    case capacity = 9
    /// Read-only: bits 15:0 beat bytes, 23:16 host maximum burst, 31:24 card maximum burst, 47:32 buffer beats.
    case configuration = 10

    /// First register index of the window in the AFU's CSR space (byte 0x100).
    public static let windowBase = 32
    /// Register index bits inside the window (16 registers).
    public static let addressBits = 4
    public var byteOffset: Int { (Self.windowBase + rawValue) * 8 }
    /// Registers a host may write.
    public var isWritable: Bool { [.hostAddress, .cardAddress, .length, .direction, .control, .timeout].contains(self) }
    /// The registers that describe a transfer: writing one while busy aborts it.
    public var isDescriptor: Bool { [.hostAddress, .cardAddress, .length, .direction].contains(self) }

    /// The CONFIGURATION register's value.
    public static func configurationValue(_ p: CoreParameters, _ host: HostDMAParameters) -> UInt64 {
        UInt64(p.beatBytes) | UInt64(host.maxBurst) << 16 | UInt64(p.maxBurst) << 24 | UInt64(host.bufferBeats) << 32
    }

    /// Card memory in beats: every bank's beats, at most 2^lineBits (the core's line addresses).
    public static func capacityBeats(_ p: CoreParameters) -> Int {
        Swift.min(p.banks << p.addressBits, 1 << p.lineBits)
    }
}

/// Error codes of the DMA (STATUS bits 15:8), checked at start in this
/// order, except `busy` and `timeout`, which end a running transfer.
public enum DMAError: Int, CaseIterable, Sendable {
    case none = 0
    /// An address or the length is not a multiple of the beat.
    case misaligned = 1
    case zeroLength = 2
    /// The card range runs past the banks' capacity.
    case cardRange = 3
    /// The host range runs past the host channel's address space.
    case hostRange = 4
    /// A descriptor register or start was written while a transfer ran: the
    /// transfer stops issuing, collects what it requested, and ends with this.
    case busy = 5
    /// Start while the core runs (the core owns the banks).
    case coreRunning = 6
    /// No progress for TIMEOUT cycles: the host channel or a bank stopped
    /// answering. The engine is idle at once; reset the AFU before the next transfer.
    case timeout = 7

    public static let bits = 8
}
