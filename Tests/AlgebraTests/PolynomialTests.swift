import Algebra
import Testing

@Suite("Polynomials")
struct PolynomialTests {
    func randomExt<F: BinomiallyExtendable>(_: F.Type, _ rng: inout some RandomNumberGenerator) -> QuarticExtension<F> {
        QuarticExtension(F(rng.next()), F(rng.next()), F(rng.next()), F(rng.next()))
    }

    func checkSinglePolynomial<F: BinomiallyExtendable>(_: F.Type) {
        var rng = SystemRandomNumberGenerator()
        for logN in [0, 1, 3, 6] {
            let n = 1 << logN
            let coeffs = (0..<n).map { _ in F(rng.next()) }
            let shift = F.generator
            let points = Polynomial.cosetPoints(count: n, shift: shift)
            let evals = Polynomial.cosetDFT(coeffs, shift: shift)
            #expect(evals == points.map { Polynomial.evaluate(coeffs, at: $0) })
            #expect(Polynomial.cosetIDFT(evals, shift: shift) == coeffs)
            #expect(Polynomial.idft(Polynomial.dft(coeffs)) == coeffs)

            // Extension-field coefficients: each evaluation is Horner at the point.
            let ext = (0..<n).map { _ in randomExt(F.self, &rng) }
            let extEvals = Polynomial.cosetDFT(ext, shift: shift)
            #expect(extEvals == points.map { Polynomial.evaluate(ext, at: QuarticExtension<F>($0)) })
            #expect(Polynomial.cosetIDFT(extEvals, shift: shift) == ext)
            #expect(Polynomial.idft(Polynomial.dft(ext)) == ext)

            // Barycentric evaluation at an out-of-domain extension point agrees with Horner.
            let z = randomExt(F.self, &rng)
            let direct = Polynomial.evaluate(coeffs, at: z)
            #expect(Polynomial.evaluateOnCoset(evals, shift: shift, at: z) == direct)
            #expect(
                Polynomial.evaluateOnCoset(bitReversed(evals), shift: shift, at: z, order: .bitReversed) == direct
            )
            #expect(Polynomial.evaluateOnCoset(extEvals, shift: shift, at: z) == Polynomial.evaluate(ext, at: z))
            // At a point of the coset the formula degenerates; the value is the evaluation there.
            let inDomain = QuarticExtension<F>(points[n - 1])
            #expect(Polynomial.evaluateOnCoset(evals, shift: shift, at: inDomain) == QuarticExtension(evals[n - 1]))

            // All columns of a matrix at once.
            let m = randomMatrix(F.self, width: 5, height: n, seed: UInt64(logN))
            let atZ: [QuarticExtension<F>] = m.evaluateOnCoset(shift: shift, at: z)
            let colCoeffs = m.cosetIDFT(shift: shift)
            #expect(atZ == (0..<5).map { Polynomial.evaluate(colCoeffs.column($0), at: z) })
            let atZRev: [QuarticExtension<F>] = m.bitReversedRows().evaluateOnCoset(
                shift: shift,
                at: z,
                order: .bitReversed
            )
            #expect(atZRev == atZ)
        }
    }

    @Test func koalaBear() { checkSinglePolynomial(KoalaBear.self) }
    @Test func babyBear() { checkSinglePolynomial(BabyBear.self) }

    @Test func hornerSmall() {
        // 3 + 2x + x^2 at x = 5 is 38.
        #expect(Polynomial.evaluate([KoalaBear(3), 2, 1], at: 5) == KoalaBear(38))
        #expect(Polynomial.evaluate([KoalaBear](), at: 5) == .zero)
    }

    @Test func largeMatrixBarycentricIsMultiThreaded() {
        let m = randomMatrix(KoalaBear.self, width: 8, height: 1 << 12, seed: 11)
        let z = KoalaBearExt4(KoalaBear(5), 7, 11, 13)
        let got: [KoalaBearExt4] = m.evaluateOnCoset(shift: KoalaBear.generator, at: z)
        let coeffs = m.cosetIDFT(shift: KoalaBear.generator)
        #expect(got == (0..<8).map { Polynomial.evaluate(coeffs.column($0), at: z) })
    }
}
