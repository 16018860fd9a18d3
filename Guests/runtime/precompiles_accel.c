/* Routes the portable Precompiles module's 256-bit Montgomery products (the bn254 and P-256
 * fields, montgomeryProduct256) through two uint256_mulmod syscalls (0x1013): x = a·b mod m,
 * then x·R⁻¹ mod m, which is a·b·R⁻¹ mod m. Linked only into guests that compile the
 * Precompiles module in; the linker is run with --wrap=<symbol>, so every call lands here, and
 * the original stays reachable as __real_... for Linux (qemu-riscv32), which answers -ENOSYS. */
#include <stdint.h>

long zk_syscall(long n, long a0, long a1, long a2);

void real_montgomery_product_256(uint32_t *r, const uint32_t *a, const uint32_t *b, const uint32_t *context)
    __asm__("__real_$e11Precompiles20montgomeryProduct256yySpys6UInt64VG_SPyADGA2FtF");
void wrap_montgomery_product_256(uint32_t *r, const uint32_t *a, const uint32_t *b, const uint32_t *context)
    __asm__("__wrap_$e11Precompiles20montgomeryProduct256yySpys6UInt64VG_SPyADGA2FtF");

/* context: m (8 words), R⁻¹ mod m (8 words), −m⁻¹ mod 2⁶⁴ (2 words). x is a fresh buffer: the
 * syscall needs x, y and m pairwise disjoint. */
void wrap_montgomery_product_256(uint32_t *r, const uint32_t *a, const uint32_t *b, const uint32_t *context) {
    uint32_t x[8];
    for (int i = 0; i < 8; i++) x[i] = a[i];
    if (zk_syscall(0x1013, (long)x, (long)b, (long)context) == -38) {
        real_montgomery_product_256(r, a, b, context);
        return;
    }
    zk_syscall(0x1013, (long)x, (long)(context + 8), (long)context);
    for (int i = 0; i < 8; i++) r[i] = x[i];
}
