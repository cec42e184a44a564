; 04_bitlinear.s: one FusedBitLinear projection (docs/model.md), 6 inputs -> 5 outputs.
;
;   y   = rmsnorm(x, norm_w, eps = 1e-6)
;   xq  = round(y * 127 / max|y|)           (absmax, quant)
;   out = (W . xq) * mean|W| * max|y| / 127 (tmatmul with its per-output rescale)
;
; The weight matrix is ternary, 2 bits per trit, with its mean|W| scale in
; the 256-byte header that .matrix writes. A second norm shows the zero
; vector case: RMSNorm of zeros is zeros, and so is its quantization.

        setvl   6
        ldv     v0, x
        ldv     v1, norm_w
        norm    v2, v0, v1, 1e-6
        sv      v2, y
        absmax  s0, v2
        sts     s0, ymax
        quant   v3, v2, s0
        sv      v3, codes
        tmatmul v4, v3, s0, W           ; writes 5 elements (the matrix's rows)
        setvl   5
        sv      v4, out
        setvl   6
        ldv     v5, zeros
        norm    v6, v5, v1, 1e-6
        absmax  s1, v6
        quant   v7, v6, s1
        sv      v7, zq
        halt

.org 0x0
x:      .fix 0.5, -1.25, 2, 0.031, -3.5, 1
norm_w: .fix 1, 0.5, 1.5, 1, 0.75, 1.25
zeros:  .fix 0, 0, 0, 0, 0, 0
y:      .zero 24
codes:  .zero 24
ymax:   .word 0
out:    .zero 20
zq:     .fix 1, 1, 1, 1, 1, 1
        .align 256
W:      .matrix 5, 6, 0.6
        .row +0-+0-
        .row ++++++
        .row ------
        .row 000000
        .row 0+0-0+

.symbol x, x, 6
.symbol norm_w, norm_w, 6
.symbol y, y, 6
.symbol codes, codes, 6
.symbol ymax, ymax, 1
.symbol out, out, 5
.symbol zq, zq, 6
