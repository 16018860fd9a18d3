/* Routes the portable Secp256k1 module's base-field products through the uint256_mulmod
 * syscall (0x1013) with m = p. Linked only into guests that compile the Secp256k1 module in; the
 * linker is run with --wrap=<secp256k1FieldMul symbol>, so every call to the module's
 * secp256k1FieldMul lands here, and the original stays reachable as __real_... for Linux
 * (qemu-riscv32), which answers -ENOSYS. */
#include <stdint.h>

long zk_syscall(long n, long a0, long a1, long a2);

void real_field_mul(uint32_t *r, const uint32_t *a, const uint32_t *b)
    __asm__("__real_$e9Secp256k117secp256k1FieldMulyySpys6UInt32VG_SPyADGAFtF");
void wrap_field_mul(uint32_t *r, const uint32_t *a, const uint32_t *b)
    __asm__("__wrap_$e9Secp256k117secp256k1FieldMulyySpys6UInt32VG_SPyADGAFtF");

/* p = 2^256 - 2^32 - 977, little-endian words. */
static const uint32_t secp256k1_p[8] = {
    0xFFFFFC2Fu, 0xFFFFFFFEu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu,
};

void wrap_field_mul(uint32_t *r, const uint32_t *a, const uint32_t *b) {
    /* x is a fresh buffer: the syscall needs x, y = b and m = p pairwise disjoint. */
    uint32_t x[8];
    for (int i = 0; i < 8; i++) x[i] = a[i];
    if (zk_syscall(0x1013, (long)x, (long)b, (long)secp256k1_p) == -38) {
        real_field_mul(r, a, b);
        return;
    }
    for (int i = 0; i < 8; i++) r[i] = x[i];
}
