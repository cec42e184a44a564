import ArgumentParser
import Compiler
import Core
import Foundation
import HDL
import HDLEmit
import HDLSim
import ISA
import Shells

/// `trit rtl`: the core's SystemVerilog in a board shell, written whole to
/// one directory (or not at all).
struct RtlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rtl",
        abstract: "Write the core's SystemVerilog for a board: generic (file list, README) or d5005 (OPAE / OFS PIM AFU).")

    enum BoardChoice: String, ExpressibleByArgument, CaseIterable { case generic, d5005 }

    @Option(help: "Board: generic or d5005.")
    var board: BoardChoice

    @OptionGroup var core: CoreOptions

    @Option(name: .shortAndLong, help: "Output directory (replaced whole); default out/rtl/<board>.")
    var out: String?

    @Flag(name: .customLong("synth-stats"), help: "Also run a generic Yosys synthesis of the core and print its cell, flip-flop and memory counts.")
    var synthStats = false

    @Flag(help: "Also synthesize the core with Yosys's Intel ALM flow, unit by unit, and print ALMs, registers, M20K, DSPs, logic depth and a clock estimate against the board's device (results cached in .build/trit-synth-cache or $TRIT_SYNTH_CACHE; docs/silicon.md).")
    var resources = false

    @Flag(help: "With --resources: print the figures as JSON (the usual line about the written directory goes to stderr).")
    var json = false

    @Option(name: .customLong("synth-timeout"), help: "With --resources: seconds one Yosys run may take (default 3600).")
    var synthTimeout: Double = 3600

    var shellBoard: Board { board == .generic ? .generic : .d5005 }

    func validate() throws {
        _ = try core.parameters(default: shellBoard.preset)
        if json && !resources { throw ValidationError("--json goes with --resources") }
        if !(synthTimeout > 0) { throw ValidationError("--synth-timeout must be a positive number of seconds") }
    }

    func run() throws {
        let p = try core.parameters(default: shellBoard.preset)
        let files: [EmittedFile]
        let top: String
        let afu: Design
        do {
            // Elaborated once: the AFU holds the core.
            afu = try AfuTop.design(p)
            files = try shellBoard.files(p, afu: afu)
            top = try AfuTop.coreName(afu)
        } catch let e as ShellError {
            ISAToolFiles.stderr("error: \(e)")
            throw ExitCode(1)
        }
        let dir = out ?? "out/rtl/\(board.rawValue)"
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory) && !isDirectory.boolValue {
            throw ISAToolFiles.Failure(description: "\(dir): cannot write: \(dir) exists and is not a directory")
        }
        do {
            // Written whole or not at all: a failure leaves the old directory.
            try replaceDirectory(URL(fileURLWithPath: dir, isDirectory: true)) { staging in
                for f in files { try Data(f.contents.utf8).write(to: staging.appendingPathComponent(f.name)) }
            }
        } catch {
            throw ISAToolFiles.Failure(description: "\(dir): cannot write: \(error.localizedDescription)")
        }
        let wrote = "wrote \(dir): \(files.count) files, core \(top)"
        if json { ISAToolFiles.stderr(wrote) } else { print(wrote) }
        if synthStats {
            let svFiles = files.filter { $0.name.hasSuffix(".sv") && $0.name != "ofs_plat_afu.sv" }
            let r = try Lint.synthesize(svFiles, top: top)
            print("yosys generic synthesis of \(top): \(r.cells) cells, \(r.flipFlops) flip-flops, "
                  + "\(r.memories) memories (\(r.memoryBits) bits) kept as memory cells")
        }
        if resources { try reportResources(afu: afu, core: top, files: files) }
    }
}
