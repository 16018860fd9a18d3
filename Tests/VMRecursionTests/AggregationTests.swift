import Algebra
import Recursion
import Stark
import Testing
import VM
import VMProver
import VMRecursion
import VMTestSupport

/// Shard proofs aggregated into one final proof, segment proofs checked on their own, and the
/// aggregate circuit's refusals.
///
/// Shard and recursion proofs use `StarkConfig.testing` (INSECURE test parameters, about 20
/// bits), clearly not for production, so that the suite stays fast.
@Suite struct AggregationTests {
    static let shardConfig = StarkConfig<VMField>.testing

    /// A run of at least three shards, their leaf proofs, the canonical tree over them
    /// (`((0, 1), 2)` for three) and its final proof: computed once for the suite.
    struct Fixture: Sendable {
        let recursion: RunRecursion
        let proof: VMProof
        let keys: RecursionKeys
        let leaves: [SegmentProof]
        let pair: SegmentProof
        let root: SegmentProof
        let final: FinalProof
    }

    static let fixture: Result<Fixture, any Error> = Result {
        // The run `ShardCircuitTests` proves too (with the same configuration): proven once.
        let (key, proof) = try (ShardCircuitTests.run.get().key, ShardCircuitTests.run.get().proof)
        let recursion = RunRecursion.testing(key: key)
        let leaves = try proof.shards.map { try recursion.proveLeaf($0) }
        let pair = try recursion.proveAggregate(leaves[0], leaves[1])
        // Adjacent pairs level by level, an odd last one carried up (as `RunAggregator` pairs).
        var level = leaves
        var bottom = true
        while level.count > 1 {
            var next: [SegmentProof] = []
            for i in stride(from: 0, to: level.count - 1, by: 2) {
                next.append(bottom && i == 0 ? pair : try recursion.proveAggregate(level[i], level[i + 1]))
            }
            bottom = false
            if level.count % 2 == 1 { next.append(level.last!) }
            level = next
        }
        let root = level[0]
        return Fixture(
            recursion: recursion,
            proof: proof,
            keys: try recursion.keys(),
            leaves: leaves,
            pair: pair,
            root: root,
            final: try recursion.proveFinal(root)
        )
    }

    /// The failures of the aggregate circuit over two segment proofs.
    static func aggregateFailures(
        _ f: Fixture,
        _ left: StarkProof<RF>,
        _ right: StarkProof<RF>,
        leftIsAggregate: Bool = false
    ) throws -> [String] {
        let b = try AggregateCircuit.build(
            left: .init(proof: left, isAggregate: leftIsAggregate),
            right: .init(proof: right, isAggregate: false),
            shape: f.keys.shape,
            config: f.recursion.config,
            aggregateKey: f.keys.aggregate.root.elements
        )
        return b.failures
    }

    @Test func runAggregatesAndVerifies() throws {
        let f = try Self.fixture.get()
        try #require(f.proof.shards.count >= 3)
        let verified = try f.recursion.verify(f.final)
        #expect(verified.exitCode == 3 && verified.shards == f.proof.shards.count)
        let machine = try Machine(program: ShardCircuitTests.program, input: [])
        _ = try machine.run()
        #expect(verified.cycles == machine.cycles)
        // The final proof is made under the final configuration, not the recursion one's.
        #expect(f.final.proof.fri == f.recursion.finalConfig.fri && f.final.proof.fri != f.recursion.config.fri)
        // Checked against another program's key: refused.
        let wrongKey = try VMProgramKey(program: TestProgram.program(RV.exit(3)), config: Self.shardConfig)
        #expect(throws: AggregationError.self) { try RunRecursion.testing(key: wrongKey).verify(f.final) }
        // A changed statement, a dropped shard, another output, other heights: refused.
        var tampered = f.final
        tampered.statement.exitLo += RF(1)
        #expect(throws: AggregationError.self) { try f.recursion.verify(tampered) }
        var dropped = f.final
        dropped.shards.removeLast()
        #expect(throws: AggregationError.self) { try f.recursion.verify(dropped) }
        var output = f.final
        output.shards[0].output = [1]
        #expect(throws: AggregationError.self) { try f.recursion.verify(output) }
        var heights = f.final
        heights.shards[1].logHeights.removeLast()
        #expect(throws: AggregationError.self) { try f.recursion.verify(heights) }
        // An exit limb above 16 bits and a cycle count above the shards' rows: refused before
        // the proof is looked at.
        var limb = f.final
        limb.statement.exitHi = RF(1 << 16)
        #expect(throws: AggregationError.self) { try f.recursion.verify(limb) }
        var cycles = f.final
        cycles.statement.cycles = RF(UInt32(RF.modulus - 1))
        #expect(throws: AggregationError.self) { try f.recursion.verify(cycles) }
        // The root is not a final proof.
        let notFinal = FinalProof(statement: f.root.statement, proof: f.root.proof, shards: f.root.shards)
        #expect(throws: AggregationError.self) { try f.recursion.verify(notFinal) }

        // The file format: a round trip, and every truncation is refused.
        let bytes = f.final.encoded()
        let decoded = try FinalProof(decoding: bytes)
        #expect(decoded == f.final)
        #expect(try f.recursion.verify(decoded) == verified)
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
            #expect(throws: DecodingError.self) { try FinalProof(decoding: Array(bytes[0..<cut])) }
        }
        #expect(throws: DecodingError.self) { try FinalProof(decoding: bytes + [0]) }
    }

    /// Leaves and aggregates verify on their own, as the prover network checks them.
    @Test func segmentsVerify() throws {
        let f = try Self.fixture.get()
        for leaf in f.leaves { try f.recursion.verifySegment(leaf) }
        try f.recursion.verifySegment(f.pair)
        try f.recursion.verifySegment(f.root)
        #expect(f.pair.statement.firstShard == .zero && f.pair.statement.lastShard == .one)
        // A leaf claimed with other output bytes, other table heights, or as an aggregate: refused.
        var output = f.leaves[0]
        output.shards[0].output = [7]
        #expect(throws: AggregationError.self) { try f.recursion.verifySegment(output) }
        var heights = f.leaves[0]
        heights.shards[0].logHeights[ShardTable.cpu.rawValue] += 1
        #expect(throws: AggregationError.self) { try f.recursion.verifySegment(heights) }
        var kind = f.leaves[1]
        kind.isAggregate = true
        #expect(throws: AggregationError.self) { try f.recursion.verifySegment(kind) }
        // The encoding round trip.
        let bytes = f.pair.encoded()
        #expect(try SegmentProof(decoding: bytes) == f.pair)
        #expect(throws: DecodingError.self) { try SegmentProof(decoding: Array(bytes.dropLast())) }
        #expect(throws: DecodingError.self) { try SegmentProof(decoding: f.final.encoded()) }
    }

    /// A tree paired otherwise than the canonical one, `(0, (1, 2))`, proves the same run but
    /// folds the leaf keys and outputs into other digests: refused.
    @Test func nonCanonicalTreeRefused() throws {
        let f = try Self.fixture.get()
        let right = try f.recursion.proveAggregate(f.leaves[1], f.leaves[2])
        try f.recursion.verifySegment(right)
        let root = try f.recursion.proveAggregate(f.leaves[0], right)
        #expect(throws: AggregationError.self) { try f.recursion.verifySegment(root) }
    }

    /// A one-shard run: the final proof verifies its leaf directly.
    @Test func oneShardRun() throws {
        let key = try VMProgramKey(program: TestProgram.program(RV.exit(5)), config: Self.shardConfig)
        let proof = try RunProver(key: key, config: Self.shardConfig).prove(input: [], shardSize: 1 << 8)
        try #require(proof.shards.count == 1)
        let recursion = RunRecursion.testing(key: key)
        let final = try RunAggregator(recursion: recursion).aggregate(proof)
        let verified = try recursion.verify(final)
        #expect(verified.exitCode == 5 && verified.shards == 1)
    }

    @Test func adjacentLeavesJoin() throws {
        let f = try Self.fixture.get()
        #expect(try Self.aggregateFailures(f, f.leaves[0].proof, f.leaves[1].proof) == [])
        #expect(try Self.aggregateFailures(f, f.leaves[1].proof, f.leaves[2].proof) == [])
    }

    @Test func gapOrOverlapRefused() throws {
        let f = try Self.fixture.get()
        let l = f.leaves.map(\.proof)
        let gap = try Self.aggregateFailures(f, l[0], l[2])
        #expect(gap.contains("the right segment is not the next shard"))
        let overlap = try Self.aggregateFailures(f, l[1], l[1])
        #expect(overlap.contains("the right segment is not the next shard"))
        let reversed = try Self.aggregateFailures(f, l[1], l[0])
        #expect(!reversed.isEmpty)
    }

    @Test func tamperedInnerProofRefused() throws {
        let f = try Self.fixture.get()
        var left = f.leaves[0].proof
        left.tables[0].openings.mainLocal[3] += QuarticExtension(RF(1))
        #expect(!(try Self.aggregateFailures(f, left, f.leaves[1].proof)).isEmpty)
        var right = f.leaves[1].proof
        right.queries[1].inputs[0].rows[0][0] += RF(1)
        #expect(!(try Self.aggregateFailures(f, f.leaves[0].proof, right)).isEmpty)
    }

    /// A leaf passed off as an aggregate has another key than the aggregate circuit's.
    @Test func wrongKeyRefused() throws {
        let f = try Self.fixture.get()
        let failures = try Self.aggregateFailures(f, f.leaves[0].proof, f.leaves[1].proof, leftIsAggregate: true)
        #expect(failures.contains("left child's key"))
    }

    /// A shard of another program cannot join.
    @Test func anotherProgramRefused() throws {
        let f = try Self.fixture.get()
        // Another program: the same loop with another bound, so its shards differ.
        let program = ShardCircuitTests.loop(bound: 100)
        let key = try VMProgramKey(program: program, config: Self.shardConfig)
        // Its shard 1 alone is proven (as `RunProver.prove` proves it), from the image shard 0 ends in.
        let shards = try Machine(program: program).traceAll(shardSize: 1 << 8)
        let start = try ShardWitness(shard: shards[0], start: key.startImage, key: key).finalImage
        let (shard, _) = try RunProver(key: key, config: Self.shardConfig).proveShard(shards[1], start: start)
        let foreign = try RunRecursion.testing(key: key).proveLeaf(shard)
        let failures = try Self.aggregateFailures(f, f.leaves[0].proof, foreign.proof)
        #expect(failures.contains("the children prove different programs"))
        #expect(throws: AggregationError.self) { try f.recursion.verifySegment(foreign) }
    }
}
