/* The zkVM's ecall (Guests/ABI.md): syscall n with a0..a2, the result in a0. Inline, for the
 * runtime's zk_syscall and for the accelerator wrappers that make hundreds of calls per
 * signature. (The guest builder tracks the .c files' times, not this header's: touch them too.) */
#include <stdint.h>

static inline __attribute__((always_inline)) long zk_ecall(long n, long a0, long a1, long a2) {
    register long r_a0 __asm__("a0") = a0;
    register long r_a1 __asm__("a1") = a1;
    register long r_a2 __asm__("a2") = a2;
    register long r_a7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a2), "r"(r_a7) : "memory");
    return r_a0;
}
