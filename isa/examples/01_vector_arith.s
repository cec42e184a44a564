; 01_vector_arith.s: element-wise arithmetic on fixed-point vectors.
;
; Loads two 8-element vectors, computes their sum, difference, Hadamard
; product and quotient, and stores each result. Shows the paper's
; ldv/sv/add/sub/mul/div, saturation (the last element of the product
; overflows Q15.16 and saturates) and division by zero (saturates too).

.equ N, 8

        setvl N
        ldv     v0, a               ; v0 = a
        ldv     v1, b               ; v1 = b
        add     v2, v0, v1
        sv      v2, sum
        sub     v3, v0, v1
        sv      v3, diff
        mul     v4, v0, v1          ; last lane: 300 * 200 saturates to 32767.99998
        sv      v4, prod
        div     v5, v0, v1          ; b[6] = 0: a[6] / 0 saturates to the largest value
        sv      v5, quot
        halt

.org 0x100
a:      .fix 1.5, -2.25, 0.001, 100, -7.5, 3, 5, 300
b:      .fix 0.5, 4, -0.002, -0.125, -2.5, 1e-3, 0, 200
        .align 64
sum:    .zero 4 * N
diff:   .zero 4 * N
prod:   .zero 4 * N
quot:   .zero 4 * N

.symbol a, a, N
.symbol b, b, N
.symbol sum, sum, N
.symbol diff, diff, N
.symbol prod, prod, N
.symbol quot, quot, N
