import Foundation
import HDL

/// C++ compiled into a model's shared library right after the generated
/// harness, in the same translation unit: a test bench that drives the
/// model through the harness's `trit_sim_*` functions and finds ports by
/// name in its `trit_port_names` / `trit_port_widths` tables. Its exported
/// functions (`TRIT_API`, i.e. `extern "C"` with default visibility) are
/// bound with `ModelLibrary.function`. A header (`.h`) is written next to
/// the sources for them to include, and is not compiled by itself.
public struct ModelExtension: Sendable, Equatable {
    /// A file name such as `bench.cpp` or `models.h` (letters, digits, `_`, `.`).
    public let name: String
    public let source: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }

    /// A header: included by the sources, not compiled on its own.
    var isHeader: Bool { name.hasSuffix(".h") }

    var problem: String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")
        if !(name.hasSuffix(".cpp") || isHeader) || !name.allSatisfy(allowed.contains) || name.hasPrefix("V") {
            return "extension file name '\(name)' must end in .cpp or .h, use only letters, digits, '_' and '.', and not start with 'V'"
        }
        if ["trit_harness.cpp", "trit_all.cpp"].contains(name) { return "extension file name '\(name)' is reserved" }
        return nil
    }
}

/// A Verilator model built with extra C++ (see `ModelExtension`) and loaded
/// into the process, cached on disk like `Simulator`'s models (the
/// extensions are part of the cache key). Call the extension's functions
/// through `function(_:as:)`; the harness's own functions are there too.
public final class ModelLibrary {
    public let build: ModelBuild
    /// The top module's name.
    public let moduleName: String
    /// The top module's ports in harness order (`clk`, `rst` first).
    public let ports: [SimulatorPort]
    /// True when the model was built with FST tracing (`trit_sim_trace_open` works).
    public let tracing: Bool
    private let handle: UnsafeMutableRawPointer

    public init(_ design: Design, extensions: [ModelExtension], trace: Bool = false, cacheDirectory: URL? = nil) throws {
        let build = try Self.build(design, extensions: extensions, trace: trace, cacheDirectory: cacheDirectory)
        self.build = build
        self.handle = try LoadedLibraries.open(build.library)
        self.moduleName = design.top.name
        self.ports = SimulatorPort.ports(of: design.top)
        self.tracing = trace
    }

    /// Builds (or finds in the cache) the library without loading it: for
    /// a library another program loads (`build.library`, a self-contained
    /// shared object carrying the model and Verilator's runtime).
    public static func build(_ design: Design, extensions: [ModelExtension], trace: Bool = false,
                             cacheDirectory: URL? = nil) throws -> ModelBuild {
        for e in extensions {
            if let problem = e.problem { throw SimulationError.buildFailed(step: "extensions", output: problem) }
        }
        return try ModelBuilder.build(design, trace: trace, cacheDirectory: cacheDirectory ?? ModelBuilder.defaultCacheDirectory,
                                      extensions: extensions)
    }

    /// An exported C function of the library, as a `@convention(c)` type.
    public func function<T>(_ name: String, as type: T.Type) throws -> T {
        try LoadedLibraries.symbol(name, in: handle, library: build.library, as: type)
    }
}
