/* Routes the portable Keccak module's permutation through the keccak_f syscall (0x1010).
 * Linked only into guests that compile the Keccak module in; the linker is run with
 * --wrap=<keccakF1600 symbol>, so every call to the module's keccakF1600 lands here, and the
 * original stays reachable as __real_... for Linux (qemu-riscv32), which answers -ENOSYS. */
#include <stdint.h>

long zk_syscall(long n, long a0, long a1, long a2);

void real_keccak_f1600(uint64_t *state) __asm__("__real_$e6Keccak11keccakF1600yySpys6UInt64VGF");
void wrap_keccak_f1600(uint64_t *state) __asm__("__wrap_$e6Keccak11keccakF1600yySpys6UInt64VGF");

void wrap_keccak_f1600(uint64_t *state) {
    if (zk_syscall(0x1010, (long)state, 0, 0) == -38) real_keccak_f1600(state);
}
