// Lint stand-ins for the PIM modules an AFU instantiates, with the real
// names, parameters and AFU-side ports. They pass signals through without
// clock crossing or buffering, and read every signal the AFU must drive,
// so that Verilator checks each connection the AFU makes: names, widths,
// directions and drivers.
`include "ofs_plat_if.vh"

// One file for the modules; the stand-ins ignore timing parameters.
/* verilator lint_off DECLFILENAME */
/* verilator lint_off UNUSEDPARAM */
module ofs_plat_host_chan_as_avalon_mem_rdwr_with_mmio
  #(
    parameter ADD_CLOCK_CROSSING = 0,
    parameter ADD_TIMING_REG_STAGES = 0
    )
   (
    input  ofs_plat_standin_pkg::t_host_port to_fiu,
    ofs_plat_avalon_mem_rdwr_if.to_source_clk host_mem_to_afu,
    ofs_plat_avalon_mem_if.to_sink_clk mmio_to_afu,
    input  logic afu_clk,
    input  logic afu_reset_n
    );

    wire clk = (ADD_CLOCK_CROSSING != 0) ? afu_clk : to_fiu.clk;
    wire reset_n = (ADD_CLOCK_CROSSING != 0) ? afu_reset_n : to_fiu.reset_n;

    // MMIO: a DWORD address becomes a 64-bit word index and a byte mask.
    assign mmio_to_afu.clk = clk;
    assign mmio_to_afu.reset_n = reset_n;
    assign mmio_to_afu.read = to_fiu.mmio_read;
    assign mmio_to_afu.write = to_fiu.mmio_write;
    assign mmio_to_afu.address = to_fiu.mmio_address[15:1];
    assign mmio_to_afu.burstcount = 1'b1;
    assign mmio_to_afu.writedata = to_fiu.mmio_writedata;
    assign mmio_to_afu.byteenable = to_fiu.mmio_address[0] ? 8'hf0 : 8'h0f;
    assign mmio_to_afu.user = to_fiu.mmio_tid;
    assign mmio_to_afu.instance_number = 0;

    // Host memory: never answers.
    assign host_mem_to_afu.clk = clk;
    assign host_mem_to_afu.reset_n = reset_n;
    assign host_mem_to_afu.rd_waitrequest = 1'b0;
    assign host_mem_to_afu.rd_readdata = '0;
    assign host_mem_to_afu.rd_readdatavalid = 1'b0;
    assign host_mem_to_afu.rd_response = '0;
    assign host_mem_to_afu.rd_readresponseuser = '0;
    assign host_mem_to_afu.wr_waitrequest = 1'b0;
    assign host_mem_to_afu.wr_writeresponsevalid = 1'b0;
    assign host_mem_to_afu.wr_response = '0;
    assign host_mem_to_afu.wr_writeresponseuser = '0;

    // Everything the AFU drives is read here, so an undriven field shows.
    wire unused = ^{mmio_to_afu.waitrequest, mmio_to_afu.readdatavalid, mmio_to_afu.readdata,
                    mmio_to_afu.response, mmio_to_afu.readresponseuser,
                    mmio_to_afu.writeresponsevalid, mmio_to_afu.writeresponse, mmio_to_afu.writeresponseuser,
                    host_mem_to_afu.rd_address, host_mem_to_afu.rd_read, host_mem_to_afu.rd_burstcount,
                    host_mem_to_afu.rd_byteenable, host_mem_to_afu.rd_user,
                    host_mem_to_afu.wr_address, host_mem_to_afu.wr_write, host_mem_to_afu.wr_burstcount,
                    host_mem_to_afu.wr_writedata, host_mem_to_afu.wr_byteenable, host_mem_to_afu.wr_user};
endmodule

module ofs_plat_local_mem_as_avalon_mem
  #(
    parameter ADD_CLOCK_CROSSING = 0,
    parameter ADD_TIMING_REG_STAGES = 0
    )
   (
    input  logic afu_clk,
    input  logic afu_reset_n,
    input  ofs_plat_standin_pkg::t_bank to_fiu,
    ofs_plat_avalon_mem_if.to_source_clk to_afu
    );

    assign to_afu.clk = (ADD_CLOCK_CROSSING != 0) ? afu_clk : to_fiu.clk;
    assign to_afu.reset_n = afu_reset_n && to_fiu.reset_n;
    assign to_afu.waitrequest = to_fiu.waitrequest;
    assign to_afu.readdatavalid = to_fiu.readdatavalid;
    assign to_afu.readdata = to_fiu.readdata;
    assign to_afu.response = '0;
    assign to_afu.readresponseuser = '0;
    assign to_afu.writeresponsevalid = 1'b0;
    assign to_afu.writeresponse = '0;
    assign to_afu.writeresponseuser = '0;
    assign to_afu.instance_number = 0;

    wire unused = ^{to_afu.address, to_afu.read, to_afu.write, to_afu.burstcount,
                    to_afu.writedata, to_afu.byteenable, to_afu.user};
endmodule

// The clock crossing between two Avalon-MM interfaces of one geometry:
// here a pass-through that reads every field its two ends must drive.
module ofs_plat_avalon_mem_if_async_shim
  #(
    parameter COMMAND_FIFO_DEPTH = 128,
    parameter RESPONSE_FIFO_DEPTH = 256,
    parameter COMMAND_ALMFULL_THRESHOLD = 0,
    parameter PRESERVE_WR_RESP = 1
    )
   (
    ofs_plat_avalon_mem_if.to_sink mem_sink,
    ofs_plat_avalon_mem_if.to_source mem_source
    );

    assign mem_sink.address = mem_source.address;
    assign mem_sink.read = mem_source.read;
    assign mem_sink.write = mem_source.write;
    assign mem_sink.burstcount = mem_source.burstcount;
    assign mem_sink.writedata = mem_source.writedata;
    assign mem_sink.byteenable = mem_source.byteenable;
    assign mem_sink.user = mem_source.user;
    assign mem_source.waitrequest = mem_sink.waitrequest;
    assign mem_source.readdatavalid = mem_sink.readdatavalid;
    assign mem_source.readdata = mem_sink.readdata;
    assign mem_source.response = mem_sink.response;
    assign mem_source.readresponseuser = mem_sink.readresponseuser;
    assign mem_source.writeresponsevalid = mem_sink.writeresponsevalid;
    assign mem_source.writeresponse = mem_sink.writeresponse;
    assign mem_source.writeresponseuser = mem_sink.writeresponseuser;

    wire unused = ^{mem_sink.clk, mem_sink.reset_n, mem_sink.instance_number,
                    mem_source.clk, mem_source.reset_n, mem_source.instance_number};
endmodule

// The real module drives every device the masks leave unclaimed; here the
// platform has nothing to drive, so it only checks that host channel 0,
// where the AFU's MMIO lives, is claimed.
module ofs_plat_if_tie_off_unused
  #(
    parameter HOST_CHAN_IN_USE_MASK = 0,
    parameter LOCAL_MEM_IN_USE_MASK = 0
    )
   (
    ofs_plat_if plat_ifc
    );
    if (HOST_CHAN_IN_USE_MASK % 2 == 0) begin : no_host_channel
        $error("host channel 0 must be claimed");
    end
    if (LOCAL_MEM_IN_USE_MASK == 0) begin : no_local_memory
        $error("no local memory bank claimed");
    end
endmodule
/* verilator lint_on UNUSEDPARAM */
/* verilator lint_on DECLFILENAME */
