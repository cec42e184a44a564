// The platform-driven side of a host channel port and of a local memory
// bank in the stand-in platform (see ofs_plat_if.sv for why structs).
package ofs_plat_standin_pkg;
    typedef struct packed {
        logic clk;
        logic reset_n;
        logic mmio_read;
        logic mmio_write;
        logic [15:0] mmio_address;
        logic [63:0] mmio_writedata;
        logic [7:0] mmio_tid;
    } t_host_port;

    typedef struct packed {
        logic clk;
        logic reset_n;
        logic waitrequest;
        logic readdatavalid;
        logic [local_mem_cfg_pkg::LOCAL_MEM_DATA_WIDTH-1:0] readdata;
    } t_bank;
endpackage
