import Algebra
import Stark
import VM

extension SyscallAir {
    /// The traces of ``SyscallAir`` (one row per event) and ``SyscallMemoryAir`` (one row per
    /// word access), and the bytes the shard committed (the claimed output, for ``OutputAir``).
    ///
    /// - Parameters:
    ///   - events: the shard's syscalls other than exit, in execution order (events with a
    ///     `result`); only read, write, commit, hint_read and hint_len (the caller refuses the
    ///     accelerated calls before proving; anything else traps).
    ///   - rows: the shard's rows (for a0, the ecall row's rs2 value).
    ///   - codeRange: `Program.codeRange` (only used to fill the code-distance columns).
    ///   - counter: receives the range and byte lookups of both tables.
    public static func traces(
        events: [SyscallEvent],
        rows: TraceRows,
        codeRange: Range<UInt32>,
        counter: inout LookupCounter
    ) -> (header: RowMajorMatrix<VMField>, memory: RowMajorMatrix<VMField>, output: [UInt8]) {
        typealias F = VMField
        typealias C = SyscallAir.Col
        let air = SyscallAir(codeRange: codeRange)
        var h = TraceBuilder(width: C.count, height: paddedHeight(events.count))
        var words = 0
        for e in events { words += e.memory.count }
        var mem = TraceBuilder(width: SyscallMemoryAir.Col.count, height: paddedHeight(words))
        var output: [UInt8] = []
        var memRow = 0

        func split(_ row: Int, _ col: Int, _ value: UInt32, hiBits: Int) {
            h[row, col] = F(value & 0xffff)
            h[row, col + 1] = F(value >> 16)
            counter.range(value & 0xffff, bits: 16)
            counter.range(value >> 16, bits: hiBits)
        }

        for (i, e) in events.enumerated() {
            guard let call = Syscall(rawValue: e.number), let flag = calls.firstIndex(of: call),
                let result = e.result
            else { preconditionFailure("syscall \(e.number) has no table") }
            let clk = TraceRow.clk(row: e.row)
            let a0 = rows[e.row].rs2Value
            var a1: UInt32 = 0
            var a2: UInt32 = 0
            for r in e.registerReads {
                precondition(
                    (r.register == 11 || r.register == 12) && r.timestamp == clk + 2,
                    "unexpected register read"
                )
                let (col, tsCol) = r.register == 11 ? (C.a1, C.a1Ts) : (C.a2, C.a2Ts)
                if r.register == 11 { a1 = r.value } else { a2 = r.value }
                h.setWord(i, col, r.value)
                h[i, tsCol] = F(r.prevTimestamp)
                h[i, tsCol + 1] = F(counter.timestampCheck(prev: r.prevTimestamp, now: clk + 2))
            }
            h[i, C.clk] = F(clk)
            h[i, C.flags + flag] = .one
            h.setWord(i, C.a0, a0)
            h.setWord(i, C.res, result)
            let input = call == .read || call == .hintRead
            if input || call == .hintLength {
                counter.range(result & 0xffff, bits: 16)
                counter.range(result >> 16, bits: input ? 11 : 16)
            }
            let (buf, len): (UInt32, UInt32)
            switch call {
            case .read, .write: (buf, len) = (a1, a2)
            case .commit, .hintRead: (buf, len) = (a0, a1)
            default: (buf, len) = (0, 0)
            }
            let n: UInt32 = input ? result : (call == .hintLength ? 0 : len)
            precondition(len <= 1 << 26 && n <= len, "syscall lengths out of range")
            h.setWord(i, C.buf, buf)
            h.setWord(i, C.len, len)
            h.setWord(i, C.n, n)
            // len ≤ 2^26.
            let r = 1024 - (len >> 16)
            counter.range(r, bits: 11)
            if r == 0 { h[i, C.top] = .one } else { h[i, C.topInv] = F(r).inverse()! }
            split(i, C.gap, len - n, hiBits: 11)
            // S and E.
            h[i, C.so + Int(buf & 3)] = .one
            let x = (buf & 0xffff) >> 2
            h[i, C.x] = F(x)
            counter.range(x, bits: 14)
            let end = buf &+ n
            precondition(end >= buf, "buffer wraps around")
            h[i, C.carry] = F(((buf & 0xffff) + (n & 0xffff)) >> 16)
            h[i, C.eHi] = F(end >> 16)
            counter.range(end >> 16, bits: 16)
            h[i, C.eo + Int(end & 3)] = .one
            let y = (end & 0xffff) >> 2
            h[i, C.y] = F(y)
            counter.range(y, bits: 14)
            let sWord = buf >> 2
            let eCeil = UInt32((UInt64(end) + 3) >> 2)
            if n != 0 {
                precondition(
                    sWord >= memoryStartWord && eCeil <= memoryEndWord,
                    "syscall buffer outside memory"
                )
                h[i, C.nz] = .one
                h[i, C.invN] = F(n).inverse()!
                split(i, C.lower, sWord - memoryStartWord, hiBits: 14)
                split(i, C.upper, memoryEndWord - eCeil, hiBits: 14)
                if input {
                    h[i, C.wcheck] = .one
                    let below = eCeil <= air.codeStartWord
                    precondition(below || sWord >= air.codeEndWord, "syscall writes into the code")
                    h[i, C.below] = below ? .one : .zero
                    split(i, C.code, below ? air.codeStartWord - eCeil : sWord - air.codeEndWord, hiBits: 14)
                }
            }
            if i + 1 < events.count {
                let next = TraceRow.clk(row: events[i + 1].row)
                precondition(next > clk, "syscall events out of order")
                split(i, C.order, next - clk - 1, hiBits: timestampHighBits)
                h[i, C.orderReal] = .one
            }
            h[i, C.outBefore] = F(UInt32(output.count))

            // The buffer walk, one row per word of [buf, end).
            let kind: SyscallWalkKind = call == .commit ? .commit : (call == .write ? .readOnly : .input)
            let stamp = clk + (kind == .input ? 3 : 2)
            var pos = buf
            for access in e.memory {
                let w = access.address >> 2
                precondition(pos < end && w == pos >> 2 && access.timestamp == stamp, "syscall access off its buffer")
                let from = pos & 3
                let to = min(end - (w << 2), 4)
                SyscallMemoryAir.fill(
                    &mem,
                    row: memRow,
                    clk: clk,
                    kind: kind,
                    access: access,
                    from: from,
                    to: to,
                    end: end,
                    oi: UInt32(output.count),
                    counter: &counter
                )
                memRow += 1
                if kind == .commit {
                    for j in from..<to { output.append(UInt8(truncatingIfNeeded: access.value >> (8 * j))) }
                }
                pos = (w + 1) << 2
            }
            precondition(pos >= end, "syscall buffer not covered by its accesses")
            h[i, C.outAfter] = F(UInt32(output.count))
        }
        return (h.matrix, mem.matrix, output)
    }
}
