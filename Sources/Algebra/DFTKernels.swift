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
    _ t: V
) {
    let tw = t
    var c = from
    while c + V.width <= to {
        let x0 = V(loading: p + c)
        let x1 = V(loading: p + s + c)
        let (x0x1s, x0x1d) = V.difButterfly(x0, x1, tw)
        x0x1s.store(to: p + c)
        x0x1d.store(to: p + s + c)
        c += V.width
    }
}

@inlinable @inline(__always)
func difRadix4Columns<V: PackedField, M: TwiddleMode>(
    _: V.Type,
    _: M.Type,
    _ p: UnsafeMutablePointer<V.Scalar>,
    stride s: Int,
    from: Int,
    to: Int,
    _ a0: V,
    _ a1: V,
    _ b0: V
) {
    let A0 = a0
    let A1 = a1
    let B0 = b0
    var c = from
    while c + V.width <= to {
        let x0 = V(loading: p + c)
        let x1 = V(loading: p + s + c)
        let x2 = V(loading: p + 2 * s + c)
        let x3 = V(loading: p + 3 * s + c)
        let (y0, y2) = difButterfly(x0, x2, A0, M.self)
        let (y1, y3) = V.difButterfly(x1, x3, A1)
        let (y0y1s, y0y1d) = difButterfly(y0, y1, B0, M.self)
        y0y1s.store(to: p + c)
        y0y1d.store(to: p + s + c)
        let (y2y3s, y2y3d) = difButterfly(y2, y3, B0, M.self)
        y2y3s.store(to: p + 2 * s + c)
        y2y3d.store(to: p + 3 * s + c)
        c += V.width
    }
}

@inlinable @inline(__always)
func difRadix8Columns<V: PackedField, M: TwiddleMode>(
    _: V.Type,
    _: M.Type,
    _ p: UnsafeMutablePointer<V.Scalar>,
    stride s: Int,
    from: Int,
    to: Int,
    _ a: (V, V, V, V),
    _ b: (V, V),
    _ c0: V
) {
    let A0 = a.0
    let A1 = a.1
    let A2 = a.2
    let A3 = a.3
    let B0 = b.0
    let B1 = b.1
    let C0 = c0
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
        let (y0, y4) = difButterfly(x0, x4, A0, M.self)
        let (y1, y5) = V.difButterfly(x1, x5, A1)
        let (y2, y6) = V.difButterfly(x2, x6, A2)
        let (y3, y7) = V.difButterfly(x3, x7, A3)
        // Layer 2: pairs (s, s + 2).
        let (z0, z2) = difButterfly(y0, y2, B0, M.self)
        let (z1, z3) = V.difButterfly(y1, y3, B1)
        let (z4, z6) = difButterfly(y4, y6, B0, M.self)
        let (z5, z7) = V.difButterfly(y5, y7, B1)
        // Layer 3: pairs (s, s + 1).
        let (z0z1s, z0z1d) = difButterfly(z0, z1, C0, M.self)
        z0z1s.store(to: p + c)
        z0z1d.store(to: p + s + c)
        let (z2z3s, z2z3d) = difButterfly(z2, z3, C0, M.self)
        z2z3s.store(to: p + 2 * s + c)
        z2z3d.store(to: p + 3 * s + c)
        let (z4z5s, z4z5d) = difButterfly(z4, z5, C0, M.self)
        z4z5s.store(to: p + 4 * s + c)
        z4z5d.store(to: p + 5 * s + c)
        let (z6z7s, z6z7d) = difButterfly(z6, z7, C0, M.self)
        z6z7s.store(to: p + 6 * s + c)
        z6z7d.store(to: p + 7 * s + c)
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
    _ t: V
) {
    let tw = t
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
func ditRadix4Columns<V: PackedField, M: TwiddleMode>(
    _: V.Type,
    _: M.Type,
    _ p: UnsafeMutablePointer<V.Scalar>,
    stride s: Int,
    from: Int,
    to: Int,
    _ c0: V,
    _ b0: V,
    _ b1: V
) {
    let C0 = c0
    let B0 = b0
    let B1 = b1
    var c = from
    while c + V.width <= to {
        let x0 = V(loading: p + c)
        let x1 = mul(V(loading: p + s + c), C0, M.self)
        let x2 = V(loading: p + 2 * s + c)
        let x3 = mul(V(loading: p + 3 * s + c), C0, M.self)
        // Layer 1: pairs (0, 1), (2, 3) with twiddle C0 (applied above).
        let u0 = x0 + x1
        let u1 = x0 - x1
        let t2 = mul(x2 + x3, B0, M.self)
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
func ditRadix8Columns<V: PackedField, M: TwiddleMode>(
    _: V.Type,
    _: M.Type,
    _ p: UnsafeMutablePointer<V.Scalar>,
    stride s: Int,
    from: Int,
    to: Int,
    _ c0: V,
    _ b: (V, V),
    _ a: (V, V, V, V)
) {
    let C0 = c0
    let B0 = b.0
    let B1 = b.1
    let A0 = a.0
    let A1 = a.1
    let A2 = a.2
    let A3 = a.3
    var c = from
    while c + V.width <= to {
        let x0 = V(loading: p + c)
        let x1 = mul(V(loading: p + s + c), C0, M.self)
        let x2 = V(loading: p + 2 * s + c)
        let x3 = mul(V(loading: p + 3 * s + c), C0, M.self)
        let x4 = V(loading: p + 4 * s + c)
        let x5 = mul(V(loading: p + 5 * s + c), C0, M.self)
        let x6 = V(loading: p + 6 * s + c)
        let x7 = mul(V(loading: p + 7 * s + c), C0, M.self)
        // Layer 1: pairs (s, s + 1), twiddle C0 (applied above).
        let y0 = x0 + x1
        let y1 = x0 - x1
        let y2 = mul(x2 + x3, B0, M.self)
        let y3 = (x2 - x3) * B1
        let y4 = x4 + x5
        let y5 = x4 - x5
        let y6 = mul(x6 + x7, B0, M.self)
        let y7 = (x6 - x7) * B1
        // Layer 2: pairs (s, s + 2), twiddles B0 / B1 (applied above to the odd halves).
        let z0 = y0 + y2
        let z2 = y0 - y2
        let z1 = y1 + y3
        let z3 = y1 - y3
        let z4 = mul(y4 + y6, A0, M.self)
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

/// Whether the twiddles named `A0`, `B0` and `C0` in the kernels are known to be one (the group
/// `i = 0` of every pass, which is every group of the last pass), so their products are skipped.
/// A type parameter rather than a flag, so that each kernel is compiled twice without branches.
@usableFromInline
protocol TwiddleMode {
    static var firstGroup: Bool { get }
}

@usableFromInline
enum GeneralGroup: TwiddleMode {
    @inlinable static var firstGroup: Bool { false }
}

@usableFromInline
enum FirstGroup: TwiddleMode {
    @inlinable static var firstGroup: Bool { true }
}

@inlinable @inline(__always)
func mul<V: PackedField, M: TwiddleMode>(_ x: V, _ t: V, _: M.Type) -> V {
    M.firstGroup ? x : x * t
}

@inlinable @inline(__always)
func difButterfly<V: PackedField, M: TwiddleMode>(_ a: V, _ b: V, _ t: V, _: M.Type) -> (V, V) {
    M.firstGroup ? (a + b, a - b) : V.difButterfly(a, b, t)
}
