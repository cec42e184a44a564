import HDL

// A core whose beat is `ratio` times the platform's (a power of two): the
// D5005's banks and host channel are 512 bits, and a 1024-bit core moves a
// bank's full rate at half the DDR user clock. The adapters below sit
// between the core's masters and the platform's slaves; the core's side is
// the usual signature at the core's parameters, the platform's the same
// signature at `narrowed(by:)`.

extension CoreParameters {
    /// Platform beats of `platformBits` per core beat: 1 when the core's beat
    /// is no wider (no adapter), else the adapters' ratio.
    public func ratio(toPlatformBeat platformBits: Int) -> Int { dataBits / Swift.max(1, Swift.min(dataBits, platformBits)) }

    /// The bank masters as the platform sees them: beats of `dataBits /
    /// ratio`, `ratio` times as many beat addresses, bursts `ratio` times as
    /// long.
    public func narrowed(by ratio: Int) -> CoreParameters {
        var n = self
        n.dataBits = dataBits / ratio
        n.addressBits = addressBits + ratio.trailingZeroBitCount
        n.maxBurst = maxBurst * ratio
        return n
    }
}

extension HostDMAParameters {
    /// The host channel as the platform sees it, for a core beat of `ratio` host beats.
    public func narrowed(by ratio: Int) -> HostDMAParameters {
        HostDMAParameters(addressBits: addressBits + ratio.trailingZeroBitCount, maxBurst: maxBurst * ratio,
                          bufferBeats: bufferBeats, channelBits: channelBits / ratio)
    }
}

/// What both adapters do: a command's address and burst count scaled by the
/// ratio, a write beat sent as `ratio` narrow beats (least significant
/// part first), and read beats gathered `ratio` at a time. Avalon-MM keeps
/// a burst's address and count on every beat, so a write's narrow beats
/// all carry the scaled command; read data pass through without a register
/// (the last narrow beat of a group completes the wide one in its cycle).
struct BeatNarrowing {
    let ratio: Int
    let narrowBits: Int
    var partBits: Int { ratio.trailingZeroBitCount }

    /// Whether `ratio` splits a beat of `beatBits` (a power of two of at least 2), else an error on `m`.
    static func accepts(_ ratio: Int, beatBits: Int, _ m: ModuleBuilder) -> Bool {
        m.require(ratio >= 2 && ratio & (ratio - 1) == 0 && beatBits % ratio == 0,
                  "a width adapter's ratio must be a power of two of at least 2 dividing the beat, got \(ratio)")
    }

    /// A wide beat address or burst count as the narrow one, at `width` bits.
    func scaled(_ value: Signal, width: Int) -> Signal { resize(resize(value, width) << partBits, width) }

    /// The narrow beat of a wide write going out now, counted over the
    /// narrow beats taken; the wide beat is taken with its last.
    func writePart(_ m: ModuleBuilder, taken: Signal) -> (part: Signal, last: Signal) {
        let part = m.reg("write_part", .uint(partBits), reset: 0)
        m.when(taken) { part.set(part + 1) }
        return (part, part == lit(ratio - 1, width: partBits))
    }

    /// Slice `part` of `wide` (`ratio` equal slices, slice 0 least significant).
    func slice(_ wide: Signal, _ part: Signal) -> Signal {
        let width = (wide.width ?? 0) / ratio
        return wide.reinterpret(as: .vec(.uint(width), count: ratio))[part]
    }

    /// The `ratio` equal slices of `wide`, slice 0 (least significant) first.
    func parts(_ wide: Signal) -> [Signal] {
        let width = (wide.width ?? 0) / ratio
        return (0..<ratio).map { wide[($0 + 1) * width - 1, $0 * width] }
    }

    /// Narrow read beats gathered into wide ones: (valid, data) of the wide beat.
    func gather(_ m: ModuleBuilder, valid: Signal, data: Signal) -> (valid: Signal, data: Signal) {
        let count = m.reg("read_part", .uint(partBits), reset: 0)
        let held = (0..<(ratio - 1)).map { m.reg("read_held\($0)", .uint(narrowBits)) }
        m.when(valid) {
            count.set(count + 1)
            for (i, h) in held.enumerated() {
                m.when(count == lit(i, width: partBits)) { h.set(data) }
            }
        }
        return (m.wire("read_complete", valid && count == lit(ratio - 1, width: partBits)), cat([data] + held.reversed()))
    }
}

/// One memory bank's Avalon-MM master at the core's beat (`wide_`, a
/// slave here) onto the platform's narrower bank (`narrow_`). A read is
/// one command of `ratio` times the beats; a write beat goes out as
/// `ratio` beats of one burst, the wide beat held (`waitrequest`) until
/// the last is taken. Reads and writes never share a cycle (Avalon-MM).
public struct BankWidthAdapter: Module {
    public let wide: CoreParameters
    public let ratio: Int

    public init(wide: CoreParameters, ratio: Int) {
        self.wide = wide
        self.ratio = ratio
    }

    public var parameters: [Parameter] { [Parameter("W", wide.dataBits), Parameter("R", ratio)] }

    public func build(_ m: ModuleBuilder) {
        guard BeatNarrowing.accepts(ratio, beatBits: wide.dataBits, m) else { return }
        let narrowParams = wide.narrowed(by: ratio)
        let core = m.ports(BankMaster(wide).flipped(), prefix: "wide_")
        let bank = m.ports(BankMaster(narrowParams), prefix: "narrow_")
        let n = BeatNarrowing(ratio: ratio, narrowBits: narrowParams.dataBits)

        let (part, last) = n.writePart(m, taken: core.write && !bank.waitRequest)
        bank.address.set(n.scaled(core.address, width: narrowParams.addressBits))
        bank.burstCount.set(n.scaled(core.burstCount, width: narrowParams.burstBits))
        bank.read.set(core.read)
        bank.write.set(core.write)
        bank.writeData.set(n.slice(core.writeData, part))
        bank.byteEnable.set(n.slice(core.byteEnable, part))
        core.waitRequest.set(bank.waitRequest || (core.write && !last))

        let (valid, data) = n.gather(m, valid: bank.readDataValid, data: bank.readData)
        core.readDataValid.set(valid)
        core.readData.set(data)
    }
}

/// The host DMA's read and write channels at the core's beat (`wide_rd_`,
/// `wide_wr_`) onto the platform's narrower host channel (`host_rd_`,
/// `host_wr_`), as `BankWidthAdapter` does for a bank; each write burst
/// keeps its one response.
public struct HostWidthAdapter: Module {
    public let wide: CoreParameters
    public let host: HostDMAParameters
    public let ratio: Int

    public init(wide: CoreParameters, host: HostDMAParameters, ratio: Int) {
        self.wide = wide
        self.host = host
        self.ratio = ratio
    }

    public var parameters: [Parameter] { [Parameter("W", wide.dataBits), Parameter("R", ratio)] }

    public func build(_ m: ModuleBuilder) {
        guard BeatNarrowing.accepts(ratio, beatBits: wide.dataBits, m) else { return }
        let narrowParams = wide.narrowed(by: ratio), narrowHost = host.narrowed(by: ratio)
        let coreRead = m.ports(HostRead(wide, host).flipped(), prefix: "wide_rd_")
        let coreWrite = m.ports(HostWrite(wide, host).flipped(), prefix: "wide_wr_")
        let read = m.ports(HostRead(narrowParams, narrowHost), prefix: HostRead.prefix)
        let write = m.ports(HostWrite(narrowParams, narrowHost), prefix: HostWrite.prefix)
        let n = BeatNarrowing(ratio: ratio, narrowBits: narrowParams.dataBits)

        read.address.set(n.scaled(coreRead.address, width: narrowHost.addressBits))
        read.burstCount.set(n.scaled(coreRead.burstCount, width: narrowHost.burstBits))
        read.read.set(coreRead.read)
        // Host reads enable every byte (`HostRead`): a lane is enabled where every part enables it.
        let enables = n.parts(coreRead.byteEnable)
        read.byteEnable.set(enables.dropFirst().reduce(enables[0], &))
        coreRead.waitRequest.set(read.waitRequest)
        let (valid, data) = n.gather(m, valid: read.readDataValid, data: read.readData)
        coreRead.readDataValid.set(valid)
        coreRead.readData.set(data)

        let (part, last) = n.writePart(m, taken: coreWrite.write && !write.waitRequest)
        write.address.set(n.scaled(coreWrite.address, width: narrowHost.addressBits))
        write.burstCount.set(n.scaled(coreWrite.burstCount, width: narrowHost.burstBits))
        write.write.set(coreWrite.write)
        write.writeData.set(n.slice(coreWrite.writeData, part))
        write.byteEnable.set(n.slice(coreWrite.byteEnable, part))
        coreWrite.waitRequest.set(write.waitRequest || (coreWrite.write && !last))
        coreWrite.writeResponseValid.set(write.writeResponseValid)
    }
}
