import Algebra

/// Eight field elements in the lanes of one 256-bit vector, Montgomery form,
/// each lane reduced to `0..<p`. The working type of packed Poseidon2: it has
/// exactly the arithmetic the permutation needs and no more.
@frozen
public struct Poseidon2Lanes<F: Poseidon2Field>: Poseidon2Arithmetic, Sendable {
    /// Lane `i` holds the Montgomery representative of element `i`.
    public var words: SIMD8<UInt32>

    /// The number of lanes.
    @inlinable public static var count: Int { 8 }

    /// Wraps 8 Montgomery representatives, each `< p`.
    @inlinable @inline(__always)
    public init(words: SIMD8<UInt32>) { self.words = words }

    /// All lanes equal to `value`.
    @inlinable @inline(__always)
    public init(repeating value: F) { self.words = SIMD8(repeating: value.montgomery) }

    /// Lane `i`.
    @inlinable
    public subscript(lane lane: Int) -> F {
        get { F(montgomery: words[lane]) }
        set { words[lane] = newValue.montgomery }
    }

    @inlinable @inline(__always)
    static var primes: SIMD8<UInt32> { SIMD8(repeating: F.Parameters.prime) }

    /// Lane-wise unsigned minimum (one `vpminud`).
    @inlinable @inline(__always)
    static func minimum(_ a: SIMD8<UInt32>, _ b: SIMD8<UInt32>) -> SIMD8<UInt32> {
        // Written lane by lane and forced inline so LLVM sees `umin` on the vector.
        var r = a
        for i in 0..<8 { r[i] = Swift.min(a[i], b[i]) }
        return r
    }

    @inlinable @inline(__always)
    public static func + (lhs: Self, rhs: Self) -> Self {
        let s = lhs.words &+ rhs.words
        return Self(words: minimum(s, s &- primes))
    }

    @inlinable @inline(__always)
    public static func - (lhs: Self, rhs: Self) -> Self {
        let d = lhs.words &- rhs.words
        return Self(words: minimum(d, d &+ primes))
    }

    /// Montgomery multiplication. The 64-bit products of even and odd lanes come
    /// from `vpmuludq`; `q = x mu mod 2^32` from 32-bit lane products (`vpmulld`,
    /// since only the low word of each product matters); then
    /// `d = (x - q p) / 2^32` in `(-p, p)`, plus `p` when negative.
    @inlinable @inline(__always)
    public static func * (lhs: Self, rhs: Self) -> Self {
        let low = SIMD4<UInt64>(repeating: 0xffff_ffff)
        let a = unsafeBitCast(lhs.words, to: SIMD4<UInt64>.self)
        let b = unsafeBitCast(rhs.words, to: SIMD4<UInt64>.self)
        let p = SIMD4<UInt64>(repeating: UInt64(F.Parameters.prime))
        let xe = (a & low) &* (b & low)
        let xo = (a &>> 32) &* (b &>> 32)
        let q = unsafeBitCast(
            lhs.words &* rhs.words &* SIMD8<UInt32>(repeating: F.Parameters.mu),
            to: SIMD4<UInt64>.self
        )
        let qpe = (q & low) &* p
        let qpo = (q &>> 32) &* p
        // High words of x and of q p, lanes back in order; subtracting them in 32-bit
        // lanes keeps LLVM from turning `x - q p` into a full 64-bit multiply.
        let xHigh = unsafeBitCast((xe &>> 32) | (xo & ~low), to: SIMD8<UInt32>.self)
        let qpHigh = unsafeBitCast((qpe &>> 32) | (qpo & ~low), to: SIMD8<UInt32>.self)
        let d = xHigh &- qpHigh
        return Self(words: minimum(d, d &+ primes))
    }

    /// `self * c` for a constant `c` whose `c * mu mod 2^32` words are precomputed
    /// (one 32-bit lane product fewer than `*`).
    @inlinable @inline(__always)
    public func multiplied(byConstant c: Self, mu cMu: Self) -> Self {
        let low = SIMD4<UInt64>(repeating: 0xffff_ffff)
        let a = unsafeBitCast(words, to: SIMD4<UInt64>.self)
        let b = unsafeBitCast(c.words, to: SIMD4<UInt64>.self)
        let p = SIMD4<UInt64>(repeating: UInt64(F.Parameters.prime))
        let xe = (a & low) &* (b & low)
        let xo = (a &>> 32) &* (b &>> 32)
        let q = unsafeBitCast(words &* cMu.words, to: SIMD4<UInt64>.self)
        let qpe = (q & low) &* p
        let qpo = (q &>> 32) &* p
        let xHigh = unsafeBitCast((xe &>> 32) | (xo & ~low), to: SIMD8<UInt32>.self)
        let qpHigh = unsafeBitCast((qpe &>> 32) | (qpo & ~low), to: SIMD8<UInt32>.self)
        let d = xHigh &- qpHigh
        return Self(words: Self.minimum(d, d &+ Self.primes))
    }

    /// `self + x / 2^k` with `p = c 2^s + 1`: `x / 2^k = hi - lo c 2^(s-k)` where
    /// `hi = x >> k`, `lo = x mod 2^k`, and `lo c 2^(s-k) < p`; two corrections.
    @inlinable @inline(__always)
    public func adding(_ x: Self, dividedByTwoToThe k: Int) -> Self {
        let (hi, t) = Self.splitQuotient(x.words, k)
        let w = words &- t
        let r = Self.minimum(w, w &+ Self.primes) &+ hi
        return Self(words: Self.minimum(r, r &- Self.primes))
    }

    /// `self - x / 2^k`, as `(self - hi) + lo c 2^(s-k)`.
    @inlinable @inline(__always)
    public func subtracting(_ x: Self, dividedByTwoToThe k: Int) -> Self {
        let (hi, t) = Self.splitQuotient(x.words, k)
        let w = words &- hi
        let r = Self.minimum(w, w &+ Self.primes) &+ t
        return Self(words: Self.minimum(r, r &- Self.primes))
    }

    /// `(x >> k, (x mod 2^k) c 2^(s-k))` for `p = c 2^s + 1`, `1 <= k <= s`.
    @inlinable @inline(__always)
    static func splitQuotient(_ x: SIMD8<UInt32>, _ k: Int) -> (SIMD8<UInt32>, SIMD8<UInt32>) {
        let s = F.Parameters.twoAdicity
        let c = (F.Parameters.prime &- 1) >> UInt32(s)
        let mask = SIMD8<UInt32>(repeating: (UInt32(1) << UInt32(k)) &- 1)
        let factor = SIMD8<UInt32>(repeating: c << UInt32(s - k))
        return (x &>> UInt32(k), (x & mask) &* factor)
    }

    /// Montgomery product of lanes holding signed values in `(-p, p)` (two's
    /// complement), result again in `(-p, p)`: signed 32 x 32 -> 64-bit products
    /// (`vpmuldq`), signed `q`, and `|x - q p| / 2^32 < p^2 / 2^32 + p / 2 < p`, so no
    /// correction step is needed between chained products.
    @inlinable @inline(__always)
    static func signedProduct(_ x: SIMD8<UInt32>, _ y: SIMD8<UInt32>) -> SIMD8<UInt32> {
        let a = unsafeBitCast(x, to: SIMD4<Int64>.self)
        let b = unsafeBitCast(y, to: SIMD4<Int64>.self)
        let p = SIMD4<Int64>(repeating: Int64(F.Parameters.prime))
        let xe = ((a &<< 32) &>> 32) &* ((b &<< 32) &>> 32)
        let xo = (a &>> 32) &* (b &>> 32)
        let q = unsafeBitCast(x &* y &* SIMD8<UInt32>(repeating: F.Parameters.mu), to: SIMD4<Int64>.self)
        let qpe = ((q &<< 32) &>> 32) &* p
        let qpo = (q &>> 32) &* p
        let low = SIMD4<UInt64>(repeating: 0xffff_ffff)
        let xHigh = unsafeBitCast(
            (unsafeBitCast(xe, to: SIMD4<UInt64>.self) &>> 32) | (unsafeBitCast(xo, to: SIMD4<UInt64>.self) & ~low),
            to: SIMD8<UInt32>.self
        )
        let qpHigh = unsafeBitCast(
            (unsafeBitCast(qpe, to: SIMD4<UInt64>.self) &>> 32) | (unsafeBitCast(qpo, to: SIMD4<UInt64>.self) & ~low),
            to: SIMD8<UInt32>.self
        )
        return xHigh &- qpHigh
    }

    /// `(self + c)^degree` given `c - p` (wrapping) in every lane: the sum lands in
    /// `(-p, p)` with one addition, the powers stay signed, one correction at the end.
    @inlinable @inline(__always)
    public func sboxAdding(constantMinusPrime cMinusP: SIMD8<UInt32>, degree: Int) -> Self {
        let x = words &+ cMinusP
        let r: SIMD8<UInt32>
        switch degree {
        case 3:
            r = Self.signedProduct(Self.signedProduct(x, x), x)
        case 5:
            let x2 = Self.signedProduct(x, x)
            r = Self.signedProduct(Self.signedProduct(x2, x2), x)
        case 7:
            let x2 = Self.signedProduct(x, x)
            let x3 = Self.signedProduct(x2, x)
            let x6 = Self.signedProduct(x3, x3)
            r = Self.signedProduct(x6, x)
        default:
            var t = x
            for _ in 1..<degree { t = Self.signedProduct(t, x) }
            r = t
        }
        return Self(words: Self.minimum(r, r &+ Self.primes))
    }

    @inlinable @inline(__always)
    public func doubled() -> Self { self + self }

    @inlinable @inline(__always)
    public func halved() -> Self {
        let x = words
        let half = SIMD8<UInt32>(repeating: (F.Parameters.prime >> 1) &+ 1)
        return Self(words: (x &>> 1) &+ ((x & 1) &* half))
    }

    /// `self / 2^k`, as in `montyDivideByTwoPower`, lane-wise.
    @inlinable @inline(__always)
    public func divided(byTwoToThe k: Int) -> Self {
        let s = F.Parameters.twoAdicity
        let prime = F.Parameters.prime
        let mask = SIMD8<UInt32>(repeating: (UInt32(1) << UInt32(k)) &- 1)
        let factor = SIMD8<UInt32>(repeating: ((prime &- 1) >> UInt32(s)) << UInt32(s - k))
        let m = (SIMD8<UInt32>() &- words) & mask
        let r = ((words &+ m) &>> UInt32(k)) &+ m &* factor
        return Self(words: Self.minimum(r, r &- Self.primes))
    }
}
