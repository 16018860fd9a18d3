/// Everything the generic optimal-ate pairing needs to know about a BN or BLS12 curve.
protocol PairingConfig: TowerConfig {
    associatedtype G1: CurveConfig where G1.F == Fp<M>
    associatedtype G2: CurveConfig where G2.F == Fp2<Self>
    /// M-type sextic twist (BLS12-381) rather than D-type (BN254).
    static var isMTypeTwist: Bool { get }
    /// |loop parameter| of the Miller loop, little-endian limbs (6x+2 for BN, x for BLS12).
    static var loopCount: [UInt64] { get }
    /// Whether the loop parameter is negative (BLS12-381).
    static var loopIsNegative: Bool { get }
    /// BN curves add the lines through π(Q) and −π²(Q) at the end.
    static var isBN: Bool { get }
    /// (p⁴ − p² + 1) / r in base p: digits e0…e3 (little-endian limbs each).
    static var hardExponentDigits: [[UInt64]] { get }
}

enum Pairing<P: PairingConfig> {
    typealias F2 = Fp2<P>
    typealias F12 = Fp12<P>
    typealias G1Affine = AffinePoint<P.G1>
    typealias G2Affine = AffinePoint<P.G2>

    /// A projective point (X : Y : Z) on the twist, x = X/Z, y = Y/Z.
    struct Projective {
        var x: F2
        var y: F2
        var z: F2
    }

    /// Places a line's three coefficients (already evaluated at P) into Fp12 for the twist type.
    /// M-type: c0 + c1·w² + c2·w³; D-type: c0 + c1·w + c2·w³.
    @inline(__always)
    static func lineElement(_ c0: F2, _ c1: F2, _ c2: F2) -> F12 {
        if P.isMTypeTwist {
            return F12(Fp6(c0, c1, .zero), Fp6(.zero, c2, .zero))
        } else {
            return F12(Fp6(c0, .zero, .zero), Fp6(c1, c2, .zero))
        }
    }

    /// T ← 2T and the tangent line at T evaluated at P (homogeneous coordinates; Costello–Lange–Naehrig
    /// 2010), scaled by a factor in Fp2 that the final exponentiation removes.
    static func doubleStep(_ t: inout Projective, _ px: Fp<P.M>, _ py: Fp<P.M>) -> F12 {
        let twoInv = Fp<P.M>(2).inverse()
        let a = (t.x * t.y).scaled(twoInv)
        let b = t.y.squared()
        let c = t.z.squared()
        let e = P.G2.b * (c.doubled() + c)
        let f = e.doubled() + e
        let g = (b + f).scaled(twoInv)
        let h = (t.y + t.z).squared() - (b + c)
        let i = e - b
        let j = t.x.squared()
        let eSquared = e.squared()
        t.x = a * (b - f)
        t.y = g.squared() - (eSquared.doubled() + eSquared)
        t.z = b * h
        let j3 = j.doubled() + j
        if P.isMTypeTwist {
            // (E − B) + 3X²·xP·w² − H·yP·w³
            return lineElement(i, j3.scaled(px), (-h).scaled(py))
        } else {
            // −H·yP + 3X²·xP·w + (E − B)·w³
            return lineElement((-h).scaled(py), j3.scaled(px), i)
        }
    }

    /// T ← T + Q (Q affine) and the line through T and Q evaluated at P.
    static func addStep(_ t: inout Projective, _ q: G2Affine, _ px: Fp<P.M>, _ py: Fp<P.M>) -> F12 {
        let theta = t.y - q.y * t.z
        let lambda = t.x - q.x * t.z
        let c = theta.squared()
        let d = lambda.squared()
        let e = lambda * d
        let f = t.z * c
        let g = t.x * d
        let h = e + f - g.doubled()
        t.x = lambda * h
        t.y = theta * (g - h) - e * t.y
        t.z = t.z * e
        let j = theta * q.x - lambda * q.y
        if P.isMTypeTwist {
            return lineElement(j, (-theta).scaled(px), lambda.scaled(py))
        } else {
            return lineElement(lambda.scaled(py), (-theta).scaled(px), j)
        }
    }

    /// The Miller loop f_{|loop|,Q}(P) (with the BN extra lines), for finite P and Q.
    static func millerLoop(_ p: G1Affine, _ q: G2Affine, gammas: [F2]) -> F12 {
        let loop = P.loopCount
        var top = loop.count * 64 - 1
        while top > 0 && (loop[top >> 6] >> UInt64(top & 63)) & 1 == 0 { top -= 1 }
        var f = F12.one
        var t = Projective(x: q.x, y: q.y, z: .one)
        var i = top - 1
        while i >= 0 {
            f = f.squared() * doubleStep(&t, p.x, p.y)
            if (loop[i >> 6] >> UInt64(i & 63)) & 1 == 1 {
                f = f * addStep(&t, q, p.x, p.y)
            }
            i -= 1
        }
        if P.isBN {
            // Q1 = π(Q), Q2 = π²(Q) on the twist: (x̄·γ₂, ȳ·γ₃).
            let q1 = G2Affine(x: q.x.conjugate * gammas[2], y: q.y.conjugate * gammas[3])
            let q2 = G2Affine(x: q1.x.conjugate * gammas[2], y: q1.y.conjugate * gammas[3])
            f = f * addStep(&t, q1, p.x, p.y)
            f = f * addStep(&t, q2.negated, p.x, p.y)
        }
        if P.loopIsNegative { f = f.conjugate }
        return f
    }

    /// f^((p¹² − 1) / r).
    static func finalExponentiation(_ f: F12, gammas: [F2]) -> F12 {
        let f1 = f.conjugate * f.inverse()
        let f2 = f1.frobenius(gammas).frobenius(gammas) * f1
        // f2^e with e = e0 + e1·p + e2·p² + e3·p³: a four-way simultaneous exponentiation of f2 and
        // its Frobenius images.
        let b1 = f2.frobenius(gammas)
        let b2 = b1.frobenius(gammas)
        let b3 = b2.frobenius(gammas)
        let bases = [f2, b1, b2, b3]
        var table = [F12](repeating: .one, count: 16)
        for mask in 1..<16 {
            let low = mask & (-mask)
            table[mask] = table[mask ^ low] * bases[low.trailingZeroBitCount]
        }
        let digits = P.hardExponentDigits
        let bits = digits.map { $0.count * 64 }.max() ?? 0
        var acc = F12.one
        var i = bits - 1
        while i >= 0 {
            acc = acc.squared()
            var mask = 0
            for k in 0..<4 where i >> 6 < digits[k].count && (digits[k][i >> 6] >> UInt64(i & 63)) & 1 == 1 {
                mask |= 1 << k
            }
            if mask != 0 { acc = acc * table[mask] }
            i -= 1
        }
        return acc
    }

    /// Whether Π e(Pᵢ, Qᵢ) = 1 (pairs with a point at infinity contribute 1).
    static func check(_ pairs: [(G1Affine, G2Affine)]) -> Bool {
        let gammas = P.frobeniusGammas()
        var f = F12.one
        for (p, q) in pairs where !p.isInfinity && !q.isInfinity {
            f = f * millerLoop(p, q, gammas: gammas)
        }
        if f == .one { return true }
        return finalExponentiation(f, gammas: gammas) == .one
    }
}
