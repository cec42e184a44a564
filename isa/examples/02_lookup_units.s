; 02_lookup_units.s: the lookup-table units on a sweep of inputs.
;
; exp, sig (sigmoid), csig (1 - sigmoid), silu and rsqrt over 16 inputs
; from -40 to 40, including values where exp saturates (x >= 10.4) and
; underflows to zero, and non-positive inputs to rsqrt (which saturate).

.equ N, 16

        setvl N
        ldv     v0, xs
        exp     v1, v0
        sv      v1, out_exp
        sig     v2, v0
        sv      v2, out_sig
        csig    v3, v0
        sv      v3, out_csig
        silu    v4, v0
        sv      v4, out_silu
        rsqrt   v5, v0
        sv      v5, out_rsqrt
        halt

.org 0x0
xs:     .fix -40, -12, -5.5, -1, -0.25, 0, 0.0001, 0.5
        .fix 1, 2.75, 4, 8, 10.3, 10.5, 16, 40
out_exp:   .zero 4 * N
out_sig:   .zero 4 * N
out_csig:  .zero 4 * N
out_silu:  .zero 4 * N
out_rsqrt: .zero 4 * N

.symbol xs, xs, N
.symbol exp, out_exp, N
.symbol sig, out_sig, N
.symbol csig, out_csig, N
.symbol silu, out_silu, N
.symbol rsqrt, out_rsqrt, N
