import Algebra
import Foundation
import Stark
import Testing
import VM
import VMProver
import VMTestSupport

/// The `sha256_compress` tables: runs with many calls prove, their digests agree with Python's
/// hashlib and their compressions with the portable Swift one, and forged outputs, rounds and
/// addresses are refused by the prover and the verifier.
@Suite(.serialized, .oneProofAtATime)
struct SHA256TableTests {
    typealias F = VMField
    typealias S = SHA256Air.Col
    typealias M = SHA256MemoryAir.Col
    static let config = StarkConfig<VMField>.testing
    static let d = TestProgram.dataBase

    static func call(_ n: UInt32, _ a0: UInt32, _ a1: UInt32 = 0) -> [UInt32] {
        RV.li(17, n) + RV.li(10, a0) + RV.li(11, a1) + [RV.ecall]
    }

    /// The little-endian bytes of `words`.
    static func le(_ words: [UInt32]) -> [UInt8] {
        words.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
    }

    /// `message` padded as FIPS 180-4 §5.1.1 pads it.
    static func padded(_ message: [UInt8]) -> [UInt8] {
        var p = message + [0x80]
        while p.count % 64 != 56 { p.append(0) }
        let bits = UInt64(message.count) * 8
        return p + (0..<8).map { UInt8(truncatingIfNeeded: bits >> (56 - 8 * UInt64($0))) }
    }

    /// Each message at its own slot (the state, the initial value, then its padded blocks), one
    /// call per block on the slot's state, then every state committed (8 little-endian words).
    static func digestProgram(_ messages: [[UInt8]]) -> Program {
        var data: [UInt8] = []
        var code: [UInt32] = []
        var states: [UInt32] = []
        for m in messages {
            let state = d + UInt32(data.count)
            states.append(state)
            let blocks = padded(m)
            data += le(SHA256Spec.initial) + blocks
            for j in 0..<blocks.count / 64 { code += call(0x1014, state, state + 32 + UInt32(64 * j)) }
        }
        for s in states { code += call(0x1000, s, 32) }
        return TestProgram.program(code + RV.exit(0), data: data)
    }

    /// SHA-256 of each message by Python's hashlib, each 4-byte word of the digest reversed (the
    /// state words as little-endian memory words).
    static func pythonSHA256(_ messages: [[UInt8]]) throws -> [UInt8] {
        let hex = messages.map { $0.map { String(format: "%02x", $0) }.joined() }.joined(separator: ",")
        let script = """
            import hashlib, sys
            out = b''
            for m in sys.argv[1].split(','):
                h = hashlib.sha256(bytes.fromhex(m)).digest()
                out += b''.join(h[i:i + 4][::-1] for i in range(0, 32, 4))
            print(out.hex())
            """
        return try pythonHexOutput(script, [hex])
    }

    /// The compression of `state` with each block in turn by a pure-Python FIPS 180-4 §6.2.2
    /// (round constants from the cube roots of the first 64 primes by integer roots), the state
    /// as 8 little-endian memory words, each block as its 64 memory bytes.
    static func pythonCompress(_ state: [UInt32], _ blocks: [[UInt32]]) throws -> [UInt8] {
        func hex(_ w: [UInt32]) -> String { le(w).map { String(format: "%02x", $0) }.joined() }
        let script = """
            import sys
            primes = [n for n in range(2, 312) if all(n % d for d in range(2, n))][:64]
            def root(n, r):
                x = int(round(n ** (1.0 / r)))
                while x ** r > n: x -= 1
                while (x + 1) ** r <= n: x += 1
                return x
            K = [root(p << 96, 3) & 0xffffffff for p in primes]
            M = 0xffffffff
            rotr = lambda x, n: (x >> n | x << (32 - n)) & M
            def compress(h, block):
                w = [int.from_bytes(block[4 * t:4 * t + 4], 'big') for t in range(16)]
                for t in range(16, 64):
                    s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ w[t - 15] >> 3
                    s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ w[t - 2] >> 10
                    w.append((w[t - 16] + s0 + w[t - 7] + s1) & M)
                a, b, c, d, e, f, g, hh = h
                for t in range(64):
                    t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + (e & f ^ ~e & g) + K[t] + w[t]) & M
                    t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + (a & b ^ a & c ^ b & c)) & M
                    a, b, c, d, e, f, g, hh = (t1 + t2) & M, a, b, c, (d + t1) & M, e, f, g
                return [(x + y) & M for x, y in zip(h, (a, b, c, d, e, f, g, hh))]
            raw = bytes.fromhex(sys.argv[1])
            h = [int.from_bytes(raw[4 * k:4 * k + 4], 'little') for k in range(8)]
            for block in sys.argv[2].split(','):
                h = compress(h, bytes.fromhex(block))
            print(b''.join(x.to_bytes(4, 'little') for x in h).hex())
            """
        return try pythonHexOutput(script, [hex(state), blocks.map(hex).joined(separator: ",")])
    }

    static func messages(_ count: Int, seed: UInt64) -> [[UInt8]] {
        var rng = SplitMix(state: seed)
        return (0..<count).map { k in (0..<(k * 23) % 150).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
    }

    @Test(.enabled(if: pythonAvailable, "python3 not found"))
    func provenDigestsEqualHashlib() throws {
        let messages = Self.messages(9, seed: 5)  // 0…138 bytes: one to three blocks, 14 calls
        let program = Self.digestProgram(messages)
        let key = try VMProgramKey(program: program, config: Self.config)
        let proof = try RunProver(key: key, config: Self.config).prove(input: [], shardSize: 1 << 12)
        #expect(proof.shards.allSatisfy { $0.accelerators == .sha256 })
        let run = try RunVerifier(key: key, config: Self.config).verify(bytes: proof.encoded())
        #expect(run.output == (try Self.pythonSHA256(messages)))
    }

    /// Random states and blocks (not SHA-256's initial value), several calls chained on one
    /// state with a store between calls, cut into shards so that one shard has no call; the
    /// proven result equals the portable Swift compression and a pure-Python one.
    @Test(.enabled(if: pythonAvailable, "python3 not found"))
    func randomCallsAcrossShardsEqualSwiftAndPython() throws {
        var rng = SplitMix(state: 0x5A5A)
        let state = (0..<8).map { _ in rng.word() }
        let blocks = (0..<5).map { _ in (0..<16).map { _ in rng.word() } }
        let stores = (0..<5).map { _ in rng.word() }
        var code: [UInt32] = []
        for (k, s) in stores.enumerated() {
            code += RV.li(5, s) + RV.li(6, Self.d + 32 + UInt32(64 * k) + 20) + [RV.sw(5, 6, 0)]
            code += Self.call(0x1014, Self.d, Self.d + 32 + UInt32(64 * k))
        }
        code += Array(repeating: RV.addi(0, 0, 0), count: 100)  // the second shard has no call
        code += Self.call(0x1000, Self.d, 32) + RV.exit(0)
        let program = TestProgram.program(code, data: Self.le(state) + Self.le(blocks.flatMap { $0 }))
        let key = try VMProgramKey(program: program, config: Self.config)
        let proof = try RunProver(key: key, config: Self.config).prove(input: [], shardSize: 128)
        #expect(proof.shards.count >= 2)
        #expect(proof.shards.contains { $0.accelerators.isEmpty })
        let run = try RunVerifier(key: key, config: Self.config).verify(bytes: proof.encoded())
        var expected = state
        var stored = blocks
        for k in stored.indices {
            stored[k][5] = stores[k]
            expected = Accelerators.sha256Compress(expected, stored[k])
        }
        #expect(run.output == Self.le(expected))
        #expect(run.output == (try Self.pythonCompress(state, stored)))
    }

    /// A shard claiming no SHA-256 tables while it calls sha256_compress leaves the calls unanswered.
    @Test func droppingTheTablesIsRejected() throws {
        let w = try Self.witness()
        let tables = ShardTable.tables(w.accelerators)
        let kept = zip(tables, w.tables).filter { ![.sha256, .sha256Memory].contains($0.0) }.map(\.1)
        // The checks a proof stands on, read off the traces (the verifier's side is shown end to
        // end by `wrongOutputWord` and `extraMemoryWord`).
        #expect(traceRefusal(kept) == .unbalancedBuses)
    }

    // MARK: - Forgeries

    static func witness() throws -> ShardWitness {
        let program = digestProgram(messages(3, seed: 1))  // 0, 23 and 46 bytes: one block each
        let key = try VMProgramKey(program: program, config: config)
        let shards = try Machine(program: program).traceAll(shardSize: 1 << 12)
        let w = try ShardWitness(shard: shards[0], start: key.startImage, key: key)
        #expect(w.accelerators == .sha256)
        return w
    }

    static let sha = ShardTable.tables(.sha256).firstIndex(of: .sha256)!
    static let memory = ShardTable.tables(.sha256).firstIndex(of: .sha256Memory)!

    /// Applies `edit` to the tables and expects the shard refused (`expectShardForgeryRejected`).
    static func expectRejected(
        _ what: String,
        table: String?,
        endToEnd: Bool = false,
        edit: (inout [TableInput<F>]) -> Void
    ) throws {
        var tables = try witness().tables
        edit(&tables)
        expectShardForgeryRejected(what, tables, failing: table, endToEnd: endToEnd)
    }

    static func set(_ m: inout RowMajorMatrix<F>, _ row: Int, _ col: Int, _ v: F) {
        m.values[row * m.width + col] = v
    }
    static func get(_ m: RowMajorMatrix<F>, _ row: Int, _ col: Int) -> F { m.values[row * m.width + col] }
    static func word(_ m: RowMajorMatrix<F>, _ row: Int, _ col: Int) -> UInt32 {
        get(m, row, col).canonical | get(m, row, col + 1).canonical << 16
    }
    static func setWord(_ m: inout RowMajorMatrix<F>, _ row: Int, _ col: Int, _ v: UInt32) {
        set(&m, row, col, F(v & 0xffff))
        set(&m, row, col + 1, F(v >> 16))
    }

    /// Rewrites the memory row of call 0's state word `k` so that it writes `in + add`, carries
    /// included (the memory side consistent with a forged `add`).
    static func setStateWrite(_ m: inout RowMajorMatrix<F>, word k: Int, add: UInt32) {
        let row = SHA256Air.blockWords + k
        let input = word(m, row, M.input)
        let out = input &+ add
        setWord(&m, row, M.add, add)
        setWord(&m, row, M.output, out)
        let carryLo = ((input & 0xffff) + (add & 0xffff)) >> 16
        set(&m, row, M.carry, F(carryLo))
        set(&m, row, M.carry + 1, F(((input >> 16) + (add >> 16) + carryLo) >> 16))
    }

    @Test func honestTablesBalance() throws {
        let w = try Self.witness()
        #expect(busImbalances(w.tables).isEmpty)
        for i in [Self.sha, Self.memory] {
            let t = w.tables[i]
            #expect(checkConstraints(air: t.air, trace: t.trace, publicValues: []) == nil)
        }
    }

    /// The state after round 63 has one bit flipped in b (= round 63's a) on call 0's export row,
    /// and the memory side writes the word that follows from it: only the round constraints can
    /// catch it.
    @Test func wrongOutputWord() throws {
        try Self.expectRejected("wrong output word", table: "SHA256", endToEnd: true) { t in
            let row = SHA256Air.rounds - 1
            let bit = Self.get(t[Self.sha].trace, row, S.a)
            Self.set(&t[Self.sha].trace, row, S.a, .one - bit)
            let add = Self.word(t[Self.memory].trace, SHA256Air.blockWords + 1, M.add)
            Self.setStateWrite(&t[Self.memory].trace, word: 1, add: bit == .one ? add &- 1 : add &+ 1)
        }
    }

    /// Round 5 of call 0 is skipped: rounds 6… run on round 5's input, each with its own
    /// constant and schedule word, and the memory side writes the state they end in.
    @Test func skippedRound() throws {
        try Self.expectRejected("skipped round", table: "SHA256") { t in
            var m = t[Self.sha].trace
            let input = (0..<8).map { Self.word(m, 0, S.hin + 2 * $0) }
            let block = (0..<16).map { Self.word(m, 0, S.w + 2 * $0).byteSwapped }
            let schedule = SHA256Air.schedule(block)
            // Round 5's working variables, read back from its bits and limbs.
            func bits(_ c: Int) -> UInt32 { (0..<32).reduce(UInt32(0)) { $0 | Self.get(m, 5, c + $1).canonical << $1 } }
            var v = [
                bits(S.a), bits(S.b), bits(S.c), Self.word(m, 5, S.d), bits(S.e), bits(S.f), bits(S.g),
                Self.word(m, 5, S.h),
            ]
            var lookups: [(bits: Int, value: UInt32)] = []
            for round in 6..<SHA256Air.rounds {
                // The working variables and sums (the schedule columns are the same).
                let row = SHA256Air.roundRow(&v, input: input, schedule: schedule, round: round, lookups: &lookups)
                for c in S.a..<S.w { Self.set(&m, round, c, row[c]) }
            }
            t[Self.sha].trace = m
            for k in 0..<8 { Self.setStateWrite(&t[Self.memory].trace, word: k, add: v[k]) }
        }
    }

    /// Call 0's new a after round 63 is one more than the round's sum (the written state word 0
    /// with it): the sum's equations still hold with carries that are no longer small integers
    /// (`ca_lo − 2^-16`, `ca_hi − 2^-32` in the field), so only their range lookups fail.
    @Test func wrongRoundCarry() throws {
        try Self.expectRejected("na + 1 through its carries", table: nil) { t in
            defer {
                // Locally, every constraint of both tables holds: only the carries' range fails.
                for i in [Self.sha, Self.memory] {
                    #expect(checkConstraints(air: t[i].air, trace: t[i].trace, publicValues: []) == nil)
                }
                #expect(Self.outOfRangeLookup(t[Self.sha].air, t[Self.sha].trace))
            }
            let row = SHA256Air.rounds - 1
            var m = t[Self.sha].trace
            let lo = Self.get(m, row, S.na)
            let delta: F = lo.canonical < 0xffff ? .one : -.one
            let shift = delta * F(65536).inverse()!
            Self.set(&m, row, S.na, lo + delta)
            Self.set(&m, row, S.ca, Self.get(m, row, S.ca) - shift)
            Self.set(&m, row, S.ca + 1, Self.get(m, row, S.ca + 1) - shift * F(65536).inverse()!)
            t[Self.sha].trace = m
            let add = Self.word(t[Self.memory].trace, SHA256Air.blockWords, M.add)
            Self.setStateWrite(&t[Self.memory].trace, word: 0, add: delta == .one ? add &+ 1 : add &- 1)
        }
    }

    /// Whether `air` makes a range lookup on `trace` that the range table cannot answer.
    static func outOfRangeLookup(_ air: any Air<VMField>, _ trace: RowMajorMatrix<F>) -> Bool {
        interactions(of: air, trace: trace, publicValues: []).contains { i in
            let v = i.values.map(\.canonical)
            return i.bus == .vmRange && i.multiplicity != .zero && (v[0] > 16 || v[1] >= 1 << v[0])
        }
    }

    /// A state word's write with its low carry flipped and the limbs moved to keep the sum: the
    /// written word is the same integer, but a limb leaves 16 bits (or the carry its bit).
    @Test func wrongMemoryCarry() throws {
        try Self.expectRejected("memory carry flipped", table: nil) { t in
            var m = t[Self.memory].trace
            let row = SHA256Air.blockWords + 2
            let carry = Self.get(m, row, M.carry)
            let flip: F = carry == .zero ? .one : -.one
            Self.set(&m, row, M.carry, carry + flip)
            Self.set(&m, row, M.output, Self.get(m, row, M.output) - flip * F(65536))
            Self.set(&m, row, M.output + 1, Self.get(m, row, M.output + 1) + flip)
            t[Self.memory].trace = m
            #expect(Self.outOfRangeLookup(t[Self.memory].air, m))
        }
    }

    /// The block is read from one word further than a1 points at: the memory rows read the
    /// shifted words and the call's word address moves with them.
    @Test func blockFromWrongAddress() throws {
        try Self.expectRejected("block from a1 + 4", table: "SHA256") { t in
            for row in 0..<SHA256Air.rounds {
                Self.set(&t[Self.sha].trace, row, S.x1, Self.get(t[Self.sha].trace, row, S.x1) + .one)
            }
            for k in 0..<SHA256Air.blockWords {
                Self.set(&t[Self.memory].trace, k, M.address, Self.get(t[Self.memory].trace, k, M.address) + .one)
            }
        }
    }

    /// Row 0's schedule window with `W[3]`'s low limb changed (the round 0 sums untouched): the
    /// window shifts one word per row, and row 3's `W[t]` is memory word 3, so the window cannot
    /// carry a word the block does not hold.
    @Test func scheduleWordChanged() throws {
        try Self.expectRejected("W[3] changed in row 0's window", table: "SHA256") { t in
            let c = S.w + 2 * 3
            Self.set(&t[Self.sha].trace, 0, c, Self.get(t[Self.sha].trace, 0, c) + .one)
        }
    }

    /// A padding call's row claims to be real: `real` is constant through a call.
    @Test func realSwitchedOnMidCall() throws {
        try Self.expectRejected("real set on one padding row", table: "SHA256") { t in
            let m = t[Self.sha].trace
            let h = m.values.count / m.width
            let padding = (0..<h).first { Self.get(m, $0, S.real) == .zero }!
            Self.set(&t[Self.sha].trace, padding + 10, S.real, .one)
        }
    }

    /// Round 10's `t mod 8` flag moved (v2 → v3): the flags advance one round per row.
    @Test func roundFlagTampered() throws {
        try Self.expectRejected("round flag moved", table: "SHA256") { t in
            Self.set(&t[Self.sha].trace, 10, S.v + 2, .zero)
            Self.set(&t[Self.sha].trace, 10, S.v + 3, .one)
        }
    }

    /// A memory row whose word is never sent by a call.
    @Test func extraMemoryWord() throws {
        try Self.expectRejected("extra memory word", table: nil, endToEnd: true) { t in
            let m = t[Self.memory].trace
            var rows = m.values
            let h = m.values.count / m.width
            let free = (0..<h).first { Self.get(m, $0, M.real) == .zero }!
            for c in 0..<m.width { rows[free * m.width + c] = rows[c] }
            t[Self.memory].trace = RowMajorMatrix(values: rows, width: m.width)
        }
    }
}
