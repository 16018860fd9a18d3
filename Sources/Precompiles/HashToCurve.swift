/// RFC 9380 map-to-curve for BLS12-381 (simplified SWU on an isogenous curve, the isogeny, then
/// cofactor clearing by h_eff), as EIP-2537 uses for MAP_FP_TO_G1 and MAP_FP2_TO_G2.
enum HashToCurve {
    typealias F1 = Fp<BLS12P>
    typealias F2 = Fp2<BLS12>

    /// Σ cᵢ xⁱ by Horner's rule.
    static func evaluate<F: FieldElement>(_ coefficients: [F], at x: F) -> F {
        var acc = F.zero
        for c in coefficients.reversed() { acc = acc * x + c }
        return acc
    }

    /// Simplified SWU (RFC 9380 §6.6.2) for y² = x³ + A·x + B, generic over the field through closures
    /// for is_square, sqrt and sgn0.
    static func sswu<F: FieldElement>(
        _ u: F,
        a: F,
        b: F,
        z: F,
        isSquare: (F) -> Bool,
        sqrt: (F) -> F?,
        sgn0: (F) -> Bool
    ) -> (F, F) {
        let zu2 = z * u.squared()
        let denominator = zu2.squared() + zu2
        let tv1 = denominator.isZero ? F.zero : denominator.inverse()
        var x1 = (-b) * a.inverse() * (F.one + tv1)
        if tv1.isZero { x1 = b * (z * a).inverse() }
        let gx1 = (x1.squared() + a) * x1 + b
        var x: F
        var y: F
        if isSquare(gx1) {
            x = x1
            y = sqrt(gx1) ?? .zero
        } else {
            x = zu2 * x1
            let gx2 = (x.squared() + a) * x + b
            y = sqrt(gx2) ?? .zero
        }
        if sgn0(u) != sgn0(y) { y = -y }
        return (x, y)
    }

    static func mapToG1(_ u: F1) -> JacobianPoint<BLS12.G1> {
        let (xp, yp) = sswu(
            u,
            a: BLS12.iso11A,
            b: BLS12.iso11B,
            z: BLS12.iso11Z,
            isSquare: { $0.isSquare },
            sqrt: { $0.squareRoot() },
            sgn0: { $0.isOdd }
        )
        let x = evaluate(BLS12.iso11XNum, at: xp) * evaluate(BLS12.iso11XDen, at: xp).inverse()
        let y = yp * evaluate(BLS12.iso11YNum, at: xp) * evaluate(BLS12.iso11YDen, at: xp).inverse()
        // The isogeny's kernel points map to infinity (denominator zero); inverse() maps 0 to 0, so
        // detect that case explicitly.
        if evaluate(BLS12.iso11XDen, at: xp).isZero || evaluate(BLS12.iso11YDen, at: xp).isZero {
            return .infinity
        }
        return AffinePoint<BLS12.G1>(x: x, y: y).jacobian.multiplied(byLimbs: BLS12.hEffG1)
    }

    static func mapToG2(_ u: F2) -> JacobianPoint<BLS12.G2> {
        let (xp, yp) = sswu(
            u,
            a: BLS12.iso3A,
            b: BLS12.iso3B,
            z: BLS12.iso3Z,
            isSquare: { v in (v.c0.squared() + v.c1.squared()).isSquare },
            sqrt: { $0.squareRoot() },
            sgn0: { $0.sgn0 }
        )
        let xDen = evaluate(BLS12.iso3XDen, at: xp)
        let yDen = evaluate(BLS12.iso3YDen, at: xp)
        if xDen.isZero || yDen.isZero { return .infinity }
        let x = evaluate(BLS12.iso3XNum, at: xp) * xDen.inverse()
        let y = yp * evaluate(BLS12.iso3YNum, at: xp) * yDen.inverse()
        return AffinePoint<BLS12.G2>(x: x, y: y).jacobian.multiplied(byLimbs: BLS12.hEffG2)
    }
}
