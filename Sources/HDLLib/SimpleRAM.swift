import HDL

/// A memory with one write and one read port, exposed as module ports, for
/// testing memory inference and read-during-write behaviour.
public struct SimpleRAM: Module {
    public let width: Int
    public let depth: Int
    public let readLatency: Int
    public let readDuringWrite: ReadDuringWrite
    public let initial: [BitVector]?

    public init(width: Int, depth: Int, readLatency: Int = 1, readDuringWrite: ReadDuringWrite = .oldData,
                initial: [BitVector]? = nil) {
        self.width = width
        self.depth = depth
        self.readLatency = readLatency
        self.readDuringWrite = readDuringWrite
        self.initial = initial
    }

    public var parameters: [Parameter] {
        var p = [Parameter("W", width), Parameter("E", depth), Parameter("L", readLatency),
                 Parameter("RDW", readDuringWrite == .oldData ? "old" : "new")]
        if let initial { p.append(Parameter("INIT", String(UInt(bitPattern: initial.hashValue) % 100_000))) }
        return p
    }

    public func build(_ m: ModuleBuilder) {
        let a = addressWidth(depth)
        let we = m.input("we", .bool)
        let waddr = m.input("waddr", .uint(a))
        let wdata = m.input("wdata", .uint(width))
        let raddr = m.input("raddr", .uint(a))
        let rdata = m.output("rdata", .uint(width))
        let mem = m.memory("ram", depth: depth, of: .uint(width), readLatency: readLatency,
                           readDuringWrite: readDuringWrite, initial: initial)
        let w = mem.write()
        w.enable.set(we)
        w.address.set(waddr)
        w.data.set(wdata)
        let r = mem.read()
        r.address.set(raddr)
        rdata.set(r.data)
    }
}

/// A read-only memory from a table, with a registered read (M20K ROM).
public struct ROM: Module {
    public let name: String
    public let width: Int
    public let contents: [BitVector]

    public init(name: String, width: Int, contents: [BitVector]) {
        self.name = name
        self.width = width
        self.contents = contents
    }

    public func build(_ m: ModuleBuilder) {
        let address = m.input("address", .uint(addressWidth(contents.count)))
        let data = m.output("data", .uint(width))
        let rom = m.memory("words", depth: contents.count, of: .uint(width), readLatency: 1, initial: contents)
        let r = rom.read()
        r.address.set(address)
        data.set(r.data)
    }
}
