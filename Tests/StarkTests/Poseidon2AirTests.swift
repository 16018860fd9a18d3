import Algebra
import Hashing
import Stark
import Testing

@Suite("Poseidon2 AIR")
struct Poseidon2AirTests {
    typealias F = KoalaBear
    let config = StarkConfig<F>.testing

    /// The AIR's witness generation computes the same permutation as `Hashing` (which is
    /// checked against Plonky3's known answers).
    @Test func traceMatchesPermutation() {
        let air = Poseidon2Air<F>()
        let perm = Poseidon2<F>(width: 16)
        for seed in 0..<4 {
            var input = (0..<16).map { F(UInt32($0 * 1_000_003 + seed * 7)) }
            let (cols, out) = air.permutationColumns(input)
            #expect(cols.count == air.columnsPerPermutation)
            perm.permute(&input)
            #expect(out == input)
        }
        #expect(air.columnsPerPermutation == 164)
    }

    /// The array-free column writer (trace generation's, and ``Poseidon2Air/permutationColumns(_:)``'s)
    /// on pseudo-random inputs: its columns satisfy every constraint of the AIR (which fix each
    /// S-box column given the input) and its output is `Hashing`'s permutation (checked against
    /// Plonky3's known answers).
    @Test func writtenColumnsMatch() {
        let air = Poseidon2Air<F>()
        let perm = Poseidon2<F>(width: 16)
        var rng = UInt64(0x2545_f491_4f6c_dd1d)
        var rows: [F] = []
        for _ in 0..<8 {
            var input = (0..<16).map { _ -> F in
                rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return F(reducing: rng >> 16)
            }
            var written = [F](repeating: .zero, count: air.columnsPerPermutation)
            var output = [F](repeating: .zero, count: 16)
            input.withUnsafeBufferPointer { i in
                written.withUnsafeMutableBufferPointer { w in
                    output.withUnsafeMutableBufferPointer {
                        air.writeColumns(of: i.baseAddress!, to: w.baseAddress!, output: $0.baseAddress!)
                    }
                }
            }
            perm.permute(&input)
            #expect(output == input)
            rows += written
        }
        let trace = RowMajorMatrix(values: rows, width: air.width)
        #expect(checkConstraints(air: air, trace: trace, publicValues: []) == nil)
    }

    @Test func symbolicShape() {
        let s = AirShape(of: Poseidon2Air<F>(permutationsPerRow: 2))
        #expect(s.width == 328)
        #expect(s.numConstraints == 2 * (4 * 16 + 20 + 4 * 16))
        #expect(s.maxConstraintDegree == 3)
        #expect(s.logQuotientDegree == 1)
    }

    @Test(arguments: [1, 2])
    func proveAndVerify(perRow: Int) throws {
        let air = Poseidon2Air<F>(permutationsPerRow: perRow)
        let trace = air.trace(logRows: 3)
        #expect(checkConstraints(air: air, trace: trace, publicValues: []) == nil)
        let proof = try StarkProver(config: config).prove([TableInput(air: air, trace: trace)])
        try StarkVerifier(config: config).verify(airs: [air], bytes: proof.encoded())
    }

    @Test func forgedSboxRejected() throws {
        let air = Poseidon2Air<F>()
        var trace = air.trace(logRows: 3)
        trace[2, 40] = trace[2, 40] + .one
        #expect(checkConstraints(air: air, trace: trace, publicValues: []) != nil)
        let proof = try StarkProver(config: config).prove([TableInput(air: air, trace: trace)])
        #expect(throws: VerificationError.self) { try StarkVerifier(config: config).verify(airs: [air], proof: proof) }
    }
}
