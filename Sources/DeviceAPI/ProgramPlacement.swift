import ISA

/// Where a program image goes in a card's memory (the banks' global byte
/// address space), for every engine with a core: data
/// memory from 0, the code right after it on the next 4 KiB boundary (both
/// 64-byte aligned, as the CSRs require).
public struct ProgramPlacement: Sendable, Equatable {
    public var dataBase: UInt64
    public var dataSize: UInt64
    public var codeBase: UInt64
    public var codeLength: Int
    /// The program's streams: the host writes them to the STREAMS register
    /// before the start (a core of B streams runs a program of S <= B).
    public var streams: Int

    public init(dataBase: UInt64, dataSize: UInt64, codeBase: UInt64, codeLength: Int, streams: Int) {
        self.dataBase = dataBase
        self.dataSize = dataSize
        self.codeBase = codeBase
        self.codeLength = codeLength
        self.streams = streams
    }

    public init(_ image: ProgramImage) {
        let size = UInt64(image.memorySize)
        self.init(dataBase: 0, dataSize: size, codeBase: (size + 4095) / 4096 * 4096, codeLength: image.code.count,
                  streams: image.streams)
    }

    /// The code as little-endian bytes, instruction i at byte 8i.
    public static func codeBytes(_ code: [UInt64]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(code.count * 8)
        for w in code { for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: w >> UInt64(8 * k))) } }
        return out
    }
}
