/// A pairing-friendly tower Fp ⊂ Fp2 = Fp[u]/(u² + 1) ⊂ Fp6 = Fp2[v]/(v³ − ξ) ⊂ Fp12 = Fp6[w]/(w² − v),
/// with ξ = c + u. BN254 has c = 9, BLS12-381 has c = 1.
protocol TowerConfig {
    associatedtype M: MontgomeryModulus
    /// The real part c of ξ = c + u.
    static var xiReal: UInt64 { get }
}

/// Fp2 = Fp[u]/(u² + 1).
struct Fp2<T: TowerConfig>: FieldElement {
    typealias Base = Fp<T.M>
    var c0: Base
    var c1: Base

    init(_ c0: Base, _ c1: Base) {
        self.c0 = c0
        self.c1 = c1
    }

    static var zero: Fp2 { Fp2(.zero, .zero) }
    static var one: Fp2 { Fp2(.one, .zero) }
    var isZero: Bool { c0.isZero && c1.isZero }

    static func + (a: Fp2, b: Fp2) -> Fp2 { Fp2(a.c0 + b.c0, a.c1 + b.c1) }
    static func - (a: Fp2, b: Fp2) -> Fp2 { Fp2(a.c0 - b.c0, a.c1 - b.c1) }
    static prefix func - (a: Fp2) -> Fp2 { Fp2(-a.c0, -a.c1) }

    static func * (a: Fp2, b: Fp2) -> Fp2 {
        let v0 = a.c0 * b.c0
        let v1 = a.c1 * b.c1
        return Fp2(v0 - v1, (a.c0 + a.c1) * (b.c0 + b.c1) - v0 - v1)
    }

    func squared() -> Fp2 {
        // (a + bu)² = (a + b)(a − b) + 2ab·u
        let ab = c0 * c1
        return Fp2((c0 + c1) * (c0 - c1), ab + ab)
    }

    /// Multiplication by an Fp element.
    func scaled(_ k: Base) -> Fp2 { Fp2(c0 * k, c1 * k) }

    func inverse() -> Fp2 {
        let t = (c0.squared() + c1.squared()).inverse()
        return Fp2(c0 * t, -(c1 * t))
    }

    /// The conjugate a − bu (the p-power Frobenius).
    var conjugate: Fp2 { Fp2(c0, -c1) }

    /// Multiplication by ξ = c + u: (a + bu)(c + u) = (ca − b) + (a + cb)u.
    func mulByXi() -> Fp2 {
        let c = T.xiReal
        let ca = c == 1 ? c0 : c0.times(c)
        let cb = c == 1 ? c1 : c1.times(c)
        return Fp2(ca - c1, c0 + cb)
    }

    /// A square root, or nil (p ≡ 3 mod 4; Adj & Rodríguez-Henríquez, algorithm 9).
    func squareRoot() -> Fp2? {
        if isZero { return self }
        // a1 = self^((p − 3) / 4)
        var e = Base.modulusMinus(3)
        for _ in 0..<2 {
            for i in 0..<e.count { e[i] = (e[i] >> 1) | (i + 1 < e.count ? e[i + 1] << 63 : 0) }
        }
        let a1 = power(e)
        let alpha = a1.squared() * self
        let x0 = a1 * self
        let minusOne = -Fp2.one
        var x: Fp2
        if alpha == minusOne {
            x = Fp2(-x0.c1, x0.c0)  // u·x0
        } else {
            let b = (Fp2.one + alpha).power(Base.halfOrder)
            x = b * x0
        }
        return x.squared() == self ? x : nil
    }

    /// RFC 9380 sgn0 for m = 2.
    var sgn0: Bool {
        let sign0 = c0.isOdd
        let zero0 = c0.isZero
        return sign0 || (zero0 && c1.isOdd)
    }
}

/// Fp6 = Fp2[v]/(v³ − ξ).
struct Fp6<T: TowerConfig>: FieldElement {
    typealias F2 = Fp2<T>
    var c0: F2
    var c1: F2
    var c2: F2

    init(_ c0: F2, _ c1: F2, _ c2: F2) {
        self.c0 = c0
        self.c1 = c1
        self.c2 = c2
    }

    static var zero: Fp6 { Fp6(.zero, .zero, .zero) }
    static var one: Fp6 { Fp6(.one, .zero, .zero) }
    var isZero: Bool { c0.isZero && c1.isZero && c2.isZero }

    static func + (a: Fp6, b: Fp6) -> Fp6 { Fp6(a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2) }
    static func - (a: Fp6, b: Fp6) -> Fp6 { Fp6(a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2) }
    static prefix func - (a: Fp6) -> Fp6 { Fp6(-a.c0, -a.c1, -a.c2) }

    static func * (a: Fp6, b: Fp6) -> Fp6 {
        let t0 = a.c0 * b.c0
        let t1 = a.c1 * b.c1
        let t2 = a.c2 * b.c2
        let c0 = t0 + ((a.c1 + a.c2) * (b.c1 + b.c2) - t1 - t2).mulByXi()
        let c1 = (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1 + t2.mulByXi()
        let c2 = (a.c0 + a.c2) * (b.c0 + b.c2) - t0 - t2 + t1
        return Fp6(c0, c1, c2)
    }

    /// Multiplication by v: (a0, a1, a2)·v = (ξ·a2, a0, a1).
    func mulByV() -> Fp6 { Fp6(c2.mulByXi(), c0, c1) }

    func inverse() -> Fp6 {
        let a = c0.squared() - (c1 * c2).mulByXi()
        let b = c2.squared().mulByXi() - c0 * c1
        let c = c1.squared() - c0 * c2
        let f = c0 * a + (c2 * b + c1 * c).mulByXi()
        let fi = f.inverse()
        return Fp6(a * fi, b * fi, c * fi)
    }
}

/// Fp12 = Fp6[w]/(w² − v).
struct Fp12<T: TowerConfig>: FieldElement {
    typealias F6 = Fp6<T>
    typealias F2 = Fp2<T>
    var c0: F6
    var c1: F6

    init(_ c0: F6, _ c1: F6) {
        self.c0 = c0
        self.c1 = c1
    }

    static var zero: Fp12 { Fp12(.zero, .zero) }
    static var one: Fp12 { Fp12(.one, .zero) }
    var isZero: Bool { c0.isZero && c1.isZero }

    static func + (a: Fp12, b: Fp12) -> Fp12 { Fp12(a.c0 + b.c0, a.c1 + b.c1) }
    static func - (a: Fp12, b: Fp12) -> Fp12 { Fp12(a.c0 - b.c0, a.c1 - b.c1) }
    static prefix func - (a: Fp12) -> Fp12 { Fp12(-a.c0, -a.c1) }

    static func * (a: Fp12, b: Fp12) -> Fp12 {
        let t0 = a.c0 * b.c0
        let t1 = a.c1 * b.c1
        return Fp12(t0 + t1.mulByV(), (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1)
    }

    func squared() -> Fp12 {
        // (a + bw)² = a² + b²v + 2ab·w, with a² + b²v = (a + b)(a + bv) − ab − ab·v
        let ab = c0 * c1
        let c0n = (c0 + c1) * (c0 + c1.mulByV()) - ab - ab.mulByV()
        return Fp12(c0n, ab + ab)
    }

    func inverse() -> Fp12 {
        let t = (c0.squared() - c1.squared().mulByV()).inverse()
        return Fp12(c0 * t, -(c1 * t))
    }

    /// The conjugate a − bw (the p⁶-power Frobenius).
    var conjugate: Fp12 { Fp12(c0, -c1) }

    /// Coefficients in the basis 1, w, …, w⁵ over Fp2.
    init(w e: [F2]) {
        self.init(Fp6(e[0], e[2], e[4]), Fp6(e[1], e[3], e[5]))
    }

    var wCoefficients: [F2] { [c0.c0, c1.c0, c0.c1, c1.c1, c0.c2, c1.c2] }

    /// The p-power Frobenius, given γᵢ = ξ^(i(p−1)/6) for i = 0…5.
    func frobenius(_ gamma: [F2]) -> Fp12 {
        let e = wCoefficients
        var r = [F2]()
        r.reserveCapacity(6)
        for i in 0..<6 { r.append(e[i].conjugate * gamma[i]) }
        return Fp12(w: r)
    }
}

extension TowerConfig {
    /// γᵢ = ξ^(i(p−1)/6), i = 0…5, for the Frobenius on Fp12.
    static func frobeniusGammas() -> [Fp2<Self>] {
        // (p − 1) / 6 by short division.
        var e = Fp<M>.modulusMinus(1)
        var rem: UInt64 = 0
        for i in stride(from: e.count - 1, through: 0, by: -1) {
            let (q, r) = UInt64(6).dividingFullWidth((rem, e[i]))
            e[i] = q
            rem = r
        }
        let xi = Fp2<Self>(Fp<M>(xiReal), .one)
        let g1 = xi.power(e)
        var out = [Fp2<Self>.one]
        for _ in 1..<6 { out.append(out[out.count - 1] * g1) }
        return out
    }
}
