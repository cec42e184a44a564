// Lint stand-in for the PIM's split read/write Avalon-MM interface: the
// same parameters, signals and modports as ofs-platform-afu-bbb's
// base_ifcs/avalon/ofs_plat_avalon_mem_rdwr_if.sv, without its checker.
`include "ofs_plat_if.vh"

// An AFU uses some fields and parameters of an interface, not all.
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off UNUSEDPARAM */
interface ofs_plat_avalon_mem_rdwr_if
  #(
    parameter ofs_plat_log_pkg::t_log_class LOG_CLASS = ofs_plat_log_pkg::NONE,
    parameter ADDR_WIDTH = 0,
    parameter DATA_WIDTH = 0,
    parameter BURST_CNT_WIDTH = 7,
    parameter MASKED_SYMBOL_WIDTH = 8,
    parameter RESPONSE_WIDTH = 2,
    parameter USER_WIDTH = 8,
    parameter WAIT_REQUEST_ALLOWANCE = 0
    );
    localparam DATA_N_BYTES = (DATA_WIDTH + 7) / MASKED_SYMBOL_WIDTH;

    wire clk;
    logic reset_n;

    logic rd_waitrequest;
    logic [DATA_WIDTH-1:0] rd_readdata;
    logic rd_readdatavalid;
    logic [RESPONSE_WIDTH-1:0] rd_response;
    logic [USER_WIDTH-1:0] rd_readresponseuser;
    logic [ADDR_WIDTH-1:0] rd_address;
    logic rd_read;
    logic [BURST_CNT_WIDTH-1:0] rd_burstcount;
    logic [DATA_N_BYTES-1:0] rd_byteenable;
    logic [USER_WIDTH-1:0] rd_user;

    logic wr_waitrequest;
    logic wr_writeresponsevalid;
    logic [RESPONSE_WIDTH-1:0] wr_response;
    logic [USER_WIDTH-1:0] wr_writeresponseuser;
    logic [ADDR_WIDTH-1:0] wr_address;
    logic wr_write;
    logic [BURST_CNT_WIDTH-1:0] wr_burstcount;
    logic [DATA_WIDTH-1:0] wr_writedata;
    logic [DATA_N_BYTES-1:0] wr_byteenable;
    logic [USER_WIDTH-1:0] wr_user;

    modport to_source_clk
       (
        output clk, reset_n,
        output rd_waitrequest, rd_readdata, rd_readdatavalid, rd_response, rd_readresponseuser,
        input  rd_address, rd_read, rd_burstcount, rd_byteenable, rd_user,
        output wr_waitrequest, wr_writeresponsevalid, wr_response, wr_writeresponseuser,
        input  wr_address, wr_write, wr_burstcount, wr_writedata, wr_byteenable, wr_user
        );
endinterface
/* verilator lint_on UNUSEDSIGNAL */
/* verilator lint_on UNUSEDPARAM */
