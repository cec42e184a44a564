; 05_mlgru_step.s: one MLGRU token-mixer step of an HGRN-Bit block (docs/model.md), d = 8.
;
;   r0 = x
;   a  = rmsnorm(x, attn_norm.weight)
;   i, f, g = BL_i(a), BL_f(a), BL_g(a)      each FusedBitLinear: own RMSNorm,
;                                           absmax int8 quantization, ternary product
;   f  = sigmoid(f);  f = lb + (1 - lb) * f  (lower bound, layer l > 0)
;   i  = silu(i) * (1 - f)
;   h  = f * h_prev + i                      (the recurrent state, stored to h_out)
;   o  = BL_o(rmsnorm(g, g_norm.weight) * silu(h))
;   r1 = r0 + o                              (stored to r1_out)
;
; Register use: v0 r0, v1 h_prev, v2 a, v3 i, v4 f, v5 g, v7 h, v8 o,
; v15 the norm weight of the moment; s1 the activation scale of a projection.

.equ D, 8

        setvl   D
        ldv     v0, x
        ldv     v1, h_prev
        ldv     v15, attn_norm_w
        norm    v2, v0, v15, 1e-6           ; a = rmsnorm(x)

        ldv     v15, i_norm_w               ; i = BL_i(a)
        norm    v3, v2, v15, 1e-6
        absmax  s1, v3
        quant   v3, v3, s1
        tmatmul v3, v3, s1, W_i

        ldv     v15, f_norm_w               ; f = BL_f(a)
        norm    v4, v2, v15, 1e-6
        absmax  s1, v4
        quant   v4, v4, s1
        tmatmul v4, v4, s1, W_f

        ldv     v15, g_norm_w               ; g = BL_g(a)
        norm    v5, v2, v15, 1e-6
        absmax  s1, v5
        quant   v5, v5, s1
        tmatmul v5, v5, s1, W_g

        sig     v4, v4                      ; f = sigmoid(f)
        ldv     v15, lb
        lba     v4, v4, v15                 ; f = lb + (1 - lb) * f
        silu    v3, v3
        li      s2, 1.0
        bcast   v6, s2
        sub     v6, v6, v4                  ; 1 - f
        mul     v3, v3, v6                  ; i = silu(i) * (1 - f)
        mv      v7, v3
        mac     v7, v4, v1                  ; h = i + f * h_prev
        sv      v7, h_out

        ldv     v15, gn_w                   ; o = rmsnorm(g, g_norm) * silu(h)
        norm    v8, v5, v15, 1e-6
        silu    v9, v7
        mul     v8, v8, v9
        ldv     v15, o_norm_w               ; o = BL_o(o)
        norm    v8, v8, v15, 1e-6
        absmax  s1, v8
        quant   v8, v8, s1
        tmatmul v8, v8, s1, W_o
        add     v10, v0, v8                 ; r1 = r0 + o
        sv      v10, r1_out
        halt

.org 0x0
x:
        .fix -1.1788, -1.1482, 0.6695, -2.2939, -0.1434, -2.2561, 1.1010, 0.2029
h_prev:
        .fix 0.6782, -0.2521, 0.1991, -0.1429, -0.3692, 0.0727, -0.6286, -0.1773
attn_norm_w:
        .fix 1.0697, 1.0058, 0.9590, 1.2189, 1.0058, 0.9413, 1.0160, 0.9477
i_norm_w:
        .fix 0.9615, 0.9650, 1.2025, 1.0023, 1.0176, 1.0674, 1.2017, 0.9776
f_norm_w:
        .fix 0.9376, 1.2475, 0.8540, 0.9633, 1.0667, 1.2284, 0.9050, 0.7572
g_norm_w:
        .fix 1.0662, 0.9478, 0.9613, 1.0461, 1.0224, 1.0291, 0.9569, 1.1289
gn_w:
        .fix 1.1505, 1.0032, 0.9548, 1.0733, 1.0478, 0.8960, 0.9540, 1.1049
o_norm_w:
        .fix 0.9904, 0.9671, 1.0212, 0.9966, 0.9998, 0.8069, 1.1749, 1.0199
lb:
        .fix 0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40
        .align 256
W_i:
        .matrix 8, 8, 0.0421
        .row --0+-+0+
        .row 0+++--0-
        .row 0--+00--
        .row +-++-00-
        .row +--00+-0
        .row --++0+00
        .row --+0++00
        .row -++00---
        .align 256
W_f:
        .matrix 8, 8, 0.0397
        .row 0-++0+--
        .row ++00+0-+
        .row +--++--+
        .row -0+0--00
        .row ------++
        .row -0+0--++
        .row --000-+-
        .row 000+--00
        .align 256
W_g:
        .matrix 8, 8, 0.0455
        .row 0---00--
        .row 0+0+-0--
        .row 0---000-
        .row --0-0--+
        .row 0---0+0+
        .row +---0+00
        .row 0-+0000-
        .row -000-0++
        .align 256
W_o:
        .matrix 8, 8, 0.041
        .row +0-00++0
        .row +00+-+++
        .row ++-+-+0+
        .row ----00+0
        .row ++0-+---
        .row -+00-+00
        .row -+-00-0-
        .row -+--000-
        .align 64
h_out:  .zero 4 * D
r1_out: .zero 4 * D

.symbol x, x, D
.symbol h_prev, h_prev, D
.symbol h_out, h_out, D
.symbol r1_out, r1_out, D
