import Algebra
import Stark
import VM

// The word ranges of the accelerated syscalls, checked alike by every accelerator table: a
// 4-aligned pointer and its word address, the words in usable memory, two ranges disjoint (a
// range and the code, or two operands). Each bound is ``AirBuilder/assertBelow2To30(_:lo:multiplicity:)``
// of a distance. Word addresses are below 2^30 (14 + 16 bits), so a distance that is truly
// negative, −d, is p − d in the field and passes only if d ≥ p − 2^30 ≈ 2^29.98:
// - `w − 0x400` is at least −0x400 and `0x3FFFC000 − (w + n)` at least −(0x4000 + n): no false pass;
// - a gap on the wrong side of a disjointness check passes only when the ranges are more than
//   p − 2^30 words apart on the other side, and then they are disjoint all the same.
// So every check means what it says, over the integers.

extension AirBuilder where F == VMField {
    /// Proves `pointer` (16-bit limbs) 4-aligned, `pointer.lo = 4x` with `x` 14-bit, and returns
    /// its word address `x + 2^14·pointer.hi` (below 2^30).
    public mutating func alignedWordAddress(_ pointer: (lo: Expr, hi: Expr), x: Expr, multiplicity: Expr) -> Expr {
        assertZero(multiplicity * (pointer.lo - 4 * x))
        send(bus: .vmRange, values: [14, x], multiplicity: multiplicity)
        return x + pointer.hi * 16384
    }

    /// Proves the `n` words from `w` in usable memory `[0x400, 0x3FFFC000)`; `lower` and `upper`
    /// are the low limbs of `w − 0x400` and `0x3FFFC000 − (w + n)`.
    public mutating func assertUsableWords(_ w: Expr, count n: UInt32, lower: Expr, upper: Expr, multiplicity: Expr) {
        assertBelow2To30(w - Expr(VMField(SyscallAir.memoryStartWord)), lo: lower, multiplicity: multiplicity)
        assertBelow2To30(
            Expr(VMField(SyscallAir.memoryEndWord)) - w - Expr(VMField(n)),
            lo: upper,
            multiplicity: multiplicity
        )
    }

    /// Proves `[w, w + n)` and `[v, v + m)` disjoint: `after` (a bit) says the second lies after
    /// the first (`v − (w + n) ≥ 0`), else before it (`w − (v + m) ≥ 0`); `gapLo` is the gap's low
    /// limb.
    public mutating func assertDisjointWords(
        _ w: Expr,
        count n: UInt32,
        _ v: Expr,
        count m: UInt32,
        after: Expr,
        gapLo: Expr,
        multiplicity: Expr
    ) {
        assertBool(after)
        let gap = after * (v - w - Expr(VMField(n))) + (1 - after) * (w - v - Expr(VMField(m)))
        assertBelow2To30(gap, lo: gapLo, multiplicity: multiplicity)
    }
}

extension LookupCounter {
    /// The lookups of ``AirBuilder/alignedWordAddress(_:x:multiplicity:)``: returns `x`, or nil
    /// when `pointer` is not 4-aligned.
    public mutating func alignedWordAddress(_ pointer: UInt32) -> UInt32? {
        guard pointer & 3 == 0 else { return nil }
        let x = (pointer & 0xffff) >> 2
        range(x, bits: 14)
        return x
    }

    /// The lookups of ``AirBuilder/assertUsableWords(_:count:lower:upper:multiplicity:)``: the
    /// `lower` and `upper` limbs, or nil when the words are not all usable.
    public mutating func usableWords(_ w: UInt32, count n: UInt32) -> (lower: UInt32, upper: UInt32)? {
        guard w >= SyscallAir.memoryStartWord, UInt64(w) + UInt64(n) <= UInt64(SyscallAir.memoryEndWord) else {
            return nil
        }
        return (below2To30(w - SyscallAir.memoryStartWord), below2To30(SyscallAir.memoryEndWord - w - n))
    }

    /// The lookups of ``AirBuilder/assertDisjointWords(_:count:_:count:after:gapLo:multiplicity:)``
    /// for `[w, w + n)` and `[v, v + m)` (both below 2^30): `after` and the gap's low limb, or nil
    /// when the ranges overlap.
    public mutating func disjointWords(
        _ w: UInt32,
        count n: UInt32,
        _ v: UInt32,
        count m: UInt32
    )
        -> (after: Bool, gapLo: UInt32)?
    {
        let (w, n, v, m) = (Int64(w), Int64(n), Int64(v), Int64(m))
        let gap = w + n <= v ? v - w - n : w - v - m
        guard gap >= 0 else { return nil }
        return (w + n <= v, below2To30(UInt32(gap)))
    }
}
