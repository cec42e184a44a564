// The platform around ofs_plat_afu for lint: drives everything the
// platform drives from top-level ports.
`include "ofs_plat_if.vh"

module pim_standin_top
  #(
    parameter BANKS = local_mem_cfg_pkg::LOCAL_MEM_NUM_BANKS,
    parameter DATA_WIDTH = local_mem_cfg_pkg::LOCAL_MEM_DATA_WIDTH
    )
   (
    input  logic pclk,
    input  logic uclk,
    input  logic reset_n,
    input  logic [1:0] pwr_state,

    input  logic mmio_read,
    input  logic mmio_write,
    input  logic [15:0] mmio_address,
    input  logic [63:0] mmio_writedata,
    input  logic [7:0] mmio_tid,

    input  logic [BANKS-1:0] mem_waitrequest,
    input  logic [BANKS-1:0] mem_readdatavalid,
    input  logic [BANKS*DATA_WIDTH-1:0] mem_readdata
    );

    ofs_plat_if plat_ifc();

    t_ofs_plat_clock_reset_pair p, u;
    assign p = '{clk: pclk, reset_n: reset_n};
    assign u = '{clk: uclk, reset_n: reset_n};
    assign plat_ifc.clocks = '{pClk: p, pClkDiv2: p, pClkDiv4: p, uClk_usr: u, uClk_usrDiv2: u};
    assign plat_ifc.softReset_n = reset_n;
    assign plat_ifc.pwrState = pwr_state;

    assign plat_ifc.host_chan.ports[0] = '{clk: pclk, reset_n: reset_n, mmio_read: mmio_read, mmio_write: mmio_write,
                                           mmio_address: mmio_address, mmio_writedata: mmio_writedata, mmio_tid: mmio_tid};

    for (genvar b = 0; b < BANKS; b = b + 1) begin : bank
        assign plat_ifc.local_mem.banks[b] = '{clk: pclk, reset_n: reset_n, waitrequest: mem_waitrequest[b],
                                               readdatavalid: mem_readdatavalid[b],
                                               readdata: mem_readdata[b*DATA_WIDTH +: DATA_WIDTH]};
    end

    ofs_plat_afu afu(.plat_ifc(plat_ifc));
endmodule
