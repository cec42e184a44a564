; 07_streams.s: four streams on one weight pass (ISA.md, "Streams").
;
; A core of 4 streams runs this program once for each stream, in lock step.
; Stream s reads its own x at x + s * SS (`.s`), quantizes it with its own
; scale and multiplies it by W, which the core streams once for all four
; (`tmatmul`). Then `macp` treats the four streams as four consecutive
; tokens of one sequence: h_s = y_s + g * h_(s-1), with h_(-1) = h0, the
; recurrence of a prefill. A shared store (no `.s`) keeps the last
; stream's value: hlast = h_3.

.streams 4
.equ SS, 0x40                       ; bytes from one stream's block to the next

        setss   SS
        setvl   4
        ldv.s   v0, x               ; stream s: its own x
        absmax  s0, v0
        quant   v1, v0, s0
        tmatmul v2, v1, s0, W       ; 3 rows; W is read once for all four streams
        setvl   3
        sv.s    v2, y               ; stream s: its own y
        ldv     v3, gate            ; shared: every stream loads the same g
        ldv     v4, h0              ; shared: macp uses stream 0's
        macp    v2, v3, v4          ; h_s = y_s + g * h_(s-1)
        sv.s    v2, h               ; stream s: h after token s
        sv      v2, hlast           ; stream 3's h stays
        halt

; Stream s's block at s * SS: x (4 elements), y and h (3 each).
.org 0x00
x:      .fix 0.5, -1.25, 2, 0.25
        .align 16
y:      .zero 12
        .align 16
h:      .zero 12
.org SS
        .fix -3, 1, 0.125, 0.75
.org 2 * SS
        .fix 0, 0, 0, 0
.org 3 * SS
        .fix 100, -50, 25, 1
.org 4 * SS
gate:   .fix 0.5, -0.25, 0.9
        .align 16
h0:     .fix 1, 2, -1
        .align 16
hlast:  .zero 12
        .align 256
W:      .matrix 3, 4, 0.5
        .row +0-+
        .row ++++
        .row -0+0

.symbol x, x, 4
.symbol y, y, 3
.symbol h, h, 3
.symbol gate, gate, 3
.symbol h0, h0, 3
.symbol hlast, hlast, 3
