import ArgumentParser
import Core
import Foundation
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

    var shellBoard: Board { board == .generic ? .generic : .d5005 }

    func validate() throws { _ = try core.parameters(default: shellBoard.preset) }

    func run() throws {
        let p = try core.parameters(default: shellBoard.preset)
        let files: [EmittedFile]
        let top: String
        do {
            // Elaborated once: the AFU holds the core.
            let afu = try AfuTop.design(p)
            files = try shellBoard.files(p, afu: afu)
            top = try AfuTop.coreName(afu)
        } catch let e as ShellError {
            ISAToolFiles.stderr("error: \(e)")
            throw ExitCode(1)
        }
        let dir = out ?? "out/rtl/\(board.rawValue)"
        try RtlOutput.replaceDirectory(dir, with: files)
        print("wrote \(dir): \(files.count) files, core \(top)")
        if synthStats {
            let svFiles = files.filter { $0.name.hasSuffix(".sv") && $0.name != "ofs_plat_afu.sv" }
            let r = try Lint.synthesize(svFiles, top: top)
            print("yosys generic synthesis of \(top): \(r.cells) cells, \(r.flipFlops) flip-flops, "
                  + "\(r.memories) memories (\(r.memoryBits) bits) kept as memory cells")
        }
    }
}

/// Writes a directory all at once: the files go to a fresh sibling first,
/// which then takes the target's place, so a failure leaves either the old
/// directory or none, never a half-written one.
enum RtlOutput {
    static func replaceDirectory(_ path: String, with files: [EmittedFile]) throws {
        let fm = FileManager.default
        let target = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
        let parent = target.deletingLastPathComponent()
        let pid = ProcessInfo.processInfo.processIdentifier
        let staging = parent.appendingPathComponent(".\(target.lastPathComponent).tmp-\(pid)")
        let old = parent.appendingPathComponent(".\(target.lastPathComponent).old-\(pid)")
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
            try? fm.removeItem(at: staging)
            try fm.createDirectory(at: staging, withIntermediateDirectories: false)
            for f in files {
                try Data(f.contents.utf8).write(to: staging.appendingPathComponent(f.name))
            }
            var isDir: ObjCBool = false
            let exists = fm.fileExists(atPath: target.path, isDirectory: &isDir)
            if exists && !isDir.boolValue {
                throw ISAToolFiles.Failure(description: "\(path) exists and is not a directory")
            }
            if exists, rename(target.path, old.path) != 0 {
                throw ISAToolFiles.Failure(description: String(cString: strerror(errno)))
            }
            if rename(staging.path, target.path) != 0 {
                let reason = String(cString: strerror(errno))
                if exists { _ = rename(old.path, target.path) }
                throw ISAToolFiles.Failure(description: reason)
            }
            if exists { try? fm.removeItem(at: old) }
        } catch {
            try? fm.removeItem(at: staging)
            throw ISAToolFiles.Failure(description: "\(path): cannot write: \((error as? ISAToolFiles.Failure)?.description ?? error.localizedDescription)")
        }
    }
}
