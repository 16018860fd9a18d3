import Algebra
import Stark
import Testing
import VM
import VMProver
import VMTestSupport

/// Forged CPU, program and memory traces: the checks a proof stands on must refuse them (a
/// table's constraint fails, or the buses are unbalanced: `traceRefusal`, the prover's own
/// checks), and for one forgery per table a proof made with the checks off must be rejected by
/// the verifier.
@Suite(.serialized, .oneProofAtATime)
struct CPUForgeryTests {
    static let config = StarkConfig<VMField>.testing
    typealias C = CPUAir.Col

    struct Fixture: Sendable {
        var key: VMProgramKey
        var shard: Shard
        var witness: ShardWitness
    }

    /// The fixture, built once for the suite (every test edits its own copy of the tables).
    static let shared = Result { try makeFixture() }

    static func fixture() throws -> Fixture { try shared.get() }

    static func makeFixture() throws -> Fixture {
        let program = TestProgram.program(RunProofTests.everyInstruction)
        let key = try VMProgramKey(program: program, config: config)
        let shards = try Machine(program: program).traceAll(shardSize: 1 << 12)
        let w = try ShardWitness(shard: shards[0], start: key.startImage, key: key)
        return Fixture(key: key, shard: shards[0], witness: w)
    }

    /// The `nth` CPU row (from 0) whose decoded fields satisfy `pick`.
    static func row(_ f: Fixture, nth: Int = 0, _ pick: (DecodedRow) -> Bool) -> Int {
        let index = f.key.programAir.rowIndex()
        var seen = 0
        for (i, r) in f.shard.rows.enumerated() where pick(f.key.programAir.rows[index[r.pc]!].decoded) {
            if seen == nth { return i }
            seen += 1
        }
        fatalError("no such row")
    }

    /// Applies `edit` to the CPU trace, then expects the checks a proof stands on to refuse it;
    /// with `endToEnd` (one forgery per table), also the verifier to reject a proof of it made with
    /// the prover's checks off.
    static func expectRejected(
        _ what: String,
        _ f: Fixture,
        table: ShardTable = .cpu,
        endToEnd: Bool = false,
        edit: (inout RowMajorMatrix<VMField>) -> Void
    ) throws {
        var tables = f.witness.tables
        edit(&tables[table.rawValue].trace)
        switch traceRefusal(tables) {
        case .constraintFailure?, .unbalancedBuses?: break
        case let other: Issue.record("\(what): the checks accepted a forged trace (\(String(describing: other)))")
        }
        guard endToEnd else { return }
        let prover = StarkProver(config: config)
        let proof = try prover.prove(tables, options: ProvingOptions(checkConstraints: false, checkBuses: false))
        let airs = f.key.airs(output: f.witness.output, start: nil, final: nil, accelerators: f.witness.accelerators)
        let roots = proof.preprocessedRoots
        #expect(
            throws: VerificationError.self,
            "\(what): the verifier accepted a forged proof"
        ) {
            try StarkVerifier(config: config).verify(
                airs: airs,
                proof: proof,
                preprocessedRoots: [
                    ShardCommitmentGroup.fixed: f.key.programId,
                    ShardCommitmentGroup.startImage: f.key.startImageRoot,
                    ShardCommitmentGroup.finalImage: roots[ShardCommitmentGroup.finalImage],
                ]
            )
        }
    }

    static func set(_ m: inout RowMajorMatrix<VMField>, _ row: Int, _ col: Int, _ v: VMField) {
        m.values[row * m.width + col] = v
    }
    static func get(_ m: RowMajorMatrix<VMField>, _ row: Int, _ col: Int) -> VMField { m.values[row * m.width + col] }

    @Test func honestShardProves() throws {
        let f = try Self.fixture()
        let imbalances = busImbalances(f.witness.tables)
        #expect(imbalances.isEmpty, "\(imbalances.map(\.description).joined(separator: "\n"))")
        // These very tables (the one shard of `everyInstruction` in shards of 2^12 cycles) proven
        // with the constraint check on: `RunProofTests` proves them once and verifies the proof.
        let run = try RunProofTests.oneShard.get()
        #expect(run.key.programId == f.key.programId)
        #expect(run.proof.shards.count == 1 && run.proof.shards[0].output == f.witness.output)
        let cpu = ShardTable.cpu.rawValue
        #expect(run.proof.shards.first?.stark.tables[cpu].publicValues == f.witness.tables[cpu].publicValues)
    }

    @Test func wrongALUResult() throws {
        let f = try Self.fixture()
        let r = Self.row(f) { $0.fAlu && $0.aluOp == AluOp.add.rawValue && $0.writesRd }
        // The CPU table's end-to-end forgery.
        try Self.expectRejected("wrong add result", f, endToEnd: true) {
            Self.set(&$0, r, C.c, Self.get($0, r, C.c) + .one)
        }
    }

    @Test func loadOfAValueNeverStored() throws {
        let f = try Self.fixture()
        let r = Self.row(f) { $0.fLoad && $0.lsOp == LoadStoreOp.lw.rawValue }
        try Self.expectRejected("forged load", f) { m in
            // Consistent within the row (prev = mem = c), but memory never held it.
            for col in [C.memPrev, C.mem, C.c] { Self.set(&m, r, col, Self.get(m, r, col) + .one) }
        }
    }

    @Test func skippedInstruction() throws {
        let f = try Self.fixture()
        let r = Self.row(f) { $0.fAlu && $0.writesRd } + 1
        try Self.expectRejected("skipped instruction", f) { m in
            // Row r is replaced by row r + 1 shifted up (clk fixed up), dropping one cycle.
            let w = m.width
            for row in r..<(f.shard.rows.count - 1) {
                for c in 0..<w where c != C.clk { m.values[row * w + c] = m.values[(row + 1) * w + c] }
            }
        }
    }

    @Test func changedPC() throws {
        let f = try Self.fixture()
        let r = Self.row(f) { $0.fAlu } + 2
        try Self.expectRejected("changed pc", f) { Self.set(&$0, r, C.pc, Self.get($0, r, C.pc) + VMField(4)) }
    }

    @Test func stickyWriteToX0() throws {
        let f = try Self.fixture()
        let r = Self.row(f) { $0.fAlu && $0.fImm && !$0.writesRd }
        try Self.expectRejected("write to x0", f) { Self.set(&$0, r, C.writesRd, .one) }
    }

    @Test func timestampGoingBackwards() throws {
        let f = try Self.fixture()
        let r = Self.row(f, nth: 5) { $0.readsRs1 }
        try Self.expectRejected("timestamp backwards", f) { m in
            let clk = Self.get(m, r, C.clk)
            Self.set(&m, r, C.rs1PrevTs, clk + VMField(8))
        }
    }

    @Test func wrongBranch() throws {
        let f = try Self.fixture()
        let r = Self.row(f) { $0.fBranch }
        try Self.expectRejected("branch flipped", f) { m in
            let t = Self.get(m, r, C.taken)
            Self.set(&m, r, C.taken, .one - t)
        }
    }

    @Test func forgedExitCode() throws {
        let f = try Self.fixture()
        var tables = f.witness.tables
        tables[ShardTable.cpu.rawValue].publicValues[CPUAir.Public.exitLo] += .one
        let prover = StarkProver(config: Self.config)
        #expect(throws: ProverError.self) { try prover.prove(tables, options: ProvingOptions(checkConstraints: true)) }
    }

    @Test func forgedFinalImage() throws {
        let f = try Self.fixture()
        // The final image table's end-to-end forgery.
        try Self.expectRejected("final timestamp", f, table: .finalImage, endToEnd: true) { m in
            Self.set(&m, 3, 0, Self.get(m, 3, 0) + .one)
        }
    }
}
