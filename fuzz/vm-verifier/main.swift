// libFuzzer target for the zkVM run-proof decoder and chain verifier:
// `bash scripts/fuzz-verifier.sh SECONDS vm-verifier`.
//
// The statement is a small hand-assembled RV32IM program (`fuzz/shared/Program.swift`: a loop, a store and a load, a commit,
// a `keccak_f` call, exit) split into shards, so the chain checks (pcs, memory-image roots,
// halting) and a shard with the Keccak accelerator tables are exercised. The input is a `ZKVM` proof file. The verifier must return (accept or throw) on
// every input; a trap, a hang or an unbounded allocation is a finding. An accepted proof must be
// byte for byte the honest one: 40 queries and 8 bits of grinding give about 48 bits, so any
// other accepted proof is a soundness bug.

import Foundation
import Stark
import VM
import VMProver

let config = StarkConfig<VMField>(
    fri: FriParameters(logBlowup: 1, numQueries: 40, queryPowBits: 8),
    securityFloor: 0,
    allowInsecure: true
)

let key = try! VMProgramKey(program: program, config: config)
let verifier = RunVerifier(key: key, config: config)
let honest = try! RunProver(key: key, config: config).prove(input: [], shardSize: 8).encoded()

@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    if let dir = ProcessInfo.processInfo.environment["ZKPROVER_FUZZ_SEEDS"] {
        try! Data(honest).write(to: URL(fileURLWithPath: "\(dir)/honest-run"))
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        _ = try verifier.verify(bytes: bytes)
    } catch {
        return 0
    }
    precondition(bytes == honest, "the verifier accepted a run proof other than the honest one")
    return 0
}
