// Lint stand-in for the PIM's Avalon-MM interface: the same parameters,
// signals and modports as ofs-platform-afu-bbb's
// base_ifcs/avalon/ofs_plat_avalon_mem_if.sv, without its simulation-time
// checker and logger.
`include "ofs_plat_if.vh"

// An AFU uses some fields and parameters of an interface, not all.
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off UNUSEDPARAM */
interface ofs_plat_avalon_mem_if
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

    logic waitrequest;
    logic readdatavalid;
    logic [DATA_WIDTH-1:0] readdata;
    logic [RESPONSE_WIDTH-1:0] response;
    logic [USER_WIDTH-1:0] readresponseuser;
    logic writeresponsevalid;
    logic [RESPONSE_WIDTH-1:0] writeresponse;
    logic [USER_WIDTH-1:0] writeresponseuser;

    logic [ADDR_WIDTH-1:0] address;
    logic write;
    logic read;
    logic [BURST_CNT_WIDTH-1:0] burstcount;
    logic [DATA_WIDTH-1:0] writedata;
    logic [DATA_N_BYTES-1:0] byteenable;
    logic [USER_WIDTH-1:0] user;

    // Debugging: set by whoever drives the clock.
    int unsigned instance_number;

    modport to_sink_clk
       (
        output clk, reset_n,
        input  waitrequest, readdatavalid, readdata, response, readresponseuser,
        input  writeresponsevalid, writeresponse, writeresponseuser,
        output address, write, read, burstcount, writedata, byteenable, user,
        output instance_number
        );

    modport to_source_clk
       (
        output clk, reset_n,
        output waitrequest, readdatavalid, readdata, response, readresponseuser,
        output writeresponsevalid, writeresponse, writeresponseuser,
        input  address, write, read, burstcount, writedata, byteenable, user,
        output instance_number
        );

    // The same ends with the clock and reset given (a shim between two).
    modport to_sink
       (
        input  clk, reset_n,
        input  waitrequest, readdatavalid, readdata, response, readresponseuser,
        input  writeresponsevalid, writeresponse, writeresponseuser,
        output address, write, read, burstcount, writedata, byteenable, user,
        input  instance_number
        );

    modport to_source
       (
        input  clk, reset_n,
        output waitrequest, readdatavalid, readdata, response, readresponseuser,
        output writeresponsevalid, writeresponse, writeresponseuser,
        input  address, write, read, burstcount, writedata, byteenable, user,
        input  instance_number
        );
endinterface
/* verilator lint_on UNUSEDSIGNAL */
/* verilator lint_on UNUSEDPARAM */
