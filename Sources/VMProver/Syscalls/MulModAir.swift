import Algebra
import Stark
import VM

/// The `uint256_mulmod` syscall (`Guests/ABI.md`): x := x·y mod m for 256-bit little-endian
/// numbers at a0 (x), a1 (y) and a2 (m), 32 bytes each, 4-aligned and pairwise disjoint. One row
/// per call; padding rows are all zero.
///
/// | columns | name | meaning |
/// | --- | --- | --- |
/// | 0 | `real` | 1 on real rows |
/// | 1 | `clk` | the call's timestamp base |
/// | 2…7 | `a0`, `a1`, `a2` | the three pointers (a0 as the CPU read it; a1, a2 read here) |
/// | 8…11 | `a1_ts, a1_diff, a2_ts, a2_diff` | timestamp checks of the a1, a2 reads at clk + 2 |
/// | 12…14 | `t[o]` | `a_o,lo / 4` (14 bits): word address `w_o = t_o + 2^14·a_o,hi` |
/// | 15…17, 18…20 | `lower[o]`, `upper[o]` | low 16 bits of `w_o − 0x400` and `0x3FFFC000 − (w_o + 8)` |
/// | 21, 22 | `below`, `code` | x lies below the code (else above); low 16 bits of the distance |
/// | 23, 24 / 25, 26 | `s_xy, d_xy` / `s_xm, d_xm` | y (m) lies after x (else before); low 16 bits of the gap |
/// | 27…58, 59…90, 91…122 | `x[i]`, `y[i]`, `m[i]` | the operands' bytes (byte i of word i/4) |
/// | 123…154 | `r[i]` | the result's bytes |
/// | 155…218 | `q[i]` | the quotient's 64 bytes |
/// | 219…312 | `c[k]` | signed carries of the product equation, k = 0…93 |
/// | 313…344 | `f[k]` | one-hot: byte k is the most significant byte where r and m differ |
/// | 345…392 | `x_ts[8], x_diff[8], y_ts[8], y_diff[8], m_ts[8], m_diff[8]` | memory timestamp checks |
///
/// What a real row proves:
/// - the call is the CPU's (`(clk, 0x1013, 0, a0, 0, 0)` received on ``Bus/vmSyscall``), with a1
///   and a2 read at clk + 2 as the executor reads them;
/// - each pointer is 4-aligned, its 8 words lie in usable memory `[0x400, 0x3FFFC000)`, x's lie
///   outside the code words (x is written), and x is disjoint from y and from m (the shared
///   word-range checks of `WordRanges.swift`). y and m need no such check: two reads of one word at clk + 2 cannot
///   both chain (each access needs a strictly smaller previous timestamp);
/// - the operands are the memory words (8 accesses each; x's consumes x and produces r at
///   clk + 3, the executor's read and write merged), with every byte range-checked, so the
///   16-bit limbs `b0 + 256·b1` are the words' limbs and r's limbs are 16-bit;
/// - `x·y = q·m + r` over the integers, position by position in base 256:
///   `Σ_{i+j=k} x_i·y_j − Σ_{i+j=k} q_i·m_j − r_k + c_{k−1} = 256·c_k` with `c_{−1} = c_94 = 0`
///   and `c_k + 2^15` range-checked to 16 bits. Every term is below 2^23 in size, so each
///   equation holds over the integers, and the weighted sum telescopes to the identity;
/// - `r < m`: the flagged byte k has `m_k − r_k − 1 ∈ [0, 256)` and every byte above it is equal.
///   So m ≠ 0, and with q ≥ 0 (bytes), r is exactly `x·y mod m`.
public struct MulModAir: Air {
    public typealias F = VMField
    /// First and one-past-last code words (see ``SyscallAir``).
    public let codeStartWord: UInt32
    public let codeEndWord: UInt32

    public init(codeRange: Range<UInt32>) {
        let s = SyscallAir(codeRange: codeRange)
        codeStartWord = s.codeStartWord
        codeEndWord = s.codeEndWord
    }

    public var name: String { "MulMod" }
    public var width: Int { Col.count }

    public enum Col {
        public static let real = 0, clk = 1, a0 = 2, a1 = 4, a2 = 6, a1Ts = 8, a1Diff = 9, a2Ts = 10, a2Diff = 11
        public static let t = 12, lower = 15, upper = 18, below = 21, code = 22
        public static let sXY = 23, dXY = 24, sXM = 25, dXM = 26
        public static let x = 27, y = 59, m = 91, r = 123, q = 155, carry = 219, flag = 313
        public static let xTs = 345, xDiff = 353, yTs = 361, yDiff = 369, mTs = 377, mDiff = 385
        public static let count = 393
        /// Carries `c_0 … c_93`.
        public static let carries = 94
    }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        let real = b.main(Col.real)
        b.assertBool(real)
        let clk = b.main(Col.clk)
        func word(_ c: Int) -> (lo: E, hi: E) { (b.main(c), b.main(c + 1)) }
        let pointers = [word(Col.a0), word(Col.a1), word(Col.a2)]
        b.receive(
            bus: .vmSyscall,
            values: [clk, E(F(Syscall.uint256MulMod.rawValue)), 0, pointers[0].lo, pointers[0].hi, 0, 0],
            multiplicity: real
        )
        for (k, (col, ts, diff)) in [(Col.a1, Col.a1Ts, Col.a1Diff), (Col.a2, Col.a2Ts, Col.a2Diff)].enumerated() {
            b.memoryAccess(
                address: E(F(UInt32(11 + k))),
                prev: word(col),
                value: word(col),
                prevTimestamp: b.main(ts),
                timestamp: clk + 2,
                diffLo: b.main(diff),
                multiplicity: real
            )
        }
        // Word addresses; usable memory; x outside the code (it is written) and disjoint from y and m.
        var w: [E] = []
        for o in 0..<3 {
            w.append(b.alignedWordAddress(pointers[o], x: b.main(Col.t + o), multiplicity: real))
            b.assertUsableWords(
                w[o],
                count: 8,
                lower: b.main(Col.lower + o),
                upper: b.main(Col.upper + o),
                multiplicity: real
            )
        }
        let others: [(E, UInt32, Int, Int)] = [
            (E(F(codeStartWord)), codeEndWord - codeStartWord, Col.below, Col.code),
            (w[1], 8, Col.sXY, Col.dXY),
            (w[2], 8, Col.sXM, Col.dXM),
        ]
        for (v, m, after, gap) in others {
            b.assertDisjointWords(
                w[0],
                count: 8,
                v,
                count: m,
                after: b.main(after),
                gapLo: b.main(gap),
                multiplicity: real
            )
        }
        // Bytes.
        func bytes(_ base: Int, _ n: Int) -> [E] { (0..<n).map { b.main(base + $0) } }
        let x = bytes(Col.x, 32)
        let y = bytes(Col.y, 32)
        let m = bytes(Col.m, 32)
        let r = bytes(Col.r, 32)
        let q = bytes(Col.q, 64)
        for v in x + y + m + r + q { b.send(bus: .vmRange, values: [8, v], multiplicity: real) }
        func limbs(_ v: [E], _ k: Int) -> (lo: E, hi: E) {
            (v[4 * k] + 256 * v[4 * k + 1], v[4 * k + 2] + 256 * v[4 * k + 3])
        }
        // Memory: x read and r written (merged, produced at clk + 3); y and m read at clk + 2.
        for k in 0..<8 {
            let kk = E(F(UInt32(k)))
            b.memoryAccess(
                address: w[0] + kk,
                prev: limbs(x, k),
                value: limbs(r, k),
                prevTimestamp: b.main(Col.xTs + k),
                timestamp: clk + 3,
                diffLo: b.main(Col.xDiff + k),
                multiplicity: real
            )
            for (o, v, ts, diff) in [(1, y, Col.yTs, Col.yDiff), (2, m, Col.mTs, Col.mDiff)] {
                b.memoryAccess(
                    address: w[o] + kk,
                    prev: limbs(v, k),
                    value: limbs(v, k),
                    prevTimestamp: b.main(ts + k),
                    timestamp: clk + 2,
                    diffLo: b.main(diff + k),
                    multiplicity: real
                )
            }
        }
        // x·y = q·m + r, base 256, with signed carries (``ByteCarries``).
        let xy = ByteCarries.product(x, y, zero: E(F.zero), +, *)
        let qm = ByteCarries.product(q, m, zero: E(F.zero), +, *)
        let t = qm.indices.map { k in
            (k < xy.count ? xy[k] : E(F.zero)) - qm[k] - (k < 32 ? r[k] : E(F.zero))
        }
        b.assertBytePositionsVanish(t, carries: Col.carry, multiplicity: real)
        // r < m: one flagged byte where m is larger, equal bytes above it.
        let flags = (0..<32).map { b.main(Col.flag + $0) }
        var flagSum = E(F.zero)
        var gap = E(F.zero)
        for k in 0..<32 {
            b.assertBool(flags[k])
            b.assertZero(flagSum * (m[k] - r[k]))  // flagSum = Σ_{j<k} f_j: the flag is below byte k
            flagSum += flags[k]
            gap += flags[k] * (m[k] - r[k] - 1)
        }
        b.assertEqual(flagSum, real)
        b.send(bus: .vmRange, values: [8, gap], multiplicity: real)
    }
}
