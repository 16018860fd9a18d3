import Algebra
import Stark
import VM

extension SHA256Air {
    /// The traces of ``SHA256Air`` (64 rows per call, then padding compressions of the zero
    /// state and block) and ``SHA256MemoryAir`` (24 rows per call: the 16 block words, then the
    /// 8 state words) for the shard's `sha256_compress` events.
    ///
    /// - Parameters:
    ///   - events: the shard's `sha256_compress` events, in execution order.
    ///   - rows: the shard's rows (for a0, the ecall row's rs2 value).
    ///   - counter: receives the range lookups.
    /// - Throws: ``ShardWitnessError/inconsistent(_:)`` when an event's accesses are not the
    ///   executor's (a1 read, the 8 state and 16 block words read at clk + 2, the state written
    ///   at clk + 3), its buffers are misaligned, unusable or overlapping, or the written state
    ///   is not the compression of what was read.
    public func traces(
        events: [SyscallEvent],
        rows: TraceRows,
        counter: inout LookupCounter
    ) throws(ShardWitnessError) -> (sha256: RowMajorMatrix<VMField>, memory: RowMajorMatrix<VMField>) {
        typealias F = VMField
        typealias C = Col
        typealias M = SHA256MemoryAir.Col
        let (ns, nb) = (Self.stateWords, Self.blockWords)
        let height = paddedHeight(events.count * Self.rounds, minimum: Self.rounds)
        var t = TraceBuilder(width: C.count, height: height)
        var mem = TraceBuilder(width: M.count, height: paddedHeight(events.count * (ns + nb)))
        let zero = Self.compressionRows(
            state: [UInt32](repeating: 0, count: ns),
            block: [UInt32](repeating: 0, count: nb)
        )

        for (i, e) in events.enumerated() {
            let clk = TraceRow.clk(row: e.row)
            let fail = ShardWitnessError.inconsistent("sha256_compress at clk \(clk)")
            guard e.memory.count == 2 * ns + nb, e.registerReads.count == 1 else { throw fail }
            let a0 = rows[e.row].rs2Value
            let read = e.registerReads[0]
            guard read.register == 11, read.timestamp == clk + 2 else { throw fail }
            let a1 = read.value
            // The accesses: state and block read at clk + 2, the state written at clk + 3.
            var state = [UInt32](repeating: 0, count: ns)
            var block = [UInt32](repeating: 0, count: nb)
            var written = [UInt32](repeating: 0, count: ns)
            for (k, a) in e.memory.enumerated() {
                let isRead = k < ns + nb
                let address =
                    k < ns ? a0 &+ UInt32(4 * k) : isRead ? a1 &+ UInt32(4 * (k - ns)) : a0 &+ UInt32(4 * (k - ns - nb))
                guard a.address == address, a.timestamp == clk + (isRead ? 2 : 3) else { throw fail }
                if isRead {
                    guard a.value == a.prevValue else { throw fail }
                } else {
                    guard a.prevTimestamp == clk + 2 else { throw fail }
                }
                if k < ns {
                    state[k] = a.value
                } else if isRead {
                    block[k - ns] = a.value
                } else {
                    written[k - ns - nb] = a.value
                }
            }
            guard Accelerators.sha256Compress(state, block) == written else { throw fail }
            // Memory rows: the block words (add 0), then the state words (add = written − state).
            for k in 0..<(ns + nb) {
                let r = i * (ns + nb) + k
                let isState = k >= nb
                let a = isState ? e.memory[k - nb] : e.memory[ns + k]
                let ts = clk + (isState ? 3 : 2)
                let out = isState ? written[k - nb] : a.value
                let add = out &- a.value
                mem[r, M.real] = .one
                mem[r, M.ts] = F(ts)
                mem[r, M.address] = F(a.address >> 2)
                mem.setWord(r, M.input, a.value)
                mem.setWord(r, M.add, add)
                mem.setWord(r, M.output, out)
                let carryLo = ((a.value & 0xffff) + (add & 0xffff)) >> 16
                let carryHi = ((a.value >> 16) + (add >> 16) + carryLo) >> 16
                mem[r, M.carry] = F(carryLo)
                mem[r, M.carry + 1] = F(carryHi)
                counter.range(out & 0xffff, bits: 16)
                counter.range(out >> 16, bits: 16)
                mem[r, M.prevTs] = F(a.prevTimestamp)
                mem[r, M.diff] = F(counter.timestampCheck(prev: a.prevTimestamp, now: ts))
            }
            // The rounds, then the call's columns on every row and its checks on the export row.
            let call = Self.compressionRows(state: state, block: block)
            call.record(&counter)
            let base = i * Self.rounds * C.count
            t.values.replaceSubrange(base..<base + call.values.count, with: call.values)
            let ws = a0 >> 2
            let wb = a1 >> 2
            guard let x0 = counter.alignedWordAddress(a0), let x1 = counter.alignedWordAddress(a1) else { throw fail }
            for row in i * Self.rounds..<(i + 1) * Self.rounds {
                t[row, C.real] = .one
                t[row, C.clk] = F(clk)
                t.setWord(row, C.a0, a0)
                t.setWord(row, C.a1, a1)
                t[row, C.x0] = F(x0)
                t[row, C.x1] = F(x1)
            }
            let r = (i + 1) * Self.rounds - 1
            t[r, C.export] = .one
            t[r, C.a1Ts] = F(read.prevTimestamp)
            t[r, C.a1Diff] = F(counter.timestampCheck(prev: read.prevTimestamp, now: clk + 2))
            for (o, (w, n)) in [(ws, ns), (wb, nb)].enumerated() {
                guard let usable = counter.usableWords(w, count: UInt32(n)) else { throw fail }
                t[r, C.lower + o] = F(usable.lower)
                t[r, C.upper + o] = F(usable.upper)
            }
            guard
                let code = counter.disjointWords(
                    ws,
                    count: UInt32(ns),
                    codeStartWord,
                    count: codeEndWord - codeStartWord
                ),
                let apart = counter.disjointWords(ws, count: UInt32(ns), wb, count: UInt32(nb))
            else { throw fail }
            t[r, C.below] = code.after ? .one : .zero
            t[r, C.code] = F(code.gapLo)
            t[r, C.after] = apart.after ? .one : .zero
            t[r, C.gap] = F(apart.gapLo)
        }
        // Padding: compressions of the zero state and block.
        for c in events.count..<height / Self.rounds {
            zero.record(&counter)
            let base = c * Self.rounds * C.count
            t.values.replaceSubrange(base..<base + zero.values.count, with: zero.values)
        }
        return (t.matrix, mem.matrix)
    }

    /// The 64 rows of one compression (row-major, ``Col/count`` wide; the call columns, `real`
    /// and `export` 0) and the range lookups they make.
    package struct CompressionRows {
        package var values: [VMField]
        /// `(bits, value)` of each range lookup the rows make.
        package var lookups: [(bits: Int, value: UInt32)]

        package func record(_ counter: inout LookupCounter) {
            for l in lookups { counter.range(l.value, bits: l.bits) }
        }
    }

    /// The rows of the compression of `state` (8 words) with `block` (16 memory words: the
    /// message bytes as little-endian words).
    package static func compressionRows(state: [UInt32], block: [UInt32]) -> CompressionRows {
        var out: [VMField] = []
        out.reserveCapacity(rounds * Col.count)
        var lookups: [(bits: Int, value: UInt32)] = []
        lookups.reserveCapacity(rounds * 10)
        let w = schedule(block)
        var v = state
        for t in 0..<rounds { out += roundRow(&v, input: state, schedule: w, round: t, lookups: &lookups) }
        return CompressionRows(values: out, lookups: lookups)
    }

    /// The schedule `W[0…79]` of the block's 16 memory words (the window of round 63 runs past
    /// `W[63]`; those words are never used by a round).
    package static func schedule(_ block: [UInt32]) -> [UInt32] {
        var w = block.map { $0.byteSwapped }
        for t in 16..<(rounds + 16) {
            let (x, y) = (w[t - 15], w[t - 2])
            w.append(
                w[t - 16] &+ (rotr(x, 7) ^ rotr(x, 18) ^ x >> 3) &+ w[t - 7] &+ (rotr(y, 17) ^ rotr(y, 19) ^ y >> 10)
            )
        }
        return w
    }

    @inline(__always) static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }

    /// Row `t` of a compression whose working variables are `v` (advanced to the next round's)
    /// and whose input state is `input`: every column but the call's (`real`, `export`, `clk`,
    /// the pointers and their checks); its range lookups are appended to `lookups`.
    package static func roundRow(
        _ v: inout [UInt32],
        input: [UInt32],
        schedule: [UInt32],
        round t: Int,
        lookups: inout [(bits: Int, value: UInt32)]
    ) -> [VMField] {
        typealias F = VMField
        typealias C = Col
        var out = [VMField](repeating: .zero, count: C.count)
        func setWord(_ c: Int, _ x: UInt32) {
            out[c] = F(x & 0xffff)
            out[c + 1] = F(x >> 16)
        }
        func setBits(_ c: Int, _ x: UInt32) { for k in 0..<32 { out[c + k] = F(x >> UInt32(k) & 1) } }
        /// A sum of words as the constraints state it: limb sums, the low carry into the high.
        func limbSum(_ terms: [UInt32]) -> (word: UInt32, carries: (UInt32, UInt32)) {
            let lo = terms.reduce(UInt32(0)) { $0 + ($1 & 0xffff) }
            let hi = terms.reduce(lo >> 16) { $0 + ($1 >> 16) }
            return (lo & 0xffff | hi << 16, (lo >> 16, hi >> 16))
        }
        out[C.u + t / 8] = .one
        out[C.v + t % 8] = .one
        if t == rounds - 1 { out[C.last] = .one }
        for k in 0..<8 { setWord(C.hin + 2 * k, input[k]) }
        let (a, b, c, d, e, f, g, h) = (v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7])
        for (col, x) in [(C.a, a), (C.b, b), (C.c, c), (C.e, e), (C.f, f), (C.g, g)] { setBits(col, x) }
        setWord(C.d, d)
        setWord(C.h, h)
        let sigma1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
        let ch = e & f ^ ~e & g
        let sigma0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
        let maj = a & b ^ a & c ^ b & c
        let t1 = [h, sigma1, ch, SHA256Spec.k[t], schedule[t]]
        let newE = limbSum([d] + t1)
        let newA = limbSum(t1 + [sigma0, maj])
        setWord(C.ne, newE.word)
        setWord(C.na, newA.word)
        setWord(C.ca, newA.carries.0 | newA.carries.1 << 16)
        setWord(C.ce, newE.carries.0 | newE.carries.1 << 16)
        for x in [newA.carries.0, newA.carries.1, newE.carries.0, newE.carries.1] { lookups.append((3, x)) }
        // The window, the next schedule word and W_t's bytes.
        for k in 0..<16 { setWord(C.w + 2 * k, schedule[t + k]) }
        let (x, y) = (schedule[t + 1], schedule[t + 14])
        setBits(C.w1, x)
        setBits(C.w14, y)
        let nw = limbSum([
            rotr(y, 17) ^ rotr(y, 19) ^ y >> 10, schedule[t + 9], rotr(x, 7) ^ rotr(x, 18) ^ x >> 3, schedule[t],
        ])
        setWord(C.nw, nw.word)
        setWord(C.cw, nw.carries.0 | nw.carries.1 << 16)
        lookups.append((2, nw.carries.0))
        lookups.append((2, nw.carries.1))
        for j in 0..<4 {
            let byte = schedule[t] >> UInt32(24 - 8 * j) & 0xff
            out[C.m + j] = F(byte)
            lookups.append((8, byte))
        }
        v = [newA.word, a, b, c, newE.word, e, f, g]
        return out
    }
}
