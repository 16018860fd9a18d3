import Algebra
import Poseidon2AVX512

/// The packed width-16 Poseidon2 kernel: eight states at once, one state element per
/// 256-bit vector (vector `i` holds element `i` of each state), Montgomery words.
///
/// Written for AVX2 code generation, after Plonky3's `x86_64_avx2/poseidon2.rs`:
/// - S-boxes split the lanes once into even and odd halves and keep each half in the
///   low words of 64-bit lanes through the whole power (`vpmuldq` / `vpmuludq` only,
///   signed intermediate values in `(-p, p)`, Montgomery's `q` from a 64-bit product
///   with `mu`), then blend and correct once;
/// - round constants are stored as `c - p`, so `x + c` lands in `(-p, p)` with one add;
/// - internal rounds compute the sum of elements 1...15 and their diagonal products
///   while the S-box of element 0 is in flight (they do not depend on it);
/// - `permutePair` runs two independent groups of eight states round by round (sixteen
///   states, the width of an AVX-512 vector): the S-boxes of element 0 of both groups go
///   through one interleaved S-box, and the serial chain of the internal rounds (S-box,
///   sum, next S-box) of one group overlaps with the work of the other.
public enum Poseidon2Packed16<P: Poseidon2Parameters> {
    public typealias V = SIMD8<UInt32>
    @usableFromInline typealias W = SIMD4<UInt64>
    @usableFromInline typealias I = SIMD4<Int64>

    // MARK: Lane arithmetic

    @inlinable @inline(__always)
    static var primes: V { V(repeating: P.prime) }

    /// Lane-wise unsigned minimum (`vpminud`).
    @inlinable @inline(__always)
    static func umin(_ a: V, _ b: V) -> V {
        var r = a
        for i in 0..<8 { r[i] = Swift.min(a[i], b[i]) }
        return r
    }

    /// `a + b` for canonical `a`, `b`.
    @inlinable @inline(__always)
    static func add(_ a: V, _ b: V) -> V {
        let t = a &+ b
        return umin(t, t &- primes)
    }

    /// `a - b` for canonical `a`, `b`.
    @inlinable @inline(__always)
    static func sub(_ a: V, _ b: V) -> V {
        let t = a &- b
        return umin(t, t &+ primes)
    }

    /// The canonical value of lanes holding signed values in `(-p, p)`.
    @inlinable @inline(__always)
    static func canonical(signed t: V) -> V { umin(t, t &+ primes) }

    /// `x / 2` for canonical `x`: `x >> 1`, plus `(p + 1) / 2` when `x` is odd.
    @inlinable @inline(__always)
    static func halve(_ x: V) -> V {
        (x &>> 1) &+ ((x & 1) &* V(repeating: (P.prime >> 1) &+ 1))
    }

    /// `x / 2^k` for canonical `x`, as a signed value in `(-p, p)`: with `p = c 2^s + 1`,
    /// `2^-k = -c 2^(s-k)`, so `x / 2^k = (x >> k) - (x mod 2^k) c 2^(s-k)`.
    @inlinable @inline(__always)
    static func dividedSigned(_ x: V, _ k: Int) -> V {
        let s = P.twoAdicity
        let c = (P.prime &- 1) >> UInt32(s)
        let mask = V(repeating: (UInt32(1) << UInt32(k)) &- 1)
        return (x &>> UInt32(k)) &- ((x & mask) &* V(repeating: c << UInt32(s - k)))
    }

    /// Signed 32 x 32 -> 64-bit products of the low words of each 64-bit lane (`vpmuldq`).
    @inlinable @inline(__always)
    static func mulSigned(_ a: W, _ b: W) -> W {
        let x = unsafeBitCast(a, to: I.self)
        let y = unsafeBitCast(b, to: I.self)
        return unsafeBitCast(((x &<< 32) &>> 32) &* ((y &<< 32) &>> 32), to: W.self)
    }

    /// Montgomery reduction of `0 <= C < 2^32 p` in each 64-bit lane: the high word of
    /// the result is `C / 2^32 mod p` as a signed value in `(-p, p)`.
    @inlinable @inline(__always)
    static func reduceUnsigned(_ c: W) -> W {
        let low = W(repeating: 0xffff_ffff)
        let q = (c & low) &* W(repeating: UInt64(P.mu))
        let qp = (q & low) &* W(repeating: UInt64(P.prime))
        // The low words of `C` and `q p` are equal, so a 32-bit lane subtraction gives the
        // high word; a 64-bit one invites LLVM to rewrite the whole reduction as a wide product.
        return unsafeBitCast(unsafeBitCast(c, to: V.self) &- unsafeBitCast(qp, to: V.self), to: W.self)
    }

    /// Montgomery reduction of `|C| < 2^31 p` (signed) in each 64-bit lane, with a signed
    /// `q`: the high word is the result, signed, in `(-p, p)`.
    @inlinable @inline(__always)
    static func reduceSigned(_ c: W) -> W {
        let x = unsafeBitCast(c, to: I.self)
        let mu = I(repeating: Int64(Int32(bitPattern: P.mu)))
        let q = ((x &<< 32) &>> 32) &* mu
        let qp = ((q &<< 32) &>> 32) &* I(repeating: Int64(P.prime))
        return unsafeBitCast(unsafeBitCast(x, to: V.self) &- unsafeBitCast(qp, to: V.self), to: W.self)
    }

    /// `x^d` on the low words of each 64-bit lane (signed, in `[-p, p]`) of `n` (2 or 4)
    /// independent inputs; each result, signed in `(-p, p)`, is in the high words.
    ///
    /// The chains advance step by step side by side: an S-box is a long chain of dependent
    /// multiplications, and with several of them adjacent in program order the out-of-order
    /// window always holds ready multiplications (this is worth a third of the S-box time
    /// for degree 7).
    @inlinable @inline(__always)
    static func powers(_ x: inout (W, W, W, W), _ n: Int) {
        @inline(__always) func square(_ v: W) -> W { reduceUnsigned(mulSigned(v, v)) &>> 32 }
        @inline(__always) func times(_ a: W, _ b: W) -> W { reduceSigned(mulSigned(a, b)) }
        let s0 = square(x.0)
        let s1 = square(x.1)
        let s2 = n > 2 ? square(x.2) : s0
        let s3 = n > 2 ? square(x.3) : s1
        switch P.sboxDegree {
        case 3:
            x.0 = times(s0, x.0)
            x.1 = times(s1, x.1)
            if n > 2 {
                x.2 = times(s2, x.2)
                x.3 = times(s3, x.3)
            }
        case 5:
            let q0 = square(s0)
            let q1 = square(s1)
            let q2 = n > 2 ? square(s2) : q0
            let q3 = n > 2 ? square(s3) : q1
            x.0 = times(q0, x.0)
            x.1 = times(q1, x.1)
            if n > 2 {
                x.2 = times(q2, x.2)
                x.3 = times(q3, x.3)
            }
        case 7:
            let c0 = times(s0, x.0) &>> 32
            let c1 = times(s1, x.1) &>> 32
            let c2 = n > 2 ? times(s2, x.2) &>> 32 : c0
            let c3 = n > 2 ? times(s3, x.3) &>> 32 : c1
            let q0 = square(s0)
            let q1 = square(s1)
            let q2 = n > 2 ? square(s2) : q0
            let q3 = n > 2 ? square(s3) : q1
            x.0 = times(q0, c0)
            x.1 = times(q1, c1)
            if n > 2 {
                x.2 = times(q2, c2)
                x.3 = times(q3, c3)
            }
        default:
            let base = x
            var r = (s0, s1, s2, s3)
            for _ in 2..<P.sboxDegree {
                r.0 = times(r.0, base.0) &>> 32
                r.1 = times(r.1, base.1) &>> 32
                r.2 = times(r.2, base.2) &>> 32
                r.3 = times(r.3, base.3) &>> 32
            }
            x = (r.0 &<< 32, r.1 &<< 32, r.2 &<< 32, r.3 &<< 32)
        }
    }

    /// The canonical vector from S-box results of its even lanes (`even`) and odd lanes
    /// (`odd`), both in the high words.
    @inlinable @inline(__always)
    static func merge(_ even: W, _ odd: W) -> V {
        let merged = (even &>> 32) | (odd & W(repeating: 0xffff_ffff_0000_0000))
        return canonical(signed: unsafeBitCast(merged, to: V.self))
    }

    /// `(x + c)^d` for canonical `x`, given `c - p` (wrapping): canonical result.
    @inlinable @inline(__always)
    static func sbox(_ x: V, _ cMinusP: UInt32) -> V {
        let y = unsafeBitCast(x &+ V(repeating: cMinusP), to: W.self)
        var h = (y, y &>> 32, y, y)
        powers(&h, 2)
        return merge(h.0, h.1)
    }

    /// Two S-boxes at once: `((x + cx)^d, (y + cy)^d)`.
    @inlinable @inline(__always)
    static func sbox2(_ x: V, _ cx: UInt32, _ y: V, _ cy: UInt32) -> (V, V) {
        let a = unsafeBitCast(x &+ V(repeating: cx), to: W.self)
        let b = unsafeBitCast(y &+ V(repeating: cy), to: W.self)
        var h = (a, a &>> 32, b, b &>> 32)
        powers(&h, 4)
        return (merge(h.0, h.1), merge(h.2, h.3))
    }

    // MARK: Linear layers

    /// `M4` on one block of four, `M4 = [[2,3,1,1],[1,2,3,1],[1,1,2,3],[3,1,1,2]]`.
    @inlinable @inline(__always)
    static func mat4(_ x: UnsafeMutablePointer<V>) {
        let x0 = x[0]
        let x1 = x[1]
        let x2 = x[2]
        let x3 = x[3]
        let t01 = add(x0, x1)
        let t23 = add(x2, x3)
        let t0123 = add(t01, t23)
        let t01123 = add(t0123, x1)
        let t01233 = add(t0123, x3)
        x[3] = add(t01233, add(x0, x0))
        x[1] = add(t01123, add(x2, x2))
        x[0] = add(t01123, t01)
        x[2] = add(t01233, t23)
    }

    /// The external layer: `M4` on every block, then every element plus the sum of its
    /// column (the elements at the same position in every block).
    @inlinable @inline(__always)
    static func externalLayer(_ s: UnsafeMutablePointer<V>) {
        // One call site in a loop: Swift's inliner stops honouring `@inline(__always)` once a
        // caller has grown large, so four separate calls would stay calls.
        for b in 0..<4 { mat4(s + 4 * b) }
        for j in 0..<4 {
            let c = add(add(s[j], s[4 + j]), add(s[8 + j], s[12 + j]))
            s[j] = add(s[j], c)
            s[4 + j] = add(s[4 + j], c)
            s[8 + j] = add(s[8 + j], c)
            s[12 + j] = add(s[12 + j], c)
        }
    }

    /// One internal round: `s0 -> (s0 + c)^d`, then `s -> (1 + Diag(V)) s`.
    /// Diagonal entries 0...8 are `[-2, 1, 2, 1/2, 3, 4, -1/2, -3, -4]` for every field;
    /// 9...15 are `±1/2^k` from `P.packedTailShift`.
    @inlinable @inline(__always)
    static func internalRound(_ s: UnsafeMutablePointer<V>, _ cMinusP: UInt32) {
        internalLinear(s, sbox(s[0], cMinusP))
    }

    /// The internal round after the S-box: `s0` replaced by `x0`, then `(1 + Diag(V)) s`.
    @inlinable @inline(__always)
    static func internalLinear(_ s: UnsafeMutablePointer<V>, _ x0: V) {
        // Independent of the S-box: the sum of the other elements and their diagonal products.
        let a1 = add(s[1], s[2])
        let a2 = add(s[3], s[4])
        let a3 = add(s[5], s[6])
        let a4 = add(s[7], s[8])
        let a5 = add(s[9], s[10])
        let a6 = add(s[11], s[12])
        let a7 = add(s[13], s[14])
        let tail = add(add(add(a1, a2), add(a3, a4)), add(add(a5, a6), add(a7, s[15])))

        let d2 = add(s[2], s[2])
        let d3 = halve(s[3])
        let twice4 = add(s[4], s[4])
        let d4 = add(twice4, s[4])
        let twice5 = add(s[5], s[5])
        let d5 = add(twice5, twice5)
        let d6 = halve(s[6])
        let twice7 = add(s[7], s[7])
        let d7 = add(twice7, s[7])
        let twice8 = add(s[8], s[8])
        let d8 = add(twice8, twice8)
        let t9 = tailQuotient(s[9], 9)
        let t10 = tailQuotient(s[10], 10)
        let t11 = tailQuotient(s[11], 11)
        let t12 = tailQuotient(s[12], 12)
        let t13 = tailQuotient(s[13], 13)
        let t14 = tailQuotient(s[14], 14)
        let t15 = tailQuotient(s[15], 15)

        let full = add(tail, x0)
        s[0] = sub(tail, x0)
        s[1] = add(full, s[1])
        s[2] = add(full, d2)
        s[3] = add(full, d3)
        s[4] = add(full, d4)
        s[5] = add(full, d5)
        s[6] = sub(full, d6)
        s[7] = sub(full, d7)
        s[8] = sub(full, d8)
        s[9] = tailApply(full, t9, 9)
        s[10] = tailApply(full, t10, 10)
        s[11] = tailApply(full, t11, 11)
        s[12] = tailApply(full, t12, 12)
        s[13] = tailApply(full, t13, 13)
        s[14] = tailApply(full, t14, 14)
        s[15] = tailApply(full, t15, 15)
    }

    /// `x / 2^k`, canonical, for the shift `±k` of diagonal entry `index`.
    @inlinable @inline(__always)
    static func tailQuotient(_ x: V, _ index: Int) -> V {
        let k = P.packedTailShift(index: index)
        return canonical(signed: dividedSigned(x, k < 0 ? -k : k))
    }

    /// `sum ± q` with the sign of diagonal entry `index`.
    @inlinable @inline(__always)
    static func tailApply(_ sum: V, _ q: V, _ index: Int) -> V {
        P.packedTailShift(index: index) < 0 ? sub(sum, q) : add(sum, q)
    }

    /// Four external rounds (`rc`: 64 constants minus `p`), in one function so the
    /// constants stay in registers and the inliner sees a small caller.
    @inlinable @inline(never)
    static func externalRounds(_ s: UnsafeMutablePointer<V>, _ rc: UnsafePointer<UInt32>) {
        for r in 0..<4 {
            let c = rc + 16 * r
            for i in stride(from: 0, to: 16, by: 2) {
                (s[i], s[i + 1]) = sbox2(s[i], c[i], s[i + 1], c[i + 1])
            }
            externalLayer(s)
        }
    }

    /// `count` internal rounds with constants (minus `p`) at `rc`.
    @inlinable @inline(never)
    static func internalRounds(_ s: UnsafeMutablePointer<V>, _ rc: UnsafePointer<UInt32>, _ count: Int) {
        for r in 0..<count { internalRound(s, rc[r]) }
    }

    /// The external layer alone (the permutation starts with it).
    @inlinable @inline(never)
    static func initialLayer(_ s: UnsafeMutablePointer<V>) { externalLayer(s) }

    /// Eight width-16 permutations. `rc` points at the round constants minus `p`
    /// (wrapping): 64 initial, `partialRounds` internal, 64 final.
    @inlinable @inline(__always)
    public static func permute(
        _ state: UnsafeMutablePointer<V>,
        partialRounds: Int,
        constants rc: UnsafePointer<UInt32>
    ) {
        withUnsafeTemporaryAllocation(of: V.self, capacity: 16) { buffer in
            let s = buffer.baseAddress!
            for i in 0..<16 { (s + i).initialize(to: state[i]) }
            initialLayer(s)
            externalRounds(s, rc)
            internalRounds(s, rc + 64, partialRounds)
            externalRounds(s, rc + 64 + partialRounds)
            for i in 0..<16 { state[i] = s[i] }
        }
    }

    // MARK: Two groups

    /// `count` internal rounds on two groups (`s[0..<16]`, `s[16..<32]`).
    @inlinable @inline(never)
    static func internalRoundsPair(_ s: UnsafeMutablePointer<V>, _ rc: UnsafePointer<UInt32>, _ count: Int) {
        for r in 0..<count {
            let (a, b) = sbox2(s[0], rc[r], s[16], rc[r])
            // One call site in a loop, so that it is inlined (see `externalLayer`).
            for g in 0..<2 { internalLinear(s + 16 * g, g == 0 ? a : b) }
        }
    }

    /// Four external rounds on two groups.
    @inlinable @inline(never)
    static func externalRoundsPair(_ s: UnsafeMutablePointer<V>, _ rc: UnsafePointer<UInt32>) {
        for r in 0..<4 {
            let c = rc + 16 * r
            for i in stride(from: 0, to: 32, by: 2) {
                (s[i], s[i + 1]) = sbox2(s[i], c[i & 15], s[i + 1], c[(i + 1) & 15])
            }
            for g in 0..<2 { externalLayer(s + 16 * g) }
        }
    }

    /// The external layer on two groups.
    @inlinable @inline(never)
    static func initialLayerPair(_ s: UnsafeMutablePointer<V>) {
        externalLayer(s)
        externalLayer(s + 16)
    }

    /// Sixteen width-16 permutations: group `g` is `state[16 g ..< 16 g + 16]` (vector `i`
    /// of a group holds element `i` of its eight states). Constants as in `permute`.
    @inlinable @inline(__always)
    public static func permutePair(
        _ state: UnsafeMutablePointer<V>,
        partialRounds: Int,
        constants rc: UnsafePointer<UInt32>
    ) {
        withUnsafeTemporaryAllocation(of: V.self, capacity: 32) { buffer in
            let s = buffer.baseAddress!
            for i in 0..<32 { (s + i).initialize(to: state[i]) }
            initialLayerPair(s)
            externalRoundsPair(s, rc)
            internalRoundsPair(s, rc + 64, partialRounds)
            externalRoundsPair(s, rc + 64 + partialRounds)
            for i in 0..<32 { state[i] = s[i] }
        }
    }
}
