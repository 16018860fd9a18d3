import Recursion
import Stark
import Testing
import VMRecursion

/// The production recursion configurations prove ≥ 100 bits up to the Johnson bound for every
/// shape they are used at: recursion proofs (``RunRecursion/recursionParameters``) from the
/// smallest shape up to one above the largest leaf's (2^20 / 2^17 / 2^17 rows), the compress and
/// final proofs at the heights their circuits take.
@Suite struct RecursionParametersTests {
    static func bits(_ shape: RecursionShape, _ fri: FriParameters) -> Int {
        let airs = RecursionVerifyingKey.airs(shape: shape, publicCount: SegmentStatement.count)
        let logHeights = RecursionVerifyingKey.heights(shape: shape, publicCount: SegmentStatement.count)
            .map(\.trailingZeroBitCount)
        let sp = soundnessParameters(
            shapes: airs.map { AirShape(of: $0) },
            logHeights: logHeights,
            fri: fri,
            fieldType: RF.self
        )
        return Soundness.report(sp, regime: .johnsonBound).bits
    }

    static func shape(_ arith: Int, _ poseidon2: Int, _ input: Int) -> RecursionShape {
        RecursionShape(arith: 1 << arith, poseidon2: 1 << poseidon2, input: 1 << input)
    }

    /// Shapes a recursion proof can have: the smallest, the aggregate's, a large leaf's and one
    /// above the largest leaf's.
    static let recursionShapes = [shape(8, 8, 8), shape(18, 16, 16), shape(20, 17, 17), shape(21, 18, 18)]

    @Test(arguments: recursionShapes)
    func recursionProofsHave100ProvenBits(_ shape: RecursionShape) {
        let bits = Self.bits(shape, RunRecursion.recursionParameters)
        #expect(bits >= 100, "\(shape): \(bits) bits")
    }

    /// Compress circuits of up to 2^18 / 2^16 / 2^16 rows, wrap circuits of up to 2^17 / 2^15 /
    /// 2^15 (each about twice what it takes today).
    @Test func compressAndFinalProofsHave100ProvenBits() {
        for s in [Self.shape(8, 8, 8), Self.shape(18, 16, 16)] {
            #expect(Self.bits(s, RunRecursion.compressParameters) >= 100, "compress at \(s)")
        }
        for s in [Self.shape(8, 8, 8), Self.shape(17, 15, 15)] {
            #expect(Self.bits(s, RunRecursion.finalParameters) >= 100, "final at \(s)")
        }
    }

    /// The bound is tight enough to matter: fewer queries or less grinding fall below 100 bits.
    @Test func weakerRecursionParametersFallShort() {
        var fewerQueries = RunRecursion.recursionParameters
        fewerQueries.numQueries -= 4
        var lessGrinding = RunRecursion.recursionParameters
        lessGrinding.phasePowBits -= 6
        lessGrinding.commitPowBits -= 6
        for fri in [fewerQueries, lessGrinding] {
            #expect(Self.bits(Self.shape(21, 18, 18), fri) < 100)
        }
        var fewerCompressQueries = RunRecursion.compressParameters
        fewerCompressQueries.numQueries -= 4
        #expect(Self.bits(Self.shape(18, 16, 16), fewerCompressQueries) < 100)
    }
}
