// Lint stand-in for the PIM's top-level platform interface, with the names
// an AFU uses: plat_ifc.clocks.<clock>.clk / .reset_n,
// plat_ifc.host_chan.ports[p] and plat_ifc.local_mem.banks[b].
//
// In the real PIM, ports[] and banks[] are arrays of interfaces nested in
// ofs_plat_if. Verilator 5.0 stops with an internal error when an element
// of such an array is passed on from an interface port, so here they are
// arrays of packed structs holding what the platform drives (clock, reset,
// requests from the host, responses from memory), and the stand-in shims
// take them as inputs. The AFU's text is the same either way.
`include "ofs_plat_if.vh"

// The device groups live beside ofs_plat_if.
/* verilator lint_off DECLFILENAME */
interface ofs_plat_host_chan_fiu_if #(parameter NUM_PORTS = 1);
    ofs_plat_standin_pkg::t_host_port ports[NUM_PORTS];
endinterface

interface ofs_plat_local_mem_fiu_if #(parameter NUM_BANKS = local_mem_cfg_pkg::LOCAL_MEM_NUM_BANKS);
    ofs_plat_standin_pkg::t_bank banks[NUM_BANKS];
endinterface
/* verilator lint_on DECLFILENAME */

// An AFU uses some of the platform's clocks and devices, not all.
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off UNUSEDPARAM */
interface ofs_plat_if #(parameter ENABLE_LOG = 0);
    wire t_ofs_plat_std_clocks clocks;
    logic softReset_n;
    t_ofs_plat_power_state pwrState;

    ofs_plat_host_chan_fiu_if host_chan();
    ofs_plat_local_mem_fiu_if local_mem();
endinterface
/* verilator lint_on UNUSEDPARAM */
/* verilator lint_on UNUSEDSIGNAL */
