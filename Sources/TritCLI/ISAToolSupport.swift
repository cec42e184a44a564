import ArgumentParser
import Foundation

/// File helpers for the ISA tools: every output is written to a temporary
/// name in the target directory and renamed, so a failure never leaves a
/// half-written file or clobbers a good one.
enum ISAToolFiles {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard let d = FileManager.default.contents(atPath: path) else {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
                throw Failure(description: "\(path): cannot read\(isDir.boolValue ? " (it is a directory)" : "")")
            }
            throw Failure(description: "\(path): no such file")
        }
        return [UInt8](d)
    }

    static func readText(_ path: String) throws -> String {
        let b = try read(path)
        guard let s = String(validating: b, as: UTF8.self) else {
            throw Failure(description: "\(path): not UTF-8 text")
        }
        return s
    }

    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try Data(bytes).write(to: tmp)
            // rename(2) replaces the target atomically.
            if rename(tmp.path, url.path) != 0 {
                throw Failure(description: String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw Failure(description: "\(path): cannot write: \((error as? Failure)?.description ?? error.localizedDescription)")
        }
    }

    static func stderr(_ s: String) {
        FileHandle.standardError.write(Data((s.hasSuffix("\n") ? s : s + "\n").utf8))
    }
}

/// Runs a command's body: exit codes and argument errors pass through to the
/// argument parser; any other error is printed as `prefix: error` on stderr
/// and exits with status 1 (never a trap).
func exitOnError(prefix: String = "error", _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch let e as ValidationError {
        throw e
    } catch {
        ISAToolFiles.stderr("\(prefix): \(error)")
        throw ExitCode(1)
    }
}
