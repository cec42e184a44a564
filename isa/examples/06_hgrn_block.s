; 06_hgrn_block.s: a whole HGRN-Bit block (docs/model.md) for one token, d = 8, I = 16.
;
; The token mixer (MLGRU, as in 05_mlgru_step.s) followed by the channel
; mixer (GLU MLP):
;
;   m    = rmsnorm(r1, mlp_norm.weight)
;   u    = BL_gate(m)                 2I outputs; the compiler stores gate_proj
;   gate, up = u[0:I], u[I:2I]        as two I-row matrices with the same scale
;   z    = BL_down(silu(gate) * up)   I -> d
;   out  = r1 + z
;
; Lengths change inside the block (d and I), so setvl brackets each part.
; W_down uses base-3 packing (5 trits per byte, `tmatmul.b3`), the others
; 2 bits per trit; a block may mix them.

.equ D, 8
.equ I, 16

        setvl   D
        ldv     v0, x
        ldv     v1, h_prev
        ldv     v15, attn_norm_w
        norm    v2, v0, v15, 1e-6
        ldv     v15, i_norm_w
        norm    v3, v2, v15, 1e-6
        absmax  s1, v3
        quant   v3, v3, s1
        tmatmul v3, v3, s1, W_i
        ldv     v15, f_norm_w
        norm    v4, v2, v15, 1e-6
        absmax  s1, v4
        quant   v4, v4, s1
        tmatmul v4, v4, s1, W_f
        ldv     v15, g_norm_w
        norm    v5, v2, v15, 1e-6
        absmax  s1, v5
        quant   v5, v5, s1
        tmatmul v5, v5, s1, W_g
        sig     v4, v4
        ldv     v15, lb
        lba     v4, v4, v15
        silu    v3, v3
        csig    v6, v4                      ; not used below: 1 - f could also come from csig of the
                                            ; pre-activation when there is no lower bound
        li      s2, 1.0
        bcast   v6, s2
        sub     v6, v6, v4
        mul     v3, v3, v6
        mv      v7, v3
        mac     v7, v4, v1                  ; h
        sv      v7, h_out
        ldv     v15, gn_w
        norm    v8, v5, v15, 1e-6
        silu    v9, v7
        mul     v8, v8, v9
        ldv     v15, o_norm_w
        norm    v8, v8, v15, 1e-6
        absmax  s1, v8
        quant   v8, v8, s1
        tmatmul v8, v8, s1, W_o
        add     v10, v0, v8                 ; r1
        sv      v10, r1_out

        ldv     v15, mlp_norm_w             ; m = rmsnorm(r1)
        norm    v11, v10, v15, 1e-6
        ldv     v15, gate_norm_w            ; BL_gate: one norm and quantization, two halves
        norm    v11, v11, v15, 1e-6
        absmax  s3, v11
        quant   v11, v11, s3
        tmatmul v12, v11, s3, W_gate        ; gate = u[0:I]
        tmatmul v13, v11, s3, W_up          ; up   = u[I:2I]
        setvl   I
        silu    v12, v12
        mul     v12, v12, v13               ; silu(gate) * up
        ldv     v15, down_norm_w
        norm    v12, v12, v15, 1e-6
        absmax  s4, v12
        quant   v12, v12, s4
        tmatmul.b3 v14, v12, s4, W_down     ; z, d outputs (base-3 weights)
        setvl   D
        add     v14, v10, v14               ; out = r1 + z
        sv      v14, out
        halt

.org 0x0
x:
        .fix -0.9408, 0.2227, 1.2935, 1.5347, 1.1812, 0.0478, 0.3295, -0.2448
h_prev:
        .fix -0.6525, -0.2316, 0.4721, 0.1240, -0.1580, -0.5252, -0.0456, -0.2888
attn_norm_w:
        .fix 1.0036, 1.0484, 0.7732, 0.9911, 0.8546, 0.9072, 0.8767, 1.1105
i_norm_w:
        .fix 1.0666, 1.0495, 0.9263, 0.8570, 0.9622, 1.0202, 0.9928, 1.0683
f_norm_w:
        .fix 0.9645, 1.1786, 1.0651, 1.1982, 1.0244, 0.9769, 0.9158, 1.0803
g_norm_w:
        .fix 1.1040, 1.0155, 1.0406, 0.9730, 0.9583, 0.9709, 0.8130, 0.8992
gn_w:
        .fix 1.0037, 1.0123, 1.1078, 1.0624, 1.0419, 1.0046, 0.7748, 1.0046
o_norm_w:
        .fix 0.9117, 1.0485, 0.9715, 0.9661, 0.9460, 0.9704, 0.8046, 0.8407
mlp_norm_w:
        .fix 1.1200, 1.0425, 0.9554, 0.9648, 0.9627, 1.3227, 1.0509, 0.9993
gate_norm_w:
        .fix 0.9322, 0.7640, 1.0114, 1.1370, 1.0920, 1.0255, 0.9387, 0.8813
down_norm_w:
        .fix 1.0066, 0.9579, 0.8854, 1.1637, 0.9054, 0.9447, 0.7612, 1.1686
        .fix 0.9828, 0.9913, 1.0273, 0.9150, 0.9367, 1.0281, 0.9168, 1.0305
lb:
        .fix 0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40
        .align 256
W_i:
        .matrix 8, 8, 0.0421
        .row +-0-+0++
        .row -0---0+0
        .row 0+-0++-0
        .row -0-+0-+0
        .row -+++-++0
        .row ++++-+--
        .row 0+--+-0-
        .row ++00-0++
        .align 256
W_f:
        .matrix 8, 8, 0.0397
        .row --+00-0+
        .row 00-00--+
        .row +-0++0++
        .row ++++--00
        .row 0-++0-0-
        .row 0+0+00-0
        .row -0000+00
        .row 0-+0+0++
        .align 256
W_g:
        .matrix 8, 8, 0.0455
        .row +0--+-00
        .row +00+-+-+
        .row -000-++0
        .row 0+0+0--0
        .row ++++0+++
        .row +-0-00-+
        .row 0+-+-+--
        .row 0+--++-0
        .align 256
W_o:
        .matrix 8, 8, 0.041
        .row +-++++++
        .row ++0+-+0+
        .row -00+-0++
        .row +-00++--
        .row 0++0-+--
        .row -0+0+0-+
        .row -++--+-+
        .row +--+-0--
        .align 256
W_gate:
        .matrix 16, 8, 0.0388
        .row 0---++--
        .row --00---+
        .row --+-++-0
        .row +++0-0+0
        .row +--0000-
        .row +00-++00
        .row --+0-00+
        .row -0+-0+++
        .row +-+++-+0
        .row +0-0--00
        .row +00---+-
        .row -0+0+0++
        .row -0+--00-
        .row +--+0--0
        .row ++-+00-0
        .row 0+0--+0+
        .align 256
W_up:
        .matrix 16, 8, 0.0388
        .row 00+-+-+0
        .row 0+-+0+00
        .row -+0+0---
        .row +----00+
        .row 0++0+--+
        .row -0+0+00-
        .row 0++++000
        .row +0--0+--
        .row -++-+--0
        .row +-++00+0
        .row 000-0+-+
        .row -+---0+0
        .row 00+0-0--
        .row -0-0++0+
        .row 00--++++
        .row -0+---++
        .align 256
W_down:
        .matrix 8, 16, 0.0402, b3
        .row +00---0--0+00++0
        .row +++++-0---00++0-
        .row 0-+++0+00--00+0-
        .row 000-++0------0-0
        .row ++-000+-----+-00
        .row ++0+00---+--+--+
        .row 0-+0++-0+0+00++-
        .row 0+-0-0++000-+0-+
        .align 64
h_out:  .zero 4 * D
r1_out: .zero 4 * D
out:    .zero 4 * D

.symbol x, x, D
.symbol h_prev, h_prev, D
.symbol h_out, h_out, D
.symbol r1_out, r1_out, D
.symbol out, out, D
