import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HDL

/// A port of the simulated top module, including the implicit `clk` and
/// `rst` of a sequential module.
public struct SimulatorPort: Sendable {
    public let name: String
    public let type: HWType
    public let isInput: Bool
    public var width: Int { type.width }
    var wordCount: Int { (width + 31) / 32 }

    /// Harness order: `clk`, `rst` (when sequential), then the declared ports.
    static func ports(of module: ElaboratedModule) -> [SimulatorPort] {
        var out: [SimulatorPort] = []
        if module.isSequential {
            out.append(SimulatorPort(name: "clk", type: .bool, isInput: true))
            out.append(SimulatorPort(name: "rst", type: .bool, isInput: true))
        }
        for p in module.ports {
            out.append(SimulatorPort(name: p.name, type: p.type, isInput: p.isInputPort))
        }
        return out
    }
}

/// Drives a DSL design cycle by cycle, compiled with Verilator:
///
///     let sim = try Simulator(elaborate(Counter(width: 8)))
///     try sim.reset()
///     try sim.poke("enable", 1)
///     try sim.step(3)
///     #expect(try sim.peek("count") == 3)
///
/// The design is emitted, verilated, compiled into a shared library with a
/// small C harness and loaded into the process; models are cached on disk
/// (see `ModelBuilder`), so only the first build of a design pays for the
/// compiler. `poke` sets an input, `eval` settles the combinational logic
/// (so outputs can be read before the clock edge), `step` runs rising clock
/// edges, `peek` reads any port. Each simulator is independent; use one from
/// one thread at a time.
public final class Simulator {
    /// The top module's name.
    public let moduleName: String
    /// Every port, `clk` and `rst` first for sequential modules.
    public let ports: [SimulatorPort]
    /// How the model was obtained (cache hit or fresh build, and timings).
    public let build: ModelBuild
    /// True when the module has `clk` and `rst`.
    public let isSequential: Bool
    /// Rising clock edges run so far.
    public private(set) var cycle: UInt64 = 0

    private let instance: UnsafeMutableRawPointer
    private let api: HarnessAPI
    private let indexByName: [String: Int]
    private var scratch: [UInt32]

    /// Build (or reuse) the model of `design` and create a fresh instance,
    /// with every input at zero and the memories at their initial contents.
    ///
    /// - Parameters:
    ///   - waveform: when given, writes an FST trace there (a separate build
    ///     variant of the model, compiled with Verilator's `--trace-fst`).
    ///   - cacheDirectory: where built models are kept; by default
    ///     `$TRIT_SIM_CACHE` or `.build/trit-sim-cache` in the package root.
    public init(_ design: Design, waveform: URL? = nil, cacheDirectory: URL? = nil) throws {
        let build = try ModelBuilder.build(design, trace: waveform != nil,
                                           cacheDirectory: cacheDirectory ?? ModelBuilder.defaultCacheDirectory)
        let api = try HarnessAPI.load(build.library)
        guard let instance = api.create() else { throw SimulationError.loadFailed("trit_sim_create returned null") }
        self.build = build
        self.api = api
        self.instance = instance
        self.moduleName = design.top.name
        self.isSequential = design.top.isSequential
        self.ports = SimulatorPort.ports(of: design.top)
        self.indexByName = Dictionary(uniqueKeysWithValues: ports.enumerated().map { ($1.name, $0) })
        self.scratch = Array(repeating: 0, count: max(2, ports.map(\.wordCount).max() ?? 2))
        if let waveform {
            let status = api.traceOpen(instance, waveform.path)
            if status != 0 {
                api.destroy(instance)
                throw SimulationError.traceFailed("cannot open \(waveform.path) (code \(status))")
            }
        }
    }

    /// The same as `init`.
    public static func build(_ design: Design, waveform: URL? = nil, cacheDirectory: URL? = nil) throws -> Simulator {
        try Simulator(design, waveform: waveform, cacheDirectory: cacheDirectory)
    }

    deinit {
        // The library stays loaded for the life of the process: Verilator's
        // runtime has thread-local state that must outlive every thread.
        api.destroy(instance)
    }

    // MARK: Ports

    public func port(_ name: String) throws -> SimulatorPort {
        try ports[index(of: name)]
    }

    private func index(of name: String) throws -> Int {
        guard let i = indexByName[name] else {
            throw SimulationError.unknownPort(name: name, module: moduleName, available: ports.map(\.name))
        }
        return i
    }

    private func drivableIndex(_ name: String) throws -> Int {
        let i = try index(of: name)
        let p = ports[i]
        guard p.isInput else { throw SimulationError.notDrivable(port: name, reason: "it is an output") }
        if isSequential && i == 0 {
            throw SimulationError.notDrivable(port: name, reason: "the clock is driven by step()")
        }
        return i
    }

    // MARK: Driving inputs

    /// Set an input to a bit pattern of exactly its width.
    public func poke(_ name: String, _ bits: BitVector) throws {
        let i = try drivableIndex(name)
        guard bits.width == ports[i].width else {
            throw SimulationError.widthMismatch(port: name, expected: ports[i].width, got: bits.width)
        }
        write(i, bits.words)
    }

    /// Set an input to an integer: in `0 ..< 2^width` for unsigned ports,
    /// Bools and structured ports; in the two's-complement range for SInt.
    public func poke(_ name: String, _ value: Int) throws {
        let i = try drivableIndex(name)
        let p = ports[i]
        let signed = p.type.isSigned
        let fits: Bool
        if p.width >= 64 {
            fits = signed || value >= 0
        } else if signed {
            fits = value >= -(1 << (p.width - 1)) && value < (1 << (p.width - 1))
        } else {
            fits = value >= 0 && value < (1 << p.width)
        }
        guard fits else { throw SimulationError.valueOutOfRange(port: name, value: "\(value)", type: p.type.description) }
        write(i, BitVector(width: p.width, value: value).words)
    }

    /// Set an input to an unsigned bit pattern, which must fit the width.
    public func poke(_ name: String, _ value: UInt64) throws {
        let i = try drivableIndex(name)
        let p = ports[i]
        guard p.width >= 64 || value >> UInt64(p.width) == 0 else {
            throw SimulationError.valueOutOfRange(port: name, value: "\(value)", type: p.type.description)
        }
        write(i, [value])
    }

    public func poke(_ name: String, _ value: Bool) throws {
        let i = try drivableIndex(name)
        guard ports[i].width == 1 else {
            throw SimulationError.valueOutOfRange(port: name, value: "\(value)", type: ports[i].type.description)
        }
        write(i, [value ? 1 : 0])
    }

    /// Set a `Vec` input element by element (element 0 in the low bits); each
    /// value must fit the element type as for `poke(_:_:)` with an `Int`.
    public func poke(_ name: String, elements: [Int]) throws {
        let i = try drivableIndex(name)
        let p = ports[i]
        guard case .vec(let element, let count) = p.type else {
            throw SimulationError.notDrivable(port: name, reason: "it is a \(p.type), not a Vec")
        }
        guard elements.count == count else {
            throw SimulationError.widthMismatch(port: name, expected: count, got: elements.count)
        }
        let w = element.width
        var words = [UInt64](repeating: 0, count: (p.width + 63) / 64)
        for (k, value) in elements.enumerated() {
            let ok: Bool
            if w >= 64 { ok = element.isSigned || value >= 0 }
            else if element.isSigned { ok = value >= -(1 << (w - 1)) && value < (1 << (w - 1)) }
            else { ok = value >= 0 && value < (1 << w) }
            guard ok else {
                throw SimulationError.valueOutOfRange(port: "\(name)[\(k)]", value: "\(value)", type: element.description)
            }
            let bits = BitVector(width: w, value: value)
            for b in 0..<w where bits.bit(b) {
                let at = k * w + b
                words[at / 64] |= 1 << UInt64(at % 64)
            }
        }
        write(i, words)
    }

    private func write(_ index: Int, _ words: [UInt64]) {
        let p = ports[index]
        for k in 0..<p.wordCount {
            let word = k / 2 < words.count ? words[k / 2] : 0
            scratch[k] = UInt32(truncatingIfNeeded: k % 2 == 0 ? word : word >> 32)
        }
        // Verilator expects the unused top bits of the last word to be zero.
        let spare = p.wordCount * 32 - p.width
        if spare > 0 { scratch[p.wordCount - 1] &= UInt32.max >> UInt32(spare) }
        scratch.withUnsafeBufferPointer { api.set(instance, Int32(index), $0.baseAddress!) }
    }

    // MARK: Reading ports

    /// Any port's bits.
    public func peekBits(_ name: String) throws -> BitVector {
        let i = try index(of: name)
        let p = ports[i]
        for k in scratch.indices { scratch[k] = 0 }
        scratch.withUnsafeMutableBufferPointer { api.get(instance, Int32(i), $0.baseAddress!) }
        var words = [UInt64](repeating: 0, count: (p.wordCount + 1) / 2)
        for k in 0..<p.wordCount {
            words[k / 2] |= UInt64(scratch[k]) << UInt64(32 * (k % 2))
        }
        return BitVector(width: p.width, words: words)
    }

    /// A port of at most 64 bits as an unsigned number.
    public func peek(_ name: String) throws -> UInt64 {
        let p = try port(name)
        guard p.width <= 64 else { throw SimulationError.tooWide(port: name, width: p.width) }
        return try peekBits(name).words[0]
    }

    /// A port of at most 64 bits as a two's-complement number of its width.
    public func peekSigned(_ name: String) throws -> Int {
        let p = try port(name)
        let raw = try peek(name)
        guard p.width < 64 else { return Int(bitPattern: UInt(raw)) }
        let shift = UInt64(64 - p.width)
        return Int(Int64(bitPattern: raw << shift) >> Int64(shift))
    }

    /// A one-bit port.
    public func peekBool(_ name: String) throws -> Bool {
        try peek(name) != 0
    }

    // MARK: Time

    /// Settle combinational logic after pokes, without a clock edge.
    public func eval() {
        api.eval(instance)
    }

    /// Run `cycles` rising clock edges (inputs are settled first; outputs
    /// are settled after each edge).
    public func step(_ cycles: Int = 1) throws {
        guard isSequential else { throw SimulationError.notSequential(module: moduleName, operation: "step") }
        guard cycles >= 0 else { throw SimulationError.valueOutOfRange(port: "step", value: "\(cycles)", type: "cycle count") }
        api.tick(instance, UInt64(cycles))
        cycle += UInt64(cycles)
    }

    /// Hold `rst` high for `cycles` rising edges, then release it and settle.
    public func reset(cycles: Int = 1) throws {
        guard isSequential else { throw SimulationError.notSequential(module: moduleName, operation: "reset") }
        write(1, [1])
        try step(cycles)
        write(1, [0])
        eval()
    }

    /// Flush and close the waveform (also done when the simulator goes away).
    public func closeWaveform() {
        api.traceClose(instance)
    }
}

/// The harness's C entry points in one loaded library.
struct HarnessAPI: @unchecked Sendable {
    typealias Create = @convention(c) () -> UnsafeMutableRawPointer?
    typealias Destroy = @convention(c) (UnsafeMutableRawPointer) -> Void
    typealias SetPort = @convention(c) (UnsafeMutableRawPointer, Int32, UnsafePointer<UInt32>) -> Void
    typealias GetPort = @convention(c) (UnsafeMutableRawPointer, Int32, UnsafeMutablePointer<UInt32>) -> Void
    typealias Eval = @convention(c) (UnsafeMutableRawPointer) -> Void
    typealias Tick = @convention(c) (UnsafeMutableRawPointer, UInt64) -> Void
    typealias TraceOpen = @convention(c) (UnsafeMutableRawPointer, UnsafePointer<CChar>) -> Int32
    typealias TraceClose = @convention(c) (UnsafeMutableRawPointer) -> Void

    let create: Create
    let destroy: Destroy
    let set: SetPort
    let get: GetPort
    let eval: Eval
    let tick: Tick
    let traceOpen: TraceOpen
    let traceClose: TraceClose

    /// Bind the harness's functions in a model library.
    static func load(_ library: URL) throws -> HarnessAPI {
        let handle = try LoadedLibraries.open(library)
        func symbol<T>(_ name: String, _: T.Type) throws -> T {
            try LoadedLibraries.symbol(name, in: handle, library: library, as: T.self)
        }
        return HarnessAPI(
            create: try symbol("trit_sim_create", Create.self),
            destroy: try symbol("trit_sim_destroy", Destroy.self),
            set: try symbol("trit_sim_set", SetPort.self),
            get: try symbol("trit_sim_get", GetPort.self),
            eval: try symbol("trit_sim_eval", Eval.self),
            tick: try symbol("trit_sim_tick", Tick.self),
            traceOpen: try symbol("trit_sim_trace_open", TraceOpen.self),
            traceClose: try symbol("trit_sim_trace_close", TraceClose.self))
    }
}

/// Model libraries loaded into this process, each opened once. `RTLD_LOCAL`
/// and the harness's hidden visibility keep each model's copy of
/// Verilator's runtime private, so any number of different models coexist;
/// a library stays loaded for the life of the process (Verilator's runtime
/// has thread-local state that must outlive every thread).
enum LoadedLibraries {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var handles: [String: UnsafeMutableRawPointer] = [:]

    static func open(_ library: URL) throws -> UnsafeMutableRawPointer {
        lock.lock()
        defer { lock.unlock() }
        if let handle = handles[library.path] { return handle }
        guard let handle = dlopen(library.path, RTLD_NOW | RTLD_LOCAL) else {
            throw SimulationError.loadFailed(dlerror().map { String(cString: $0) } ?? library.path)
        }
        handles[library.path] = handle
        return handle
    }

    static func symbol<T>(_ name: String, in handle: UnsafeMutableRawPointer, library: URL, as _: T.Type) throws -> T {
        guard let p = dlsym(handle, name) else {
            throw SimulationError.loadFailed("\(library.path) lacks \(name)")
        }
        return unsafeBitCast(p, to: T.self)
    }
}
