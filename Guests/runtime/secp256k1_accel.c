/* Routes the portable Secp256k1 module's base-field and scalar products through the
 * uint256_mulmod syscall (0x1013) with m = p and m = n, and its affine point steps
 * (secp256k1AffineAdd, secp256k1AffineDouble) through secp256k1_add (0x1011) and
 * secp256k1_double (0x1012). Linked only into guests that compile the Secp256k1 module in; the
 * linker is run with --wrap=<symbol> for each of the four, so every call to them lands here, and
 * the originals stay reachable as __real_... for Linux (qemu-riscv32), which answers -ENOSYS. */
#include <stdint.h>

#include "ecall.h"

/* The ecall inline (runtime.c's zk_syscall is a call away): these run hundreds of times per
 * signature. */
#define zk_syscall zk_ecall

void real_field_mul(uint32_t *r, const uint32_t *a, const uint32_t *b)
    __asm__("__real_$e9Secp256k117secp256k1FieldMulyySpys6UInt32VG_SPyADGAFtF");
void wrap_field_mul(uint32_t *r, const uint32_t *a, const uint32_t *b)
    __asm__("__wrap_$e9Secp256k117secp256k1FieldMulyySpys6UInt32VG_SPyADGAFtF");

void real_scalar_mul(uint32_t *r, const uint32_t *a, const uint32_t *b)
    __asm__("__real_$e9Secp256k118secp256k1ScalarMulyySpys6UInt32VG_SPyADGAFtF");
void wrap_scalar_mul(uint32_t *r, const uint32_t *a, const uint32_t *b)
    __asm__("__wrap_$e9Secp256k118secp256k1ScalarMulyySpys6UInt32VG_SPyADGAFtF");

void real_affine_add(uint32_t *p, const uint32_t *q)
    __asm__("__real_$e9Secp256k118secp256k1AffineAddyySpys6UInt32VG_SPyADGtF");
void wrap_affine_add(uint32_t *p, const uint32_t *q)
    __asm__("__wrap_$e9Secp256k118secp256k1AffineAddyySpys6UInt32VG_SPyADGtF");

void real_affine_double(uint32_t *p) __asm__("__real_$e9Secp256k121secp256k1AffineDoubleyySpys6UInt32VGF");
void wrap_affine_double(uint32_t *p) __asm__("__wrap_$e9Secp256k121secp256k1AffineDoubleyySpys6UInt32VGF");

/* p = 2^256 - 2^32 - 977, little-endian words. */
static const uint32_t secp256k1_p[8] = {
    0xFFFFFC2Fu, 0xFFFFFFFEu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu,
};

/* n, the group order, little-endian words. */
static const uint32_t secp256k1_n[8] = {
    0xD0364141u, 0xBFD25E8Cu, 0xAF48A03Bu, 0xBAAEDCE6u, 0xFFFFFFFEu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu,
};

/* Whether the 8-word buffers at p and q share a word. */
static int overlap(const uint32_t *p, const uint32_t *q) {
    uintptr_t a = (uintptr_t)p, b = (uintptr_t)q;
    return a < b + 32 && b < a + 32;
}

/* r := a·b mod m through the syscall; 0 when it is absent (Linux), a and b then unchanged. The
 * syscall needs x, y = b and m pairwise disjoint and leaves the product in x: x is r itself when
 * r is apart from b (a copied into it unless r is a), else a fresh buffer, or for a square in
 * place (r = a = b) a copy of a taken as y. */
static inline __attribute__((always_inline)) int mulmod(uint32_t *r, const uint32_t *a, const uint32_t *b, const uint32_t *m) {
    if (!overlap(r, b) && (r == a || !overlap(r, a))) {
        if (r != a) for (int i = 0; i < 8; i++) r[i] = a[i];
        return zk_syscall(0x1013, (long)r, (long)b, (long)m) != -38;
    }
    if (r == a && a == b) {
        uint32_t y[8];
        for (int i = 0; i < 8; i++) y[i] = a[i];
        return zk_syscall(0x1013, (long)r, (long)y, (long)m) != -38;
    }
    uint32_t x[8];
    for (int i = 0; i < 8; i++) x[i] = a[i];
    if (zk_syscall(0x1013, (long)x, (long)b, (long)m) == -38) return 0;
    for (int i = 0; i < 8; i++) r[i] = x[i];
    return 1;
}

void wrap_field_mul(uint32_t *r, const uint32_t *a, const uint32_t *b) {
    if (!mulmod(r, a, b, secp256k1_p)) real_field_mul(r, a, b);
}

void wrap_scalar_mul(uint32_t *r, const uint32_t *a, const uint32_t *b) {
    if (!mulmod(r, a, b, secp256k1_n)) real_scalar_mul(r, a, b);
}

/* p := p + q (different x, as the Swift caller ensures; p and q are separate buffers). */
void wrap_affine_add(uint32_t *p, const uint32_t *q) {
    if (zk_syscall(0x1011, (long)p, (long)q, 0) == -38) real_affine_add(p, q);
}

/* p := 2p (y != 0 for a curve point of odd order). */
void wrap_affine_double(uint32_t *p) {
    if (zk_syscall(0x1012, (long)p, 0, 0) == -38) real_affine_double(p);
}
