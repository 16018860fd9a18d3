import Algebra
import Stark
import VM

extension MulModAir {
    /// The trace of ``MulModAir`` for the shard's `uint256_mulmod` events, in execution order.
    /// - Throws: ``ShardWitnessError/inconsistent(_:)`` when an event's accesses are not the
    ///   executor's (x, y, m read at clk + 2, x written at clk + 3) or its result is wrong.
    public func trace(
        events: [SyscallEvent],
        rows: TraceRows,
        counter: inout LookupCounter
    ) throws(ShardWitnessError) -> RowMajorMatrix<VMField> {
        typealias F = VMField
        typealias C = Col
        var t = TraceBuilder(width: C.count, height: paddedHeight(events.count))
        for (i, e) in events.enumerated() {
            let clk = TraceRow.clk(row: e.row)
            let fail = ShardWitnessError.inconsistent("uint256_mulmod at clk \(clk)")
            guard e.memory.count == 32, e.registerReads.count == 2 else { throw fail }
            var pointers = [rows[e.row].rs2Value]
            t[i, C.real] = .one
            t[i, C.clk] = F(clk)
            t.setWord(i, C.a0, pointers[0])
            for (k, read) in e.registerReads.enumerated() {
                guard read.register == UInt8(11 + k), read.timestamp == clk + 2 else { throw fail }
                pointers.append(read.value)
                t.setWord(i, k == 0 ? C.a1 : C.a2, read.value)
                t[i, k == 0 ? C.a1Ts : C.a2Ts] = F(read.prevTimestamp)
                t[i, k == 0 ? C.a1Diff : C.a2Diff] = F(counter.timestampCheck(prev: read.prevTimestamp, now: clk + 2))
            }
            // Pointers, bounds and gaps.
            let w = pointers.map { $0 >> 2 }
            for o in 0..<3 {
                guard let x = counter.alignedWordAddress(pointers[o]), let usable = counter.usableWords(w[o], count: 8)
                else { throw fail }
                t[i, C.t + o] = F(x)
                t[i, C.lower + o] = F(usable.lower)
                t[i, C.upper + o] = F(usable.upper)
            }
            let others: [(UInt32, UInt32, Int, Int)] = [
                (codeStartWord, codeEndWord - codeStartWord, C.below, C.code),
                (w[1], 8, C.sXY, C.dXY),
                (w[2], 8, C.sXM, C.dXM),
            ]
            for (v, m, after, gap) in others {
                guard let d = counter.disjointWords(w[0], count: 8, v, count: m) else { throw fail }
                t[i, after] = d.after ? .one : .zero
                t[i, gap] = F(d.gapLo)
            }
            // Memory: x, y, m read at clk + 2, x written at clk + 3 (merged into one access).
            var operands = [[UInt32]](repeating: [], count: 3)
            var result: [UInt32] = []
            for k in 0..<32 {
                let a = e.memory[k]
                let o = k < 24 ? k / 8 : 0
                guard a.address == pointers[o] &+ UInt32(4 * (k % 8)) else { throw fail }
                if k < 24 {
                    guard a.timestamp == clk + 2, a.value == a.prevValue else { throw fail }
                    operands[o].append(a.value)
                    let (tsCol, diffCol) = [(C.xTs, C.xDiff), (C.yTs, C.yDiff), (C.mTs, C.mDiff)][o]
                    t[i, tsCol + k % 8] = F(a.prevTimestamp)
                    let now = o == 0 ? clk + 3 : clk + 2
                    t[i, diffCol + k % 8] = F(counter.timestampCheck(prev: a.prevTimestamp, now: now))
                } else {
                    guard a.timestamp == clk + 3, a.prevTimestamp == clk + 2 else { throw fail }
                    result.append(a.value)
                }
            }
            guard Accelerators.uint256MulMod(operands[0], operands[1], operands[2]) == result else { throw fail }
            // Bytes, quotient, carries.
            func bytes(_ words: [UInt32]) -> [UInt32] { words.flatMap { v in (0..<4).map { v >> (8 * $0) & 0xff } } }
            let x = bytes(operands[0])
            let y = bytes(operands[1])
            let m = bytes(operands[2])
            let r = bytes(result)
            let q = Self.quotient(operands[0], operands[1], operands[2])
            for (base, v) in [(C.x, x), (C.y, y), (C.m, m), (C.r, r), (C.q, q)] {
                for (j, byte) in v.enumerated() {
                    t[i, base + j] = F(byte)
                    counter.range(byte, bits: 8)
                }
            }
            let xy = ByteCarries.product(x.map(Int64.init), y.map(Int64.init), zero: 0, +, *)
            let qm = ByteCarries.product(q.map(Int64.init), m.map(Int64.init), zero: 0, +, *)
            let positions = (0...C.carries).map { k in
                (k < xy.count ? xy[k] : 0) - qm[k] - (k < 32 ? Int64(r[k]) : 0)
            }
            guard let carries = ByteCarries.carries(positions) else { throw fail }
            t.setCarries(i, C.carry, carries, counter: &counter)
            // r < m at the most significant differing byte.
            guard let top = (0..<32).reversed().first(where: { m[$0] != r[$0] }), m[top] > r[top] else { throw fail }
            t[i, C.flag + top] = .one
            counter.range(m[top] - r[top] - 1, bits: 8)
        }
        return t.matrix
    }

    /// The 64 bytes of `⌊x·y / m⌋` (m ≠ 0), by binary long division of the 512-bit product.
    static func quotient(_ x: [UInt32], _ y: [UInt32], _ m: [UInt32]) -> [UInt32] {
        var product = [UInt32](repeating: 0, count: 16)
        for i in 0..<8 {
            var carry: UInt64 = 0
            for j in 0..<8 {
                let v = UInt64(x[i]) * UInt64(y[j]) + UInt64(product[i + j]) + carry
                product[i + j] = UInt32(truncatingIfNeeded: v)
                carry = v >> 32
            }
            product[i + 8] = UInt32(carry)
        }
        var q = [UInt32](repeating: 0, count: 16)
        var rem = [UInt32](repeating: 0, count: 9)  // below 2m < 2^257
        for bit in (0..<512).reversed() {
            var carry = product[bit / 32] >> UInt32(bit % 32) & 1
            for k in 0..<9 {
                let v = rem[k]
                rem[k] = v << 1 | carry
                carry = v >> 31
            }
            // rem ≥ m ?
            var geq = true
            for k in (0..<9).reversed() {
                let mk = k < 8 ? m[k] : 0
                if rem[k] != mk {
                    geq = rem[k] > mk
                    break
                }
            }
            if geq {
                var borrow: Int64 = 0
                for k in 0..<9 {
                    let d = Int64(rem[k]) - Int64(k < 8 ? m[k] : 0) - borrow
                    rem[k] = UInt32(truncatingIfNeeded: d)
                    borrow = d < 0 ? 1 : 0
                }
                q[bit / 32] |= 1 << UInt32(bit % 32)
            }
        }
        return q.flatMap { v in (0..<4).map { v >> (8 * $0) & 0xff } }
    }
}
