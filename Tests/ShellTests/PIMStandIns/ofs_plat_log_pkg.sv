// Lint stand-in for the PIM's log classes (names as in the real package).
package ofs_plat_log_pkg;
    typedef enum {
        NONE,
        HOST_CHAN,
        LOCAL_MEM
    } t_log_class;
endpackage
