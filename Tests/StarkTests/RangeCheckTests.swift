import Algebra
import Stark
import Testing

@Suite("LogUp range check (two tables)")
struct RangeCheckTests {
    typealias F = KoalaBear
    let config = StarkConfig<F>.testing
    let airs: [any Air<F>] = [U16ValuesAir<F>(), ByteTableAir<F>()]

    static func values(_ n: Int) -> [UInt32] { (0..<n).map { UInt32(($0 * 40_503 + 17) & 0xffff) } }

    @Test func shapes() {
        let s = AirShape(of: U16ValuesAir<F>())
        #expect(s.interactions.count == 2)
        #expect(s.interactions.allSatisfy { $0.bus == .bytes && $0.arity == 1 })
        #expect(s.maxConstraintDegree == 2)
        let t = AirShape(of: ByteTableAir<F>())
        #expect(t.preprocessedWidth == 1)
        #expect(t.interactions.count == 1)
    }

    @Test(arguments: [4, 32, 512])
    func proveAndVerify(count: Int) throws {
        let tables = rangeCheckTables(values: Self.values(count), field: F.self)
        let proof = try StarkProver(config: config).prove(tables, options: ProvingOptions(checkConstraints: true))
        #expect(proof.tables[0].cumulativeSum! + proof.tables[1].cumulativeSum! == .zero)
        try StarkVerifier(config: config).verify(airs: airs, bytes: proof.encoded())
    }

    /// 70000 = 0x11170 written as lo = 0x70, hi = 0x111 satisfies the value constraint but
    /// `hi` is not a byte: the multisets differ and the proof must fail.
    @Test func outOfRangeValueRejected() throws {
        var values = Self.values(8)
        values[3] = 70_000
        var trace = U16ValuesAir<F>.trace(values: values)
        trace[3, 0] = F(70_000)
        trace[3, 1] = F(0x70)
        trace[3, 2] = F(0x111)
        #expect(checkConstraints(air: U16ValuesAir<F>(), trace: trace, publicValues: []) == nil)
        var counts = [UInt32](repeating: 0, count: 256)
        for (i, v) in values.enumerated() where i != 3 {
            counts[Int(v & 0xff)] += 1
            counts[Int(v >> 8)] += 1
        }
        counts[0x70] += 1
        let bytes = RowMajorMatrix(values: counts.map { F($0) }, width: 1)
        let tables = [TableInput(air: U16ValuesAir<F>(), trace: trace), TableInput(air: ByteTableAir<F>(), trace: bytes)]
        #expect(throws: ProverError.unbalancedBuses) { _ = try StarkProver(config: config).prove(tables) }
        let proof = try StarkProver(config: config).prove(tables, options: ProvingOptions(checkBuses: false))
        #expect(throws: VerificationError.unbalancedBuses) {
            try StarkVerifier(config: config).verify(airs: airs, proof: proof)
        }
    }

    /// Claiming a different multiplicity in the byte table is caught too.
    @Test func wrongMultiplicityRejected() throws {
        let values = Self.values(16)
        var tables = rangeCheckTables(values: values, field: F.self)
        tables[1].trace[5, 0] = tables[1].trace[5, 0] + .one
        let proof = try StarkProver(config: config).prove(tables, options: ProvingOptions(checkBuses: false))
        #expect(throws: VerificationError.self) { try StarkVerifier(config: config).verify(airs: airs, proof: proof) }
    }
}
