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
        a.replacing(with: b, where: b .< a)
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

    /// Montgomery multiplication on even and odd lanes as 64-bit products:
    /// `d = (x - q p) / 2^32` with `q = x mu mod 2^32`, then `d + p` when negative.
    @inlinable @inline(__always)
    public static func * (lhs: Self, rhs: Self) -> Self {
        let low = SIMD4<UInt64>(repeating: 0xffff_ffff)
        let a = unsafeBitCast(lhs.words, to: SIMD4<UInt64>.self)
        let b = unsafeBitCast(rhs.words, to: SIMD4<UInt64>.self)
        let mu = SIMD4<UInt64>(repeating: UInt64(F.Parameters.mu))
        let p = SIMD4<UInt64>(repeating: UInt64(F.Parameters.prime))
        let xe = (a & low) &* (b & low)
        let xo = (a &>> 32) &* (b &>> 32)
        let qe = ((xe & low) &* mu) & low
        let qo = ((xo & low) &* mu) & low
        let de = xe &- qe &* p
        let do_ = xo &- qo &* p
        let combined = (de &>> 32) | (do_ & ~low)
        let d = unsafeBitCast(combined, to: SIMD8<UInt32>.self)
        return Self(words: minimum(d, d &+ primes))
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
