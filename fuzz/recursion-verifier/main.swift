// libFuzzer target for the final-proof decoder and verifier of aggregated zkVM runs:
// `bash scripts/fuzz-verifier.sh SECONDS recursion-verifier`.
//
// The statement is the small hand-assembled RV32IM program of `fuzz/shared/Program.swift` (a loop,
// a store and a load, a commit, a `keccak_f` call, exit) split into shards, aggregated into
// one final proof under test parameters (the compress proof and the wrap circuit's final proof
// included; building it takes minutes under ASan: each worker proves it before fuzzing). The input is a `ZKAG` final-proof file. The verifier
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

let key = try! VMProgramKey(program: program, config: shardConfig)
let recursion = RunRecursion(
    key: key,
    shardConfig: shardConfig,
    config: .testing,
    compressConfig: StarkConfig(
        fri: FriParameters(logBlowup: 2, numQueries: 16, queryPowBits: 8),
        securityFloor: 0,
        allowInsecure: true
    ),
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
