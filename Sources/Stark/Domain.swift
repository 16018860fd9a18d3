import Algebra

/// Small helpers on two-adic domains shared by the prover and the verifier.
enum Domain {
    /// `shift · ω_{2^logSize}^{bitrev(index)}`: the point at storage row `index` of a
    /// bit-reversed evaluation over the coset `shift·H`.
    @inlinable
    static func point<F: PrimeField31>(shift: F, logSize: Int, index: Int) -> F {
        let w = F.twoAdicGenerator(logOrder: logSize)
        return shift * w.power(UInt64(reverseBits(index, bits: logSize)))
    }

    /// Powers `start · g^i` for `i` in `0..<count`.
    @inlinable
    static func powers<F: Field>(of g: F, count: Int, start: F = .one) -> [F] {
        var out = [F](repeating: .zero, count: count)
        var x = start
        for i in 0..<count {
            out[i] = x
            x *= g
        }
        return out
    }

    /// The extension element with coordinate `k` set to one (the basis `X^k`).
    @inlinable
    static func basis<F: BinomiallyExtendable>(_ k: Int) -> QuarticExtension<F> {
        var c: [F] = [.zero, .zero, .zero, .zero]
        c[k] = .one
        return QuarticExtension(coefficients: c)
    }

    /// Recombines four base-coordinate evaluations `Σ X^k · v_k`.
    @inlinable
    static func recombine<F: BinomiallyExtendable>(_ v: ArraySlice<QuarticExtension<F>>) -> QuarticExtension<F> {
        var acc = QuarticExtension<F>.zero
        for (k, x) in v.enumerated() { acc += x * basis(k) }
        return acc
    }

    /// Selectors at a point `x` of a trace domain of size `2^logN`:
    /// `Z_H(x)/(x − 1)`, `Z_H(x)/(x − ω⁻¹)`, `x − ω⁻¹`, and `Z_H(x)`.
    static func selectors<F: BinomiallyExtendable>(at x: QuarticExtension<F>, logN: Int)
        -> (first: QuarticExtension<F>, last: QuarticExtension<F>, transition: QuarticExtension<F>, zh: QuarticExtension<F>)?
    {
        let omegaInv = F.twoAdicGenerator(logOrder: logN).inverse()!
        let zh = x.exp2(logN) - .one
        guard let a = (x - .one).inverse(), let b = (x - QuarticExtension(omegaInv)).inverse() else { return nil }
        return (zh * a, zh * b, x - QuarticExtension(omegaInv), zh)
    }
}
