import Core
import Foundation
import HDLEmit
import HDLSim

/// Lints an `ofs_plat_afu.sv` and the core with Verilator against the PIM
/// stand-ins in PIMStandIns/ (a platform with four local memory banks of
/// the core's width).
enum PIMStandIn {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("PIMStandIns")

    /// Compilation order: packages before their users.
    static let sources = ["ofs_plat_log_pkg.sv", "local_mem_cfg_pkg.sv", "ofs_plat_standin_pkg.sv", "ofs_plat_if.sv",
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

    /// Verilator's output for the shell's `.sv` files in `board` (empty when clean).
    static func lint(_ board: [EmittedFile], _ p: CoreParameters) throws -> String {
        var files = [localMemoryConfiguration(p)]
        for name in sources + ["ofs_plat_if.vh"] where name != "local_mem_cfg_pkg.sv" {
            files.append(EmittedFile(name: name, contents: try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)))
        }
        let shell = board.filter { $0.name.hasSuffix(".sv") }
        let dir = try Lint.writeTemporary(files + shell)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try ExternalTool.run("verilator", ["--lint-only", "-Wall", "--top-module", "pim_standin_top"]
                                     + sources + shell.map(\.name), in: dir)
        return r.succeeded && r.output.isEmpty ? "" : r.output
    }
}
