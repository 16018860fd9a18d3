// libFuzzer target for the STARK verifier: `bash scripts/fuzz-verifier.sh [SECONDS]`.
//
// Input: byte 0 picks the statement (mod 4, the `ExampleStatement`s the CLI proves: Fibonacci
// with public values, a Poseidon2 permutation table, a range check of two tables joined by a
// LogUp bus, and the same check of values committed as fixed columns in preprocessed group 2
// next to the byte table's group 0: two preprocessed roots, recomputed by the verifier), the
// rest is the proof.
// The verifier must return (accept or throw) on every input: a trap, a hang or an unbounded
// allocation is a finding. An accepted proof must decode to exactly the honest proof of that
// statement: the parameters give about 48 bits, so a different proof that verifies is a
// soundness bug, not luck.

import Algebra
import Foundation
import Stark

typealias F = KoalaBear

/// 40 queries at rate 1/2 and 8 bits of grinding: fast enough to fuzz, far out of reach of chance.
let config = StarkConfig<F>(
    fri: FriParameters(logBlowup: 1, numQueries: 40, queryPowBits: 8),
    securityFloor: 0,
    allowInsecure: true
)
let verifier = StarkVerifier(config: config)

/// The statements, at small sizes, in the order byte 0 picks them.
let sizes: [(statement: ExampleStatement, logRows: Int)] = [
    (.fibonacci, 5),
    (.poseidon2, 3),  // 1 permutation per row
    (.rangeCheck, 8),  // 256 values
    (.committedRange, 6),  // an image of 64 values
]

/// The statements and their honest proofs.
let statements: [(airs: [any Air<F>], proof: [UInt8])] = {
    let prover = StarkProver(config: config)
    return sizes.map { statement, logRows in
        let airs = statement.airs(logRows: logRows, field: F.self)
        let proof = try! prover.prove(statement.input(logRows: logRows, field: F.self).tables).encoded()
        // The seeds must be accepted, or the forgery check below would never run.
        try! verifier.verify(airs: airs, bytes: proof)
        return (airs, proof)
    }
}()

@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    // Seeds: the honest proofs, written where ZKPROVER_FUZZ_SEEDS points.
    if let dir = ProcessInfo.processInfo.environment["ZKPROVER_FUZZ_SEEDS"] {
        for (k, s) in statements.enumerated() {
            try! Data([UInt8(k)] + s.proof).write(to: URL(fileURLWithPath: "\(dir)/honest-\(k)"))
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let statement = statements[Int(data[0]) % statements.count]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    do {
        try verifier.verify(airs: statement.airs, bytes: bytes)
    } catch {
        return 0
    }
    let accepted = try! StarkProof<F>(decoding: bytes).encoded()
    precondition(accepted == statement.proof, "the verifier accepted a proof other than the honest one")
    return 0
}
