import Algebra
import Foundation
import Stark
import Testing
import VM
import VMProver
import VMTestSupport

/// The `keccak_f` tables: runs with many calls prove, their digests agree with Python's hashlib,
/// and forged permutations, rounds and addresses are refused by the prover and the verifier.
@Suite(.serialized, .oneProofAtATime)
struct KeccakTableTests {
    typealias F = VMField
    typealias K = KeccakAir.Col
    typealias M = KeccakMemoryAir.Col
    static let config = StarkConfig<VMField>.testing
    static let d = TestProgram.dataBase

    static func call(_ n: UInt32, _ a0: UInt32, _ a1: UInt32 = 0) -> [UInt32] {
        RV.li(17, n) + RV.li(10, a0) + RV.li(11, a1) + [RV.ecall]
    }

    /// The SHA3-256 state of a one-block message (`count` < 136 bytes, FIPS 202 padding).
    static func sha3State(_ message: [UInt8]) -> [UInt8] {
        precondition(message.count < 136)
        var state = [UInt8](repeating: 0, count: 200)
        state.replaceSubrange(0..<message.count, with: message)
        state[message.count] ^= 0x06
        state[135] ^= 0x80
        return state
    }

    /// `messages` padded into states 256 bytes apart from the data base, each permuted once, then
    /// the first 32 bytes of each committed: the SHA3-256 digests.
    static func digestProgram(_ messages: [[UInt8]]) -> Program {
        var data: [UInt8] = []
        var code: [UInt32] = []
        for (i, m) in messages.enumerated() {
            data += sha3State(m) + [UInt8](repeating: 0, count: 56)
            code += call(0x1010, d + UInt32(256 * i))
        }
        for i in messages.indices { code += call(0x1000, d + UInt32(256 * i), 32) }
        return TestProgram.program(code + RV.exit(0), data: data)
    }

    /// SHA3-256 of each message by Python's hashlib.
    static func pythonSHA3(_ messages: [[UInt8]]) throws -> [UInt8] {
        let hex = messages.map { $0.map { String(format: "%02x", $0) }.joined() }.joined(separator: ",")
        let script =
            "import hashlib,sys\nprint(''.join(hashlib.sha3_256(bytes.fromhex(m)).hexdigest() for m in sys.argv[1].split(',')))"
        return try pythonHexOutput(script, [hex])
    }

    static func messages(_ count: Int, seed: UInt64) -> [[UInt8]] {
        var rng = SplitMix(state: seed)
        return (0..<count).map { k in (0..<(k * 11) % 136).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
    }

    @Test(.enabled(if: pythonAvailable, "python3 not found"))
    func provenDigestsEqualHashlib() throws {
        let messages = Self.messages(13, seed: 7)
        let program = Self.digestProgram(messages)
        let key = try VMProgramKey(program: program, config: Self.config)
        let proof = try RunProver(key: key, config: Self.config).prove(input: [], shardSize: 1 << 12)
        #expect(proof.shards.allSatisfy { $0.accelerators == .keccak })
        let run = try RunVerifier(key: key, config: Self.config).verify(bytes: proof.encoded())
        #expect(run.output == (try Self.pythonSHA3(messages)))
    }

    /// 8 calls on one state with a store between calls, cut into shards so that one shard has no
    /// call (and no Keccak table) and the others several; the state is chained through memory.
    @Test func manyCallsAcrossShards() throws {
        let d = Self.d
        var code: [UInt32] = []
        for k in 0..<8 {
            code += RV.li(5, UInt32(k) &* 0x9E37_79B9) + RV.li(6, d + 8) + [RV.sw(5, 6, 0)]
            code += Self.call(0x1010, d)
        }
        code += Array(repeating: RV.addi(0, 0, 0), count: 260)  // a shard with no call
        code += Self.call(0x1000, d, 200) + RV.exit(0)
        let program = TestProgram.program(code, data: (0..<200).map { UInt8($0) })
        let key = try VMProgramKey(program: program, config: Self.config)
        let proof = try RunProver(key: key, config: Self.config).prove(input: [], shardSize: 128)
        #expect(proof.shards.count >= 3)
        #expect(proof.shards.contains { $0.accelerators.isEmpty })
        let run = try RunVerifier(key: key, config: Self.config).verify(bytes: proof.encoded())
        // The same computation on the host.
        var words = [UInt32](repeating: 0, count: 50)
        for k in 0..<200 { words[k / 4] |= UInt32(k) << (8 * UInt32(k % 4)) }
        for k in 0..<8 {
            words[2] = UInt32(k) &* 0x9E37_79B9
            Accelerators.keccakF(&words)
        }
        let bytes = (0..<200).map { k in UInt8(truncatingIfNeeded: words[k / 4] >> (8 * UInt32(k % 4))) }
        #expect(run.output == bytes)
    }

    /// A shard claiming no Keccak table while it calls keccak_f leaves the call unanswered.
    @Test func droppingTheTableIsRejected() throws {
        let f = try Self.fixture()
        let base = ShardTable.tables([]).count
        let tables = Array(f.witness.tables[..<base])
        // The checks a proof stands on, read off the traces (the verifier's side is shown end to
        // end by `wrongOutputWord` and `extraMemoryWord`).
        #expect(traceRefusal(tables) == .unbalancedBuses)
    }

    // MARK: - Forgeries

    struct Fixture: Sendable {
        var key: VMProgramKey
        var witness: ShardWitness
    }

    /// The fixture, built once for the suite (every test edits its own copy of the tables).
    static let shared = Result { try makeFixture() }

    static func fixture() throws -> Fixture { try shared.get() }

    static func makeFixture() throws -> Fixture {
        let program = digestProgram(messages(3, seed: 1))
        let key = try VMProgramKey(program: program, config: config)
        let shards = try Machine(program: program).traceAll(shardSize: 1 << 12)
        let w = try ShardWitness(shard: shards[0], start: key.startImage, key: key)
        return Fixture(key: key, witness: w)
    }

    /// Applies `edit` to the tables and expects the shard refused (`expectShardForgeryRejected`).
    static func expectRejected(
        _ what: String,
        table: String?,
        _ f: Fixture,
        endToEnd: Bool = false,
        edit: (inout [TableInput<F>]) -> Void
    ) {
        var tables = f.witness.tables
        edit(&tables)
        expectShardForgeryRejected(what, tables, failing: table, endToEnd: endToEnd)
    }

    static func set(_ m: inout RowMajorMatrix<F>, _ row: Int, _ col: Int, _ v: F) {
        m.values[row * m.width + col] = v
    }
    static func get(_ m: RowMajorMatrix<F>, _ row: Int, _ col: Int) -> F { m.values[row * m.width + col] }
    static let keccak = ShardTable.keccak.rawValue
    static let memory = ShardTable.keccakMemory.rawValue

    @Test func honestTablesBalance() throws {
        let f = try Self.fixture()
        #expect(f.witness.accelerators == .keccak)
        #expect(busImbalances(f.witness.tables).isEmpty)
        for t in [ShardTable.keccak, .keccakMemory] {
            let table = f.witness.tables[t.rawValue]
            #expect(checkConstraints(air: table.air, trace: table.trace, publicValues: []) == nil)
        }
    }

    /// The output word claimed to memory differs from the permutation (both the export row and
    /// the memory row agree on the forged word, so only the round constraints can catch it).
    @Test func wrongOutputWord() throws {
        let f = try Self.fixture()
        // The KeccakF table's end-to-end forgery.
        Self.expectRejected("wrong output word", table: "KeccakF", f, endToEnd: true) { t in
            let lane = 7
            Self.set(
                &t[Self.keccak].trace,
                23,
                K.limb(K.aPP, lane, 0),
                Self.get(t[Self.keccak].trace, 23, K.limb(K.aPP, lane, 0)) + .one
            )
            Self.set(
                &t[Self.memory].trace,
                2 * lane,
                M.output,
                Self.get(t[Self.memory].trace, 2 * lane, M.output) + .one
            )
        }
    }

    /// Round 5 is skipped: the state passes to round 6 unchanged, and the rest of the call is
    /// the honest continuation from there (its output exported).
    @Test func skippedRound() throws {
        let f = try Self.fixture()
        Self.expectRejected("skipped round", table: "KeccakF", f) { t in
            var m = t[Self.keccak].trace
            let w = m.width
            // Rows 6… recomputed from round 5's input, with their own round numbers.
            var lanes = (0..<25).map { l in
                (0..<4).reduce(UInt64(0)) { $0 | UInt64(Self.get(m, 5, K.limb(K.a, l, $1)).canonical) << (16 * $1) }
            }
            for round in 6..<24 {
                let honest = KeccakAir.roundRow(lanes: &lanes, round: round)
                for c in K.a..<K.count { m.values[round * w + c] = honest[c] }
            }
            // The exported words follow the forged rounds.
            for k in 0..<50 {
                let lane = k / 2
                let l0 = 2 * (k % 2)
                Self.set(&t[Self.memory].trace, k, M.output, Self.get(m, 23, K.aPPP(lane, l0)))
                Self.set(&t[Self.memory].trace, k, M.output + 1, Self.get(m, 23, K.aPPP(lane, l0 + 1)))
            }
            t[Self.keccak].trace = m
        }
    }

    /// The state is read from one word further than a0 points at (the memory rows read and
    /// write the shifted words, whose accesses are otherwise consistent).
    @Test func inputFromWrongAddress() throws {
        let f = try Self.fixture()
        Self.expectRejected("input from a0 + 4", table: "KeccakF", f) { t in
            Self.set(&t[Self.keccak].trace, 23, K.x, Self.get(t[Self.keccak].trace, 23, K.x) + .one)
            for k in 0..<50 {
                Self.set(&t[Self.memory].trace, k, M.address, Self.get(t[Self.memory].trace, k, M.address) + .one)
            }
        }
    }

    /// The export flag moved to a row that is not a last round.
    @Test func exportBeforeTheLastRound() throws {
        let f = try Self.fixture()
        Self.expectRejected("early export", table: "KeccakF", f) { t in
            var m = t[Self.keccak].trace
            for c in [K.export, K.clk, K.a0, K.a0 + 1, K.x, K.lower, K.upper, K.below, K.code] {
                Self.set(&m, 22, c, Self.get(m, 23, c))
                Self.set(&m, 23, c, .zero)
            }
            t[Self.keccak].trace = m
        }
    }

    /// The state claimed below the code while it lies above it: the code gap turns negative.
    @Test func stateOnTheWrongSideOfTheCode() throws {
        let f = try Self.fixture()
        Self.expectRejected("state below the code", table: nil, f) { t in
            Self.set(&t[Self.keccak].trace, 23, K.below, .one - Self.get(t[Self.keccak].trace, 23, K.below))
        }
    }

    /// A memory row whose word is never sent by a call.
    @Test func extraMemoryWord() throws {
        let f = try Self.fixture()
        // The KeccakMemory table's end-to-end forgery.
        Self.expectRejected("extra memory word", table: nil, f, endToEnd: true) { t in
            let m = t[Self.memory].trace
            var rows = m.values
            let h = m.values.count / m.width
            // Duplicate row 0 into the first padding row.
            let free = (0..<h).first { Self.get(m, $0, M.real) == .zero }!
            for c in 0..<m.width { rows[free * m.width + c] = rows[c] }
            t[Self.memory].trace = RowMajorMatrix(values: rows, width: m.width)
        }
    }
}
