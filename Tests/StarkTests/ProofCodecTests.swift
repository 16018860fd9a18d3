import Algebra
import Stark
import Testing

/// Every malformed, truncated or tampered proof is rejected with an error, never a crash.
@Suite("Proof encoding and fuzzing")
struct ProofCodecTests {
    typealias F = KoalaBear
    let config = StarkConfig<F>.testing
    let airs: [any Air<F>] = [U16ValuesAir<F>(), ByteTableAir<F>()]

    func proofBytes() throws -> [UInt8] {
        let values = (0..<16).map { UInt32($0 * 4099 & 0xffff) }
        return try StarkProver(config: config).prove(rangeCheckTables(values: values, field: F.self)).encoded()
    }

    @Test func roundTrip() throws {
        let bytes = try proofBytes()
        let proof = try StarkProof<F>(decoding: bytes)
        #expect(proof.encoded() == bytes)
        #expect(Array(bytes.prefix(4)) == StarkProof<F>.magic)
    }

    @Test func headerErrors() throws {
        var bytes = try proofBytes()
        bytes[0] ^= 1
        #expect(throws: DecodingError.badMagic) { _ = try StarkProof<F>(decoding: bytes) }
        bytes[0] ^= 1
        bytes[4] = 9
        #expect(throws: DecodingError.unsupportedVersion(9)) { _ = try StarkProof<F>(decoding: bytes) }
        #expect(throws: DecodingError.self) { _ = try StarkProof<BabyBear>(decoding: try proofBytes()) }
        #expect(throws: DecodingError.trailingBytes(1)) { _ = try StarkProof<F>(decoding: try proofBytes() + [0]) }
    }

    @Test func fuzz() throws {
        let bytes = try proofBytes()
        let verifier = StarkVerifier(config: config)
        var rng = SplitMix(seed: 0x5eed)
        // Bit flips anywhere.
        for _ in 0..<40 {
            var b = bytes
            let i = Int(rng.next() % UInt64(b.count))
            b[i] ^= UInt8(1 << (rng.next() % 8))
            #expect(throws: VerificationError.self) { try verifier.verify(airs: airs, bytes: b) }
        }
        // Truncations.
        for _ in 0..<20 {
            let n = Int(rng.next() % UInt64(bytes.count))
            #expect(throws: VerificationError.self) { try verifier.verify(airs: airs, bytes: Array(bytes.prefix(n))) }
        }
        // Random bytes, with and without a valid header.
        for k in 0..<20 {
            var b = (0..<Int(rng.next() % 4096)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if k % 2 == 0 { b = Array(bytes.prefix(12)) + b }
            #expect(throws: VerificationError.self) { try verifier.verify(airs: airs, bytes: b) }
        }
        // Huge counts must be refused before allocating.
        var huge = Array(bytes.prefix(12))
        huge += [0xff, 0xff, 0xff, 0xff, 0x0f]
        #expect(throws: VerificationError.self) { try verifier.verify(airs: airs, bytes: huge) }
    }

    @Test(
        "In-memory proofs claiming any log height are rejected, never trapping",
        arguments: [Int.max, Int.min, 0, 29, 64]
    )
    func absurdLogHeightRejected(logHeight: Int) throws {
        let (trace, publics) = FibonacciAir<F>.trace(logRows: 4)
        var proof = try StarkProver(config: config).prove([
            TableInput(air: FibonacciAir<F>(), trace: trace, publicValues: publics)
        ])
        proof.tables[0].logHeight = logHeight
        #expect(throws: VerificationError.self) {
            try StarkVerifier(config: config).verify(airs: [FibonacciAir<F>()], proof: proof)
        }
    }

    @Test func wrongStatementRejected() throws {
        let (trace, publics) = FibonacciAir<F>.trace(logRows: 4)
        let bytes = try StarkProver(config: config).prove([
            TableInput(air: FibonacciAir<F>(), trace: trace, publicValues: publics)
        ]).encoded()
        let verifier = StarkVerifier(config: config)
        for i in 0..<3 {
            var wrong = publics
            wrong[i] += .one
            #expect(throws: VerificationError.self) {
                try verifier.verify(airs: [FibonacciAir<F>()], bytes: bytes, publicValues: [wrong])
            }
        }
        // Tampering with the public values inside the proof is caught by the transcript.
        var proof = try StarkProof<F>(decoding: bytes)
        proof.tables[0].publicValues[2] += .one
        #expect(throws: VerificationError.self) { try verifier.verify(airs: [FibonacciAir<F>()], proof: proof) }
        // Other AIRs, other parameters.
        #expect(throws: VerificationError.self) { try verifier.verify(airs: airs, bytes: bytes) }
        var other = config
        other.fri.numQueries += 1
        #expect(throws: VerificationError.parameterMismatch) {
            try StarkVerifier(config: other).verify(airs: [FibonacciAir<F>()], bytes: bytes)
        }
    }
}

/// A small deterministic generator for the fuzz tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
