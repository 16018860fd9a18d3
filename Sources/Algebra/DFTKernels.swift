import Synchronization

// The radix-2 DFT engine over rows of a row-major buffer.
//
// Layout of a twiddle table for size n = 2^L: `T[h + j] = ω_{2h}^j` for every power of two
// `h < n` and `j < h` (T[0] unused), so each layer reads its twiddles contiguously.
//
// Forward transforms are decimation-in-frequency (natural order in, bit-reversed order out);
// inverse-style transforms are decimation-in-time (bit-reversed in, natural out). Layers are
// merged three at a time (radix 8): a pass loads 8 rows, runs three butterfly layers in
// registers and stores them, so the matrix crosses the memory bus once per three layers. A
// butterfly works on whole rows, eight columns per AVX2 register, so the twiddle is one
// broadcast per pair of rows. Blocks are processed depth-first, so once a block fits in cache
// all its remaining layers run from cache.

/// Twiddle tables for one field and one size, built once and cached.
@usableFromInline
final class TwiddleTable<F: PrimeField31>: @unchecked Sendable {
    @usableFromInline let logN: Int
    /// `forward[h + j] = ω_{2h}^j`.
    @usableFromInline let forward: [F]
    /// `inverse[h + j] = ω_{2h}^{-j}`.
    @usableFromInline let inverse: [F]

    @usableFromInline
    init(logN: Int) {
        self.logN = logN
        let n = 1 << logN
        var fwd = [F](repeating: .zero, count: max(n, 1))
        var inv = [F](repeating: .zero, count: max(n, 1))
        var h = 1
        var logH = 0
        while h < n {
            let w = F.twoAdicGenerator(logOrder: logH + 1)
            let wInv = w.inverse()!
            var x = F.one
            var y = F.one
            for j in 0..<h {
                fwd[h + j] = x
                inv[h + j] = y
                x = x * w
                y = y * wInv
            }
            h <<= 1
            logH += 1
        }
        self.forward = fwd
        self.inverse = inv
    }
}

private struct TwiddleKey: Hashable {
    var field: ObjectIdentifier
    var logN: Int
}

private let twiddleCache = Mutex<[TwiddleKey: AnyObject]>([:])

/// The cached twiddle table of `F` for size `2^logN` (built on first use).
@usableFromInline
func twiddleTable<F: PrimeField31>(_: F.Type, logN: Int) -> TwiddleTable<F> {
    precondition(logN >= 0 && logN <= F.twoAdicity, "no two-adic subgroup of order 2^\(logN)")
    let key = TwiddleKey(field: ObjectIdentifier(F.self), logN: logN)
    if let t = twiddleCache.withLock({ $0[key] }) { return t as! TwiddleTable<F> }
    let table = TwiddleTable<F>(logN: logN)
    return twiddleCache.withLock { cache in
        if let t = cache[key] { return t as! TwiddleTable<F> }
        cache[key] = table
        return table
    }
}

// MARK: - Column kernels (one group of 2, 4 or 8 rows, all columns in `cols`)

@inlinable @inline(__always)
func difRadix2Columns<V: PackedField>(
    _: V.Type,
    _ p: UnsafeMutablePointer<V.Scalar>,
    stride s: Int,
    from: Int,
    to: Int,
    _ t: V.Scalar
) {
    let tw = V(broadcast: t)
    var c = from
    while c + V.width <= to {
        let x0 = V(loading: p + c)
        let x1 = V(loading: p + s + c)
        (x0 + x1).store(to: p + c)
        ((x0 - x1) * tw).store(to: p + s + c)
        c += V.width
    }
}

@inlinable @inline(__always)
func difRadix4Columns<V: PackedField>(
    _: V.Type,
    _ p: UnsafeMutablePointer<V.Scalar>,
    stride s: Int,
    from: Int,
    to: Int,
    _ a0: V.Scalar,
    _ a1: V.Scalar,
    _ b0: V.Scalar
) {
    let A0 = V(broadcast: a0)
    let A1 = V(broadcast: a1)
    let B0 = V(broadcast: b0)
    var c = from
    while c + V.width <= to {
        let x0 = V(loading: p + c)
        let x1 = V(loading: p + s + c)
        let x2 = V(loading: p + 2 * s + c)
        let x3 = V(loading: p + 3 * s + c)
        let y0 = x0 + x2
        let y2 = (x0 - x2) * A0
        let y1 = x1 + x3
        let y3 = (x1 - x3) * A1
        (y0 + y1).store(to: p + c)
        ((y0 - y1) * B0).store(to: p + s + c)
        (y2 + y3).store(to: p + 2 * s + c)
        ((y2 - y3) * B0).store(to: p + 3 * s + c)
        c += V.width
    }
}

@inlinable @inline(__always)
func difRadix8Columns<V: PackedField>(
    _: V.Type,
    _ p: UnsafeMutablePointer<V.Scalar>,
    stride s: Int,
    from: Int,
    to: Int,
    _ a: (V.Scalar, V.Scalar, V.Scalar, V.Scalar),
    _ b: (V.Scalar, V.Scalar),
    _ c0: V.Scalar
) {
    let A0 = V(broadcast: a.0)
    let A1 = V(broadcast: a.1)
    let A2 = V(broadcast: a.2)
    let A3 = V(broadcast: a.3)
    let B0 = V(broadcast: b.0)
    let B1 = V(broadcast: b.1)
    let C0 = V(broadcast: c0)
    var c = from
    while c + V.width <= to {
        let x0 = V(loading: p + c)
        let x1 = V(loading: p + s + c)
        let x2 = V(loading: p + 2 * s + c)
        let x3 = V(loading: p + 3 * s + c)
        let x4 = V(loading: p + 4 * s + c)
        let x5 = V(loading: p + 5 * s + c)
        let x6 = V(loading: p + 6 * s + c)
        let x7 = V(loading: p + 7 * s + c)
        // Layer 1: pairs (s, s + 4).
        let y0 = x0 + x4
        let y4 = (x0 - x4) * A0
        let y1 = x1 + x5
        let y5 = (x1 - x5) * A1
        let y2 = x2 + x6
        let y6 = (x2 - x6) * A2
        let y3 = x3 + x7
        let y7 = (x3 - x7) * A3
        // Layer 2: pairs (s, s + 2).
        let z0 = y0 + y2
        let z2 = (y0 - y2) * B0
        let z1 = y1 + y3
        let z3 = (y1 - y3) * B1
        let z4 = y4 + y6
        let z6 = (y4 - y6) * B0
        let z5 = y5 + y7
        let z7 = (y5 - y7) * B1
        // Layer 3: pairs (s, s + 1).
        (z0 + z1).store(to: p + c)
        ((z0 - z1) * C0).store(to: p + s + c)
        (z2 + z3).store(to: p + 2 * s + c)
        ((z2 - z3) * C0).store(to: p + 3 * s + c)
        (z4 + z5).store(to: p + 4 * s + c)
        ((z4 - z5) * C0).store(to: p + 5 * s + c)
        (z6 + z7).store(to: p + 6 * s + c)
        ((z6 - z7) * C0).store(to: p + 7 * s + c)
        c += V.width
    }
}

@inlinable @inline(__always)
func ditRadix2Columns<V: PackedField>(
    _: V.Type,
    _ p: UnsafeMutablePointer<V.Scalar>,
    stride s: Int,
    from: Int,
    to: Int,
    _ t: V.Scalar
) {
    let tw = V(broadcast: t)
    var c = from
    while c + V.width <= to {
        let x0 = V(loading: p + c)
        let x1 = V(loading: p + s + c) * tw
        (x0 + x1).store(to: p + c)
        (x0 - x1).store(to: p + s + c)
        c += V.width
    }
}

@inlinable @inline(__always)
func ditRadix4Columns<V: PackedField>(
    _: V.Type,
    _ p: UnsafeMutablePointer<V.Scalar>,
    stride s: Int,
    from: Int,
    to: Int,
    _ c0: V.Scalar,
    _ b0: V.Scalar,
    _ b1: V.Scalar
) {
    let C0 = V(broadcast: c0)
    let B0 = V(broadcast: b0)
    let B1 = V(broadcast: b1)
    var c = from
    while c + V.width <= to {
        let x0 = V(loading: p + c)
        let x1 = V(loading: p + s + c) * C0
        let x2 = V(loading: p + 2 * s + c)
        let x3 = V(loading: p + 3 * s + c) * C0
        // Layer 1: pairs (0, 1), (2, 3) with twiddle C0 (applied above).
        let u0 = x0 + x1
        let u1 = x0 - x1
        let t2 = (x2 + x3) * B0
        let t3 = (x2 - x3) * B1
        // Layer 2: pairs (0, 2) with B0 and (1, 3) with B1 (applied above).
        (u0 + t2).store(to: p + c)
        (u0 - t2).store(to: p + 2 * s + c)
        (u1 + t3).store(to: p + s + c)
        (u1 - t3).store(to: p + 3 * s + c)
        c += V.width
    }
}

@inlinable @inline(__always)
func ditRadix8Columns<V: PackedField>(
    _: V.Type,
    _ p: UnsafeMutablePointer<V.Scalar>,
    stride s: Int,
    from: Int,
    to: Int,
    _ c0: V.Scalar,
    _ b: (V.Scalar, V.Scalar),
    _ a: (V.Scalar, V.Scalar, V.Scalar, V.Scalar)
) {
    let C0 = V(broadcast: c0)
    let B0 = V(broadcast: b.0)
    let B1 = V(broadcast: b.1)
    let A0 = V(broadcast: a.0)
    let A1 = V(broadcast: a.1)
    let A2 = V(broadcast: a.2)
    let A3 = V(broadcast: a.3)
    var c = from
    while c + V.width <= to {
        let x0 = V(loading: p + c)
        let x1 = V(loading: p + s + c) * C0
        let x2 = V(loading: p + 2 * s + c)
        let x3 = V(loading: p + 3 * s + c) * C0
        let x4 = V(loading: p + 4 * s + c)
        let x5 = V(loading: p + 5 * s + c) * C0
        let x6 = V(loading: p + 6 * s + c)
        let x7 = V(loading: p + 7 * s + c) * C0
        // Layer 1: pairs (s, s + 1), twiddle C0 (applied above).
        let y0 = x0 + x1
        let y1 = x0 - x1
        let y2 = (x2 + x3) * B0
        let y3 = (x2 - x3) * B1
        let y4 = x4 + x5
        let y5 = x4 - x5
        let y6 = (x6 + x7) * B0
        let y7 = (x6 - x7) * B1
        // Layer 2: pairs (s, s + 2), twiddles B0 / B1 (applied above to the odd halves).
        let z0 = y0 + y2
        let z2 = y0 - y2
        let z1 = y1 + y3
        let z3 = y1 - y3
        let z4 = (y4 + y6) * A0
        let z6 = (y4 - y6) * A2
        let z5 = (y5 + y7) * A1
        let z7 = (y5 - y7) * A3
        // Layer 3: pairs (s, s + 4), twiddles A_s (applied above).
        (z0 + z4).store(to: p + c)
        (z0 - z4).store(to: p + 4 * s + c)
        (z1 + z5).store(to: p + s + c)
        (z1 - z5).store(to: p + 5 * s + c)
        (z2 + z6).store(to: p + 2 * s + c)
        (z2 - z6).store(to: p + 6 * s + c)
        (z3 + z7).store(to: p + 3 * s + c)
        (z3 - z7).store(to: p + 7 * s + c)
        c += V.width
    }
}

/// One element seen as a one-lane packed value, so the SIMD kernels also finish ragged tails.
@frozen @usableFromInline
struct ScalarLane<F: PrimeField31>: PackedField {
    @usableFromInline typealias Scalar = F
    @usableFromInline var value: F
    @inlinable @inline(__always) init(value: F) { self.value = value }
    @inlinable static var width: Int { 1 }
    @inlinable @inline(__always) init(broadcast value: F) { self.value = value }
    @inlinable @inline(__always) init(loading pointer: UnsafePointer<F>) { self.value = pointer.pointee }
    @inlinable @inline(__always) func store(to pointer: UnsafeMutablePointer<F>) { pointer.pointee = value }
    @inlinable @inline(__always) static func + (l: Self, r: Self) -> Self { Self(value: l.value + r.value) }
    @inlinable @inline(__always) static func - (l: Self, r: Self) -> Self { Self(value: l.value - r.value) }
    @inlinable @inline(__always) static func * (l: Self, r: Self) -> Self { Self(value: l.value * r.value) }
    @inlinable @inline(__always) static prefix func - (v: Self) -> Self { Self(value: -v.value) }
}
