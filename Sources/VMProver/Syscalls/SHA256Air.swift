import Algebra
import Stark
import VM

extension Bus {
    /// The memory words of `sha256_compress` calls, private to the SHA-256 tables:
    /// `(timestamp, address, in_lo, in_hi, add_lo, add_hi)` — "the call's access at `timestamp`
    /// to word address `address` finds `in` and leaves `in + add mod 2^32`". ``SHA256Air`` sends
    /// the 16 block words (read at clk + 2, `add = 0`) and the 8 state words (read and written,
    /// merged at clk + 3, `add` = the state after round 63); ``SHA256MemoryAir`` receives each and
    /// makes its memory access.
    public static var vmSHA256Memory: Bus { Bus(114, name: "sha256-memory") }
}

/// The `sha256_compress` syscall (`Guests/ABI.md`): the 8 state words `H0…H7` at a0 (native
/// little-endian `u32`s) := SHA-256's compression of them with the 64-byte message block at a1
/// (the bytes as hashed, so `W[t]` is memory word t byte-swapped). Each call takes 64 rows, one
/// per round; the table's rows are whole calls from row 0, then padding compressions of the
/// zero state and block. That no call is cut off is forced by the round flags: their
/// constraints hold on every row *including the wrap* from the last row to row 0 (not gated to
/// transitions, unlike ``KeccakAir``'s), and row 0's flags are round 0's, so the last row must
/// be a round 63 and the height a multiple of 64. Gating them would let a short table end a
/// real call early; keep them as they are.
///
/// Words that need bits (the working variables a, b, c, e, f, g and the schedule words
/// `W[t+1]`, `W[t+14]`) are 32 boolean columns, bit 0 the least significant; the others are
/// two 16-bit limbs `(lo, hi)`. Row t (round t of its call) holds:
///
/// | column | name | meaning |
/// | --- | --- | --- |
/// | 0…7, 8…15 | `u[j]`, `v[j]` | one-hot `t / 8` and `t mod 8`: row 0 has `u0 = v0 = 1`; v rotates every row, u when `v7 = 1` |
/// | 16 | `last` | `u7·v7`: round 63 |
/// | 17 | `real` | 1 on every row of a real call, 0 on padding; constant through a call |
/// | 18 | `export` | `real·last`: the row that answers the call |
/// | 19 | `clk` | the call's timestamp base (constant through the call) |
/// | 20, 21 / 22, 23 | `a0`, `a1` | the state and block pointers (a0 as the CPU read it, a1 read here) |
/// | 24, 25 | `x0`, `x1` | `a0_lo / 4`, `a1_lo / 4` (14 bits): word addresses `w_o = x_o + 2^14·a_o,hi` |
/// | 26, 27 | `a1_ts`, `a1_diff` | timestamp check of the a1 read at clk + 2 |
/// | 28, 29 / 30, 31 | `lower[o]` / `upper[o]` | low 16 bits of `w_o − 0x400` and `0x3FFFC000 − (w_o + n_o)`, n = 8, 16 |
/// | 32, 33 | `below`, `code` | the state lies below the code (else above); low 16 bits of the distance |
/// | 34, 35 | `after`, `gap` | the block lies after the state (else before); low 16 bits of the gap |
/// | 36…51 | `hin[k]` | the input state words `H_k` (limbs), constant through the call |
/// | 52…243 | `a, b, c, e, f, g` | bits of the working variables at the start of round t |
/// | 244…247 | `d`, `h` | limbs of d and h |
/// | 248…251 | `na`, `ne` | limbs of the new a and e (`T1 + T2`, `d + T1`) |
/// | 252…255 | `ca`, `ce` | carries of those sums (lo, hi), 3 bits each |
/// | 256…287 | `w[k]` | limbs of the schedule window `W[t + k]`, k = 0…15 |
/// | 288…319, 320…351 | `w1`, `w14` | bits of `W[t + 1]` and `W[t + 14]` |
/// | 352, 353 / 354, 355 | `nw` / `cw` | limbs of `W[t + 16] = σ1(W[t+14]) + W[t+9] + σ0(W[t+1]) + W[t]`; its carries (2 bits) |
/// | 356…359 | `m[j]` | the bytes of `W[t]` in memory order: `W[t] = m0·2^24 + m1·2^16 + m2·2^8 + m3` |
///
/// Why a call's export row sends `H + compress(H, block)` (FIPS 180-4 §6.2.2):
/// - Round flags are exactly one-hot (row 0 fixed, each next row determined), so `last`, the
///   first-row product `u0·v0`, and `K_t = Σ u_i·v_j·K[8i + j]` (degree 2) are the round's.
///   Calls sit at rows 64c … 64c + 63, and everything that must hold within a call is gated by
///   `1 − last`, so nothing ties a call to the next (the transition from the table's last row,
///   a round 63, to row 0 is gated off too).
/// - The bits of a, b, c, e, f, g, `w1`, `w14` are booleans; `b, c, f, g` are the previous row's
///   `a, b, e, f` and `d, h` the packed previous `c, g`; on round 0 all eight are `hin`.
/// - `na + 2^16·ca = h + Σ1(e) + Ch(e, f, g) + K_t + W_t + Σ0(a) + Maj(a, b, c)` and
///   `ne + 2^16·ce = d + h + Σ1(e) + Ch + K_t + W_t`, limb by limb (lo first, its carry into hi),
///   with Σ, Ch, Maj bit by bit from the bit columns (xor of three bits `x + y + z − 2(xy + yz +
///   zx) + 4xyz`, Ch `ef + (1 − e)g`, Maj `ab + ac + bc − 2abc`; degree 3). Every term is below
///   2^19, so each holds over the integers; carries are range-checked (7 terms: at most 6). On
///   a row that is not the last, the next row's a and e bits pack to `na`, `ne`: 16-bit limbs,
///   so `na` is the sum mod 2^32.
/// - The window shifts (`w[k]` of the next row is `w[k + 1]`, its `w[15]` is `nw`), `w1`, `w14`
///   pack to `w[1]`, `w[14]`, and `nw + 2^16·cw` is the schedule sum with σ0, σ1 from the bits
///   (2-bit carries), so `w[0]` of round t is `W[t]` for t ≥ 16. Each `W[t]` used (t ≤ 63) is
///   some row's `w14` (t ≥ 14) or a block word, and every row's `w[0]` is its four bytes `m`, so
///   all have 16-bit limbs.
/// - Rows 0…15 of a real call read block word t: `(clk + 2, w_1 + t, m0 + 2^8·m1, m2 + 2^8·m3, 0, 0)`
///   (the memory word, little-endian, whose bytes `m` are `W[t]`'s; range-checked bytes).
/// - The export row sends, for k = 0…7, `(clk + 3, w_0 + k, hin[k], s[k])` with `s` the state
///   after round 63: `(na, a, b, c, ne, e, f, g)`. `na`, `ne` are not range-checked there, but
///   their limbs are small integers whose weighted sum is the true sum minus `2^32·ca_hi`, and
///   ``SHA256MemoryAir`` range-checks the limbs of `in + add`: the written word is exactly
///   `H_k + s_k mod 2^32`. The memory side reads `hin` from the state words (`in`).
/// - The export row receives `(clk, 0x1014, 0, a0, 0, 0)` on ``Bus/vmSyscall`` (the CPU's `ecall`,
///   result 0), reads a1 at clk + 2 as the executor does, and proves both pointers 4-aligned,
///   their 8 and 16 words in usable memory, the state outside the code (it is written) and the
///   two buffers disjoint (the shared word-range checks of `WordRanges.swift`).
public struct SHA256Air: Air {
    public typealias F = VMField
    /// First word of the code (see ``SyscallAir/codeStartWord``).
    public let codeStartWord: UInt32
    /// One past the last word of the code.
    public let codeEndWord: UInt32

    public init(codeRange: Range<UInt32>) {
        let s = SyscallAir(codeRange: codeRange)
        codeStartWord = s.codeStartWord
        codeEndWord = s.codeEndWord
    }

    public var name: String { "SHA256" }
    public var width: Int { Col.count }

    /// Column indices (see the table above).
    public enum Col {
        public static let u = 0, v = 8, last = 16, real = 17, export = 18, clk = 19, a0 = 20, a1 = 22
        public static let x0 = 24, x1 = 25, a1Ts = 26, a1Diff = 27, lower = 28, upper = 30
        public static let below = 32, code = 33, after = 34, gap = 35, hin = 36
        public static let a = 52, b = 84, c = 116, e = 148, f = 180, g = 212
        public static let d = 244, h = 246, na = 248, ne = 250, ca = 252, ce = 254
        public static let w = 256, w1 = 288, w14 = 320, nw = 352, cw = 354, m = 356
        public static let count = 360
        /// The columns constant through a call.
        public static let carried = [real, clk, a0, a0 + 1, a1, a1 + 1, x0, x1] + (hin..<hin + 16).map { $0 }
    }

    /// Rows per call.
    public static let rounds = 64
    /// Memory words a call accesses: 8 state words (read and written) and 16 block words.
    public static let stateWords = 8
    public static let blockWords = 16

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        func xor(_ p: E, _ q: E) -> E { p + q - 2 * p * q }
        func xor3(_ p: E, _ q: E, _ r: E) -> E { xor(xor(p, q), r) }
        func bits(_ base: Int) -> [E] { (0..<32).map { b.main(base + $0) } }
        func nextBits(_ base: Int) -> [E] { (0..<32).map { b.next(base + $0) } }
        func word(_ c: Int) -> (lo: E, hi: E) { (b.main(c), b.main(c + 1)) }
        /// The limbs of a word given bit by bit.
        func pack(_ v: [E]) -> (lo: E, hi: E) {
            var lo = E(F.zero)
            var hi = E(F.zero)
            for k in (0..<16).reversed() {
                lo = lo * 2 + v[k]
                hi = hi * 2 + v[16 + k]
            }
            return (lo, hi)
        }

        // Round flags: u0 = v0 = 1 on row 0; v rotates every row, u advances when v7 = 1.
        let u = (0..<8).map { b.main(Col.u + $0) }
        let v = (0..<8).map { b.main(Col.v + $0) }
        b.assertEqualOnFirstRow(u[0], 1)
        b.assertEqualOnFirstRow(v[0], 1)
        for j in 1..<8 {
            b.assertZeroOnFirstRow(u[j])
            b.assertZeroOnFirstRow(v[j])
        }
        for j in 0..<8 {
            b.assertEqual(b.next(Col.v + (j + 1) % 8), v[j])
            b.assertEqual(b.next(Col.u + j), u[j] + v[7] * (u[(j + 7) % 8] - u[j]))
        }
        let last = b.main(Col.last)
        b.assertEqual(last, u[7] * v[7])
        let notLast = 1 - last
        let first = u[0] * v[0]
        let real = b.main(Col.real)
        let export = b.main(Col.export)
        b.assertBool(real)
        b.assertEqual(export, real * last)
        for c in Col.carried { b.assertZero(notLast * (b.next(c) - b.main(c))) }

        // Working variables: booleans, round 0 from hin, then shifted round by round.
        let (a, bb, c, e, f, g) = (bits(Col.a), bits(Col.b), bits(Col.c), bits(Col.e), bits(Col.f), bits(Col.g))
        for x in a + bb + c + e + f + g { b.assertBool(x) }
        let d = word(Col.d)
        let h = word(Col.h)
        let hin = (0..<8).map { word(Col.hin + 2 * $0) }
        let packed = [pack(a), pack(bb), pack(c), d, pack(e), pack(f), pack(g), h]
        for k in 0..<8 {
            b.assertZero(first * (packed[k].lo - hin[k].lo))
            b.assertZero(first * (packed[k].hi - hin[k].hi))
        }
        for (to, from) in [(Col.b, a), (Col.c, bb), (Col.f, e), (Col.g, f)] {
            for k in 0..<32 { b.assertZero(notLast * (b.next(to + k) - from[k])) }
        }
        let na = word(Col.na)
        let ne = word(Col.ne)
        let chained: [((lo: E, hi: E), (lo: E, hi: E))] = [
            ((b.next(Col.d), b.next(Col.d + 1)), packed[2]), ((b.next(Col.h), b.next(Col.h + 1)), packed[6]),
            (pack(nextBits(Col.a)), na), (pack(nextBits(Col.e)), ne),
        ]
        for (to, from) in chained {
            b.assertZero(notLast * (to.lo - from.lo))
            b.assertZero(notLast * (to.hi - from.hi))
        }

        // The round: T1 = h + Σ1(e) + Ch(e, f, g) + K_t + W_t, T2 = Σ0(a) + Maj(a, b, c).
        let sigma1 = pack((0..<32).map { k in xor3(e[(k + 6) % 32], e[(k + 11) % 32], e[(k + 25) % 32]) })
        func choose(_ k: Int) -> E {
            let x: E = e[k] * f[k]
            return x + (1 - e[k]) * g[k]
        }
        func majority(_ k: Int) -> E {
            let ab: E = a[k] * bb[k]
            let ac: E = a[k] * c[k]
            let bc: E = bb[k] * c[k]
            return ab + ac + bc - 2 * ab * c[k]
        }
        let ch = pack((0..<32).map(choose))
        let sigma0 = pack((0..<32).map { k in xor3(a[(k + 2) % 32], a[(k + 13) % 32], a[(k + 22) % 32]) })
        let maj = pack((0..<32).map(majority))
        var kLo = E(F.zero)
        var kHi = E(F.zero)
        for t in 0..<Self.rounds {
            let flag = u[t / 8] * v[t % 8]
            kLo += flag * E(F(SHA256Spec.k[t] & 0xffff))
            kHi += flag * E(F(SHA256Spec.k[t] >> 16))
        }
        let w0 = word(Col.w)
        let t1 = (lo: h.lo + sigma1.lo + ch.lo + kLo + w0.lo, hi: h.hi + sigma1.hi + ch.hi + kHi + w0.hi)
        let ca = word(Col.ca)
        let ce = word(Col.ce)
        b.assertEqual(ne.lo + 65536 * ce.lo, d.lo + t1.lo)
        b.assertEqual(ne.hi + 65536 * ce.hi, d.hi + t1.hi + ce.lo)
        b.assertEqual(na.lo + 65536 * ca.lo, t1.lo + sigma0.lo + maj.lo)
        b.assertEqual(na.hi + 65536 * ca.hi, t1.hi + sigma0.hi + maj.hi + ca.lo)
        for carry in [ca.lo, ca.hi, ce.lo, ce.hi] { b.send(bus: .vmRange, values: [3, carry]) }

        // The message schedule window.
        let window = (0..<16).map { word(Col.w + 2 * $0) }
        let w1 = bits(Col.w1)
        let w14 = bits(Col.w14)
        for x in w1 + w14 { b.assertBool(x) }
        for (bitsOf, k) in [(w1, 1), (w14, 14)] {
            let p = pack(bitsOf)
            b.assertEqual(p.lo, window[k].lo)
            b.assertEqual(p.hi, window[k].hi)
        }
        let s0 = pack((0..<32).map { k in xor3(w1[(k + 7) % 32], w1[(k + 18) % 32], k < 29 ? w1[k + 3] : E(F.zero)) })
        let s1 = pack(
            (0..<32).map { k in xor3(w14[(k + 17) % 32], w14[(k + 19) % 32], k < 22 ? w14[k + 10] : E(F.zero)) }
        )
        let nw = word(Col.nw)
        let cw = word(Col.cw)
        b.assertEqual(nw.lo + 65536 * cw.lo, s1.lo + window[9].lo + s0.lo + window[0].lo)
        b.assertEqual(nw.hi + 65536 * cw.hi, s1.hi + window[9].hi + s0.hi + window[0].hi + cw.lo)
        b.send(bus: .vmRange, values: [2, cw.lo])
        b.send(bus: .vmRange, values: [2, cw.hi])
        for k in 0..<16 {
            let to = k < 15 ? window[k + 1] : nw
            b.assertZero(notLast * (b.next(Col.w + 2 * k) - to.lo))
            b.assertZero(notLast * (b.next(Col.w + 2 * k + 1) - to.hi))
        }
        // W_t's bytes in memory order.
        let m = (0..<4).map { b.main(Col.m + $0) }
        b.assertEqual(w0.lo, m[3] + 256 * m[2])
        b.assertEqual(w0.hi, m[1] + 256 * m[0])
        for byte in m { b.send(bus: .vmRange, values: [8, byte]) }

        // The call (export row): the CPU's ecall with a7 = 0x1014 and result 0, a1 read at clk + 2.
        let clk = b.main(Col.clk)
        let a0 = word(Col.a0)
        let a1 = word(Col.a1)
        b.receive(
            bus: .vmSyscall,
            values: [clk, E(F(Syscall.sha256Compress.rawValue)), 0, a0.lo, a0.hi, 0, 0],
            multiplicity: export
        )
        b.memoryAccess(
            address: E(F(UInt32(11))),
            prev: a1,
            value: a1,
            prevTimestamp: b.main(Col.a1Ts),
            timestamp: clk + 2,
            diffLo: b.main(Col.a1Diff),
            multiplicity: export
        )
        // Word addresses; usable memory; the state outside the code (it is written) and off the block.
        let ws = b.alignedWordAddress(a0, x: b.main(Col.x0), multiplicity: export)
        let wb = b.alignedWordAddress(a1, x: b.main(Col.x1), multiplicity: export)
        for (o, (w, n)) in [(ws, UInt32(Self.stateWords)), (wb, UInt32(Self.blockWords))].enumerated() {
            b.assertUsableWords(
                w,
                count: n,
                lower: b.main(Col.lower + o),
                upper: b.main(Col.upper + o),
                multiplicity: export
            )
        }
        let others: [(E, UInt32, Int, Int)] = [
            (E(F(codeStartWord)), codeEndWord - codeStartWord, Col.below, Col.code),
            (wb, UInt32(Self.blockWords), Col.after, Col.gap),
        ]
        for (other, n, after, gap) in others {
            b.assertDisjointWords(
                ws,
                count: UInt32(Self.stateWords),
                other,
                count: n,
                after: b.main(after),
                gapLo: b.main(gap),
                multiplicity: export
            )
        }
        // Block word t on rows 0…15: the memory word whose bytes are W_t's.
        var index = 8 * u[1]
        for j in 1..<8 { index += E(F(UInt32(j))) * v[j] }
        b.send(
            bus: .vmSHA256Memory,
            values: [clk + 2, wb + index, m[0] + 256 * m[1], m[2] + 256 * m[3], 0, 0],
            multiplicity: real * (u[0] + u[1])
        )
        // The state words: read hin, write hin + the state after round 63.
        let after = [na, packed[0], packed[1], packed[2], ne, packed[4], packed[5], packed[6]]
        for k in 0..<Self.stateWords {
            b.send(
                bus: .vmSHA256Memory,
                values: [clk + 3, ws + E(F(UInt32(k))), hin[k].lo, hin[k].hi, after[k].lo, after[k].hi],
                multiplicity: export
            )
        }
    }
}

/// The memory accesses of `sha256_compress` calls: one row per word of each call (24).
///
/// | column | name | meaning |
/// | --- | --- | --- |
/// | 0 | `real` | 1 on real rows |
/// | 1 | `ts` | the access's timestamp: clk + 2 (a block word) or clk + 3 (a state word) |
/// | 2 | `address` | the word address |
/// | 3, 4 | `in` | the word before the call (its memory value) |
/// | 5, 6 | `add` | what the call adds to it (0 for block words) |
/// | 7, 8 | `out` | `in + add mod 2^32`, the word after the call |
/// | 9, 10 | `carry` | the carries of that sum (bits) |
/// | 11, 12 | `prev_ts`, `diff_lo` | timestamp check of the access |
///
/// Each real row receives `(ts, address, in, add)` from ``SHA256Air``, proves
/// `out_lo + 2^16·carry_lo = in_lo + add_lo`, `out_hi + 2^16·carry_hi = in_hi + add_hi + carry_lo`
/// with `out`'s limbs range-checked (16 bits), and makes one memory access that consumes
/// `(address, in, prev_ts)` and produces `(address, out, ts)`: for a state word the executor's
/// read at clk + 2 and write at clk + 3 merged (nothing else touches memory at clk + 2 of an
/// ecall row), for a block word its read (`add = 0`, so `out = in`). `add`'s limbs are small
/// integers (below 2^20 in size: ``SHA256Air`` sends nothing else), so both equations hold
/// over the integers and `out` is the 32-bit sum.
public struct SHA256MemoryAir: Air {
    public typealias F = VMField
    public init() {}
    public var name: String { "SHA256Memory" }
    public var width: Int { Col.count }

    public enum Col {
        public static let real = 0, ts = 1, address = 2, input = 3, add = 5, output = 7, carry = 9
        public static let prevTs = 11, diff = 12
        public static let count = 13
    }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        let real = b.main(Col.real)
        b.assertBool(real)
        let ts = b.main(Col.ts)
        let address = b.main(Col.address)
        let input = (lo: b.main(Col.input), hi: b.main(Col.input + 1))
        let add = (lo: b.main(Col.add), hi: b.main(Col.add + 1))
        let output = (lo: b.main(Col.output), hi: b.main(Col.output + 1))
        let carry = (lo: b.main(Col.carry), hi: b.main(Col.carry + 1))
        b.assertBool(carry.lo)
        b.assertBool(carry.hi)
        b.assertEqual(output.lo + 65536 * carry.lo, input.lo + add.lo)
        b.assertEqual(output.hi + 65536 * carry.hi, input.hi + add.hi + carry.lo)
        b.send(bus: .vmRange, values: [16, output.lo], multiplicity: real)
        b.send(bus: .vmRange, values: [16, output.hi], multiplicity: real)
        b.receive(bus: .vmSHA256Memory, values: [ts, address, input.lo, input.hi, add.lo, add.hi], multiplicity: real)
        b.memoryAccess(
            address: address,
            prev: input,
            value: output,
            prevTimestamp: b.main(Col.prevTs),
            timestamp: ts,
            diffLo: b.main(Col.diff),
            multiplicity: real
        )
    }
}

/// The constants of SHA-256 (FIPS 180-4 §4.2.2, §5.3.3), computed as the standard defines them
/// rather than copied: `K[t]` is the first 32 bits of the fractional part of the cube root of
/// the t-th prime, the initial value those of the square roots of the first 8 primes.
public enum SHA256Spec {
    /// The first 64 primes.
    static let primes: [UInt64] = {
        var p: [UInt64] = []
        var n: UInt64 = 2
        while p.count < 64 {
            if p.allSatisfy({ n % $0 != 0 }) { p.append(n) }
            n += 1
        }
        return p
    }()

    /// `⌊frac(n^(1/r))·2^32⌋` by integer root search: the largest `x` with `x^r ≤ n·2^(32r)`.
    static func fractionBits(_ n: UInt64, root r: Int) -> UInt32 {
        // x < 2^(32 + 3) (n < 2^9); compare x^r with n·2^(32r) in 128-bit halves (r ≤ 3 → < 2^108).
        func power(_ x: UInt64) -> (high: UInt64, low: UInt64) {
            var v = (high: UInt64(0), low: UInt64(1))
            for _ in 0..<r {
                let lo = v.low.multipliedFullWidth(by: x)
                v = (v.high &* x &+ lo.high, lo.low)
            }
            return v
        }
        let target = (high: n << (32 * UInt64(r) - 64), low: UInt64(0))
        var x: UInt64 = 0
        for bit in (0..<40).reversed() {
            let y = x | 1 << UInt64(bit)
            let p = power(y)
            if p.high < target.high || (p.high == target.high && p.low <= target.low) { x = y }
        }
        return UInt32(truncatingIfNeeded: x)
    }

    /// The round constants.
    public static let k: [UInt32] = primes.map { fractionBits($0, root: 3) }
    /// The initial hash value `H0…H7`.
    public static let initial: [UInt32] = primes.prefix(8).map { fractionBits($0, root: 2) }
}
