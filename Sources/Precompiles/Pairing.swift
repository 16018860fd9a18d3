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
    /// (p⁴ − p² + 1) / r, little-endian limbs.
    static var hardExponent: [UInt64] { get }
}

enum Pairing<P: PairingConfig> {
    typealias F2 = Fp2<P>
    typealias F12 = Fp12<P>
    typealias G1Affine = AffinePoint<P.G1>
    typealias G2Affine = AffinePoint<P.G2>

    /// The line with slope λ through T on the twist, evaluated at P and mapped into Fp12 (up to factors
    /// in proper subfields, which the final exponentiation removes).
    @inline(__always)
    static func line(lambda: F2, tx: F2, ty: F2, px: Fp<P.M>, py: Fp<P.M>) -> F12 {
        let c = lambda * tx - ty
        let l = -lambda.scaled(px)
        let y = F2(py, .zero)
        if P.isMTypeTwist {
            // (λ·xT − yT) − λ·xP·w² + yP·w³
            return F12(Fp6(c, l, .zero), Fp6(.zero, y, .zero))
        } else {
            // yP − λ·xP·w + (λ·xT − yT)·w³
            return F12(Fp6(y, .zero, .zero), Fp6(l, c, .zero))
        }
    }

    /// One Miller-loop step adding `q` to the running point `t` (affine; nil is infinity), returning the
    /// line value (one for vertical lines, which lie in a subfield).
    static func addStep(_ t: inout G2Affine?, _ q: G2Affine, _ px: Fp<P.M>, _ py: Fp<P.M>) -> F12 {
        guard let tt = t else {
            t = q
            return .one
        }
        if tt.x == q.x {
            if tt.y == q.y { return doubleStep(&t, px, py) }
            t = nil
            return .one
        }
        let lambda = (q.y - tt.y) * (q.x - tt.x).inverse()
        let x3 = lambda.squared() - tt.x - q.x
        let y3 = lambda * (tt.x - x3) - tt.y
        t = G2Affine(x: x3, y: y3)
        return line(lambda: lambda, tx: tt.x, ty: tt.y, px: px, py: py)
    }

    static func doubleStep(_ t: inout G2Affine?, _ px: Fp<P.M>, _ py: Fp<P.M>) -> F12 {
        guard let tt = t else { return .one }
        if tt.y.isZero {
            t = nil
            return .one
        }
        let xx = tt.x.squared()
        let lambda = (xx.doubled() + xx) * tt.y.doubled().inverse()
        let x3 = lambda.squared() - tt.x.doubled()
        let y3 = lambda * (tt.x - x3) - tt.y
        t = G2Affine(x: x3, y: y3)
        return line(lambda: lambda, tx: tt.x, ty: tt.y, px: px, py: py)
    }

    /// The Miller loop f_{|loop|,Q}(P) (with the BN extra lines), for finite P and Q.
    static func millerLoop(_ p: G1Affine, _ q: G2Affine, gammas: [F2]) -> F12 {
        let loop = P.loopCount
        var top = loop.count * 64 - 1
        while top > 0 && (loop[top >> 6] >> UInt64(top & 63)) & 1 == 0 { top -= 1 }
        var f = F12.one
        var t: G2Affine? = q
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
        return f2.power(P.hardExponent)
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
