import Foundation

/// Verilator's runtime (verilated.cpp and friends) compiled once per cache
/// directory, tool versions and flags, plus a precompiled `verilated.h`
/// (GCC only) that takes most of the parsing out of each model's compile.
/// Each piece is built when first needed, under one lock.
enum Runtime {
    struct Parts {
        /// Objects to link into every model of this variant.
        let objects: [URL]
        /// A header to `-include` (with its `.gch` next to it), or nil.
        let precompiledHeader: URL?
    }

    static func ensure(_ t: ModelBuilder.Toolchain, trace: Bool, cacheDirectory: URL) throws -> (Parts, Double) {
        let sources = ["verilated", "verilated_threads"] + (trace ? ["verilated_fst_c"] : [])
        var hasher = StableHash()
        for part in ["runtime -O0", t.verilatorVersion, t.compilerVersion, t.compiler] + ModelBuilder.cxxFlags(t) {
            hasher.add(part)
        }
        let dir = cacheDirectory.appendingPathComponent("runtime-\(hasher.hex)", isDirectory: true)
        let objects = sources.map { dir.appendingPathComponent("\($0).o") }
        let usePCH = t.compiler.hasSuffix("g++")
        let variant = trace ? "trace" : "plain"
        let header = dir.appendingPathComponent("pch-\(variant)/trit_pch.h")
        let gch = URL(fileURLWithPath: header.path + ".gch")
        let fm = FileManager.default
        func complete() -> Bool {
            objects.allSatisfy { fm.fileExists(atPath: $0.path) } && (!usePCH || fm.fileExists(atPath: gch.path))
        }
        let parts = Parts(objects: objects, precompiledHeader: usePCH ? header : nil)
        if complete() { return (parts, 0) }
        let lock = try FileLock(cacheDirectory.appendingPathComponent("locks/runtime-\(hasher.hex).lock"))
        defer { lock.unlock() }
        if complete() { return (parts, 0) }

        var clock = Stopwatch()
        try fm.createDirectory(at: header.deletingLastPathComponent(), withIntermediateDirectories: true)
        let work = cacheDirectory.appendingPathComponent(".tmp-runtime-\(UUID().uuidString)", isDirectory: true)
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: work) }

        // The runtime is off the hot path (the model's code and the inline
        // functions of the headers do the work), so it is compiled without
        // optimisation, which halves the time of this one-off build.
        let runtimeFlags = ModelBuilder.cxxFlags(t).map { $0 == ModelBuilder.compileOptimization ? "-O0" : $0 }
        // (arguments, built file, final place) for each missing piece.
        var jobs: [([String], URL, URL)] = []
        for (source, object) in zip(sources, objects) where !fm.fileExists(atPath: object.path) {
            let built = work.appendingPathComponent("\(source).o")
            jobs.append((runtimeFlags + ["-c", "\(t.verilatorRoot)/include/\(source).cpp", "-o", built.path], built, object))
        }
        if usePCH && !fm.fileExists(atPath: gch.path) {
            var text = "// Precompiled for simulation models.\n#include \"verilated.h\"\n"
            if trace { text += "#include \"verilated_fst_c.h\"\n" }
            try text.write(to: header, atomically: true, encoding: .utf8)
            let built = work.appendingPathComponent("trit_pch.h.gch")
            jobs.append((ModelBuilder.modelFlags(t, trace: trace) + ["-x", "c++-header", header.path, "-o", built.path], built, gch))
        }
        // Independent compilations: run them side by side.
        let commands = jobs.map(\.0)
        let results = ResultBox(count: commands.count)
        DispatchQueue.concurrentPerform(iterations: commands.count) { i in
            results.set(i, Result { try ExternalTool.run(t.compiler, commands[i]) })
        }
        for (job, r) in zip(jobs, results.values) {
            let result = try r!.get()
            guard result.succeeded else {
                throw SimulationError.buildFailed(step: "compiling the Verilator runtime (\(job.2.lastPathComponent))", output: result.output)
            }
            try? fm.removeItem(at: job.2)
            try fm.moveItem(at: job.1, to: job.2)
        }
        return (parts, clock.lap())
    }
}
