import Foundation

/// Where and when a report was produced: every figure names it.
public struct MachineInfo: Sendable {
    public var cpu: String
    public var cores: Int
    public var os: String
    public var date: String
    public var commit: String?

    static func current(repository: URL) -> MachineInfo {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }.map { $0.trimmingCharacters(in: .whitespaces) }
        let cpu = model ?? Shell.line("/usr/sbin/sysctl", ["-n", "machdep.cpu.brand_string"]) ?? "unknown CPU"
        let release = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("PRETTY_NAME=") }.map { $0.dropFirst(12).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        let kernel = Shell.line("/usr/bin/env", ["uname", "-sr"]) ?? ProcessInfo.processInfo.operatingSystemVersionString
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        // The report and figures of an earlier run do not count as changes.
        var commit = Shell.line("/usr/bin/env", ["git", "rev-parse", "--short", "HEAD"], in: repository)
        if commit != nil, let dirty = try? Shell.run("/usr/bin/env", ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/REPORT.md", ":!bench/*.svg"], in: repository),
           !dirty.output.isEmpty {
            commit! += " (with uncommitted changes)"
        }
        return MachineInfo(cpu: cpu, cores: ProcessInfo.processInfo.activeProcessorCount,
                           os: [release, kernel].compactMap { $0 }.joined(separator: ", "),
                           date: formatter.string(from: Date()), commit: commit)
    }

    /// One line for captions.
    public var short: String { "\(cpu), \(cores) cores" }
}
