/* Freestanding runtime of ZKProver guests: syscalls, allocator, mem* functions, atomics and
 * the deterministic randomness Embedded Swift needs. Syscall numbers: see Guests/ABI.md. */
#include <stddef.h>
#include <stdint.h>

#include "ecall.h"

/* ---- syscalls ---------------------------------------------------------------------------- */

long zk_syscall(long n, long a0, long a1, long a2) { return zk_ecall(n, a0, a1, a2); }

__attribute__((noreturn)) void exit(int code) {
    zk_syscall(93, code, 0, 0);
    for (;;) {}
}

__attribute__((noreturn)) void abort(void) { exit(134); }

int putchar(int c) {
    unsigned char b = (unsigned char)c;
    zk_syscall(64, 1, (long)&b, 1);
    return c;
}

/* ---- memory functions -------------------------------------------------------------------- */

/* Every executed instruction is proven, so the copies move words: the destination is aligned
 * byte by byte, then whole words are stored, each from one aligned source word (same alignment)
 * or two merged by shifts (different alignment). A source word read this way always holds at
 * least one byte of the source range, so nothing outside the caller's memory is touched. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (n >= 8) {
        while ((uintptr_t)d & 3) { *d++ = *s++; n--; }
        uint32_t *dw = (uint32_t *)d;
        unsigned shift = (uintptr_t)s & 3;
        size_t words = n >> 2;
        if (shift == 0) {
            const uint32_t *sw = (const uint32_t *)s;
            size_t k = words;
            while (k >= 4) {
                uint32_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];
                dw[0] = a; dw[1] = b; dw[2] = c; dw[3] = e;
                dw += 4; sw += 4; k -= 4;
            }
            while (k--) *dw++ = *sw++;
        } else {
            const uint32_t *sw = (const uint32_t *)(s - shift);
            unsigned rs = shift * 8, ls = 32 - rs;
            uint32_t cur = *sw++;
            size_t k = words;
            while (k >= 2) {
                uint32_t a = sw[0], b = sw[1];
                dw[0] = (cur >> rs) | (a << ls);
                dw[1] = (a >> rs) | (b << ls);
                cur = b;
                dw += 2; sw += 2; k -= 2;
            }
            if (k) *dw++ = (cur >> rs) | (*sw << ls);
        }
        d = (unsigned char *)dw;
        s += words << 2;
        n &= 3;
    }
    while (n--) *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d == s || n == 0) return dst;
    if (d < s || d >= s + n) return memcpy(dst, src, n);
    d += n; s += n;
    if ((((uintptr_t)d ^ (uintptr_t)s) & 3) == 0) {
        while (n && ((uintptr_t)d & 3)) { *--d = *--s; n--; }
        while (n >= 4) { d -= 4; s -= 4; *(uint32_t *)d = *(const uint32_t *)s; n -= 4; }
    }
    while (n--) *--d = *--s;
    return dst;
}

void *memset(void *dst, int c, size_t n) {
    unsigned char *d = dst;
    uint32_t w = (unsigned char)c;
    w |= w << 8; w |= w << 16;
    while (n && ((uintptr_t)d & 3)) { *d++ = (unsigned char)c; n--; }
    uint32_t *dw = (uint32_t *)d;
    while (n >= 16) { dw[0] = w; dw[1] = w; dw[2] = w; dw[3] = w; dw += 4; n -= 16; }
    while (n >= 4) { *dw++ = w; n -= 4; }
    d = (unsigned char *)dw;
    while (n--) *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = a, *y = b;
    if ((((uintptr_t)x | (uintptr_t)y) & 3) == 0) {
        while (n >= 4 && *(const uint32_t *)x == *(const uint32_t *)y) { x += 4; y += 4; n -= 4; }
    }
    for (size_t i = 0; i < n; i++) if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

int bcmp(const void *a, const void *b, size_t n) { return memcmp(a, b, n); }

size_t strlen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }

/* ---- allocator: power-of-two size classes with free lists, bump allocation from the heap -- */

extern char __heap_start[], __heap_end[];
static char *heap_next = __heap_start;
static void *free_lists[32];

/* Every block is preceded by a 16-byte header holding its size class (0xff: not reusable). */
static void *alloc_block(size_t size, size_t align) {
    if (align < 16) align = 16;
    unsigned k = 4;
    while (k < 31 && ((size_t)1 << k) < size) k++;
    if (align == 16 && free_lists[k]) {
        void *p = free_lists[k];
        free_lists[k] = *(void **)p;
        return p;
    }
    uintptr_t start = ((uintptr_t)heap_next + 16 + align - 1) & ~(uintptr_t)(align - 1);
    size_t bytes = align == 16 ? ((size_t)1 << k) : size;
    if (start + bytes > (uintptr_t)__heap_end || start + bytes < start) return NULL;
    heap_next = (char *)(start + bytes);
    ((uint32_t *)start)[-1] = align == 16 ? k : 0xff;
    return (void *)start;
}

void *malloc(size_t size) { return alloc_block(size ? size : 1, 16); }

void free(void *p) {
    if (!p) return;
    uint32_t k = ((uint32_t *)p)[-1];
    if (k >= 32) return;
    *(void **)p = free_lists[k];
    free_lists[k] = p;
}

int posix_memalign(void **out, size_t align, size_t size) {
    void *p = alloc_block(size ? size : 1, align);
    if (!p) return 12; /* ENOMEM */
    *out = p;
    return 0;
}

void *aligned_alloc(size_t align, size_t size) { return alloc_block(size ? size : 1, align); }

void *calloc(size_t n, size_t size) {
    size_t total = n * size;
    if (size && total / size != n) return NULL;
    void *p = malloc(total);
    if (p) memset(p, 0, total);
    return p;
}

void *realloc(void *p, size_t size) {
    if (!p) return malloc(size);
    uint32_t k = ((uint32_t *)p)[-1];
    if (k < 32 && size <= ((size_t)1 << k)) return p;
    void *q = malloc(size);
    if (!q) return NULL;
    size_t old = k < 32 ? ((size_t)1 << k) : size; /* unknown size: copy what fits */
    memcpy(q, p, old < size ? old : size);
    free(p);
    return q;
}

/* ---- reference counting ------------------------------------------------------------------ */

/* Strong definitions of two Embedded Swift runtime functions (the stdlib emits its own as weak
 * symbols into every module, so these win at link time). They do what the stdlib's do, for the
 * object layout of Embedded Swift on rv32: a metadata pointer, then a 32-bit word whose low 31
 * bits are the strong count (all ones: immortal) and whose bit 31 says "do not free". The
 * stdlib's release reaches the count through two atomic calls in a 20-register-save frame; on
 * this single-threaded machine it is a load, a compare and a store, which matters because every
 * executed instruction is proven and the block guest releases objects millions of times. */
void swift_release(void *object) {
    if (!object) return;
    uint32_t *count = (uint32_t *)object + 1;
    uint32_t v = *count;
    if ((v & 0x7fffffffu) == 0x7fffffffu) return; /* immortal */
    if (v == 0x80000000u) __builtin_trap();        /* negative count */
    uint32_t n = v - 1;
    if (n & 0x7fffffffu) {
        *count = n;
        return;
    }
    /* The last reference: immortal while the destroyer (metadata word 1) runs, as the stdlib does. */
    *count = v | 0x7fffffffu;
    void (*const *metadata)(void *) = *(void (*const **)(void *))object;
    metadata[1](object);
}

/* swift_allocObject(metadata, size, alignMask): the block straight from the allocator (the
 * stdlib's goes through posix_memalign), metadata and a count of 1 stored. */
void *swift_allocObject(void *metadata, size_t size, size_t alignMask) {
    size_t align = alignMask == (size_t)-1 ? 16 : alignMask + 1;
    void *p = alloc_block(size ? size : 1, align);
    if (!p) __builtin_trap();
    ((void **)p)[0] = metadata;
    ((uint32_t *)p)[1] = 1;
    return p;
}

/* ---- atomics (single-threaded machine: plain loads and stores) ---------------------------- */

uint32_t __atomic_load_4(const volatile void *p, int order) { (void)order; return *(const volatile uint32_t *)p; }
void __atomic_store_4(volatile void *p, uint32_t v, int order) { (void)order; *(volatile uint32_t *)p = v; }
uint32_t __atomic_exchange_4(volatile void *p, uint32_t v, int order) {
    (void)order; uint32_t o = *(volatile uint32_t *)p; *(volatile uint32_t *)p = v; return o;
}
_Bool __atomic_compare_exchange_4(volatile void *p, void *expected, uint32_t desired, _Bool weak, int s, int f) {
    (void)weak; (void)s; (void)f;
    uint32_t cur = *(volatile uint32_t *)p;
    if (cur == *(uint32_t *)expected) { *(volatile uint32_t *)p = desired; return 1; }
    *(uint32_t *)expected = cur;
    return 0;
}
#define ATOMIC_OP(name, op) \
    uint32_t __atomic_fetch_##name##_4(volatile void *p, uint32_t v, int order) { \
        (void)order; uint32_t o = *(volatile uint32_t *)p; *(volatile uint32_t *)p = o op v; return o; }
ATOMIC_OP(add, +)
ATOMIC_OP(sub, -)
ATOMIC_OP(and, &)
ATOMIC_OP(or, |)
ATOMIC_OP(xor, ^)

/* ---- deterministic randomness ------------------------------------------------------------ */

/* Hasher seeds and SystemRandomNumberGenerator come from here: a fixed xorshift stream, so two
 * runs of the same guest on the same input execute exactly the same instructions. */
static uint32_t rng_state = 0x9E3779B9u;
void arc4random_buf(void *buf, size_t n) {
    unsigned char *b = buf;
    for (size_t i = 0; i < n; i++) {
        rng_state ^= rng_state << 13; rng_state ^= rng_state >> 17; rng_state ^= rng_state << 5;
        b[i] = (unsigned char)rng_state;
    }
}

/* ---- libm pieces the stdlib needs (Dictionary/Set capacity uses ceil) --------------------- */

typedef union { double d; uint64_t u; } f64bits;

double ceil(double x) {
    f64bits v = { x };
    int e = (int)((v.u >> 52) & 0x7ff) - 1023;
    if (e >= 52) return x;                       /* integral, inf or nan */
    if (e < 0) {                                 /* |x| < 1 */
        if ((v.u << 1) == 0) return x;           /* ±0 */
        return (v.u >> 63) ? -0.0 : 1.0;
    }
    uint64_t m = 0x000fffffffffffffULL >> e;     /* fraction bits */
    if ((v.u & m) == 0) return x;
    if (!(v.u >> 63)) v.u += m;                  /* positive: carry into the integer part */
    v.u &= ~m;
    return v.d;
}

double floor(double x) {
    f64bits v = { x };
    int e = (int)((v.u >> 52) & 0x7ff) - 1023;
    if (e >= 52) return x;
    if (e < 0) {
        if ((v.u << 1) == 0) return x;
        return (v.u >> 63) ? -1.0 : 0.0;
    }
    uint64_t m = 0x000fffffffffffffULL >> e;
    if ((v.u & m) == 0) return x;
    if (v.u >> 63) v.u += m;                     /* negative: away from zero */
    v.u &= ~m;
    return v.d;
}
