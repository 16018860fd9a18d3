import Algebra
import Stark
import VM

extension Bus {
    /// Syscall buffer walk, private to the syscall tables:
    /// `(clk, kind, word, offset, end_word, end_offset, output_index)` — "the event at `clk`
    /// has reached byte `4·word + offset` of its buffer, which ends at
    /// `4·end_word + end_offset`, and `output_index` output bytes precede it". The header
    /// sends the start and receives the end; each SyscallMemory row moves it over one word.
    public static var vmSyscallWalk: Bus { Bus(108, name: "syscall-walk") }
}

/// Kinds of buffer walk (the `kind` entry of ``Bus/vmSyscallWalk``).
public enum SyscallWalkKind: UInt32, Sendable {
    /// read / hint_read: untrusted bytes are written into the buffer (writes at clk + 3).
    case input = 1
    /// write: the buffer is read, its bytes are not used.
    case readOnly = 2
    /// commit: the buffer is read and its bytes are sent to the output.
    case commit = 3
}

/// The syscall header table: one row per `ecall` that does not halt, in execution order.
///
/// | column | name | meaning |
/// | --- | --- | --- |
/// | 0 | `clk` | the ecall row's timestamp base |
/// | 1…5 | `f_read, f_write, f_commit, f_hint_read, f_hint_len` | one-hot call (sum = `real`) |
/// | 6, 7 | `a0` | a0 as the CPU read it |
/// | 8, 9 | `res` | the result the CPU writes to a0 |
/// | 10, 11 / 12, 13 | `a1`, `a2` | argument registers read here at clk + 2 |
/// | 14, 15 / 16, 17 | `a1_prev_ts, a1_diff`, `a2_prev_ts, a2_diff` | their timestamp checks |
/// | 18, 19 | `buf` | buffer address: a1 (read, write) or a0 (commit, hint_read) |
/// | 20, 21 | `len` | requested length: a2 (read, write) or a1 (commit, hint_read) |
/// | 22, 23 | `n` | bytes moved: `res` (read, hint_read) or `len` (write, commit) |
/// | 24…27 | `so0…so3` | one-hot `buf mod 4` |
/// | 28 | `x` | `(buf_lo − offset)/4`, 14 bits: start word `S_w = x + 2^14·buf_hi` |
/// | 29, 30 | `carry`, `e_hi` | `E = buf + n`: low limb carry, high limb (16 bits) |
/// | 31…34 | `eo0…eo3` | one-hot `E mod 4` |
/// | 35 | `y` | end word `E_w = y + 2^14·e_hi` |
/// | 36, 37 | `nz`, `inv_n` | `nz = 1` iff n ≠ 0 |
/// | 38, 39 | `lower` | `S_w − 0x400` in 16 + 14 bits (buffer starts at ≥ 0x1000) |
/// | 40, 41 | `upper` | `0x3FFFC000 − ⌈E/4⌉` in 16 + 14 bits (buffer ends ≤ 0xFFFF0000) |
/// | 42…44 | `below`, `code_lo`, `code_hi` | input buffers lie below or above the code |
/// | 45, 46 | `order_lo`, `order_hi` | `clk_next − clk − 1` (rows in execution order) |
/// | 47, 48 | `out_before`, `out_after` | output bytes committed before / after this event |
/// | 49, 50 | `gap_lo`, `gap_hi` | `len − n` in 16 + 10 bits (n ≤ len) |
/// | 51 | `wcheck` | `(f_read + f_hint_read)·nz` |
///
/// Lengths are below 2^26 (`len_hi < 2^10`), so every sum here stays far below p.
public struct SyscallAir: Air {
    public typealias F = VMField
    public let codeStart: UInt32
    public let codeEnd: UInt32

    public init(codeRange: Range<UInt32>) {
        codeStart = codeRange.lowerBound & ~3
        codeEnd = (codeRange.upperBound &+ 3) & ~3
    }

    public var name: String { "Syscall" }
    public var width: Int { 52 }

    enum Col {
        static let clk = 0, flags = 1, a0 = 6, res = 8, a1 = 10, a2 = 12
        static let a1Ts = 14, a1Diff = 15, a2Ts = 16, a2Diff = 17
        static let buf = 18, len = 20, n = 22, so = 24, x = 28, carry = 29, eHi = 30, eo = 31, y = 35
        static let nz = 36, invN = 37, lower = 38, upper = 40, below = 42, code = 43, order = 45
        static let outBefore = 47, outAfter = 48, gap = 49, wcheck = 51
    }

    /// The numbers of the five calls, in flag order.
    static let numbers: [Syscall] = [.read, .write, .commit, .hintRead, .hintLength]

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        let f = (0..<5).map { b.main(Col.flags + $0) }
        let (fRead, fWrite, fCommit, fHintRead, fHintLen) = (f[0], f[1], f[2], f[3], f[4])
        var real = E(F.zero)
        var number = E(F.zero)
        for (k, flag) in f.enumerated() {
            b.assertBool(flag)
            real += flag
            number += flag * E(F(Self.numbers[k].rawValue))
        }
        b.assertBool(real)
        let realNext = (0..<5).reduce(E(F.zero)) { $0 + b.next(Col.flags + $1) }
        b.assertZeroOnTransition((1 - real) * realNext)  // real rows first
        let clk = b.main(Col.clk)
        func word(_ c: Int) -> (lo: E, hi: E) { (b.main(c), b.main(c + 1)) }
        let a0 = word(Col.a0)
        let res = word(Col.res)
        let a1 = word(Col.a1)
        let a2 = word(Col.a2)
        let buf = word(Col.buf)
        let len = word(Col.len)
        let n = word(Col.n)

        // The call as the CPU made it (a7's high limb is 0 for every accepted number).
        b.receive(bus: .vmSyscall, values: [clk, number, 0, a0.lo, a0.hi, res.lo, res.hi], multiplicity: real)
        // Rows in execution order, so output indices follow the order of the commits.
        let orderCheck = realNext * b.isTransition
        b.assertZeroOnTransition(
            realNext * (b.next(Col.clk) - clk - 1 - b.main(Col.order) - b.main(Col.order + 1) * 65536))
        b.send(bus: .vmRange, values: [16, b.main(Col.order)], multiplicity: orderCheck)
        b.send(bus: .vmRange, values: [10, b.main(Col.order + 1)], multiplicity: orderCheck)

        // Argument registers a1 (x11) and a2 (x12), read at clk + 2.
        b.memoryAccess(
            address: 11, prev: a1, value: a1, prevTimestamp: b.main(Col.a1Ts), timestamp: clk + 2,
            diffLo: b.main(Col.a1Diff), multiplicity: fRead + fWrite + fCommit + fHintRead)
        b.memoryAccess(
            address: 12, prev: a2, value: a2, prevTimestamp: b.main(Col.a2Ts), timestamp: clk + 2,
            diffLo: b.main(Col.a2Diff), multiplicity: fRead + fWrite)

        // Per-call rules: read takes fd 0; write fd 1 or 2 and returns len; commit returns 0.
        b.assertZero(fRead * a0.lo)
        b.assertZero(fRead * a0.hi)
        b.assertZero(fWrite * (a0.lo - 1) * (a0.lo - 2))
        b.assertZero(fWrite * a0.hi)
        b.assertZero(fWrite * (res.lo - a2.lo))
        b.assertZero(fWrite * (res.hi - a2.hi))
        b.assertZero(fCommit * res.lo)
        b.assertZero(fCommit * res.hi)
        // Results written by the untrusted calls have 16-bit limbs (read, hint_read: below 2^26).
        let untrusted = fRead + fHintRead + fHintLen
        b.send(bus: .vmRange, values: [16, res.lo], multiplicity: untrusted)
        b.send(bus: .vmRange, values: [(fRead + fHintRead) * 10 + fHintLen * 16, res.hi], multiplicity: untrusted)

        // Buffer, length, bytes moved.
        let fIn = fRead + fHintRead
        for (x, y) in [(buf.lo, (a1.lo, a0.lo)), (buf.hi, (a1.hi, a0.hi)), (len.lo, (a2.lo, a1.lo)), (len.hi, (a2.hi, a1.hi))] {
            b.assertZero(x - (fRead + fWrite) * y.0 - (fCommit + fHintRead) * y.1)
        }
        b.assertZero(n.lo - fIn * res.lo - (fWrite + fCommit) * len.lo)
        b.assertZero(n.hi - fIn * res.hi - (fWrite + fCommit) * len.hi)
        b.send(bus: .vmRange, values: [10, len.hi], multiplicity: real)  // len < 2^26
        b.assertZero(real * (len.lo + len.hi * 65536 - n.lo - n.hi * 65536 - b.main(Col.gap) - b.main(Col.gap + 1) * 65536))
        b.send(bus: .vmRange, values: [16, b.main(Col.gap)], multiplicity: real)
        b.send(bus: .vmRange, values: [10, b.main(Col.gap + 1)], multiplicity: real)

        // Start S = buf and end E = buf + n as (word, offset).
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
        b.assertEqual(soSum, real)
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
        let sWord = x + buf.hi * 16384
        let eWord = y + eHi * 16384
        // ⌈E/4⌉ = E_w + (1 − eo0).
        let eCeil = eWord + 1 - eo[0]

        // n ≠ 0 ⇒ the buffer lies in [0x1000, 0xFFFF0000): S_w ≥ 0x400 and ⌈E/4⌉ ≤ 0x3FFFC000.
        // Both differences, when negative, are tiny and wrap to ≥ p − 2^14 > 2^30.
        let nz = b.main(Col.nz)
        let nField = n.lo + n.hi * 65536
        b.assertZero(nField * b.main(Col.invN) - nz)
        b.assertZero(nField * (1 - nz))
        b.assertZero(nz * (sWord - 0x400 - b.main(Col.lower) - b.main(Col.lower + 1) * 65536))
        b.assertZero(nz * (E(F(UInt32(0x3FFF_C000))) - eCeil - b.main(Col.upper) - b.main(Col.upper + 1) * 65536))
        for c in [Col.lower, Col.upper] {
            b.send(bus: .vmRange, values: [16, b.main(c)], multiplicity: nz)
            b.send(bus: .vmRange, values: [14, b.main(c + 1)], multiplicity: nz)
        }
        // Input buffers stay out of the code: ⌈E/4⌉ ≤ codeStart/4 or S_w ≥ codeEnd/4. A buffer that
        // overlaps the code makes the chosen distance negative by at most the code size plus
        // n/4 (< 2^28 + 2^24 words), which wraps far above 2^30.
        let wcheck = b.main(Col.wcheck)
        b.assertZero(wcheck - fIn * nz)
        let below = b.main(Col.below)
        b.assertBool(below)
        let d =
            below * (E(F(codeStart >> 2)) - eCeil) + (1 - below) * (sWord - E(F(codeEnd >> 2)))
        b.assertZero(wcheck * (d - b.main(Col.code) - b.main(Col.code + 1) * 65536))
        b.send(bus: .vmRange, values: [16, b.main(Col.code)], multiplicity: wcheck)
        b.send(bus: .vmRange, values: [14, b.main(Col.code + 1)], multiplicity: wcheck)

        // The walk over the buffer: sent at its start, received at its end (the same tuple when
        // n = 0, so nothing remains on the bus). Output indices run on across events.
        let kind = fIn + fWrite * 2 + fCommit * 3
        let outBefore = b.main(Col.outBefore)
        let outAfter = b.main(Col.outAfter)
        b.send(bus: .vmSyscallWalk, values: [clk, kind, sWord, sOff, eWord, eOff, outBefore], multiplicity: real)
        b.receive(bus: .vmSyscallWalk, values: [clk, kind, eWord, eOff, eWord, eOff, outAfter], multiplicity: real)
        b.assertZeroOnFirstRow(outBefore)
        b.assertZeroOnTransition(realNext * (b.next(Col.outBefore) - outAfter))
    }
}

/// The words a syscall reads or writes, one row per word, each moving the buffer walk of its
/// event over that word.
///
/// | column | name | meaning |
/// | --- | --- | --- |
/// | 0 | `clk` | the event's timestamp base |
/// | 1…3 | `k_in, k_ro, k_commit` | walk kind, one-hot (sum = `real`) |
/// | 4 | `w` | word address |
/// | 5…8 | `s0…s3` | one-hot first byte offset in this word |
/// | 9…12 | `t1…t4` | one-hot end offset in this word (`t4`: the walk goes on to the next word) |
/// | 13…16 | `m0…m3` | byte j is in the buffer: `s0+…+sj` and `t(j+1)+…+t4` |
/// | 17, 18 | `end_w`, `end_o` | the walk's end |
/// | 19 | `oi` | output index of the first byte of this row |
/// | 20, 21 / 22, 23 | `prev`, `val` | the word before / after |
/// | 24, 25 | `prev_ts`, `diff_lo` | timestamp check |
/// | 26…29, 30, 31 | `v0…v3`, `v_and01`, `v_and23` | bytes of `val` and their byte lookups |
/// | 32…35, 36, 37 | `q0…q3`, `q_and01`, `q_and23` | bytes of `prev` (input walks) |
///
/// A row receives `(clk, kind, w, o, end_w, end_o, oi)` and sends the next position: the next
/// word at offset 0 when `t4`, else the end (then `w = end_w` and the end offset is `end_o`).
/// Positions only move forward and the start and end are fixed by the header, so the rows of an
/// event are exactly the words from the buffer's first to its last.
public struct SyscallMemoryAir: Air {
    public typealias F = VMField
    public init(codeRange: Range<UInt32>) {}
    public var name: String { "SyscallMemory" }
    public var width: Int { 38 }

    enum Col {
        static let clk = 0, kinds = 1, w = 4, s = 5, t = 9, m = 13, endW = 17, endO = 18, oi = 19
        static let prev = 20, val = 22, prevTs = 24, diff = 25, v = 26, vAnd = 30, q = 32, qAnd = 36
    }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        let kIn = b.main(Col.kinds)
        let kRO = b.main(Col.kinds + 1)
        let kCommit = b.main(Col.kinds + 2)
        for k in [kIn, kRO, kCommit] { b.assertBool(k) }
        let real = kIn + kRO + kCommit
        b.assertBool(real)
        let clk = b.main(Col.clk)
        let w = b.main(Col.w)
        let s = (0..<4).map { b.main(Col.s + $0) }
        let t = (0..<4).map { b.main(Col.t + $0) }  // t[k] means end offset k + 1
        let m = (0..<4).map { b.main(Col.m + $0) }
        var sSum = E(F.zero)
        var tSum = E(F.zero)
        for k in 0..<4 {
            b.assertBool(s[k])
            b.assertBool(t[k])
            sSum += s[k]
            tSum += t[k]
        }
        b.assertEqual(sSum, real)
        b.assertEqual(tSum, real)
        let start = s[1] + s[2] * 2 + s[3] * 3
        let end = t[0] + t[1] * 2 + t[2] * 3 + t[3] * 4
        var count = E(F.zero)
        for j in 0..<4 {
            var from = E(F.zero)
            for k in 0...j { from += s[k] }
            var to = E(F.zero)
            for k in j..<4 { to += t[k] }
            b.assertEqual(m[j], from * to)
            count += m[j]
        }
        // The row moves the walk forward by count ≥ 0 bytes (0 only as a self-cancelling
        // no-op at the end offset, which touches no byte).
        b.assertZero(end - start - count)
        let endW = b.main(Col.endW)
        let endO = b.main(Col.endO)
        let more = t[3]
        b.assertZero((1 - more) * (w - endW))
        b.assertZero((1 - more) * (end - endO))

        // Bytes of the new value (all kinds) and of the old value (input walks).
        let prev = (lo: b.main(Col.prev), hi: b.main(Col.prev + 1))
        let val = (lo: b.main(Col.val), hi: b.main(Col.val + 1))
        let v = (0..<4).map { b.main(Col.v + $0) }
        let q = (0..<4).map { b.main(Col.q + $0) }
        b.assertEqual(val.lo, v[0] + v[1] * 256)
        b.assertEqual(val.hi, v[2] + v[3] * 256)
        b.send(bus: .vmBytes, values: [E(ByteOp.and.field), v[0], v[1], b.main(Col.vAnd)], multiplicity: real)
        b.send(bus: .vmBytes, values: [E(ByteOp.and.field), v[2], v[3], b.main(Col.vAnd + 1)], multiplicity: real)
        b.assertZero(kIn * (prev.lo - q[0] - q[1] * 256))
        b.assertZero(kIn * (prev.hi - q[2] - q[3] * 256))
        b.send(bus: .vmBytes, values: [E(ByteOp.and.field), q[0], q[1], b.main(Col.qAnd)], multiplicity: kIn)
        b.send(bus: .vmBytes, values: [E(ByteOp.and.field), q[2], q[3], b.main(Col.qAnd + 1)], multiplicity: kIn)
        // Input walks change only the buffer's bytes; the others only read.
        for j in 0..<4 { b.assertZero(kIn * (1 - m[j]) * (v[j] - q[j])) }
        b.assertZero((kRO + kCommit) * (val.lo - prev.lo))
        b.assertZero((kRO + kCommit) * (val.hi - prev.hi))

        b.memoryAccess(
            address: w, prev: prev, value: val, prevTimestamp: b.main(Col.prevTs), timestamp: clk + 2 + kIn,
            diffLo: b.main(Col.diff), multiplicity: real)

        // Commit: each buffer byte goes to the output at consecutive indices.
        let oi = b.main(Col.oi)
        var before = E(F.zero)
        for j in 0..<4 {
            b.send(bus: .vmOutput, values: [oi + before, v[j]], multiplicity: kCommit * m[j])
            before += m[j]
        }
        let kind = kIn + kRO * 2 + kCommit * 3
        b.receive(bus: .vmSyscallWalk, values: [clk, kind, w, start, endW, endO, oi], multiplicity: real)
        b.send(
            bus: .vmSyscallWalk,
            values: [clk, kind, more * (w + 1) + (1 - more) * endW, (1 - more) * endO, endW, endO, oi + kCommit * count],
            multiplicity: real)
    }
}
