import Algebra
import Stark
import VM

extension KeccakAir {
    /// The traces of ``KeccakAir`` (24 rows per call, then zero-state padding permutations) and
    /// ``KeccakMemoryAir`` (50 rows per call) for the shard's `keccak_f` events.
    ///
    /// - Parameters:
    ///   - events: the shard's `keccak_f` events, in execution order.
    ///   - rows: the shard's rows (for a0, the ecall row's rs2 value).
    ///   - counter: receives the range lookups.
    /// - Throws: ``ShardWitnessError/inconsistent(_:)`` when an event's accesses are not the 50
    ///   reads at clk + 2 then 50 writes at clk + 3 of the state words, or the state is not
    ///   Keccak-f of what was read.
    public func traces(
        events: [SyscallEvent],
        rows: TraceRows,
        counter: inout LookupCounter
    ) throws(ShardWitnessError) -> (keccak: RowMajorMatrix<VMField>, memory: RowMajorMatrix<VMField>) {
        typealias F = VMField
        typealias C = Col
        let n = Self.stateWords
        let rounds = KeccakSpec.rounds
        let height = paddedHeight(events.count * rounds, minimum: 32)
        var t = TraceBuilder(width: C.count, height: height)
        var mem = TraceBuilder(width: KeccakMemoryAir.Col.count, height: paddedHeight(events.count * n))
        let zeroBlock = Self.permutationRows([UInt64](repeating: 0, count: 25))

        for (i, e) in events.enumerated() {
            let clk = TraceRow.clk(row: e.row)
            let a0 = rows[e.row].rs2Value
            guard a0 & 3 == 0 else { throw .inconsistent("keccak_f at clk \(clk): state pointer not aligned") }
            guard e.memory.count == 2 * n else {
                throw .inconsistent("keccak_f at clk \(clk): \(e.memory.count) accesses")
            }
            var input = [UInt32](repeating: 0, count: n)
            var output = [UInt32](repeating: 0, count: n)
            for k in 0..<n {
                let read = e.memory[k]
                let write = e.memory[n + k]
                let address = a0 &+ UInt32(4 * k)
                guard read.address == address, read.timestamp == clk + 2, read.value == read.prevValue,
                    write.address == address, write.timestamp == clk + 3, write.prevValue == read.value
                else { throw .inconsistent("keccak_f at clk \(clk): access \(k) is off the state") }
                input[k] = read.value
                output[k] = write.value
                let r = i * n + k
                mem[r, KeccakMemoryAir.Col.real] = .one
                mem[r, KeccakMemoryAir.Col.clk] = F(clk)
                mem[r, KeccakMemoryAir.Col.address] = F(address >> 2)
                mem.setWord(r, KeccakMemoryAir.Col.input, read.value)
                mem.setWord(r, KeccakMemoryAir.Col.output, write.value)
                mem[r, KeccakMemoryAir.Col.prevTs] = F(read.prevTimestamp)
                mem[r, KeccakMemoryAir.Col.diff] = F(counter.timestampCheck(prev: read.prevTimestamp, now: clk + 3))
            }
            var lanes = [UInt64](repeating: 0, count: 25)
            for l in 0..<25 { lanes[l] = UInt64(input[2 * l]) | UInt64(input[2 * l + 1]) << 32 }
            let block = Self.permutationRows(lanes)
            let base = i * rounds * C.count
            t.values.replaceSubrange(base..<base + block.count, with: block)
            // The export row: the call and its bounds.
            let r = i * rounds + rounds - 1
            var permuted = input
            Accelerators.keccakF(&permuted)
            guard permuted == output else { throw .inconsistent("keccak_f at clk \(clk): wrong output") }
            t[r, C.export] = .one
            t[r, C.clk] = F(clk)
            t.setWord(r, C.a0, a0)
            let w = a0 >> 2
            let outside = ShardWitnessError.inconsistent("keccak_f at clk \(clk): state outside writable memory")
            guard let x = counter.alignedWordAddress(a0), let usable = counter.usableWords(w, count: UInt32(n)),
                let code = counter.disjointWords(
                    w,
                    count: UInt32(n),
                    codeStartWord,
                    count: codeEndWord - codeStartWord
                )
            else { throw outside }
            t[r, C.x] = F(x)
            t[r, C.lower] = F(usable.lower)
            t[r, C.upper] = F(usable.upper)
            t[r, C.below] = code.after ? .one : .zero
            t[r, C.code] = F(code.gapLo)
        }
        // Padding: permutations of the zero state, the last one cut off by the height.
        var row = events.count * rounds
        while row < height {
            let count = min(rounds, height - row) * C.count
            t.values.replaceSubrange(row * C.count..<row * C.count + count, with: zeroBlock[..<count])
            row += rounds
        }
        return (t.matrix, mem.matrix)
    }

    /// The 24 rows (row-major, ``Col/count`` wide, `export` and the call columns 0) of the
    /// permutation of `lanes` (lane `x + 5y`).
    static func permutationRows(_ lanes: [UInt64]) -> [VMField] {
        let w = Col.count
        var out = [VMField](repeating: .zero, count: KeccakSpec.rounds * w)
        var preimage = [VMField](repeating: .zero, count: 100)
        for l in 0..<25 { for limb in 0..<4 { preimage[4 * l + limb] = limb16(lanes[l], limb) } }
        var a = lanes
        for round in 0..<KeccakSpec.rounds {
            let row = roundRow(lanes: &a, round: round)
            out.replaceSubrange(round * w..<(round + 1) * w, with: row)
            out.replaceSubrange(round * w + Col.preimage..<round * w + Col.preimage + 100, with: preimage)
        }
        return out
    }

    @inline(__always) static func limb16(_ v: UInt64, _ limb: Int) -> VMField {
        VMField(UInt32(truncatingIfNeeded: v >> UInt64(16 * limb)) & 0xffff)
    }

    /// One row of round `round` on the state `lanes` (its `a`), which it advances to `A'''`:
    /// the step flag and the round columns; the preimage, `export` and the call columns are 0.
    package static func roundRow(lanes a: inout [UInt64], round: Int) -> [VMField] {
        typealias F = VMField
        typealias C = Col
        var out = [VMField](repeating: .zero, count: C.count)
        func setLimbs(_ base: Int, _ lane: Int, _ v: UInt64) {
            for limb in 0..<4 { out[base + C.limb(0, lane, limb)] = limb16(v, limb) }
        }
        func setBits(_ base: Int, _ v: UInt64) {
            for z in 0..<64 { out[base + z] = F(UInt32(truncatingIfNeeded: v >> UInt64(z)) & 1) }
        }
        func rotl(_ v: UInt64, _ n: Int) -> UInt64 { n == 0 ? v : (v << UInt64(n)) | (v >> UInt64(64 - n)) }
        out[C.step + round] = .one
        for l in 0..<25 { setLimbs(C.a, l, a[l]) }
        let c = (0..<5).map { x in (0..<5).reduce(UInt64(0)) { $0 ^ a[x + 5 * $1] } }
        let cPrime = (0..<5).map { x in c[x] ^ c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1) }
        for x in 0..<5 {
            setBits(C.c(x, 0), c[x])
            setBits(C.cPrime(x, 0), cPrime[x])
        }
        var aPrime = a
        for l in 0..<25 {
            aPrime[l] ^= c[l % 5] ^ cPrime[l % 5]
            setBits(C.aPrime(l, 0), aPrime[l])
        }
        // B[X, Y] = rot(A'[(X + 3Y) mod 5, X], r[…]); A''[X, Y] = B[X, Y] ⊕ (¬B[X + 1, Y] ∧ B[X + 2, Y]).
        var b = [UInt64](repeating: 0, count: 25)
        for Y in 0..<5 {
            for X in 0..<5 {
                let src = (X + 3 * Y) % 5 + 5 * X
                b[X + 5 * Y] = rotl(aPrime[src], KeccakSpec.rotation[src])
            }
        }
        for Y in 0..<5 {
            for X in 0..<5 {
                let l = X + 5 * Y
                a[l] = b[l] ^ (~b[(X + 1) % 5 + 5 * Y] & b[(X + 2) % 5 + 5 * Y])
                setLimbs(C.aPP, l, a[l])
            }
        }
        setBits(C.aPP00Bits, a[0])
        a[0] ^= KeccakSpec.roundConstants[round]
        for limb in 0..<4 { out[C.aPPP00 + limb] = limb16(a[0], limb) }
        return out
    }
}
