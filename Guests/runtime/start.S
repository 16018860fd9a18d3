/* Entry of every guest: set gp and sp, call main(0, 0), exit with its result. */
    .section .text._start, "ax"
    .globl _start
    .type _start, @function
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la sp, __stack_top
    li a0, 0
    li a1, 0
    call main
    li a7, 93          /* exit(a0) */
    ecall
1:  j 1b
    .size _start, . - _start
