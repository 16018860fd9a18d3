import Algebra
import Stark
import VM

/// The memory words the syscalls read and write: one row per word access, each moving the
/// buffer walk of its event (see ``Bus/vmSyscallWalk``) over that word.
///
/// | column | name | meaning |
/// | --- | --- | --- |
/// | 0 | `clk` | the event's timestamp base |
/// | 1…3 | `k_in, k_ro, k_commit` | walk kind, one-hot; their sum `real` is 1 on real rows |
/// | 4 | `w` | word address (byte address 4w) |
/// | 5…8 | `m0…m3` | byte `j` of the word is in the buffer |
/// | 9, 10 | `end_w`, `end_o` | the walk's end `4·end_w + end_o` (exclusive) |
/// | 11 | `oi` | output index of the first buffer byte of this word (commit walks) |
/// | 12, 13 | `prev_ts`, `diff_lo` | timestamp check of the access |
/// | 14…17 | `v0…v3` | bytes of the word after the access |
/// | 18, 19 | `v_and01`, `v_and23` | results of the byte lookups proving `v` are bytes (input, commit) |
/// | 20…23 | `q0…q3` | bytes of the word before the access (input walks) |
/// | 24, 25 | `q_and01`, `q_and23` | results of the byte lookups proving `q` are bytes (input) |
///
/// The row's value is `val = (v0 + 256·v1, v2 + 256·v3)`; the value before the access is
/// `prev = (q0 + 256·q1, q2 + 256·q3)` for input walks and `val` for the others (a read cannot
/// change memory: the access consumes and produces the same value).
///
/// **Mask.** `m` is a non-empty interval `[start, end)` of the word's bytes on real rows (empty
/// on padding rows): with `m_{−1} = 0`, the number of rises `Σ m_j·(1 − m_{j−1})` equals `real`,
/// and a 0/1 string has exactly one rise iff it is `0…01…10…0` with at least one 1. Then
/// `start = Σ j·m_j·(1 − m_{j−1})`, `count = Σ m_j` and `end = start + count > start`.
///
/// **Walk step.** The row receives `(clk, kind, w, start, end_w, end_o, oi)` and sends
/// `(clk, kind, w + 1, 0, end_w, end_o, oi')` when `m3 = 1` (the mask reaches the end of the word:
/// the buffer goes on, or ends exactly at the next word boundary), else `(clk, kind, end_w, end_o,
/// end_w, end_o, oi')` with `w = end_w` and `end = end_o` (the buffer ends inside this word);
/// `oi' = oi + count` for commits and `oi` otherwise.
///
/// **Why the rows of an event are exactly the words of its buffer.** Every walk tuple carries
/// `(clk, kind, end_w, end_o)` unchanged, and the header has one row per clk (clks strictly
/// increase), so for each event its header and its rows form a closed system on the bus. All
/// multiplicities are 0 or 1 and there are far fewer than p of them, so the field balance is a
/// multiset balance: the rows are edges from the tuple they receive to the tuple they send,
/// and they decompose into paths from the header's start tuple to its end tuple, plus cycles.
/// There are no cycles: along one, `w` grows by 1 per `m3` row and is unchanged otherwise, so
/// (with fewer than p rows) it has no `m3` row; a row without `m3` ends at `(end_w, end_o)`
/// having moved strictly forward, and a row receiving `(end_w, end_o)` must have `m3` (it cannot
/// end at `end_o` after starting there). Hence the rows form one path from `S` to `E` (none
/// when `S = E`: a non-empty path would return to its start): `m3` rows on the words `S_w`,
/// `S_w + 1`, …, the first starting at `S_o` and the others at 0, then, if `E_o ≠ 0`, one row
/// on `E_w` (its `w` is fixed to `end_w`) with mask `[0 or S_o, E_o)`. The integers `S_w + k` stay
/// below 2^30 + 2^24 < p (k is below the table's height, at most 2^24: KoalaBear's two-adicity), so the words are exactly `S_w … ⌈E/4⌉ − 1`, each once, and the masked
/// bytes exactly `[S, E)`. Each row makes the memory access of its word at clk + 3 (input) or
/// clk + 2 (others), so each word of the buffer is accessed once per event, and no other word.
///
/// **Meaning.** Input walks: unmasked bytes are unchanged (`v_j = q_j`), masked bytes are any
/// bytes; `q` are bytes, so they are the bytes of `prev` (16-bit limbs, unique split), and `v`
/// are bytes, so `val` has 16-bit limbs (limb invariant). Read-only and commit walks: `val = prev`.
/// Commit walks: `v` are bytes, so the true bytes of the word read, and each masked byte `j` is
/// sent as `(oi + m_0 + … + m_{j−1}, v_j)` on ``Bus/vmOutput``: the buffer's bytes in order at
/// consecutive indices from the header's `out_before`, and the walk arrives with
/// `out_before + n`. Indices stay below 4 × (rows) ≤ 2^26, far below p, so they are distinct.
public struct SyscallMemoryAir: Air {
    public typealias F = VMField
    /// The table takes no parameter (the code range is checked by the header); `codeRange` is
    /// accepted so that both syscall tables are built alike.
    public init(codeRange: Range<UInt32>) {}
    public init() {}
    public var name: String { "SyscallMemory" }
    public var width: Int { Col.count }

    /// Column indices (see the table above).
    public enum Col {
        public static let clk = 0, kinds = 1, w = 4, m = 5, endW = 9, endO = 10, oi = 11
        public static let prevTs = 12, diff = 13, v = 14, vAnd = 18, q = 20, qAnd = 24
        public static let count = 26
    }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        let kIn = b.main(Col.kinds)
        let kRO = b.main(Col.kinds + 1)
        let kCommit = b.main(Col.kinds + 2)
        for k in [kIn, kRO, kCommit] { b.assertBool(k) }  // kind flags are bits…
        let real = kIn + kRO + kCommit
        b.assertBool(real)  // …at most one set
        let clk = b.main(Col.clk)
        let w = b.main(Col.w)
        let m = (0..<4).map { b.main(Col.m + $0) }

        // The mask is a non-empty interval on real rows, empty on padding rows (one rise).
        var rises = E(F.zero)
        var start = E(F.zero)
        var count = E(F.zero)
        for j in 0..<4 {
            b.assertBool(m[j])
            let rise = j == 0 ? m[0] : m[j] - m[j] * m[j - 1]
            rises += rise
            if j > 0 { start += rise * E(F(UInt32(j))) }
            count += m[j]
        }
        b.assertEqual(rises, real)
        let more = m[3]
        let endW = b.main(Col.endW)
        let endO = b.main(Col.endO)
        // A row whose buffer part stops inside the word is the walk's last: it is on the end word
        // and stops at the end offset.
        b.assertZero((1 - more) * (w - endW))
        b.assertZero((1 - more) * (start + count - endO))

        // The word after (bytes v) and before (bytes q for input walks, else unchanged).
        let v = (0..<4).map { b.main(Col.v + $0) }
        let q = (0..<4).map { b.main(Col.q + $0) }
        let val = (lo: v[0] + v[1] * 256, hi: v[2] + v[3] * 256)
        let prev = (
            lo: val.lo + kIn * (q[0] + q[1] * 256 - val.lo),
            hi: val.hi + kIn * (q[2] + q[3] * 256 - val.hi)
        )
        // v are bytes where they matter (new input bytes, committed bytes); q are bytes for input
        // walks, so q is the true byte split of prev and unmasked bytes are truly unchanged.
        let and = E(ByteOp.and.field)
        b.send(bus: .vmBytes, values: [and, v[0], v[1], b.main(Col.vAnd)], multiplicity: kIn + kCommit)
        b.send(bus: .vmBytes, values: [and, v[2], v[3], b.main(Col.vAnd + 1)], multiplicity: kIn + kCommit)
        b.send(bus: .vmBytes, values: [and, q[0], q[1], b.main(Col.qAnd)], multiplicity: kIn)
        b.send(bus: .vmBytes, values: [and, q[2], q[3], b.main(Col.qAnd + 1)], multiplicity: kIn)
        // Input walks change only the buffer's bytes.
        for j in 0..<4 { b.assertZero(kIn * (1 - m[j]) * (v[j] - q[j])) }

        // The access: writes at clk + 3, reads at clk + 2 (the event's slots).
        b.memoryAccess(
            address: w,
            prev: prev,
            value: val,
            prevTimestamp: b.main(Col.prevTs),
            timestamp: clk + 2 + kIn,
            diffLo: b.main(Col.diff),
            multiplicity: real
        )

        // Commit: each buffer byte goes to the output at consecutive indices.
        let oi = b.main(Col.oi)
        var before = E(F.zero)
        for j in 0..<4 {
            b.send(bus: .vmOutput, values: [oi + before, v[j]], multiplicity: kCommit * m[j])
            before += m[j]
        }

        // The walk step.
        let kind = kIn + kRO * 2 + kCommit * 3
        b.receive(bus: .vmSyscallWalk, values: [clk, kind, w, start, endW, endO, oi], multiplicity: real)
        b.send(
            bus: .vmSyscallWalk,
            values: [
                clk, kind, more * (w + 1) + (1 - more) * endW, (1 - more) * endO, endW, endO, oi + kCommit * count,
            ],
            multiplicity: real
        )
    }

    /// Fills row `r` of `t` with the access `access` of an event at `clk`: the row covers bytes
    /// `[from, to)` of the word (0 ≤ from < to ≤ 4), the walk ends at `end` (byte address) and `oi`
    /// output bytes precede the row. Records the lookups in `counter`.
    static func fill(
        _ t: inout TraceBuilder,
        row r: Int,
        clk: UInt32,
        kind: SyscallWalkKind,
        access: MemoryAccess,
        from: UInt32,
        to: UInt32,
        end: UInt32,
        oi: UInt32,
        counter: inout LookupCounter
    ) {
        typealias F = VMField
        t[r, Col.clk] = F(clk)
        t[r, Col.kinds + Int(kind.rawValue) - 1] = .one
        t[r, Col.w] = F(access.address >> 2)
        for j in from..<to { t[r, Col.m + Int(j)] = .one }
        t[r, Col.endW] = F(end >> 2)
        t[r, Col.endO] = F(end & 3)
        t[r, Col.oi] = F(oi)
        t[r, Col.prevTs] = F(access.prevTimestamp)
        t[r, Col.diff] = F(counter.timestampCheck(prev: access.prevTimestamp, now: access.timestamp))
        let v = access.value
        for j in 0..<4 { t[r, Col.v + j] = F((v >> (8 * UInt32(j))) & 0xff) }
        if kind != .readOnly {
            t[r, Col.vAnd] = F(counter.byte(.and, v & 0xff, (v >> 8) & 0xff))
            t[r, Col.vAnd + 1] = F(counter.byte(.and, (v >> 16) & 0xff, v >> 24))
        }
        if kind == .input {
            let q = access.prevValue
            for j in 0..<4 { t[r, Col.q + j] = F((q >> (8 * UInt32(j))) & 0xff) }
            t[r, Col.qAnd] = F(counter.byte(.and, q & 0xff, (q >> 8) & 0xff))
            t[r, Col.qAnd + 1] = F(counter.byte(.and, (q >> 16) & 0xff, q >> 24))
        }
    }
}
