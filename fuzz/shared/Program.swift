// The statement program of the zkVM fuzz targets (compiled into each of them by
// scripts/fuzz-verifier.sh).

import VM

/// addi x5, x0, 5; loop: addi x5, x5, -1; sw x5, 0(x6); lw x7, 0(x6); bne x5, x0, loop;
/// commit(x6, 4); keccak_f(x6); exit(x7) — with x6 = 0x20000.
let programWords: [UInt32] = [
    0x0050_0293,  // addi x5, x0, 5
    0x0002_0337,  // lui x6, 0x20
    0xfff2_8293,  // addi x5, x5, -1
    0x0053_2023,  // sw x5, 0(x6)
    0x0003_2383,  // lw x7, 0(x6)
    0xfe02_9ae3,  // bne x5, x0, -12
    0x0000_18b7,  // lui x17, 0x1  (commit = 0x1000)
    0x0003_0513,  // addi x10, x6, 0
    0x0040_0593,  // addi x11, x0, 4
    0x0000_0073,  // ecall
    0x0000_18b7,  // lui x17, 0x1
    0x0108_8893,  // addi x17, x17, 16  (keccak_f = 0x1010)
    0x0003_0513,  // addi x10, x6, 0
    0x0000_0073,  // ecall
    0x05d0_0893,  // addi x17, x0, 93
    0x0003_8513,  // addi x10, x7, 0
    0x0000_0073,  // ecall
]

let program: Program = {
    var code: [UInt8] = []
    for w in programWords { for k in 0..<4 { code.append(UInt8(truncatingIfNeeded: w >> (8 * k))) } }
    return Program(
        entry: 0x10000,
        segments: [
            Segment(address: 0x10000, data: code, memorySize: UInt32(code.count), flags: 5),
            Segment(address: 0x20000, data: [], memorySize: 0x1000, flags: 6),
        ]
    )
}()
