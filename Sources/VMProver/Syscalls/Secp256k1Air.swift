import Algebra
import Stark
import VM

/// The `secp256k1_add` and `secp256k1_double` syscalls (`Guests/ABI.md`): p := p + q, or p := 2p,
/// for affine points of 16 words (x then y, 32-byte little-endian coordinates, any 256-bit
/// value, read mod P where P = 2^256 − 2^32 − 977); add requires x1 ≢ x2, double y1 ≢ 0
/// (mod P). One row per call; padding rows are all zero.
///
/// | columns | name | meaning |
/// | --- | --- | --- |
/// | 0, 1 | `real`, `double` | 1 on real rows; 1 for `secp256k1_double` (then ≤ `real`) |
/// | 2 | `clk` | the call's timestamp base |
/// | 3…6 | `a0`, `a1` | the point pointers (a0 as the CPU read it; a1 read here, adds only) |
/// | 7, 8 | `a1_ts, a1_diff` | timestamp check of the a1 read at clk + 2 |
/// | 9, 10 | `t[o]` | `a_o,lo / 4` (14 bits): word address `w_o = t_o + 2^14·a_o,hi` |
/// | 11, 12 / 13, 14 | `lower[o]` / `upper[o]` | low 16 bits of `w_o − 0x400` and `0x3FFFC000 − (w_o + 16)` |
/// | 15, 16 | `below`, `code` | p lies below the code (else above); low 16 bits of the distance |
/// | 17, 18 | `after`, `gap` | q lies after p (else before); low 16 bits of the gap (adds only) |
/// | 19… (8 × 32) | `x1, y1, x2, y2, λ, w, x3, y3` | bytes: p, q (copies of p for a double), the slope, the inverse of its denominator, the result |
/// | 275… (4 × 33) | `q_e[i]` | the quotient bytes of identity e = 1…4 |
/// | 407… (4 × 64) | `c_e[k]` | signed carries of identity e (``ByteCarries``) |
/// | 663… (2 × 16) | `f_x[k]`, `f_y[k]` | one-hot: limb k is the most significant limb where x3 (y3) and P differ |
/// | 695… (4 × 16) | `p_ts, p_diff, q_ts, q_diff` | memory timestamp checks of the 16 + 16 words |
///
/// Four integer identities, each `E + q_e·P − 2^258·P = 0` in base 256 (``ByteCarries``), so
/// `E ≡ 0 (mod P)`; `d` is `double`:
/// 1. `E1 = λ·(x2 − x1 + 2d·y1) − 3d·x1² − y2 + y1`: the slope. An add (d = 0, q read) proves
///    `λ·(x2 − x1) ≡ y2 − y1`; a double has x2 = x1, y2 = y1 (constrained), so `λ·2y1 ≡ 3x1²`.
/// 2. `E2 = x3 + x1 + x2 − λ²`: `x3 ≡ λ² − x1 − x2` (for a double `λ² − 2x1`).
/// 3. `E3 = y3 + y1 + λ·(x3 − x1)`: `y3 ≡ λ·(x1 − x3) − y1`.
/// 4. `E4 = w·(x2 − x1 + d·y1) − 1`: the slope's denominator, `x2 − x1` or `y1`, has the inverse
///    w, so the precondition holds. Without it, x1 ≡ x2 and y1 ≡ y2 (or y1 ≡ x1 ≡ 0 for a
///    double) would satisfy identity 1 for every λ, and any result would pass.
///
/// With the denominator invertible, identity 1 fixes λ mod P, 2 and 3 fix x3, y3 mod P, and
/// `x3, y3 < P` (flagged limb: the limbs above it equal P's, `P_k − x3_k − 1` is 16-bit) makes
/// them the unique canonical result, the executor's. The quotient `q_e = 2^258 − E/P` lies in
/// `[0, 2^264)` for every input (|E| < 3·2^512), so 33 bytes hold it; the `2^258·P` term keeps
/// it non-negative. Every position sum is below 2^23 in size: the largest, 2λ·y1 and 3x1² of a
/// double, stay on opposite sides (q's terms on the positive one), so carries stay in
/// `[−2^15, 2^15)`.
///
/// Also proven: the call is the CPU's (`(clk, 0x1011 + double, 0, a0, 0, 0)` received on
/// ``Bus/vmSyscall``); a1 is read at clk + 2 for an add (the executor reads it only then);
/// pointers 4-aligned, their 16 words in usable memory, p's outside the code (it is written)
/// and, for an add, p and q disjoint (`WordRanges.swift`); the bytes range-checked, so the
/// limbs `b0 + 256·b1` are 16-bit; p's 16 words read and the result written (one access
/// produced at clk + 3, the executor's read and write merged) and q's 16 read at clk + 2.
public struct Secp256k1Air: Air {
    public typealias F = VMField
    /// First and one-past-last code words (see ``SyscallAir``).
    public let codeStartWord: UInt32
    public let codeEndWord: UInt32

    public init(codeRange: Range<UInt32>) {
        let s = SyscallAir(codeRange: codeRange)
        codeStartWord = s.codeStartWord
        codeEndWord = s.codeEndWord
    }

    public var name: String { "Secp256k1" }
    public var width: Int { Col.count }

    public enum Col {
        public static let real = 0, double = 1, clk = 2, a0 = 3, a1 = 5, a1Ts = 7, a1Diff = 8
        public static let t = 9, lower = 11, upper = 13, below = 15, code = 16, after = 17, gap = 18
        public static let x1 = 19, y1 = 51, x2 = 83, y2 = 115, lambda = 147, w = 179, x3 = 211, y3 = 243
        /// Quotient bytes of identity e (0…3) at `quotient + 33·e`.
        public static let quotient = 275
        /// Carries of identity e at `carry + 64·e`.
        public static let carry = 407
        public static let flagX = 663, flagY = 679
        public static let pTs = 695, pDiff = 711, qTs = 727, qDiff = 743
        public static let count = 759
        /// Bytes of a quotient.
        public static let quotientBytes = 33
        /// Positions of an identity: 0…64 (`2^258·P` reaches byte 64).
        public static let positions = 65
    }

    /// P's 32 little-endian bytes.
    public static let modulusBytes: [Int64] = [0x2F, 0xFC, 0xFF, 0xFF, 0xFE] + [Int64](repeating: 0xFF, count: 27)

    /// The 65 bytes of `2^258·P`: zero below byte 32, then the bytes of 4P.
    static let offsetBytes: [Int64] = {
        var out = [Int64](repeating: 0, count: 32)
        var carry: Int64 = 0
        for b in modulusBytes {
            out.append((b << 2 | carry) & 0xff)
            carry = b >> 6
        }
        out.append(carry)
        return out
    }()

    /// The operands of one row, in any arithmetic (the AIR's expressions, the trace's integers).
    package struct Operands<V> {
        package var x1: [V], y1: [V], x2: [V], y2: [V], lambda: [V], w: [V], x3: [V], y3: [V]
        package var double: V, real: V

        package init(
            x1: [V],
            y1: [V],
            x2: [V],
            y2: [V],
            lambda: [V],
            w: [V],
            x3: [V],
            y3: [V],
            double: V,
            real: V
        ) {
            (self.x1, self.y1, self.x2, self.y2, self.lambda, self.w, self.x3, self.y3) = (
                x1, y1, x2, y2, lambda, w, x3, y3
            )
            (self.double, self.real) = (double, real)
        }
    }

    /// The four identities' position sums (65 each) without the quotient terms: `E_e − 2^258·P`.
    package static func residues<V>(
        _ o: Operands<V>,
        zero: V,
        constant: (Int64) -> V,
        _ add: @escaping (V, V) -> V,
        _ sub: @escaping (V, V) -> V,
        _ mul: @escaping (V, V) -> V
    ) -> [[V]] {
        func padded(_ v: [V]) -> [V] { v + [V](repeating: zero, count: Col.positions - v.count) }
        func zip(_ a: [V], _ b: [V], _ f: (V, V) -> V) -> [V] { a.indices.map { f(a[$0], b[$0]) } }
        func product(_ a: [V], _ b: [V]) -> [V] { padded(ByteCarries.product(a, b, zero: zero, add, mul)) }
        let diff = zip(o.x2, o.x1, sub)
        let dy = o.y1.map { mul(o.double, $0) }
        let threeD = mul(constant(3), o.double)
        let e1 = zip(
            zip(product(o.lambda, zip(diff, zip(dy, dy, add), add)), product(o.x1, o.x1).map { mul(threeD, $0) }, sub),
            padded(zip(o.y1, o.y2, sub)),
            add
        )
        let e2 = zip(padded(zip(zip(o.x3, o.x1, add), o.x2, add)), product(o.lambda, o.lambda), sub)
        let e3 = zip(padded(zip(o.y3, o.y1, add)), product(o.lambda, zip(o.x3, o.x1, sub)), add)
        var e4 = product(o.w, zip(diff, dy, add))
        e4[0] = sub(e4[0], o.real)
        let offset = offsetBytes.map { mul(o.real, constant($0)) }
        return [e1, e2, e3, e4].map { zip($0, offset, sub) }
    }

    /// `t + q·P`, the full position sums of an identity with quotient bytes `q`.
    package static func withQuotient<V>(
        _ t: [V],
        _ q: [V],
        zero: V,
        constant: (Int64) -> V,
        _ add: @escaping (V, V) -> V,
        _ mul: @escaping (V, V) -> V
    ) -> [V] {
        var out = t
        for (k, v) in ByteCarries.product(q, modulusBytes.map(constant), zero: zero, add, mul).enumerated() {
            out[k] = add(out[k], v)
        }
        return out
    }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        let real = b.main(Col.real)
        let double = b.main(Col.double)
        let add = real - double
        b.assertBool(real)
        b.assertBool(double)
        b.assertZero(double * (1 - real))
        let clk = b.main(Col.clk)
        func word(_ c: Int) -> (lo: E, hi: E) { (b.main(c), b.main(c + 1)) }
        let pointers = [word(Col.a0), word(Col.a1)]
        b.receive(
            bus: .vmSyscall,
            values: [
                clk, E(F(Syscall.secp256k1Add.rawValue)) + double, 0, pointers[0].lo, pointers[0].hi, 0, 0,
            ],
            multiplicity: real
        )
        b.memoryAccess(
            address: E(F(UInt32(11))),
            prev: pointers[1],
            value: pointers[1],
            prevTimestamp: b.main(Col.a1Ts),
            timestamp: clk + 2,
            diffLo: b.main(Col.a1Diff),
            multiplicity: add
        )
        // Word addresses; usable memory; p outside the code (it is written) and disjoint from q.
        var w: [E] = []
        for (o, m) in [real, add].enumerated() {
            w.append(b.alignedWordAddress(pointers[o], x: b.main(Col.t + o), multiplicity: m))
            b.assertUsableWords(
                w[o],
                count: 16,
                lower: b.main(Col.lower + o),
                upper: b.main(Col.upper + o),
                multiplicity: m
            )
        }
        let others: [(E, UInt32, Int, Int, E)] = [
            (E(F(codeStartWord)), codeEndWord - codeStartWord, Col.below, Col.code, real),
            (w[1], 16, Col.after, Col.gap, add),
        ]
        for (v, n, after, gap, m) in others {
            b.assertDisjointWords(
                w[0],
                count: 16,
                v,
                count: n,
                after: b.main(after),
                gapLo: b.main(gap),
                multiplicity: m
            )
        }
        // Bytes; a double's q is p.
        func bytes(_ base: Int, _ n: Int) -> [E] { (0..<n).map { b.main(base + $0) } }
        let o = Operands(
            x1: bytes(Col.x1, 32),
            y1: bytes(Col.y1, 32),
            x2: bytes(Col.x2, 32),
            y2: bytes(Col.y2, 32),
            lambda: bytes(Col.lambda, 32),
            w: bytes(Col.w, 32),
            x3: bytes(Col.x3, 32),
            y3: bytes(Col.y3, 32),
            double: double,
            real: real
        )
        for v in bytes(Col.x1, 8 * 32) { b.send(bus: .vmRange, values: [8, v], multiplicity: real) }
        for k in 0..<32 {
            b.assertZero(double * (o.x2[k] - o.x1[k]))
            b.assertZero(double * (o.y2[k] - o.y1[k]))
        }
        func limbs(_ v: [E], _ k: Int) -> (lo: E, hi: E) {
            (v[4 * k] + 256 * v[4 * k + 1], v[4 * k + 2] + 256 * v[4 * k + 3])
        }
        // Memory: p read and the result written (merged, produced at clk + 3); q read at clk + 2.
        for k in 0..<16 {
            let kk = E(F(UInt32(k)))
            let (input, output, other) = k < 8 ? (o.x1, o.x3, o.x2) : (o.y1, o.y3, o.y2)
            b.memoryAccess(
                address: w[0] + kk,
                prev: limbs(input, k % 8),
                value: limbs(output, k % 8),
                prevTimestamp: b.main(Col.pTs + k),
                timestamp: clk + 3,
                diffLo: b.main(Col.pDiff + k),
                multiplicity: real
            )
            b.memoryAccess(
                address: w[1] + kk,
                prev: limbs(other, k % 8),
                value: limbs(other, k % 8),
                prevTimestamp: b.main(Col.qTs + k),
                timestamp: clk + 2,
                diffLo: b.main(Col.qDiff + k),
                multiplicity: add
            )
        }
        // The four identities mod P.
        func constant(_ v: Int64) -> E { v >= 0 ? E(F(UInt32(v))) : -E(F(UInt32(-v))) }
        let residues = Self.residues(o, zero: E(F.zero), constant: constant, +, -, *)
        for (e, t) in residues.enumerated() {
            let q = bytes(Col.quotient + Col.quotientBytes * e, Col.quotientBytes)
            for v in q { b.send(bus: .vmRange, values: [8, v], multiplicity: real) }
            let full = Self.withQuotient(t, q, zero: E(F.zero), constant: constant, +, *)
            b.assertBytePositionsVanish(full, carries: Col.carry + (Col.positions - 1) * e, multiplicity: real)
        }
        // x3, y3 < P: one flagged limb where P is larger, equal limbs above it.
        for (v, flagBase) in [(o.x3, Col.flagX), (o.y3, Col.flagY)] {
            var flagSum = E(F.zero)
            var gap = E(F.zero)
            for k in 0..<16 {
                let f = b.main(flagBase + k)
                let limb = v[2 * k] + 256 * v[2 * k + 1]
                let pk = constant(Self.modulusBytes[2 * k] + 256 * Self.modulusBytes[2 * k + 1])
                b.assertBool(f)
                b.assertZero(flagSum * (pk - limb))  // flagSum = Σ_{j<k} f_j: the flag is below limb k
                flagSum += f
                gap += f * (pk - limb - 1)
            }
            b.assertEqual(flagSum, real)
            b.send(bus: .vmRange, values: [16, gap], multiplicity: real)
        }
    }
}
