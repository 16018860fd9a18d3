import Algebra
import Stark
import Testing

@Suite("Fibonacci AIR")
struct FibonacciTests {
    typealias F = KoalaBear
    let config = StarkConfig<F>.testing

    @Test func symbolicShape() {
        let s = AirShape(of: FibonacciAir<F>())
        #expect(s.numConstraints == 5)
        #expect(s.maxConstraintDegree == 2)
        #expect(s.logQuotientDegree == 0)
    }

    @Test(arguments: [1, 3, 6])
    func proveAndVerify(logRows: Int) throws {
        let (trace, publics) = FibonacciAir<F>.trace(logRows: logRows)
        #expect(checkConstraints(air: FibonacciAir<F>(), trace: trace, publicValues: publics) == nil)
        let proof = try StarkProver(config: config).prove([
            TableInput(air: FibonacciAir<F>(), trace: trace, publicValues: publics)
        ])
        try StarkVerifier(config: config).verify(airs: [FibonacciAir<F>()], proof: proof, publicValues: [publics])
        let bytes = proof.encoded()
        try StarkVerifier(config: config).verify(airs: [FibonacciAir<F>()], bytes: bytes)
    }

    @Test func knownValue() {
        // F(0)=0, F(1)=1: the last b of 2^5 rows is Fib(32) = 2178309.
        let (_, publics) = FibonacciAir<F>.trace(logRows: 5)
        #expect(publics[2] == F(2_178_309))
    }

    @Test func wrongResultRejected() throws {
        let (trace, publics) = FibonacciAir<F>.trace(logRows: 4)
        var wrong = publics
        wrong[2] = wrong[2] + .one
        #expect(checkConstraints(air: FibonacciAir<F>(), trace: trace, publicValues: wrong) != nil)
        // The prover does not check by default: it produces a proof that does not verify.
        let proof = try StarkProver(config: config).prove([
            TableInput(air: FibonacciAir<F>(), trace: trace, publicValues: wrong)
        ])
        #expect(throws: VerificationError.self) {
            try StarkVerifier(config: config).verify(airs: [FibonacciAir<F>()], proof: proof)
        }
        // And a valid proof does not verify against other public values.
        let good = try StarkProver(config: config).prove([
            TableInput(air: FibonacciAir<F>(), trace: trace, publicValues: publics)
        ])
        #expect(throws: VerificationError.publicValuesMismatch(table: 0)) {
            try StarkVerifier(config: config).verify(airs: [FibonacciAir<F>()], proof: good, publicValues: [wrong])
        }
    }

    @Test func forgedTraceRejected() throws {
        var (trace, publics) = FibonacciAir<F>.trace(logRows: 4)
        trace[7, 1] = trace[7, 1] + .one  // breaks the recurrence in the middle
        #expect(checkConstraints(air: FibonacciAir<F>(), trace: trace, publicValues: publics) != nil)
        #expect(throws: ProverError.self) {
            _ = try StarkProver(config: config).prove(
                [TableInput(air: FibonacciAir<F>(), trace: trace, publicValues: publics)],
                options: ProvingOptions(checkConstraints: true))
        }
        let proof = try StarkProver(config: config).prove([
            TableInput(air: FibonacciAir<F>(), trace: trace, publicValues: publics)
        ])
        #expect(throws: VerificationError.self) {
            try StarkVerifier(config: config).verify(airs: [FibonacciAir<F>()], proof: proof)
        }
    }

    @Test func insecureConfigurationRefused() {
        let (trace, publics) = FibonacciAir<F>.trace(logRows: 3)
        let strict = StarkConfig<F>(fri: .testing)
        #expect(throws: ProverError.self) {
            _ = try StarkProver(config: strict).prove([
                TableInput(air: FibonacciAir<F>(), trace: trace, publicValues: publics)
            ])
        }
    }

    @Test func babyBearToo() throws {
        let cfg = StarkConfig<BabyBear>.testing
        let (trace, publics) = FibonacciAir<BabyBear>.trace(logRows: 3)
        let proof = try StarkProver(config: cfg).prove([
            TableInput(air: FibonacciAir<BabyBear>(), trace: trace, publicValues: publics)
        ])
        try StarkVerifier(config: cfg).verify(airs: [FibonacciAir<BabyBear>()], proof: proof)
    }
}
