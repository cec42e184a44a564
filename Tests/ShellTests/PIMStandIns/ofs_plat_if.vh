// Lint stand-in for the OFS Platform Interface Manager's ofs_plat_if.vh:
// just the types and macros the generated ofs_plat_afu.sv uses, with the
// names and parameters of the real PIM (ofs-platform-afu-bbb). Not the PIM.
`ifndef TRIT_PIM_STANDIN_VH
`define TRIT_PIM_STANDIN_VH

typedef struct packed {
    logic clk;
    logic reset_n;
} t_ofs_plat_clock_reset_pair;

typedef struct packed {
    t_ofs_plat_clock_reset_pair pClk;
    t_ofs_plat_clock_reset_pair pClkDiv2;
    t_ofs_plat_clock_reset_pair pClkDiv4;
    t_ofs_plat_clock_reset_pair uClk_usr;
    t_ofs_plat_clock_reset_pair uClk_usrDiv2;
} t_ofs_plat_std_clocks;

typedef logic [1:0] t_ofs_plat_power_state;

// As in the real PIM: the host channel's line address and width come from
// ofs_plat_host_chan_pkg (51-bit lines of 512 bits on the D5005); the AFU
// sets the burst count. MMIO: a 16-bit DWORD address.
`define HOST_CHAN_AVALON_MEM_RDWR_PARAMS \
    .ADDR_WIDTH(ofs_plat_host_chan_pkg::ADDR_WIDTH_LINES), \
    .DATA_WIDTH(ofs_plat_host_chan_pkg::DATA_WIDTH)

`define HOST_CHAN_AVALON_MMIO_PARAMS(BUSWIDTH) \
    .ADDR_WIDTH(16 - $clog2(BUSWIDTH/32)), \
    .DATA_WIDTH(BUSWIDTH), \
    .BURST_CNT_WIDTH(1)

`endif
