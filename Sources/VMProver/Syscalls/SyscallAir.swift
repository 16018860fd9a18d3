import Algebra
import Stark
import VM

extension Bus {
    /// Syscall buffer walk, private to the syscall tables:
    /// `(clk, kind, word, offset, end_word, end_offset, output_index)` — "the event at `clk`
    /// has reached byte `4·word + offset` of its buffer, which ends (exclusive) at
    /// `4·end_word + end_offset`, and `output_index` output bytes precede it". The header
    /// (``SyscallAir``) sends the start and receives the end; each ``SyscallMemoryAir`` row
    /// receives a position and sends the next one, moving the walk over one word.
    public static var vmSyscallWalk: Bus { Bus(108, name: "syscall-walk") }
}

/// Kinds of buffer walk (the `kind` entry of ``Bus/vmSyscallWalk``).
public enum SyscallWalkKind: UInt32, Sendable, CaseIterable {
    /// read / hint_read: untrusted bytes are written into the buffer (writes at clk + 3).
    case input = 1
    /// write: the buffer is read (at clk + 2), its bytes are not used.
    case readOnly = 2
    /// commit: the buffer is read (at clk + 2) and its bytes are sent to the output.
    case commit = 3
}

/// The syscall header table: one row per `ecall` that does not halt, in execution order, then
/// padding rows (all zero).
///
/// | column | name | meaning |
/// | --- | --- | --- |
/// | 0 | `clk` | the ecall row's timestamp base |
/// | 1…5 | `f_read, f_write, f_commit, f_hint_read, f_hint_len` | one-hot call; their sum `real` is 1 on real rows |
/// | 6, 7 | `a0` | a0 as the CPU read it (rs2 of the ecall row) |
/// | 8, 9 | `res` | the result the CPU writes to a0 |
/// | 10, 11 / 12, 13 | `a1`, `a2` | argument registers, read here at clk + 2 |
/// | 14, 15 / 16, 17 | `a1_prev_ts, a1_diff`, `a2_prev_ts, a2_diff` | their timestamp checks |
/// | 18, 19 | `buf` | buffer address: a1 (read, write) or a0 (commit, hint_read); 0 for hint_len |
/// | 20, 21 | `len` | requested length: a2 (read, write) or a1 (commit, hint_read); 0 for hint_len |
/// | 22, 23 | `n` | bytes moved: `res` (read, hint_read) or `len` (write, commit); 0 for hint_len |
/// | 24…27 | `so0…so3` | one-hot `S_o = buf mod 4` |
/// | 28 | `x` | `(buf_lo − S_o)/4`, 14 bits: start word `S_w = x + 2^14·buf_hi` |
/// | 29, 30 | `carry`, `e_hi` | `E = buf + n`: carry out of the low limb, high limb (16 bits) |
/// | 31…34 | `eo0…eo3` | one-hot `E_o = E mod 4` |
/// | 35 | `y` | 14 bits: end word `E_w = y + 2^14·e_hi` |
/// | 36, 37 | `nz`, `inv_n` | `nz = 1` iff n ≠ 0 (`inv_n = 1/n`) |
/// | 38, 39 | `lower` | `S_w − 0x400` in 16 + 14 bits (checked when nz) |
/// | 40, 41 | `upper` | `0x3FFFC000 − ⌈E/4⌉` in 16 + 14 bits (checked when nz) |
/// | 42 | `below` | input buffer lies below the code (else above it) |
/// | 43, 44 | `code_lo`, `code_hi` | distance in words to the code, 16 + 14 bits (checked when `wcheck`) |
/// | 45, 46 | `order_lo`, `order_hi` | `clk_next − clk − 1` in 16 + 10 bits (rows in execution order) |
/// | 47, 48 | `out_before`, `out_after` | output bytes committed in the shard before / after this event |
/// | 49, 50 | `gap_lo`, `gap_hi` | `len − n` in 16 + 11 bits (n ≤ len) |
/// | 51 | `wcheck` | `(f_read + f_hint_read)·nz`: the code check applies |
/// | 52, 53 | `top`, `top_inv` | `top = 1` iff `len_hi = 1024` (`top_inv = 1/(1024 − len_hi)` otherwise) |
///
/// What a row proves, with `S = buf` and `E = buf + n` as integers:
/// - the call is the CPU's (received on ``Bus/vmSyscall``), and its number is one of the five
///   (the tuple's a7 is computed from the flags: any other number leaves the bus unbalanced);
/// - the argument registers the executor reads (read, write: a1, a2; commit, hint_read: a1)
///   are read at clk + 2 with the timestamp check;
/// - read takes fd 0 and write fd 1 or 2; write returns `len`, commit 0; results written by
///   read / hint_read / hint_len have 16-bit limbs;
/// - `len ≤ 2^26` and `n ≤ len`;
/// - if `n ≠ 0`: `[S, E) ⊂ [0x1000, 0xFFFF0000)` and, for read / hint_read, no touched word
///   has its address in the code range (the executor's rule: a syscall writes whole words and
///   refuses a word whose aligned address is in `[codeStart, codeEnd)`);
/// - the buffer is walked: `(clk, kind, S_w, S_o, E_w, E_o, out_before)` is sent on
///   ``Bus/vmSyscallWalk`` and `(clk, kind, E_w, E_o, E_w, E_o, out_after)` received.
///   ``SyscallMemoryAir`` explains why the balance of this bus means that its rows for the
///   event are exactly the words of `[S, E)`, each once, and that `out_after = out_before + n`
///   for commits and `out_before` otherwise; for `n = 0` no row can take part (a walk never
///   returns to its start), so the event touches no memory;
/// - rows are in strictly increasing clk order and `out_before` runs on from the previous row's
///   `out_after` (0 on the first row), so output indices follow the order of the commits.
///
/// Bounds (no wrap-around in the field equations, p = 2^31 − 2^24 + 1 > 2^30 + 2^28): limbs of
/// registers and of the CPU's a0 are 16-bit (limb invariant); `res` is range-checked here; so
/// every limb sum below is an integer sum far below p.
public struct SyscallAir: Air {
    public typealias F = VMField
    /// First word address of a word whose byte address is in the code: `⌈codeStart/4⌉`.
    public let codeStartWord: UInt32
    /// One past the last such word: `⌈codeEnd/4⌉`. Words `[codeStartWord, codeEndWord)` are
    /// exactly those whose aligned address lies in `[codeStart, codeEnd)`.
    public let codeEndWord: UInt32

    /// The table for a program whose executable range is `codeRange` (`Program.codeRange`,
    /// below 2^30 like every pc of the program table).
    public init(codeRange: Range<UInt32>) {
        precondition(codeRange.upperBound <= 1 << 30, "code must lie below 2^30")
        codeStartWord = UInt32((UInt64(codeRange.lowerBound) + 3) >> 2)
        codeEndWord = UInt32((UInt64(codeRange.upperBound) + 3) >> 2)
    }

    public var name: String { "Syscall" }
    public var width: Int { Col.count }

    /// Column indices (see the table above).
    public enum Col {
        public static let clk = 0, flags = 1, a0 = 6, res = 8, a1 = 10, a2 = 12
        public static let a1Ts = 14, a1Diff = 15, a2Ts = 16, a2Diff = 17
        public static let buf = 18, len = 20, n = 22, so = 24, x = 28, carry = 29, eHi = 30, eo = 31, y = 35
        public static let nz = 36, invN = 37, lower = 38, upper = 40, below = 42, code = 43, order = 45
        public static let outBefore = 47, outAfter = 48, gap = 49, wcheck = 51, top = 52, topInv = 53
        /// The next row is real and this is not the last row (multiplicity of the order check;
        /// the isTransition selector is only zero / non-zero, so it cannot be a multiplicity).
        public static let orderReal = 54
        public static let count = 55
    }

    /// The calls of the flag columns, in order.
    public static let calls: [Syscall] = [.read, .write, .commit, .hintRead, .hintLength]

    /// `0x3FFFC000 = 0xFFFF0000 / 4`: the first word beyond usable memory.
    static let memoryEndWord: UInt32 = Memory.addressLimit >> 2
    /// `0x400 = 0x1000 / 4`: the first usable word.
    static let memoryStartWord: UInt32 = ELFLoader.lowestAddress >> 2

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        let f = (0..<5).map { b.main(Col.flags + $0) }
        let (fRead, fWrite, fCommit, fHintRead, fHintLen) = (f[0], f[1], f[2], f[3], f[4])
        var real = E(F.zero)
        var number = E(F.zero)
        for (k, flag) in f.enumerated() {
            b.assertBool(flag)  // flags are bits…
            real += flag
            number += flag * E(F(Self.calls[k].rawValue))
        }
        b.assertBool(real)  // …and at most one is set
        let realNext = (0..<5).reduce(E(F.zero)) { $0 + b.next(Col.flags + $1) }
        b.assertZeroOnTransition((1 - real) * realNext)  // real rows first (chains below need it)
        let clk = b.main(Col.clk)
        func word(_ c: Int) -> (lo: E, hi: E) { (b.main(c), b.main(c + 1)) }
        let a0 = word(Col.a0)
        let res = word(Col.res)
        let a1 = word(Col.a1)
        let a2 = word(Col.a2)
        let buf = word(Col.buf)
        let len = word(Col.len)
        let n = word(Col.n)
        let fIn = fRead + fHintRead

        // The call as the CPU made it. a7's high limb is 0 for every accepted number and a7's low
        // limb is the flagged call's number: an ecall with any other a7 finds no receiver.
        b.receive(bus: .vmSyscall, values: [clk, number, 0, a0.lo, a0.hi, res.lo, res.hi], multiplicity: real)

        // Execution order: clk_next − clk − 1 ∈ [0, 2^26) between consecutive real rows. clk values
        // come from the CPU (below 2^26), so a decrease would wrap to ≥ p − 2^26 > 2^26.
        let orderCheck = b.main(Col.orderReal)
        b.assertZeroOnTransition(orderCheck - realNext)
        b.assertZeroOnLastRow(orderCheck)
        b.assertZeroOnTransition(
            realNext * (b.next(Col.clk) - clk - 1 - b.main(Col.order) - b.main(Col.order + 1) * 65536)
        )
        b.send(bus: .vmRange, values: [16, b.main(Col.order)], multiplicity: orderCheck)
        b.send(
            bus: .vmRange,
            values: [E(F(UInt32(timestampHighBits))), b.main(Col.order + 1)],
            multiplicity: orderCheck
        )

        // Argument registers a1 (x11) and a2 (x12), read (value unchanged) at clk + 2, exactly when
        // the executor reads them.
        b.memoryAccess(
            address: 11,
            prev: a1,
            value: a1,
            prevTimestamp: b.main(Col.a1Ts),
            timestamp: clk + 2,
            diffLo: b.main(Col.a1Diff),
            multiplicity: fRead + fWrite + fCommit + fHintRead
        )
        b.memoryAccess(
            address: 12,
            prev: a2,
            value: a2,
            prevTimestamp: b.main(Col.a2Ts),
            timestamp: clk + 2,
            diffLo: b.main(Col.a2Diff),
            multiplicity: fRead + fWrite
        )

        // Per-call rules (Guests/ABI.md): read takes fd 0; write fd 1 or 2 and returns len; commit
        // returns 0. Limbs are 16-bit, so limb equalities are word equalities.
        b.assertZero(fRead * a0.lo)
        b.assertZero(fRead * a0.hi)
        b.assertZero(fWrite * (a0.lo - 1) * (a0.lo - 2))
        b.assertZero(fWrite * a0.hi)
        b.assertZero(fWrite * (res.lo - a2.lo))
        b.assertZero(fWrite * (res.hi - a2.hi))
        b.assertZero(fCommit * res.lo)
        b.assertZero(fCommit * res.hi)
        // Results the CPU takes from us untrusted get 16-bit limbs (limb invariant); read and
        // hint_read results also get res < 2^27 so that n ≤ len below has no wrap-around.
        let untrusted = fIn + fHintLen
        b.send(bus: .vmRange, values: [16, res.lo], multiplicity: untrusted)
        b.send(bus: .vmRange, values: [fIn * 11 + fHintLen * 16, res.hi], multiplicity: untrusted)

        // Buffer, length and bytes moved, selected by the call (all 0 for hint_len and padding).
        for (x, sel) in [
            (buf.lo, (a1.lo, a0.lo)), (buf.hi, (a1.hi, a0.hi)), (len.lo, (a2.lo, a1.lo)), (len.hi, (a2.hi, a1.hi)),
        ] {
            b.assertZero(x - (fRead + fWrite) * sel.0 - (fCommit + fHintRead) * sel.1)
        }
        b.assertZero(n.lo - fIn * res.lo - (fWrite + fCommit) * len.lo)
        b.assertZero(n.hi - fIn * res.hi - (fWrite + fCommit) * len.hi)

        // len ≤ 2^26: r = 1024 − len_hi ∈ [0, 2^11) (len_hi is a 16-bit limb, so a larger len_hi
        // wraps to ≥ p − 2^16), and len_lo = 0 when r = 0. top is forced: r ≠ 0 ⇒ top = 0
        // (r·top = 0) ⇒ top_inv = 1/r; r = 0 ⇒ top = real.
        let r = 1024 - len.hi
        let top = b.main(Col.top)
        b.send(bus: .vmRange, values: [11, r], multiplicity: real)
        b.assertZero(r * top)
        b.assertZero(r * b.main(Col.topInv) + top - real)
        b.assertZero(top * len.lo)
        // n ≤ len: len − n = gap ∈ [0, 2^27). Both are below 2^27 (n is res < 2^27 or len), so a
        // negative difference wraps to > p − 2^27 > 2^27.
        b.assertZero(
            real * (len.lo + len.hi * 65536 - n.lo - n.hi * 65536 - b.main(Col.gap) - b.main(Col.gap + 1) * 65536)
        )
        b.send(bus: .vmRange, values: [16, b.main(Col.gap)], multiplicity: real)
        b.send(bus: .vmRange, values: [11, b.main(Col.gap + 1)], multiplicity: real)

        // S = buf and E = buf + n as (word, offset). buf_lo = 4x + S_o with x < 2^14 is the unique
        // split of the 16-bit limb; buf_lo + n_lo = 4y + E_o + 2^16·carry (< 2^17, unique) and
        // e_hi = buf_hi + n_hi + carry < 2^16, so E < 2^32 (no 32-bit wrap) and E_w = E >> 2.
        let so = (0..<4).map { b.main(Col.so + $0) }
        let eo = (0..<4).map { b.main(Col.eo + $0) }
        var soSum = E(F.zero)
        var eoSum = E(F.zero)
        for k in 0..<4 {
            b.assertBool(so[k])
            b.assertBool(eo[k])
            soSum += so[k]
            eoSum += eo[k]
        }
        b.assertEqual(soSum, real)  // one-hot on real rows
        b.assertEqual(eoSum, real)
        let sOff = so[1] + so[2] * 2 + so[3] * 3
        let eOff = eo[1] + eo[2] * 2 + eo[3] * 3
        let x = b.main(Col.x)
        let y = b.main(Col.y)
        let carry = b.main(Col.carry)
        let eHi = b.main(Col.eHi)
        b.assertZero(buf.lo - x * 4 - sOff)
        b.send(bus: .vmRange, values: [14, x], multiplicity: real)
        b.assertBool(carry)
        b.assertZero(buf.lo + n.lo - y * 4 - eOff - carry * 65536)
        b.assertZero(eHi - buf.hi - n.hi - carry)
        b.send(bus: .vmRange, values: [14, y], multiplicity: real)
        b.send(bus: .vmRange, values: [16, eHi], multiplicity: real)
        let sWord = x + buf.hi * 16384  // < 2^30
        let eWord = y + eHi * 16384  // < 2^30
        let eCeil = eWord + 1 - eo[0]  // ⌈E/4⌉ ≤ 2^30: one past the last touched word

        // nz = [n ≠ 0]: n < 2^27 < p, so n = 0 as a field element iff as an integer.
        let nz = b.main(Col.nz)
        let nField = n.lo + n.hi * 65536
        b.assertZero(nField * b.main(Col.invN) - nz)  // n = 0 ⇒ nz = 0
        b.assertZero(nField * (1 - nz))  // n ≠ 0 ⇒ nz = 1
        // n ≠ 0 ⇒ [S, E) ⊂ [0x1000, 0xFFFF0000): S_w ≥ 0x400 and ⌈E/4⌉ ≤ 0x3FFFC000, as 30-bit
        // differences. A violated bound gives a negative difference of magnitude ≤ 2^14 (S_w ≥ 0,
        // ⌈E/4⌉ ≤ 2^30), which wraps to ≥ p − 2^14 > 2^30.
        b.assertZero(nz * (sWord - E(F(Self.memoryStartWord)) - b.main(Col.lower) - b.main(Col.lower + 1) * 65536))
        b.assertZero(nz * (E(F(Self.memoryEndWord)) - eCeil - b.main(Col.upper) - b.main(Col.upper + 1) * 65536))
        for c in [Col.lower, Col.upper] {
            b.send(bus: .vmRange, values: [16, b.main(c)], multiplicity: nz)
            b.send(bus: .vmRange, values: [14, b.main(c + 1)], multiplicity: nz)
        }
        // Input calls write no code word: ⌈E/4⌉ ≤ codeStartWord (below) or S_w ≥ codeEndWord
        // (above), as a 30-bit distance. If the touched words [S_w, ⌈E/4⌉) meet the code words, the
        // chosen distance is negative with magnitude < (codeEndWord − codeStartWord) + ⌈E/4⌉ − S_w
        // ≤ 2^28 + 2^24 + 1 (code below 2^30, n ≤ 2^26), which wraps to > 2^30.
        let wcheck = b.main(Col.wcheck)
        b.assertZero(wcheck - fIn * nz)
        let below = b.main(Col.below)
        b.assertBool(below)
        let d = below * (E(F(codeStartWord)) - eCeil) + (1 - below) * (sWord - E(F(codeEndWord)))
        b.assertZero(wcheck * (d - b.main(Col.code) - b.main(Col.code + 1) * 65536))
        b.send(bus: .vmRange, values: [16, b.main(Col.code)], multiplicity: wcheck)
        b.send(bus: .vmRange, values: [14, b.main(Col.code + 1)], multiplicity: wcheck)

        // The walk over the buffer: started at S, must arrive at E (for n = 0 both tuples are the
        // same and cancel; SyscallMemoryAir shows that no row can join them then). kind is 1, 2, 3
        // for input, write, commit (0 for hint_len, whose walk is empty).
        let kind = fIn + fWrite * 2 + fCommit * 3
        let outBefore = b.main(Col.outBefore)
        let outAfter = b.main(Col.outAfter)
        b.send(bus: .vmSyscallWalk, values: [clk, kind, sWord, sOff, eWord, eOff, outBefore], multiplicity: real)
        b.receive(bus: .vmSyscallWalk, values: [clk, kind, eWord, eOff, eWord, eOff, outAfter], multiplicity: real)
        // Output indices start at 0 in the shard and run on across events in execution order.
        b.assertZeroOnFirstRow(outBefore)
        b.assertZeroOnTransition(realNext * (b.next(Col.outBefore) - outAfter))
    }
}
