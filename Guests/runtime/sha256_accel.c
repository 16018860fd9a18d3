/* Routes the portable EVMPrimitives module's SHA-256 compression (sha256Compress) through the
 * sha256_compress syscall (0x1014). Linked only into guests that compile the EVMPrimitives
 * module in; the linker is run with --wrap=<sha256Compress symbol>, so every call to it lands
 * here, and the original stays reachable as __real_... for Linux (qemu-riscv32), which answers
 * -ENOSYS. The syscall needs a 4-aligned block: an unaligned one is copied first. */
#include <stdint.h>

long zk_syscall(long n, long a0, long a1, long a2);

void real_sha256_compress(uint32_t *state, const void *block)
    __asm__("__real_$e13EVMPrimitives14sha256CompressyySpys6UInt32VG_SVtF");
void wrap_sha256_compress(uint32_t *state, const void *block)
    __asm__("__wrap_$e13EVMPrimitives14sha256CompressyySpys6UInt32VG_SVtF");

void wrap_sha256_compress(uint32_t *state, const void *block) {
    uint32_t copy[16];
    const void *aligned = block;
    if ((uintptr_t)block & 3) {
        const uint8_t *b = (const uint8_t *)block;
        for (int i = 0; i < 16; i++)
            copy[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 |
                      (uint32_t)b[4 * i + 3] << 24;
        aligned = copy;
    }
    if (zk_syscall(0x1014, (long)state, (long)aligned, 0) == -38) real_sha256_compress(state, block);
}
