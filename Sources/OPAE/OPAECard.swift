import Foundation

/// One accelerator opened through libopae-c: found by its AFU UUID, its
/// MMIO space mapped, host buffers shared with it. The calls are the ones
/// every OPAE host program makes (docs/host.md).
public final class OPAECard {
    public let library: OPAELibrary
    private var handle: UnsafeMutableRawPointer?
    private var token: UnsafeMutableRawPointer?

    /// Opens accelerator `index` (0: the first) of those whose AFU UUID is `uuid` ("5d7c1c36-...").
    public init(library: OPAELibrary, uuid: String, index: Int = 0) throws {
        self.library = library
        let lib = library
        guard let guid = Self.guidBytes(uuid) else { throw OPAEError("'\(uuid)' is not a UUID") }
        var filter: UnsafeMutableRawPointer?
        try lib.check(lib.getProperties(nil, &filter), "fpgaGetProperties")
        defer { _ = lib.destroyProperties(&filter) }
        try lib.check(lib.setObjectType(filter, 1), "fpgaPropertiesSetObjectType(FPGA_ACCELERATOR)")
        var bytes = guid
        try bytes.withUnsafeMutableBufferPointer { try lib.check(lib.setGUID(filter, $0.baseAddress!), "fpgaPropertiesSetGUID") }
        var matches: UInt32 = 0
        var tokens = [UnsafeMutableRawPointer?](repeating: nil, count: index + 1)
        try withUnsafePointer(to: filter) { f in
            try lib.check(lib.enumerate(f, 1, &tokens, UInt32(index + 1), &matches), "fpgaEnumerate")
        }
        for k in 0..<min(Int(matches), index + 1) where k != index { _ = lib.destroyToken(&tokens[k]) }
        guard Int(matches) > index, let found = tokens[index] else {
            throw OPAEError("\(matches) accelerator(s) with AFU UUID \(uuid) through \(lib.path), card \(index) asked for: "
                            + "is the Trit AFU loaded on the card?")
        }
        token = found
        var h: UnsafeMutableRawPointer?
        try lib.check(lib.open(found, &h, 0), "fpgaOpen(card \(index))")
        handle = h
        try lib.check(lib.mapMMIO(h, 0, nil), "fpgaMapMMIO")
    }

    deinit { close() }

    /// Releases the card (idempotent).
    public func close() {
        if handle != nil { _ = library.close(handle); handle = nil }
        if token != nil { _ = library.destroyToken(&token); token = nil }
    }

    public func read64(_ offset: Int) throws -> UInt64 {
        var v: UInt64 = 0
        try library.check(library.readMMIO64(handle, 0, UInt64(offset), &v), "fpgaReadMMIO64(0x\(String(offset, radix: 16)))")
        return v
    }

    public func write64(_ offset: Int, _ value: UInt64) throws {
        try library.check(library.writeMMIO64(handle, 0, UInt64(offset), value), "fpgaWriteMMIO64(0x\(String(offset, radix: 16)))")
    }

    /// Resets the AFU (`fpgaReset`): how a host recovers from a fault or timeout.
    public func reset() throws { try library.check(library.reset(handle), "fpgaReset") }

    /// A host buffer the card can reach by DMA, released with the object.
    public final class SharedBuffer {
        public let bytes: UnsafeMutableRawBufferPointer
        /// The address the AFU uses for it (`fpgaGetIOAddress`).
        public let ioAddress: UInt64
        let workspace: UInt64
        weak var card: OPAECard?

        init(card: OPAECard, length: Int) throws {
            let lib = card.library
            var address: UnsafeMutableRawPointer?
            var wsid: UInt64 = 0
            try lib.check(lib.prepareBuffer(card.handle, UInt64(length), &address, &wsid, 0), "fpgaPrepareBuffer(\(length) bytes)")
            var io: UInt64 = 0
            try lib.check(lib.getIOAddress(card.handle, wsid, &io), "fpgaGetIOAddress")
            bytes = UnsafeMutableRawBufferPointer(start: address, count: length)
            ioAddress = io
            workspace = wsid
            self.card = card
        }

        deinit {
            if let card, card.handle != nil { _ = card.library.releaseBuffer(card.handle, workspace) }
        }
    }

    public func sharedBuffer(length: Int) throws -> SharedBuffer { try SharedBuffer(card: self, length: length) }

    /// The 16 bytes of a UUID in string order, as OPAE's `uuid_parse` gives them.
    static func guidBytes(_ uuid: String) -> [UInt8]? {
        let hex = uuid.filter { $0 != "-" }
        guard hex.count == 32 else { return nil }
        var out: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            guard let b = UInt8(hex[i..<j], radix: 16) else { return nil }
            out.append(b)
            i = j
        }
        return out
    }
}
