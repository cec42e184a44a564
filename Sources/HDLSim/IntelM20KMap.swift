/// The techmap file the Intel flow maps M20K blocks with: Yosys's own
/// `intel_alm/common/bram_m20k_map.v` (Yosys 0.23) with one line added, an
/// `INIT` parameter. Yosys's M20K rules (`bram_m20k.txt`) accept
/// initialized memories, but its map file declares no `INIT`, so techmap
/// stops with "Can't find object for defparam `INIT`" on any ROM or
/// initialized RAM. Here the contents are dropped (Quartus would take them
/// from a memory initialization file): the block count, which is all this
/// flow reports, does not depend on them.
enum IntelM20KMap {
    static let fileName = "trit_m20k_map.v"

    static let text = """
        // Yosys intel_alm bram_m20k_map.v, with INIT accepted (the contents are
        // not carried: resource counting only). Written by Trit.
        module __MISTRAL_M20K_SDP(CLK1, A1ADDR, A1DATA, A1EN, B1ADDR, B1DATA, B1EN);

        parameter CFG_ABITS = 10;
        parameter CFG_DBITS = 20;
        parameter CFG_ENABLE_A = 1;
        parameter CFG_ENABLE_B = 1;
        parameter INIT = 0;

        input CLK1;
        input [CFG_ABITS-1:0] A1ADDR, B1ADDR;
        input [CFG_DBITS-1:0] A1DATA;
        output [CFG_DBITS-1:0] B1DATA;
        input [CFG_ENABLE_A-1:0] A1EN, B1EN;

        altsyncram #(
            .operation_mode("dual_port"),
            .ram_block_type("m20k"),
            .widthad_a(CFG_ABITS),
            .width_a(CFG_DBITS),
            .widthad_b(CFG_ABITS),
            .width_b(CFG_DBITS),
        ) _TECHMAP_REPLACE_ (
            .address_a(A1ADDR),
            .data_a(A1DATA),
            .wren_a(A1EN),
            .address_b(B1ADDR),
            .q_b(B1DATA),
            .clock0(CLK1),
            .clock1(CLK1)
        );

        endmodule

        """
}
