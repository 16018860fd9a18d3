import Algebra
import Stark
import Testing

@Suite("Example statements (the CLI's and the fuzzer's)")
struct ExampleStatementTests {
    typealias F = KoalaBear
    let config = StarkConfig<F>.testing

    /// Every statement proves at a small size, and its tables use the AIRs a verifier gets.
    @Test(arguments: ExampleStatement.allCases)
    func proveAndVerify(example: ExampleStatement) throws {
        let logRows = example == .rangeCheck ? 8 : 5
        let input = example.input(logRows: logRows, permutationsPerRow: 2, field: F.self)
        let airs = example.airs(logRows: logRows, permutationsPerRow: 2, field: F.self)
        #expect(input.tables.map { $0.air.name } == airs.map(\.name))
        let count = example == .poseidon2 ? 2 << logRows : 1 << logRows  // steps, permutations or values
        #expect(input.summary.contains(example == .fibonacci ? "after \(count) steps" : "\(count) "))
        let proof = try StarkProver(config: config).prove(input.tables, options: ProvingOptions(checkConstraints: true))
        try StarkVerifier(config: config).verify(airs: airs, bytes: proof.encoded())
    }

    /// The committed values are part of the statement: a verifier that rebuilds them at another
    /// size gets another preprocessed root and rejects.
    @Test func committedValuesBindTheSize() throws {
        let example = ExampleStatement.committedRange
        let proof = try StarkProver(config: config).prove(example.input(logRows: 6, field: F.self).tables)
        #expect(throws: VerificationError.self) {
            try StarkVerifier(config: config).verify(airs: example.airs(logRows: 5, field: F.self), proof: proof)
        }
    }

    /// The range-check values are the fuzzer's and the CLI's: below 2^16, any 256 in a row with
    /// distinct low bytes.
    @Test func values() {
        let values = ExampleStatement.values(count: 512)
        #expect(values.prefix(3) == [17, 40_520, 15_487])
        #expect(values.allSatisfy { $0 < 1 << 16 })
        #expect(Set(values[100..<356].map { $0 & 0xff }).count == 256)
    }
}
