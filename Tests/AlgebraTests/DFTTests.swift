import Algebra
import Testing

/// Naive O(n^2) evaluation of every column polynomial at `shift·ω^i`.
func naiveCosetDFT<F: PrimeField31>(_ m: RowMajorMatrix<F>, shift: F) -> RowMajorMatrix<F> {
    let n = m.height
    let omega = F.twoAdicGenerator(logOrder: log2Strict(n))
    var out = RowMajorMatrix<F>(width: m.width, height: n)
    var x = shift
    for i in 0..<n {
        for c in 0..<m.width {
            var acc = F.zero
            for j in stride(from: n - 1, through: 0, by: -1) { acc = acc * x + m[j, c] }
            out[i, c] = acc
        }
        x = x * omega
    }
    return out
}

func randomMatrix<F: PrimeField31>(_: F.Type, width: Int, height: Int, seed: UInt64) -> RowMajorMatrix<F> {
    var state = seed &+ 0x9e37_79b9_7f4a_7c15
    func next() -> UInt32 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt32(truncatingIfNeeded: state >> 33)
    }
    return RowMajorMatrix(values: (0..<(width * height)).map { _ in F(next()) }, width: width)
}

struct DFTShape: Sendable, CustomTestStringConvertible {
    var logHeight: Int
    var width: Int
    var testDescription: String { "2^\(logHeight) x \(width)" }
}

let dftShapes: [DFTShape] = [
    .init(logHeight: 0, width: 3), .init(logHeight: 1, width: 1), .init(logHeight: 2, width: 9),
    .init(logHeight: 3, width: 8), .init(logHeight: 4, width: 1), .init(logHeight: 5, width: 17),
    .init(logHeight: 6, width: 4), .init(logHeight: 7, width: 16), .init(logHeight: 8, width: 3),
]

@Suite("Two-adic DFT")
struct DFTTests {
    func checkAgainstNaive<F: PrimeField31>(_: F.Type, _ shape: DFTShape) {
        let m = randomMatrix(F.self, width: shape.width, height: 1 << shape.logHeight, seed: UInt64(shape.width))
        let expected = naiveCosetDFT(m, shift: .one)
        #expect(m.dft() == expected)
        #expect(m.dftBitReversed() == expected.bitReversedRows())
        #expect(expected.idft() == m)
        let shift = F.generator
        let cosetExpected = naiveCosetDFT(m, shift: shift)
        #expect(m.cosetDFT(shift: shift) == cosetExpected)
        #expect(cosetExpected.cosetIDFT(shift: shift) == m)
    }

    @Test("KoalaBear DFT matches the naive DFT", arguments: dftShapes)
    func koalaBearNaive(shape: DFTShape) { checkAgainstNaive(KoalaBear.self, shape) }

    @Test("BabyBear DFT matches the naive DFT", arguments: dftShapes)
    func babyBearNaive(shape: DFTShape) { checkAgainstNaive(BabyBear.self, shape) }

    @Test("inverse after forward is the identity, multi-threaded sizes", arguments: [(12, 8), (11, 33), (16, 1)])
    func roundTripLarge(logHeight: Int, width: Int) {
        let m = randomMatrix(KoalaBear.self, width: width, height: 1 << logHeight, seed: 7)
        #expect(m.dft().idft() == m)
        #expect(m.idft().dft() == m)
        let b = randomMatrix(BabyBear.self, width: width, height: 1 << logHeight, seed: 8)
        #expect(b.cosetDFT(shift: BabyBear.generator).cosetIDFT(shift: BabyBear.generator) == b)
    }

    func checkLDE<F: PrimeField31>(_: F.Type, logHeight: Int, width: Int, logBlowup: Int) {
        let evals = randomMatrix(F.self, width: width, height: 1 << logHeight, seed: 3)
        let coeffs = evals.idft()
        let padded = coeffs.paddedWithZeroRows(to: (1 << logHeight) << logBlowup)
        let shift = F.generator
        let expected = naiveCosetDFT(padded, shift: shift)
        let lde = evals.cosetLDE(logBlowup: logBlowup, shift: shift)
        #expect(lde == expected)
        #expect(evals.cosetLDEBitReversed(logBlowup: logBlowup, shift: shift) == expected.bitReversedRows())
    }

    @Test(
        "coset LDE agrees with direct evaluation",
        arguments: [(0, 2, 1), (3, 9, 1), (4, 8, 2), (5, 3, 3), (2, 16, 0)]
    )
    func cosetLDE(logHeight: Int, width: Int, logBlowup: Int) {
        checkLDE(KoalaBear.self, logHeight: logHeight, width: width, logBlowup: logBlowup)
        checkLDE(BabyBear.self, logHeight: logHeight, width: width, logBlowup: logBlowup)
    }

    @Test func bitReversal() {
        #expect(reverseBits(1, bits: 3) == 4)
        #expect(reverseBits(6, bits: 3) == 3)
        #expect(reverseBits(0b1011, bits: 4) == 0b1101)
        #expect(reverseBits(5, bits: 0) == 0)
        var xs = Array(0..<8)
        bitReversePermute(&xs)
        #expect(xs == [0, 4, 2, 6, 1, 5, 3, 7])
        let m = RowMajorMatrix<KoalaBear>(values: (0..<16).map { KoalaBear(UInt32($0)) }, width: 2)
        #expect(m.bitReversedRows().column(0).map(\.canonical) == [0, 8, 4, 12, 2, 10, 6, 14])
        #expect(m.bitReversedRows().bitReversedRows() == m)
        // The tiled out-of-place permutation agrees with the in-place one.
        for (logHeight, width) in [(10, 3), (9, 8), (3, 2)] {
            let big = randomMatrix(KoalaBear.self, width: width, height: 1 << logHeight, seed: 5)
            var out = [KoalaBear](repeating: .zero, count: big.values.count)
            big.values.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { bitReverseRowsCopy(from: src, to: $0, width: width) }
            }
            #expect(out == big.bitReversedRows().values)
            #expect(big.bitReversedRows().row(1) == big.row(1 << (logHeight - 1)))
        }
    }

    @Test func matrixBasics() {
        let m = RowMajorMatrix<KoalaBear>(rows: [[1, 2, 3], [4, 5, 6]])
        #expect(m.height == 2 && m.width == 3)
        #expect(m.transposed() == RowMajorMatrix(rows: [[1, 4], [2, 5], [3, 6]]))
        #expect(m.transposed().transposed() == m)
        #expect(RowMajorMatrix(columns: [[1, 4], [2, 5], [3, 6]]) == m)
        #expect(m.column(1) == [2, 5])
        #expect(Array(m.row(1)) == [4, 5, 6])
        #expect(m.verticallyStrided(stride: 2, offset: 1) == RowMajorMatrix(rows: [[4, 5, 6]]))
        let big = randomMatrix(BabyBear.self, width: 37, height: 70, seed: 1)
        #expect(big.transposed().transposed() == big)
        #expect(big.transposed()[5, 69] == big[69, 5])
    }
}
