import Core
import Foundation
import HDL
import HDLSim

/// A simulated Trit card as a drop-in `libopae-c.so`: the Verilated
/// `TritAfu` (core and DMA) with the bank and host-memory models of
/// `sim/trit_simcard*.{cpp,h}`, exporting the OPAE C functions
/// `Sources/OPAE` calls. Point `OPAELibrary(path:)` (`--opae-library`) at
/// `library`; the file carries the model and Verilator's runtime, so any
/// program can dlopen it. docs/host.md, "The simulated card".
public struct SimulatedCard: Sendable {
    /// `DIR/libopae-c.so`.
    public let library: URL
    /// How the model was obtained (built now or from the cache).
    public let model: ModelBuild

    public static let libraryName = "libopae-c.so"
    static let bench = "trit_simcard.cpp"
    static let headers = ["trit_simcard_host.h", "trit_simcard_card.h"]

    /// Elaborates `TritAfu(params:host:)`, builds its model with the
    /// simulated card's C++ (reusing the model cache), and copies the
    /// library to `out/libopae-c.so`, replacing any earlier one atomically.
    public static func make(params: CoreParameters, host: HostDMAParameters = .standard, out: URL,
                            cacheDirectory: URL? = nil) throws -> SimulatedCard {
        let problems = params.problems + host.problems(params)
        guard problems.isEmpty else { throw SimulatedCardError("bad card parameters: " + problems.joined(separator: "; ")) }
        let design = try elaborate(TritAfu(params: params, host: host))
        let sources = try BenchSources.extensions(bench: bench, headers: headers)
        let model = try ModelLibrary.build(design, extensions: sources, cacheDirectory: cacheDirectory)
        let fm = FileManager.default
        try fm.createDirectory(at: out, withIntermediateDirectories: true)
        let target = out.appendingPathComponent(libraryName)
        // A new file renamed over the old: a process that has the old one loaded keeps it intact.
        let staging = out.appendingPathComponent(".\(libraryName).\(UUID().uuidString)")
        try fm.copyItem(at: model.library, to: staging)
        guard rename(staging.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(at: staging)
            throw SimulatedCardError("cannot write \(target.path): \(reason)")
        }
        return SimulatedCard(library: target, model: model)
    }

    /// `make`'s library: the path to give `--opae-library`.
    public static func build(params: CoreParameters, host: HostDMAParameters = .standard, out: URL,
                             cacheDirectory: URL? = nil) throws -> URL {
        try make(params: params, host: host, out: out, cacheDirectory: cacheDirectory).library
    }
}

/// The simulated card could not be built.
public struct SimulatedCardError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
