import Algebra
import Stark
import VM

extension Secp256k1Air {
    /// The trace of ``Secp256k1Air`` for the shard's `secp256k1_add` and `secp256k1_double`
    /// events, in execution order.
    /// - Throws: ``ShardWitnessError/inconsistent(_:)`` when an event's accesses are not the
    ///   executor's (p, then q for an add, read at clk + 2; p written at clk + 3) or its result is
    ///   wrong.
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
            let isAdd = e.number == Syscall.secp256k1Add.rawValue
            let name = isAdd ? "secp256k1_add" : "secp256k1_double"
            let fail = ShardWitnessError.inconsistent("\(name) at clk \(clk)")
            guard isAdd || e.number == Syscall.secp256k1Double.rawValue,
                e.memory.count == (isAdd ? 48 : 32), e.registerReads.count == (isAdd ? 1 : 0)
            else { throw fail }
            var pointers = [rows[e.row].rs2Value]
            t[i, C.real] = .one
            t[i, C.double] = isAdd ? .zero : .one
            t[i, C.clk] = F(clk)
            t.setWord(i, C.a0, pointers[0])
            if isAdd {
                let read = e.registerReads[0]
                guard read.register == 11, read.timestamp == clk + 2 else { throw fail }
                pointers.append(read.value)
                t.setWord(i, C.a1, read.value)
                t[i, C.a1Ts] = F(read.prevTimestamp)
                t[i, C.a1Diff] = F(counter.timestampCheck(prev: read.prevTimestamp, now: clk + 2))
            }
            // Pointers, bounds and gaps.
            let w = pointers.map { $0 >> 2 }
            for o in pointers.indices {
                guard let x = counter.alignedWordAddress(pointers[o]), let usable = counter.usableWords(w[o], count: 16)
                else { throw fail }
                t[i, C.t + o] = F(x)
                t[i, C.lower + o] = F(usable.lower)
                t[i, C.upper + o] = F(usable.upper)
            }
            var others: [(UInt32, UInt32, Int, Int)] = [(codeStartWord, codeEndWord - codeStartWord, C.below, C.code)]
            if isAdd { others.append((w[1], 16, C.after, C.gap)) }
            for (v, n, after, gap) in others {
                guard let d = counter.disjointWords(w[0], count: 16, v, count: n) else { throw fail }
                t[i, after] = d.after ? .one : .zero
                t[i, gap] = F(d.gapLo)
            }
            // Memory: p (and q) read at clk + 2, p written at clk + 3 (merged into one access).
            var operands = [[UInt32]](repeating: [], count: pointers.count)
            var result: [UInt32] = []
            for (k, a) in e.memory.enumerated() {
                let o = k < 16 * pointers.count ? k / 16 : 0
                guard a.address == pointers[o] &+ UInt32(4 * (k % 16)) else { throw fail }
                if k < 16 * pointers.count {
                    guard a.timestamp == clk + 2, a.value == a.prevValue else { throw fail }
                    operands[o].append(a.value)
                    let (tsCol, diffCol) = o == 0 ? (C.pTs, C.pDiff) : (C.qTs, C.qDiff)
                    t[i, tsCol + k % 16] = F(a.prevTimestamp)
                    let now = o == 0 ? clk + 3 : clk + 2
                    t[i, diffCol + k % 16] = F(counter.timestampCheck(prev: a.prevTimestamp, now: now))
                } else {
                    guard a.timestamp == clk + 3, a.prevTimestamp == clk + 2 else { throw fail }
                    result.append(a.value)
                }
            }
            let expected =
                isAdd
                ? Accelerators.secp256k1Add(operands[0], operands[1]) : Accelerators.secp256k1Double(operands[0])
            guard expected == result,
                let witness = Accelerators.secp256k1Witness(operands[0], isAdd ? operands[1] : nil)
            else { throw fail }
            // Bytes.
            func bytes(_ words: ArraySlice<UInt32>) -> [Int64] {
                words.flatMap { v in (0..<4).map { Int64(v >> (8 * $0) & 0xff) } }
            }
            let q = isAdd ? operands[1] : operands[0]
            let o = Operands<Int64>(
                x1: bytes(operands[0][0..<8]),
                y1: bytes(operands[0][8..<16]),
                x2: bytes(q[0..<8]),
                y2: bytes(q[8..<16]),
                lambda: bytes(witness.lambda[...]),
                w: bytes(witness.inverse[...]),
                x3: bytes(result[0..<8]),
                y3: bytes(result[8..<16]),
                double: isAdd ? 0 : 1,
                real: 1
            )
            let columns = [o.x1, o.y1, o.x2, o.y2, o.lambda, o.w, o.x3, o.y3]
            for (j, v) in columns.joined().enumerated() {
                t[i, C.x1 + j] = F(UInt32(v))
                counter.range(UInt32(v), bits: 8)
            }
            // The four identities: quotients and carries.
            for (k, r) in Self.residues(o, zero: 0, constant: { $0 }, +, -, *).enumerated() {
                let quotient = Self.quotient(r)
                for (j, v) in quotient.enumerated() {
                    t[i, C.quotient + C.quotientBytes * k + j] = F(UInt32(v))
                    counter.range(UInt32(v), bits: 8)
                }
                let full = Self.withQuotient(r, quotient, zero: 0, constant: { $0 }, +, *)
                guard let carries = ByteCarries.carries(full) else { throw fail }
                t.setCarries(i, C.carry + (C.positions - 1) * k, carries, counter: &counter)
            }
            // x3, y3 < P at the most significant differing limb.
            for (v, flagBase) in [(o.x3, C.flagX), (o.y3, C.flagY)] {
                func limb(_ b: [Int64], _ k: Int) -> Int64 { b[2 * k] + 256 * b[2 * k + 1] }
                guard let top = (0..<16).reversed().first(where: { limb(v, $0) != limb(Self.modulusBytes, $0) }),
                    limb(v, top) < limb(Self.modulusBytes, top)
                else { throw fail }
                t[i, flagBase + top] = .one
                counter.range(UInt32(limb(Self.modulusBytes, top) - limb(v, top) - 1), bits: 16)
            }
        }
        return t.matrix
    }

    /// The quotient bytes `q` (33) that make `t + q·P` an identity, found byte by byte from the
    /// bottom (P is odd, so position k fixes `q_k` mod 256). When `t` is `E − 2^258·P` with
    /// `E ≡ 0 (mod P)`, this is the true quotient `2^258 − E/P`, which is below 2^264; otherwise the
    /// carries of `t + q·P` do not close and the caller refuses the event.
    package static func quotient(_ t: [Int64]) -> [Int64] {
        let p = modulusBytes
        let inverse = Int64((1..<256).first { ($0 * Int(p[0])) & 0xff == 1 }!)
        var q = [Int64](repeating: 0, count: Col.quotientBytes)
        var carry: Int64 = 0
        for k in 0..<Col.quotientBytes {
            var s = t[k] + carry
            for i in 0..<k where k - i < 32 { s += q[i] * p[k - i] }
            q[k] = ((-s % 256 + 256) % 256) * inverse % 256
            s += q[k] * p[0]
            carry = s / 256
        }
        return q
    }
}
