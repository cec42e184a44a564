/// What a synchronous read returns when the same cycle writes the same address.
public enum ReadDuringWrite: String, Sendable {
    /// The value stored before the write (the native M20K / block-RAM mode).
    case oldData
    /// The value being written (costs a bypass comparator and multiplexer).
    case newData
}

/// An array of words with one write port and any number of read ports.
///
/// - `readLatency: 0`: asynchronous read (LUT RAM / MLAB); the data of the
///   current address, a write lands at the clock edge.
/// - `readLatency: 1`: the address is sampled at the clock edge and the data
///   appears after it (M20K / block RAM); `readDuringWrite` says what a
///   read of the address being written returns.
/// - `readLatency: 2`: as 1, plus an output register (M20K with output register).
///
/// The emitter writes these in the template Quartus infers as M20K and Vivado
/// as block RAM. `initial` contents make a ROM when there is no write port.
public final class Memory {
    public let name: String
    public let depth: Int
    public let element: HWType
    public let readLatency: Int
    public let readDuringWrite: ReadDuringWrite
    public let initial: [BitVector]?
    /// With a lane mask, the write port also has `mask` (one bit per element
    /// of a `vec` word): only the lanes whose bit is set are written. This is
    /// the byte-enable template of Quartus and Vivado at lane granularity.
    public let laneMask: Bool
    public let location: CodeLocation
    /// Inside a clock-enabled module: the write and the synchronous reads
    /// happen only while it is true.
    public let clockEnable: Expr?
    public private(set) var writePort: WritePort?
    public private(set) var readPorts: [ReadPort] = []
    unowned let builder: ModuleBuilder

    public struct WritePort {
        public let enable: Signal
        public let address: Signal
        public let data: Signal
        /// Lanes to write (only for a memory declared with `laneMask: true`).
        public let mask: Signal?
        let decls: (enable: SignalDecl, address: SignalDecl, data: SignalDecl)
        let maskDecl: SignalDecl?
    }

    public struct ReadPort {
        public let address: Signal
        public let data: Signal
        /// Only for a port made with `read(enabled: true)`: while false,
        /// `data` keeps its value (the M20K's read clock enable).
        public let enable: Signal?
        let decls: (address: SignalDecl, data: SignalDecl)
        let enableDecl: SignalDecl?
    }

    public var addressWidth: Int { HDL.addressWidth(depth) }

    init(name: String, depth: Int, element: HWType, readLatency: Int, readDuringWrite: ReadDuringWrite,
         initial: [BitVector]?, laneMask: Bool, location: CodeLocation, builder: ModuleBuilder) {
        self.name = name
        self.depth = depth
        self.element = element
        self.readLatency = readLatency
        self.readDuringWrite = readDuringWrite
        self.initial = initial
        self.laneMask = laneMask
        self.location = location
        self.builder = builder
        self.clockEnable = builder.clockEnable
    }

    /// The write port (created on first use): drive `enable`, `address` and
    /// `data` on every path; the write happens at the clock edge.
    public func write(file: String = #fileID, line: Int = #line, column: Int = #column) -> WritePort {
        if let writePort { return writePort }
        let loc = CodeLocation(file: file, line: line, column: column)
        let owner = "memory \(name)"
        let en = builder.declare("\(name)_we", .bool, .sinkPort(owner: owner), loc)
        let addr = builder.declare("\(name)_waddr", .uint(addressWidth), .sinkPort(owner: owner), loc)
        let data = builder.declare("\(name)_wdata", element, .sinkPort(owner: owner), loc)
        let mask = laneMask ? builder.declare("\(name)_wmask", .uint(lanes), .sinkPort(owner: owner), loc) : nil
        let port = WritePort(enable: builder.signal(en), address: builder.signal(addr), data: builder.signal(data),
                             mask: mask.map { builder.signal($0) }, decls: (en, addr, data), maskDecl: mask)
        writePort = port
        return port
    }

    /// A new read port: drive `address`; `data` follows after `readLatency`
    /// cycles. With `enabled`, also drive `enable`: the read happens only in
    /// cycles where it is true (a synchronous port; saves the read's power in
    /// hardware and its evaluation in simulation when few ports are in use).
    public func read(enabled: Bool = false, file: String = #fileID, line: Int = #line, column: Int = #column) -> ReadPort {
        let loc = CodeLocation(file: file, line: line, column: column)
        let owner = "memory \(name)"
        if enabled && readLatency == 0 {
            builder.error("memory '\(name)': an asynchronous read port has no enable", loc)
        }
        let prefix = readPorts.isEmpty ? "\(name)_r" : "\(name)_r\(readPorts.count)"
        let addr = builder.declare("\(prefix)addr", .uint(addressWidth), .sinkPort(owner: owner), loc)
        let data = builder.declare("\(prefix)data", element, .sourcePort(owner: owner), loc)
        let en = enabled ? builder.declare("\(prefix)en", .bool, .sinkPort(owner: owner), loc) : nil
        let port = ReadPort(address: builder.signal(addr), data: builder.signal(data),
                            enable: en.map { builder.signal($0) }, decls: (addr, data), enableDecl: en)
        readPorts.append(port)
        return port
    }

    /// Read ports and the write port as declarations, for back-ends.
    public var readPortDecls: [(address: SignalDecl, data: SignalDecl, enable: SignalDecl?)] {
        readPorts.map { ($0.decls.address, $0.decls.data, $0.enableDecl) }
    }
    public var writePortDecls: (enable: SignalDecl, address: SignalDecl, data: SignalDecl)? { writePort?.decls }
    public var writeMaskDecl: SignalDecl? { writePort?.maskDecl }

    /// Elements of a `vec` word (1 for any other type).
    public var lanes: Int {
        if case .vec(_, let count) = element { return count }
        return 1
    }
}

extension ModuleBuilder {
    /// Declare a memory of `depth` words of type `element`.
    public func memory(_ name: String, depth: Int, of element: HWType, readLatency: Int = 1,
                       readDuringWrite: ReadDuringWrite = .oldData, initial: [BitVector]? = nil,
                       laneMask: Bool = false,
                       file: String = #fileID, line: Int = #line, column: Int = #column) -> Memory {
        let loc = CodeLocation(file: file, line: line, column: column)
        if let p = Identifier.problem(name) { error(p, loc) }
        if depth < 2 { error("memory '\(name)' needs a depth of at least 2, got \(depth)", loc) }
        if !(0...2).contains(readLatency) { error("memory '\(name)': read latency must be 0, 1 or 2, got \(readLatency)", loc) }
        if let p = element.problem { error("memory '\(name)': \(p)", loc) }
        if laneMask, case .vec = element {} else if laneMask {
            error("memory '\(name)': a lane mask needs a vec element type, got \(element)", loc)
        }
        if laneMask && readDuringWrite == .newData {
            error("memory '\(name)': a lane-masked memory reads old data during a write (no per-lane bypass)", loc)
        }
        if let initial {
            if initial.count > depth {
                error("memory '\(name)' has \(initial.count) initial words but depth \(depth)", loc)
            }
            if let bad = initial.firstIndex(where: { $0.width != element.width }) {
                error("initial word \(bad) of memory '\(name)' is \(initial[bad].width) bits, expected \(element.width)", loc)
            }
        }
        let m = Memory(name: name, depth: max(depth, 2), element: element, readLatency: readLatency,
                       readDuringWrite: readDuringWrite, initial: initial, laneMask: laneMask, location: loc, builder: self)
        adopt(m)
        return m
    }
}
