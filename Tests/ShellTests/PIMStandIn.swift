import Core
import Foundation
import HDLEmit
import HDLSim

/// Lints an `ofs_plat_afu.sv` and the core with Verilator against the PIM
/// stand-ins in PIMStandIns/ (a platform with four local memory banks of
/// the core's width, or of 512 bits when the core's is wider).
enum PIMStandIn {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("PIMStandIns")

    /// Compilation order: packages before their users.
    static let sources = ["ofs_plat_log_pkg.sv", "local_mem_cfg_pkg.sv", "ofs_plat_host_chan_pkg.sv",
                          "ofs_plat_standin_pkg.sv", "ofs_plat_if.sv",
                          "ofs_plat_avalon_mem_if.sv", "ofs_plat_avalon_mem_rdwr_if.sv", "ofs_plat_shims.sv",
                          "pim_standin_top.sv"]

    /// The platform's memory geometry, as the real PIM's local_mem_cfg_pkg gives it.
    static func localMemoryConfiguration(_ p: CoreParameters, banks: Int = 4) -> EmittedFile {
        EmittedFile(name: "local_mem_cfg_pkg.sv", contents: """
            // A platform's local memory geometry (the test's choice).
            /* verilator lint_off UNUSEDPARAM */
            package local_mem_cfg_pkg;
                localparam LOCAL_MEM_NUM_BANKS = \(banks);
                localparam LOCAL_MEM_ADDR_WIDTH = \(p.addressBits);
                localparam LOCAL_MEM_DATA_WIDTH = \(p.dataBits);
                localparam LOCAL_MEM_BURST_CNT_WIDTH = \(p.burstBits);
            endpackage
            /* verilator lint_on UNUSEDPARAM */

            """)
    }

    /// The platform's host channel, as the real PIM's ofs_plat_host_chan_pkg
    /// gives it: 512-bit lines with 51-bit line addresses on the D5005.
    static func hostChannelConfiguration(dataBits: Int, addressBits: Int = 51) -> EmittedFile {
        EmittedFile(name: "ofs_plat_host_chan_pkg.sv", contents: """
            // A platform's host channel geometry (the test's choice).
            /* verilator lint_off UNUSEDPARAM */
            package ofs_plat_host_chan_pkg;
                localparam DATA_WIDTH = \(dataBits);
                localparam ADDR_WIDTH_LINES = \(addressBits);
            endpackage
            /* verilator lint_on UNUSEDPARAM */

            """)
    }

    /// Verilator's complaints about the shell's `.sv` files in `board` with
    /// the stand-ins (empty when clean). Warnings inside the core's own
    /// files (`coreFiles`) are the core's tests' business and left out;
    /// errors always count.
    /// `platform` replaces the generated configuration packages (a platform
    /// unlike the AFU's parameters).
    static func lint(_ board: [EmittedFile], _ p: CoreParameters, coreFiles: Set<String> = [],
                     platform: [EmittedFile]? = nil) throws -> String {
        // The platform's beat: the core's, or 512 bits (the D5005's) behind the width adapters.
        let banks = p.narrowed(by: p.ratio(toPlatformBeat: 512))
        var files = platform ?? [localMemoryConfiguration(banks), hostChannelConfiguration(dataBits: banks.dataBits)]
        let generated = Set(files.map(\.name))
        for name in sources + ["ofs_plat_if.vh"] where !generated.contains(name) {
            files.append(EmittedFile(name: name, contents: try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)))
        }
        let shell = board.filter { $0.name.hasSuffix(".sv") }
        let dir = try Lint.writeTemporary(files + shell)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try ExternalTool.run("verilator", ["--lint-only", "-Wall", "--top-module", "pim_standin_top"]
                                     + sources + shell.map(\.name), in: dir)
        if r.succeeded && r.output.isEmpty { return "" }
        // One complaint per "%" line; its location follows the tag.
        let complaints = r.output.split(separator: "\n").filter { $0.hasPrefix("%") && !$0.contains("Exiting due to") }
        let kept = complaints.filter { line in
            guard line.hasPrefix("%Warning") else { return true }
            let location = line.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            return !coreFiles.contains(String(location.prefix { $0 != ":" }))
        }
        if complaints.isEmpty { return r.output }   // a failure without a diagnostic
        return kept.isEmpty ? "" : r.output
    }
}
