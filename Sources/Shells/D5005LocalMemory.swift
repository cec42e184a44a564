import Core
import HDL
import HDLEmit

/// The D5005 shell's local memory: the core's banks on the platform's.
///
/// When the core's beat is the platform's (512 bits), the PIM maps each bank
/// and crosses it into the AFU's clock. When it is wider (1024 bits: a
/// bank's full rate at half the DDR user clock), each bank gets, in the
/// bank's own clock, the PIM's mapping without a crossing, a
/// `BankWidthAdapter` (one core beat as two bank beats), and then the PIM's
/// clock crossing (`ofs_plat_avalon_mem_if_async_shim`) at the core's width:
/// the adapter runs where one narrow beat per cycle is the bank's rate, and
/// the AFU's clock only has to carry half as many, twice as wide.
extension D5005Shell {
    /// The D5005's local-memory and host-channel beat.
    static let platformBeatBits = 512

    /// Platform beats per core beat in the banks (1: no width adapter).
    static func bankRatio(_ p: CoreParameters) -> Int { p.ratio(toPlatformBeat: platformBeatBits) }

    /// The bank width adapter's files (none when the core's beat is the platform's).
    static func adapterDesign(_ p: CoreParameters) throws -> Design? {
        let ratio = bankRatio(p)
        return ratio == 1 ? nil : try elaborate(BankWidthAdapter(wide: p, ratio: ratio))
    }

    /// The banks as the platform sees them.
    var platformBanks: CoreParameters { params.narrowed(by: Self.bankRatio(params)) }

    var localMemory: String {
        let p = params, banks = p.banks
        guard let adapter = adapterTop else {
            return """
                // ================================================================
                //  Local memory: \(banks) bank(s) in the AFU's clock, the core's
                //  beat width, address width and burst count.
                // ================================================================

            \(interfaceArray("local_mem", p))
                for (genvar b = 0; b < \(banks); b = b + 1) begin : bank
                    ofs_plat_local_mem_as_avalon_mem
                      #(
                        .ADD_CLOCK_CROSSING(1)
                        )
                      shim
                       (
                        .afu_clk(clk),
                        .afu_reset_n(mmio64.reset_n),
                        .to_fiu(plat_ifc.local_mem.banks[b]),
                        .to_afu(local_mem[b])
                        );

                    assign local_mem[b].user = '0;
                end

            """
        }
        let narrow = platformBanks
        return """
            // ================================================================
            //  Local memory: \(banks) bank(s) of \(narrow.dataBits)-bit beats, the core's beat
            //  \(p.dataBits) bits. Per bank, in the bank's own clock: the PIM's
            //  mapping (no crossing) and the width adapter \(adapter) (a core
            //  beat as \(Self.bankRatio(p)) bank beats, one bank beat per cycle: the bank's
            //  rate); then the PIM's clock crossing into the AFU's clock at
            //  the core's width.
            // ================================================================

        \(interfaceArray("bank_native", narrow))
        \(interfaceArray("bank_wide", p))
        \(interfaceArray("local_mem", p))
            for (genvar b = 0; b < \(banks); b = b + 1) begin : bank
                ofs_plat_local_mem_as_avalon_mem
                  #(
                    .ADD_CLOCK_CROSSING(0)
                    )
                  shim
                   (
                    .afu_clk(clk),
                    .afu_reset_n(mmio64.reset_n),
                    .to_fiu(plat_ifc.local_mem.banks[b]),
                    .to_afu(bank_native[b])
                    );

                assign bank_native[b].user = '0;

                // The adapter's side of the crossing: the bank's clock. A core
                // burst is one burst of the PIM's mapping, which answers it with
                // one write response: it passes through.
                assign bank_wide[b].clk = bank_native[b].clk;
                assign bank_wide[b].reset_n = bank_native[b].reset_n;
                assign bank_wide[b].instance_number = bank_native[b].instance_number;
                assign bank_wide[b].response = '0;
                assign bank_wide[b].readresponseuser = '0;
                assign bank_wide[b].writeresponsevalid = bank_native[b].writeresponsevalid;
                assign bank_wide[b].writeresponse = '0;
                assign bank_wide[b].writeresponseuser = '0;

                \(adapter) width_adapter
                   (
                    .clk(bank_native[b].clk),
                    .rst(!bank_native[b].reset_n),
        \(adapterConnections)
                    );

                // The core's side: the AFU's clock.
                assign local_mem[b].clk = clk;
                assign local_mem[b].reset_n = mmio64.reset_n;
                assign local_mem[b].instance_number = bank_native[b].instance_number;
                assign local_mem[b].user = '0;

                ofs_plat_avalon_mem_if_async_shim clock_crossing
                   (
                    .mem_sink(bank_wide[b]),
                    .mem_source(local_mem[b])
                    );
            end

        """
    }

    /// The README's paragraph on local memory.
    var localMemoryReadme: String {
        let p = params
        guard let adapter = adapterTop else {
            return """
                Local memory: \(bankRange) of plat_ifc.local_mem, each mapped
                with ofs_plat_local_mem_as_avalon_mem at \(p.dataBits) data bits, \(p.addressBits)
                address bits (beats) and bursts of up to \(p.maxBurst) beats. The board's
                other banks are tied off.
                """
        }
        let ratio = Self.bankRatio(p)
        return """
            Local memory: \(bankRange) of plat_ifc.local_mem, each mapped
            with ofs_plat_local_mem_as_avalon_mem in the bank's own clock at
            \(platformBanks.dataBits) data bits. There the width adapter \(adapter) sends
            each \(p.dataBits)-bit core beat as \(ratio) bank beats (a burst of n core beats
            as one of \(ratio)n, which the PIM splits where the bank's are shorter), so
            that the core keeps up with the bank at 1/\(ratio) of its clock. Then
            ofs_plat_avalon_mem_if_async_shim crosses the \(p.dataBits)-bit interface
            into the user clock. The board's other banks are tied off.
            """
    }

    /// `ofs_plat_avalon_mem_if name[banks]()` at `p`'s widths.
    private func interfaceArray(_ name: String, _ p: CoreParameters) -> String {
        """
            ofs_plat_avalon_mem_if
              #(
                .ADDR_WIDTH(\(p.addressBits)),
                .DATA_WIDTH(\(p.dataBits)),
                .BURST_CNT_WIDTH(\(p.burstBits)),
                .LOG_CLASS(ofs_plat_log_pkg::LOCAL_MEM)
                )
              \(name)[\(p.banks)]();

        """
    }

    /// The adapter's ports: `wide_` on `bank_wide[b]`, `narrow_` on `bank_native[b]`.
    private var adapterConnections: String {
        let fields = BankMaster(params).members.map(\.name)
        let ports = fields.map { ("wide_" + $0, "bank_wide[b].\($0)") } + fields.map { ("narrow_" + $0, "bank_native[b].\($0)") }
        return ports.map { "            .\($0.0)(\($0.1))" }.joined(separator: ",\n")
    }
}
