import TritJSON
import Core
import HDL
import HDLEmit

/// The Intel FPGA PAC D5005 board through OPAE and the OFS Platform
/// Interface Manager (PIM): `ofs_plat_afu.sv` (the PIM's top-level AFU
/// module) around the core, the AFU description `trit_afu.json` and
/// `sources.txt` for OPAE's `afu_synth_setup`.
///
/// The PIM names used (ofs-platform-afu-bbb, as in its example AFUs):
/// `ofs_plat_if` (`plat_ifc.clocks.uClk_usr`, `.host_chan.ports[0]`,
/// `.local_mem.banks[b]`), the interfaces `ofs_plat_avalon_mem_if` and
/// `ofs_plat_avalon_mem_rdwr_if`, the macros `HOST_CHAN_AVALON_MMIO_PARAMS`
/// and `HOST_CHAN_AVALON_MEM_RDWR_PARAMS`, the modules
/// `ofs_plat_host_chan_as_avalon_mem_rdwr_with_mmio`,
/// `ofs_plat_local_mem_as_avalon_mem` and `ofs_plat_if_tie_off_unused`,
/// and `ofs_plat_log_pkg`.
///
/// Clock: the core runs on the user clock `uClk_usr`. The PIM crosses the
/// MMIO channel and every memory bank into it, so the JSON's
/// `clock-frequency-high` sets the core's frequency ("auto-N": constrain at
/// N MHz, then run at what timing achieved).
struct D5005Shell {
    let params: CoreParameters
    let top: String
    let coreFiles: [EmittedFile]
    /// The banks' width adapter, when the core's beat is wider than the platform's (`adapterDesign`).
    var adapter: Design? = nil

    var adapterTop: String? { adapter?.top.name }
    /// The AFU top's files, then the adapter's.
    var systemVerilogFiles: [EmittedFile] { coreFiles + (adapter.map { SystemVerilogEmitter().files(for: $0) } ?? []) }

    /// Timing target of the user clock, MHz.
    static let clockTargetMHz = 200
    static let afuJSON = "trit_afu.json"
    static let afuTop = "ofs_plat_afu.sv"

    var files: [EmittedFile] {
        systemVerilogFiles + [EmittedFile(name: Self.afuTop, contents: afu),
                     EmittedFile(name: Self.afuJSON, contents: json),
                     EmittedFile(name: "sources.txt", contents: sources),
                     EmittedFile(name: "README.txt", contents: readme)]
    }

    // MARK: - ofs_plat_afu.sv

    var afu: String {
        let p = params
        let banks = p.banks
        var s = ShellText.header("//", board: .d5005, source: "Sources/Shells/D5005Shell.swift")
        s += """
        //
        // The Trit AFU top \(top) (the core and its host DMA) as an OFS PIM AFU.
        // The host's MMIO is its CSR slave (64-bit Avalon-MM); the DMA masters
        // host memory; the core and the DMA share local memory \(bankRange).
        // Everything runs on the user clock (uClk_usr): the PIM crosses the
        // host channel and each memory bank into it.

        `include "ofs_plat_if.vh"

        module ofs_plat_afu
           (
            ofs_plat_if plat_ifc
            );

            // ================================================================
            //  Host channel: host memory (split read/write Avalon-MM, the
            //  platform's line width and addresses, the DMA's bursts) and
            //  64-bit MMIO, in the user clock.
            // ================================================================

            ofs_plat_avalon_mem_rdwr_if
              #(
                `HOST_CHAN_AVALON_MEM_RDWR_PARAMS,
                .BURST_CNT_WIDTH(\(AfuTop.host.burstBits)),
                .LOG_CLASS(ofs_plat_log_pkg::HOST_CHAN)
                )
              host_mem();

            ofs_plat_avalon_mem_if
              #(
                `HOST_CHAN_AVALON_MMIO_PARAMS(64),
                .LOG_CLASS(ofs_plat_log_pkg::HOST_CHAN)
                )
              mmio64();

            ofs_plat_host_chan_as_avalon_mem_rdwr_with_mmio
              #(
                .ADD_CLOCK_CROSSING(1)
                )
              host_chan
               (
                .to_fiu(plat_ifc.host_chan.ports[0]),
                .host_mem_to_afu(host_mem),
                .mmio_to_afu(mmio64),
                .afu_clk(plat_ifc.clocks.uClk_usr.clk),
                .afu_reset_n(plat_ifc.clocks.uClk_usr.reset_n)
                );

            assign host_mem.rd_user = '0;
            assign host_mem.wr_user = '0;

        \(elaborationChecks)
            // The AFU's clock, and its synchronous active-high reset,
            // registered once from the PIM's reset for fan-out.
            wire clk = mmio64.clk;
            logic rst;
            always_ff @(posedge clk) rst <= !mmio64.reset_n;

        \(localMemory)
            // The PIM ties off every device not claimed here.
            ofs_plat_if_tie_off_unused
              #(
                .HOST_CHAN_IN_USE_MASK(1),
                .LOCAL_MEM_IN_USE_MASK('b\(String(repeating: "1", count: banks)))
                )
              tie_off(plat_ifc);

        \(mmio)
            // ================================================================
            //  The AFU top. The core's retirement port and status lines serve
            //  simulation; the host reads the same through the CSRs.
            // ================================================================

        \(retireDeclarations)
            wire unused = ^{mmio64.burstcount, \(retireNames.joined(separator: ", "))};

            \(top) afu_top
               (
        \(coreConnections.map { "        .\($0.0)(\($0.1))" }.joined(separator: ",\n"))
                );

        endmodule

        """
        return s
    }

    /// MMIO to the AFU top's CSR slave, with the PIM's reply conventions.
    var mmio: String {
        """
            // ================================================================
            //  MMIO to the AFU's CSR slave: \(1 << TritAfu.csrAddressBits) registers (the core's
            //  at 0x000...0x0F8, the DMA's from 0x100); reads elsewhere in the
            //  AFU's MMIO space return 0 and writes there are dropped. Writes
            //  get a response, as PIM Avalon MMIO slaves give.
            //
            //  On the D5005 the MMIO user bits are not the PIM's read tag: the
            //  PIM leaves them undriven and matches read responses to requests
            //  by order. What keeps that matching right is that every read is
            //  answered in order, exactly one cycle later, with no wait state.
            //  The user bits are echoed anyway, for platforms that use them.
            // ================================================================

            logic csr_in_window;
            logic csr_waitrequest;
            logic csr_readdatavalid;
            logic [63:0] csr_readdata;
            logic outside_read;

            assign csr_in_window = ((mmio64.address >> \(TritAfu.csrAddressBits)) == '0);

            always_ff @(posedge clk) begin
                if (!mmio64.reset_n) begin
                    outside_read <= 1'b0;
                    mmio64.writeresponsevalid <= 1'b0;
                end else begin
                    outside_read <= mmio64.read && !csr_waitrequest && !csr_in_window;
                    mmio64.writeresponsevalid <= mmio64.write && !csr_waitrequest;
                end
                mmio64.readresponseuser <= mmio64.user;
                mmio64.writeresponseuser <= mmio64.user;
            end

            assign mmio64.waitrequest = csr_waitrequest;
            assign mmio64.readdatavalid = csr_readdatavalid || outside_read;
            assign mmio64.readdata = csr_readdatavalid ? csr_readdata : 64'h0;
            assign mmio64.response = '0;
            assign mmio64.writeresponse = '0;

        """
    }

    /// SystemVerilog checks, at elaboration, that the platform's host channel
    /// and local memory have the widths this AFU was generated for.
    var elaborationChecks: String {
        let p = platformBanks, h = AfuTop.host, hostBits = h.beatBits(params)
        let checks: [(String, String, String)] = [
            ("host_data_width", "ofs_plat_host_chan_pkg::DATA_WIDTH != \(hostBits)",
             "the host channel is not \(hostBits) bits wide: regenerate with --data-bits matching it"),
            ("host_address_width", "ofs_plat_host_chan_pkg::ADDR_WIDTH_LINES != \(h.addressBits)",
             "the host channel's line address is not \(h.addressBits) bits"),
            ("local_mem_banks", "local_mem_cfg_pkg::LOCAL_MEM_NUM_BANKS < \(p.banks)",
             "the platform has fewer than \(p.banks) local memory banks"),
            ("local_mem_data_width", "local_mem_cfg_pkg::LOCAL_MEM_DATA_WIDTH != \(p.dataBits)",
             "local memory is not \(p.dataBits) bits wide: regenerate with --data-bits matching it"),
            ("local_mem_address_width", "local_mem_cfg_pkg::LOCAL_MEM_ADDR_WIDTH < \(p.addressBits)",
             "local memory banks have fewer than 2^\(p.addressBits) beats"),
        ]
        return "    // Elaboration-time checks: the platform must have the widths this AFU\n"
            + "    // was generated for (a mismatch stops the build with its reason).\n"
            + checks.map { name, condition, message in
                "    if (\(condition)) begin : \(name)_mismatch\n        $error(\"\(message)\");\n    end\n"
            }.joined()
    }

    var bankRange: String { params.banks == 1 ? "bank 0" : "banks 0...\(params.banks - 1)" }

    /// Outputs of the AFU top the shell does not use, as (name, width).
    var retirePorts: [(String, Int)] {
        CorePort.ports(of: [(Retirement(), Retirement.prefix), (CoreStatus(), "")]).map { ($0.name, $0.width) }
    }

    var retireNames: [String] { retirePorts.map(\.0) }

    var retireDeclarations: String {
        retirePorts.map { name, width in
            "    logic " + (width > 1 ? "[\(width - 1):0] " : "") + "\(name);"
        }.joined(separator: "\n")
    }

    /// Every port of the AFU top with what the shell connects to it.
    var coreConnections: [(String, String)] {
        var c: [(String, String)] = [
            ("clk", "clk"), ("rst", "rst"),
            ("csr_address", "mmio64.address[\(TritAfu.csrAddressBits - 1):0]"),
            ("csr_read", "mmio64.read && csr_in_window"),
            ("csr_write", "mmio64.write && csr_in_window"),
            ("csr_writedata", "mmio64.writedata"),
            ("csr_byteenable", "mmio64.byteenable"),
            ("csr_readdata", "csr_readdata"),
            ("csr_readdatavalid", "csr_readdatavalid"),
            ("csr_waitrequest", "csr_waitrequest"),
        ]
        for port in CorePort.afu(params, AfuTop.host) where port.name.hasPrefix("host_") {
            c.append((port.name, "host_mem." + String(port.name.dropFirst("host_".count))))
        }
        for b in 0..<params.banks {
            for field in BankMaster(params).members.map(\.name) {
                c.append((BankMaster.prefix(b) + field, "local_mem[\(b)].\(field)"))
            }
        }
        c += retireNames.map { ($0, $0) }
        return c
    }

    // MARK: - AFU description and source list

    /// OPAE's AFU JSON: the PIM top-level interface class, the accelerator's
    /// UUID (the one the core's AFU_ID registers report) and the user clock.
    var json: String {
        let afu: JSON = .object([
            "version": .int(1),
            "afu-image": .object([
                "power": .int(0),
                "clock-frequency-high": .string("auto-\(Self.clockTargetMHz)"),
                "clock-frequency-low": .string("auto-\(Self.clockTargetMHz / 2)"),
                "afu-top-interface": .object(["class": .string("ofs_plat_afu")]),
                "accelerator-clusters": .array([
                    .object(["name": .string("trit"), "total-contexts": .int(1), "accelerator-type-uuid": .string(CSR.afuUUID)]),
                ]),
            ]),
        ])
        return afu.pretty() + "\n"
    }

    /// The AFU JSON and every SystemVerilog file, relative to this file.
    /// The PIM's own sources and include directory come from the platform
    /// (`afu_synth_setup` adds them), so no +incdir+ is needed.
    var sources: String {
        ShellText.header("#", board: .d5005, source: "Sources/Shells/D5005Shell.swift")
            + ([Self.afuJSON, Self.afuTop] + systemVerilogFiles.map(\.name)).joined(separator: "\n") + "\n"
    }

    var readme: String {
        """
        Trit core as an OPAE / OFS AFU for the Intel FPGA PAC D5005
        Generated by `trit rtl --board d5005` (Sources/Shells/D5005Shell.swift).
        Do not edit: regenerate.

        Files
          ofs_plat_afu.sv   the AFU top module (the PIM's ofs_plat_afu) around the core
          trit_afu.json     AFU description: accelerator-type-uuid \(CSR.afuUUID)
          sources.txt       the file list for OPAE's afu_synth_setup
          \(top).sv and the other .sv files: the AFU top \(top) (the core and its host DMA)

        Build (in an OPAE environment with OPAE_PLATFORM_ROOT set to the board's
        release):
          afu_synth_setup --source sources.txt build_d5005
          cd build_d5005 && $OPAE_PLATFORM_ROOT/bin/run.sh
        The result is trit_afu.gbs in build_d5005, loaded with fpgaconf.

        This shell has been linted with Verilator against stand-ins for the PIM;
        it has not been through Quartus or on a board.

        Clock: the user clock uClk_usr, constrained at \(Self.clockTargetMHz) MHz ("auto-\(Self.clockTargetMHz)" in
        trit_afu.json: the build then sets the clock to what timing achieved).
        The PIM crosses the MMIO channel and every local memory bank into it.
        Reset: the PIM's reset for that clock, registered once; CONTROL bit 1
        also resets the core.

        MMIO: the core's 32 registers at byte offsets 0x0...0xF8 of the AFU's
        MMIO space, the DMA's from 0x100 (64-bit accesses). Reads elsewhere
        return 0, writes there are ignored. Registers 0...4 are the device
        feature header and AFU ID that OPAE looks for. Every read is answered
        in order, one cycle later: the PIM matches MMIO read responses by
        order on the D5005 (the MMIO user bits are not a read tag there).

        Host memory: the DMA masters host channel 0's memory through
        ofs_plat_host_chan_as_avalon_mem_rdwr_with_mmio (split read/write
        Avalon-MM at the platform's line width, bursts of up to \(AfuTop.host.maxBurst) lines,
        one write response per burst). A host program puts a model's memory
        image into the banks with it, and reads results back.

        Elaboration checks: the build stops with a reason if the platform's
        host channel (ofs_plat_host_chan_pkg DATA_WIDTH, ADDR_WIDTH_LINES) or
        local memory (local_mem_cfg_pkg LOCAL_MEM_NUM_BANKS, _DATA_WIDTH,
        _ADDR_WIDTH) differs from the widths this AFU was generated for.

        \(localMemoryReadme)

        Parameters
        \(ShellText.parameters(params))

        \(ShellText.ports(params, top: top))
        """
    }
}
