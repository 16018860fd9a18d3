// libFuzzer target for the final-proof decoder and verifier of aggregated zkVM runs:
// `bash scripts/fuzz-verifier.sh SECONDS recursion-verifier`.
//
// The statement is the small hand-assembled RV32IM program of the vm-verifier target (a loop,
// a store and a load, a commit, a `keccak_f` call, exit) split into shards, aggregated into
// one final proof under test parameters (building it takes minutes under ASan: each worker
// proves it before fuzzing). The input is a `ZKAG` final-proof file. The verifier
// must return (accept or throw) on every input; a trap, a hang or an unbounded allocation is a
// finding. An accepted proof must be byte for byte the honest one: the final proof's 24
// queries at rate 1/4 and 8 bits of grinding leave a random mutation no chance, so any other
// accepted proof is a soundness bug.

import Foundation
import Recursion
import Stark
import VM
import VMProver
import VMRecursion

let shardConfig = StarkConfig<VMField>(
    fri: FriParameters(logBlowup: 1, numQueries: 40, queryPowBits: 8),
    securityFloor: 0,
    allowInsecure: true
)

/// addi x5, x0, 5; loop: addi x5, x5, -1; sw x5, 0(x6); lw x7, 0(x6); bne x5, x0, loop;
/// commit(x6, 4); keccak_f(x6); exit(x7) — with x6 = 0x20000.
let words: [UInt32] = [
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
    for w in words { for k in 0..<4 { code.append(UInt8(truncatingIfNeeded: w >> (8 * k))) } }
    return Program(
        entry: 0x10000,
        segments: [
            Segment(address: 0x10000, data: code, memorySize: UInt32(code.count), flags: 5),
            Segment(address: 0x20000, data: [], memorySize: 0x1000, flags: 6),
        ]
    )
}()
let key = try! VMProgramKey(program: program, config: shardConfig)
let recursion = RunRecursion(
    key: key,
    shardConfig: shardConfig,
    config: .testing,
    finalConfig: StarkConfig(
        fri: FriParameters(logBlowup: 2, numQueries: 24, queryPowBits: 8),
        securityFloor: 0,
        allowInsecure: true
    ),
    maxLogShardHeight: 16
)
let honest: [UInt8] = {
    let proof = try! RunProver(key: key, config: shardConfig).prove(input: [], shardSize: 32)
    return try! RunAggregator(recursion: recursion).aggregate(proof).encoded()
}()

@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    if let dir = ProcessInfo.processInfo.environment["ZKPROVER_FUZZ_SEEDS"] {
        try! Data(honest).write(to: URL(fileURLWithPath: "\(dir)/honest-final"))
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        _ = try recursion.verify(try FinalProof(decoding: bytes))
    } catch {
        return 0
    }
    precondition(bytes == honest, "the verifier accepted a final proof other than the honest one")
    return 0
}
