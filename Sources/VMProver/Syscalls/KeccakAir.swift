import Algebra
import Stark
import VM

extension Bus {
    /// The words of `keccak_f` calls, private to the Keccak tables:
    /// `(clk, address, in_lo, in_hi, out_lo, out_hi)` — "the call at `clk` permuted the word at word
    /// address `address` from `in` to `out`". ``KeccakAir`` sends the 50 words of each call;
    /// ``KeccakMemoryAir`` receives each and makes its memory access.
    public static var vmKeccakMemory: Bus { Bus(109, name: "keccak-memory") }
}

/// The `keccak_f` syscall (`Guests/ABI.md`): Keccak-f[1600] on the 25 little-endian 64-bit lanes at
/// a0, in place. Each call takes 24 rows, one per round; the table's rows are whole calls from row
/// 0, then padding permutations of the zero state (the last one cut off by the height).
///
/// The round constraints follow Plonky3's `keccak-air` (lanes as bits where the round needs bits,
/// as 16-bit limbs where it needs words). Lane `L = x + 5y` of the state is the memory words
/// `2L` (limbs 0, 1) and `2L + 1` (limbs 2, 3), limb 0 the least significant.
///
/// | column | name | meaning |
/// | --- | --- | --- |
/// | 0…23 | `step[r]` | one-hot round number; rotates by one each row from `step[0] = 1` on row 0 |
/// | 24 | `export` | 1 on the last round of a real call (only where `step[23] = 1`) |
/// | 25 | `clk` | the call's timestamp base (read on the export row) |
/// | 26, 27 | `a0` | the state pointer as the CPU read it |
/// | 28 | `x` | `a0_lo / 4` (14 bits): word address `w = x + 2^14·a0_hi` |
/// | 29 | `lower` | low 16 bits of `w − 0x400` (the high part, computed, has 14 bits) |
/// | 30 | `upper` | low 16 bits of `0x3FFFC000 − (w + 50)` |
/// | 31 | `below` | the state lies below the code (else above it) |
/// | 32 | `code` | low 16 bits of the distance in words to the code |
/// | 33…132 | `preimage[L][limb]` | the call's input state, the same on all its rows |
/// | 133…232 | `a[L][limb]` | the state at the start of this round |
/// | 233…552 | `c[x][z]` | bits of `C[x] = ⊕_y A[x, y]` |
/// | 553…872 | `c'[x][z]` | bits of `C'[x] = C[x] ⊕ C[x − 1] ⊕ rot(C[x + 1], 1)` |
/// | 873…2472 | `a'[L][z]` | bits of `A'[x, y] = A[x, y] ⊕ D[x]` (θ) |
/// | 2473…2572 | `a''[L][limb]` | `A''` after ρ, π, χ |
/// | 2573…2636 | `a''00[z]` | bits of `A''[0, 0]` |
/// | 2637…2640 | `a'''00[limb]` | `A''[0, 0] ⊕ RC[round]` (ι); the other lanes of `A'''` are `A''` |
///
/// Why it is the permutation (θ, ρ, π, χ, ι with `D[x] = C[x − 1] ⊕ rot(C[x + 1], 1)`):
/// - `C'[x] = C[x] ⊕ D[x]` by its definition, so `D = C ⊕ C'` and `A = A' ⊕ C ⊕ C'` bit by bit:
///   each limb of `a` is checked as the 16-bit sum of those bits. The bits of `a'`, `c`, `c'` are
///   booleans (asserted, or for `c'` equal to a xor of booleans), so `a`'s limbs are 16-bit.
/// - `Σ_y A'[x, y, z] − C'[x, z] ∈ {0, 2, 4}` says `⊕_y A'[x, y] = C'[x]`. Since
///   `⊕_y A'[x, y] = ⊕_y A[x, y] ⊕ D[x]` (five copies of D) and `C' = C ⊕ D`, the witness `C` is
///   the true column parity of `A`: `D` is θ's, and `A'` is θ's output.
/// - `B[X, Y] = rot(A'[(X + 3Y) mod 5, X], r[(X + 3Y) mod 5, X])` (ρ then π) is read from the `a'`
///   bits, and `A''[X, Y] = B[X, Y] ⊕ (¬B[X + 1, Y] ∧ B[X + 2, Y])` (χ) is checked limb by limb.
/// - `A''[0, 0]`'s bits are columns (their sum is its limbs), and ι xors the round constant, whose
///   bit `k` is `Σ step[r]` over the rounds `r` whose constant has bit `k` set.
/// - Rounds chain: on a row that is not the last round, the next row's `a` is this row's `A'''`;
///   on the first round `a` is the preimage, and the preimage stays the same through the call.
/// - Step flags are exactly one-hot on every row (first row fixed, then rotated), and rounds
///   0…23 of a call are consecutive rows, so the export row's `A'''` is Keccak-f of its
///   `preimage`.
///
/// On the export row (multiplicity `export`) the table receives `(clk, 0x1010, 0, a0, 0, 0)` on
/// ``Bus/vmSyscall`` (the CPU's `ecall`, result 0), proves `a0 ≡ 0 mod 4`, that the 50 words
/// `[w, w + 50)` lie in `[0x400, 0x3FFFC000)` (usable memory) and outside the code words
/// `[codeStartWord, codeEndWord)` (the executor writes them back), and sends
/// `(clk, w + k, preimage word k, A''' word k)` for k = 0…49 on ``Bus/vmKeccakMemory``.
/// The bounds are the shared word-range checks (`WordRanges.swift`, which argues why each holds
/// over the integers).
public struct KeccakAir: Air {
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

    public var name: String { "KeccakF" }
    public var width: Int { Col.count }

    /// Column indices (see the table above).
    public enum Col {
        public static let step = 0, export = 24, clk = 25, a0 = 26, x = 28
        public static let lower = 29, upper = 30, below = 31, code = 32
        public static let preimage = 33, a = 133, c = 233, cPrime = 553, aPrime = 873
        public static let aPP = 2473, aPP00Bits = 2573, aPPP00 = 2637
        public static let count = 2641

        /// Limb `limb` of lane `lane` in a limb block starting at `base`.
        @inlinable public static func limb(_ base: Int, _ lane: Int, _ limb: Int) -> Int { base + 4 * lane + limb }
        /// Bit `z` of lane `lane` in `a'`.
        @inlinable public static func aPrime(_ lane: Int, _ z: Int) -> Int { aPrime + 64 * lane + z }
        /// Bit `z` of `C[x]`.
        @inlinable public static func c(_ x: Int, _ z: Int) -> Int { c + 64 * x + z }
        /// Bit `z` of `C'[x]`.
        @inlinable public static func cPrime(_ x: Int, _ z: Int) -> Int { cPrime + 64 * x + z }
        /// The column of limb `limb` of `A'''` for lane `lane`.
        @inlinable public static func aPPP(_ lane: Int, _ limb: Int) -> Int {
            lane == 0 ? aPPP00 + limb : Self.limb(aPP, lane, limb)
        }
    }

    /// Words a call reads and writes.
    public static let stateWords = 50

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        let rounds = KeccakSpec.rounds
        func xor(_ p: E, _ q: E) -> E { p + q - 2 * p * q }

        // Round flags: one-hot 1, 0, …, 0 on row 0, rotated by one on every transition.
        b.assertEqualOnFirstRow(b.main(Col.step), 1)
        for r in 1..<rounds { b.assertZeroOnFirstRow(b.main(Col.step + r)) }
        for r in 0..<rounds { b.assertEqualOnTransition(b.main(Col.step + r), b.next(Col.step + (r + 1) % rounds)) }
        let first = b.main(Col.step)
        let final = b.main(Col.step + rounds - 1)
        let notFinal = 1 - final

        // The export flag: a bit, only on a last round.
        let export = b.main(Col.export)
        b.assertBool(export)
        b.assertZero(notFinal * export)

        // The preimage is the first round's input and stays the same through the call.
        for i in 0..<100 {
            b.assertZero(first * (b.main(Col.preimage + i) - b.main(Col.a + i)))
            b.assertZeroOnTransition(notFinal * (b.main(Col.preimage + i) - b.next(Col.preimage + i)))
        }

        // θ: C' = C ⊕ C[x − 1] ⊕ rot(C[x + 1], 1) over boolean C (so C' is boolean too).
        for x in 0..<5 {
            for z in 0..<64 {
                let c = b.main(Col.c(x, z))
                b.assertBool(c)
                let xor3 = xor(xor(c, b.main(Col.c((x + 4) % 5, z))), b.main(Col.c((x + 1) % 5, (z + 63) % 64)))
                b.assertEqual(b.main(Col.cPrime(x, z)), xor3)
            }
        }
        // A = A' ⊕ C ⊕ C' (D = C ⊕ C'), limb by limb over boolean A'; this also proves a's limbs 16-bit.
        for x in 0..<5 {
            let d = (0..<64).map { z in xor(b.main(Col.c(x, z)), b.main(Col.cPrime(x, z))) }
            for y in 0..<5 {
                let lane = x + 5 * y
                for z in 0..<64 { b.assertBool(b.main(Col.aPrime(lane, z))) }
                for limb in 0..<4 {
                    var sum = E(F.zero)
                    for z in (16 * limb..<16 * limb + 16).reversed() {
                        sum = sum * 2 + xor(b.main(Col.aPrime(lane, z)), d[z])
                    }
                    b.assertEqual(sum, b.main(Col.limb(Col.a, lane, limb)))
                }
            }
        }
        // ⊕_y A'[x, y] = C'[x]: the sum of five bits minus a bit is 0, 2 or 4.
        for x in 0..<5 {
            for z in 0..<64 {
                var sum = E(F.zero)
                for y in 0..<5 { sum += b.main(Col.aPrime(x + 5 * y, z)) }
                let diff = sum - b.main(Col.cPrime(x, z))
                b.assertZero(diff * (diff - 2) * (diff - 4))
            }
        }
        // ρ, π, χ: A''[X, Y] = B[X, Y] ⊕ (¬B[X + 1, Y] ∧ B[X + 2, Y]).
        func bBit(_ X: Int, _ Y: Int, _ z: Int) -> E {
            let x = (X + 3 * Y) % 5
            let rot = KeccakSpec.rotation[x + 5 * X]
            return b.main(Col.aPrime(x + 5 * X, (z + 64 - rot) % 64))
        }
        for Y in 0..<5 {
            for X in 0..<5 {
                for limb in 0..<4 {
                    var sum = E(F.zero)
                    for z in (16 * limb..<16 * limb + 16).reversed() {
                        let andn = (1 - bBit((X + 1) % 5, Y, z)) * bBit((X + 2) % 5, Y, z)
                        sum = sum * 2 + xor(bBit(X, Y, z), andn)
                    }
                    b.assertEqual(sum, b.main(Col.limb(Col.aPP, X + 5 * Y, limb)))
                }
            }
        }
        // ι: A'''[0, 0] = A''[0, 0] ⊕ RC[round], through the bits of A''[0, 0].
        for z in 0..<64 { b.assertBool(b.main(Col.aPP00Bits + z)) }
        for limb in 0..<4 {
            var bits = E(F.zero)
            var out = E(F.zero)
            for z in (16 * limb..<16 * limb + 16).reversed() {
                var rc = E(F.zero)
                for r in 0..<rounds where KeccakSpec.roundConstants[r] >> UInt64(z) & 1 == 1 {
                    rc += b.main(Col.step + r)
                }
                let bit = b.main(Col.aPP00Bits + z)
                bits = bits * 2 + bit
                out = out * 2 + xor(bit, rc)
            }
            b.assertEqual(bits, b.main(Col.limb(Col.aPP, 0, limb)))
            b.assertEqual(out, b.main(Col.aPPP00 + limb))
        }
        // Rounds chain within a call.
        for lane in 0..<25 {
            for limb in 0..<4 {
                b.assertZeroOnTransition(
                    notFinal * (b.next(Col.limb(Col.a, lane, limb)) - b.main(Col.aPPP(lane, limb)))
                )
            }
        }

        // The call (export row): the CPU's ecall with a7 = 0x1010 and result 0.
        let clk = b.main(Col.clk)
        let a0 = (lo: b.main(Col.a0), hi: b.main(Col.a0 + 1))
        b.receive(
            bus: .vmSyscall,
            values: [clk, E(F(Syscall.keccakF.rawValue)), 0, a0.lo, a0.hi, 0, 0],
            multiplicity: export
        )
        // The 50 words from a0 = 4w: usable, and outside the code (they are written).
        let w = b.alignedWordAddress(a0, x: b.main(Col.x), multiplicity: export)
        let n = UInt32(Self.stateWords)
        b.assertUsableWords(w, count: n, lower: b.main(Col.lower), upper: b.main(Col.upper), multiplicity: export)
        b.assertDisjointWords(
            w,
            count: n,
            E(F(codeStartWord)),
            count: codeEndWord - codeStartWord,
            after: b.main(Col.below),
            gapLo: b.main(Col.code),
            multiplicity: export
        )
        // The 50 words, before and after.
        for k in 0..<Self.stateWords {
            let lane = k / 2
            let l0 = 2 * (k % 2)
            b.send(
                bus: .vmKeccakMemory,
                values: [
                    clk, w + E(F(UInt32(k))),
                    b.main(Col.limb(Col.preimage, lane, l0)), b.main(Col.limb(Col.preimage, lane, l0 + 1)),
                    b.main(Col.aPPP(lane, l0)), b.main(Col.aPPP(lane, l0 + 1)),
                ],
                multiplicity: export
            )
        }
    }
}

/// The memory accesses of `keccak_f` calls: one row per word of each call.
///
/// | column | name | meaning |
/// | --- | --- | --- |
/// | 0 | `real` | 1 on real rows |
/// | 1 | `clk` | the call's timestamp base |
/// | 2 | `address` | the word address |
/// | 3, 4 | `in` | the word before the call (its memory value) |
/// | 5, 6 | `out` | the word after the call |
/// | 7, 8 | `prev_ts`, `diff_lo` | timestamp check of the access |
///
/// Each real row receives `(clk, address, in, out)` from ``KeccakAir`` and makes one memory
/// access that consumes `(address, in, prev_ts)` and produces `(address, out, clk + 3)`: the
/// executor's read at clk + 2 and write at clk + 3 of the same word, merged (nothing else can
/// touch a memory word at clk + 2 of an ecall row, so no access falls between them). `out` has
/// 16-bit limbs because ``KeccakAir`` builds it from bits; `in` because it comes from memory.
public struct KeccakMemoryAir: Air {
    public typealias F = VMField
    public init() {}
    public var name: String { "KeccakMemory" }
    public var width: Int { Col.count }

    public enum Col {
        public static let real = 0, clk = 1, address = 2, input = 3, output = 5, prevTs = 7, diff = 8
        public static let count = 9
    }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        let real = b.main(Col.real)
        b.assertBool(real)
        let clk = b.main(Col.clk)
        let address = b.main(Col.address)
        let input = (lo: b.main(Col.input), hi: b.main(Col.input + 1))
        let output = (lo: b.main(Col.output), hi: b.main(Col.output + 1))
        b.receive(
            bus: .vmKeccakMemory,
            values: [clk, address, input.lo, input.hi, output.lo, output.hi],
            multiplicity: real
        )
        b.memoryAccess(
            address: address,
            prev: input,
            value: output,
            prevTimestamp: b.main(Col.prevTs),
            timestamp: clk + 3,
            diffLo: b.main(Col.diff),
            multiplicity: real
        )
    }
}

/// The constants of Keccak-f[1600], derived as FIPS 202 defines them (so they are computed, not
/// copied): the round constants from the degree-8 LFSR `rc(t)`, and the ρ offsets by walking
/// `(x, y) → (y, 2x + 3y)`.
public enum KeccakSpec {
    public static let rounds = 24

    /// `RC[i]`, bit `2^j − 1` is `rc(j + 7i)` (FIPS 202, Algorithm 6).
    public static let roundConstants: [UInt64] = {
        func rc(_ t: Int) -> UInt64 {
            if t % 255 == 0 { return 1 }
            var r: UInt16 = 1  // R = 10000000, bit 0 first
            for _ in 1...(t % 255) {
                r <<= 1  // R = 0 || R
                let r8 = (r >> 8) & 1
                r ^= r8 | r8 << 4 | r8 << 5 | r8 << 6  // R[0,4,5,6] ^= R[8]
                r &= 0xff  // truncate to R[0..7]
            }
            return UInt64(r & 1)
        }
        return (0..<24).map { i in
            var c: UInt64 = 0
            for j in 0...6 { c |= rc(j + 7 * i) << ((1 << j) - 1) }
            return c
        }
    }()

    /// The ρ offset of lane `x + 5y` (FIPS 202, Algorithm 2).
    public static let rotation: [Int] = {
        var r = [Int](repeating: 0, count: 25)
        var (x, y) = (1, 0)
        for t in 0..<24 {
            r[x + 5 * y] = ((t + 1) * (t + 2) / 2) % 64
            (x, y) = (y, (2 * x + 3 * y) % 5)
        }
        return r
    }()
}
