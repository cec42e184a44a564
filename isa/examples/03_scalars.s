; 03_scalars.s: scalar registers, immediates, broadcast and vector length.
;
; li loads fixed-point immediates, lds/sts move scalars through memory,
; bcast fills a vector, adds/muls apply a scalar to every element,
; mac accumulates a product, mv copies, and setvl changes the length:
; the final store writes only the first 3 elements.

        setvl   4
        li      s0, 2.5
        li      s1, -0.75
        lds     s2, k                   ; s2 = 0.125 from memory
        bcast   v0, s0                  ; v0 = [2.5, 2.5, 2.5, 2.5]
        ldv     v1, xs
        adds    v2, v1, s1              ; v2 = xs - 0.75
        muls    v3, v1, s2              ; v3 = xs * 0.125
        mv      v4, v2
        mac     v4, v0, v3              ; v4 = v2 + 2.5 * v3
        sv      v4, out4
        setvl   3
        sv      v0, out3                ; only 3 elements
        sts     s1, sout
        halt

.org 0x40
k:      .fix 0.125
        .align 16
xs:     .fix 1, -2, 3.5, 1000
out4:   .zero 16
out3:   .fix 9, 9, 9, 9                 ; the 4th element must stay 9
sout:   .word 0

.symbol out4, out4, 4
.symbol out3, out3, 4
.symbol sout, sout, 1
