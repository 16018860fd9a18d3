import Algebra
import Stark
import VM

extension SyscallAir {
    /// The traces of the syscall header and memory tables for `events` (every syscall of the
    /// shard but exit, in order), and the bytes the shard committed. Records the range and
    /// byte lookups in `counter`.
    public static func traces(
        events: [SyscallEvent],
        rows: TraceRows,
        codeRange: Range<UInt32>,
        counter: inout LookupCounter
    ) -> (header: RowMajorMatrix<VMField>, memory: RowMajorMatrix<VMField>, output: [UInt8]) {
        typealias F = VMField
        typealias C = SyscallAir.Col
        typealias M = SyscallMemoryAir.Col
        let air = SyscallAir(codeRange: codeRange)
        var h = TraceBuilder(width: air.width, height: paddedHeight(events.count))
        let words = events.reduce(0) { $0 + $1.memory.count }
        var mem = TraceBuilder(width: SyscallMemoryAir(codeRange: codeRange).width, height: paddedHeight(words))
        var output: [UInt8] = []
        var memRow = 0
        for (i, e) in events.enumerated() {
            guard let call = Syscall(rawValue: e.number), let flag = numbers.firstIndex(of: call),
                let result = e.result
            else { preconditionFailure("syscall \(e.number) has no table") }
            let clk = TraceRow.clk(row: e.row)
            let a0 = rows[e.row].rs2Value
            var regs: [UInt8: RegisterRead] = [:]
            for r in e.registerReads { regs[r.register] = r }
            let a1 = regs[11]?.value ?? 0
            let a2 = regs[12]?.value ?? 0
            h[i, C.clk] = F(clk)
            h[i, C.flags + flag] = .one
            h.setWord(i, C.a0, a0)
            h.setWord(i, C.res, result)
            for (reg, col, tsCol) in [(UInt8(11), C.a1, C.a1Ts), (UInt8(12), C.a2, C.a2Ts)] {
                guard let r = regs[reg] else { continue }
                h.setWord(i, col, r.value)
                h[i, tsCol] = F(r.prevTimestamp)
                h[i, tsCol + 1] = F(counter.timestampCheck(prev: r.prevTimestamp, now: clk + 2))
            }
            if call == .read || call == .hintRead || call == .hintLength {
                counter.range(result & 0xffff, bits: 16)
                counter.range(result >> 16, bits: call == .hintLength ? 16 : 10)
            }
            let buf: UInt32
            let len: UInt32
            switch call {
            case .read, .write: (buf, len) = (a1, a2)
            case .commit, .hintRead: (buf, len) = (a0, a1)
            default: (buf, len) = (0, 0)
            }
            let n: UInt32 = (call == .read || call == .hintRead) ? result : (call == .hintLength ? 0 : len)
            h.setWord(i, C.buf, buf)
            h.setWord(i, C.len, len)
            h.setWord(i, C.n, n)
            counter.range(len >> 16, bits: 10)
            let gap = len - n
            h[i, C.gap] = F(gap & 0xffff)
            h[i, C.gap + 1] = F(gap >> 16)
            counter.range(gap & 0xffff, bits: 16)
            counter.range(gap >> 16, bits: 10)
            h[i, C.so + Int(buf & 3)] = .one
            let x = (buf & 0xffff) >> 2
            h[i, C.x] = F(x)
            counter.range(x, bits: 14)
            let end = buf &+ n
            let carry = ((buf & 0xffff) + (n & 0xffff)) >> 16
            h[i, C.carry] = F(carry)
            h[i, C.eHi] = F(end >> 16)
            h[i, C.eo + Int(end & 3)] = .one
            let y = (end & 0xffff) >> 2
            h[i, C.y] = F(y)
            counter.range(y, bits: 14)
            counter.range(end >> 16, bits: 16)
            let sWord = buf >> 2
            let eWord = end >> 2
            let eCeil = eWord + (end & 3 == 0 ? 0 : 1)
            if n != 0 {
                h[i, C.nz] = .one
                h[i, C.invN] = F(n).inverse()!
                let lower = sWord - 0x400
                let upper = 0x3FFF_C000 - eCeil
                for (col, v) in [(C.lower, lower), (C.upper, upper)] {
                    h[i, col] = F(v & 0xffff)
                    h[i, col + 1] = F(v >> 16)
                    counter.range(v & 0xffff, bits: 16)
                    counter.range(v >> 16, bits: 14)
                }
                if call == .read || call == .hintRead {
                    h[i, C.wcheck] = .one
                    let below = eCeil <= air.codeStart >> 2
                    let d = below ? (air.codeStart >> 2) - eCeil : sWord - (air.codeEnd >> 2)
                    h[i, C.below] = below ? .one : .zero
                    h[i, C.code] = F(d & 0xffff)
                    h[i, C.code + 1] = F(d >> 16)
                    counter.range(d & 0xffff, bits: 16)
                    counter.range(d >> 16, bits: 14)
                }
            }
            if i + 1 < events.count {
                let next = TraceRow.clk(row: events[i + 1].row)
                let d = next - clk - 1
                h[i, C.order] = F(d & 0xffff)
                h[i, C.order + 1] = F(d >> 16)
                counter.range(d & 0xffff, bits: 16)
                counter.range(d >> 16, bits: 10)
            }
            h[i, C.outBefore] = F(UInt32(output.count))

            // The buffer walk, one row per word.
            let kind: (Int, Bool) =
                call == .commit ? (2, false) : (call == .write ? (1, false) : (0, true))
            var pos = buf
            for access in e.memory {
                let r = memRow
                memRow += 1
                let w = access.address >> 2
                precondition(w == pos >> 2, "syscall accesses out of order")
                let o = pos & 3
                let wordEnd = (w &+ 1) << 2
                let last = end <= wordEnd
                let stop = last ? end - (w << 2) : 4
                mem[r, M.clk] = F(clk)
                mem[r, M.kinds + kind.0] = .one
                mem[r, M.w] = F(w)
                mem[r, M.s + Int(o)] = .one
                mem[r, M.t + Int(stop) - 1] = .one
                for j in 0..<UInt32(4) where j >= o && j < stop { mem[r, M.m + Int(j)] = .one }
                mem[r, M.endW] = F(eWord)
                mem[r, M.endO] = F(end & 3)
                mem[r, M.oi] = F(UInt32(output.count))
                mem.setWord(r, M.prev, access.prevValue)
                mem.setWord(r, M.val, access.value)
                mem[r, M.prevTs] = F(access.prevTimestamp)
                mem[r, M.diff] = F(counter.timestampCheck(prev: access.prevTimestamp, now: access.timestamp))
                let v = (0..<4).map { (access.value >> (8 * UInt32($0))) & 0xff }
                for j in 0..<4 { mem[r, M.v + j] = F(v[j]) }
                mem[r, M.vAnd] = F(counter.byte(.and, v[0], v[1]))
                mem[r, M.vAnd + 1] = F(counter.byte(.and, v[2], v[3]))
                if kind.1 {
                    let q = (0..<4).map { (access.prevValue >> (8 * UInt32($0))) & 0xff }
                    for j in 0..<4 { mem[r, M.q + j] = F(q[j]) }
                    mem[r, M.qAnd] = F(counter.byte(.and, q[0], q[1]))
                    mem[r, M.qAnd + 1] = F(counter.byte(.and, q[2], q[3]))
                }
                if call == .commit {
                    for j in o..<stop { output.append(UInt8(truncatingIfNeeded: access.value >> (8 * j))) }
                }
                pos = wordEnd
            }
            h[i, C.outAfter] = F(UInt32(output.count))
        }
        return (h.matrix, mem.matrix, output)
    }
}
