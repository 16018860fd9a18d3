import Algebra
import Recursion
import Stark
import Testing
import VM
import VMProver
import VMRecursion
import VMTestSupport

/// Shard proofs aggregated into one recursion proof, and the aggregate circuit's refusals.
///
/// Shard and recursion proofs use `StarkConfig.testing` (INSECURE test parameters, about 20
/// bits), clearly not for production, so that the suite stays fast.
@Suite struct AggregationTests {
    static let shardConfig = StarkConfig<VMField>.testing
    static let config = StarkConfig<RF>.testing

    /// A run of a few shards, its leaf proofs padded to the aggregation shape, and that shape's
    /// aggregate key: computed once for the suite.
    struct Fixture: Sendable {
        let recursion: RunRecursion
        let proof: VMProof
        let shape: RecursionShape
        let aggregateKey: [RF]
        let leaves: [StarkProof<RF>]
    }

    static let fixture: Result<Fixture, any Error> = Result {
        let key = try VMProgramKey(program: ShardCircuitTests.program, config: shardConfig)
        let proof = try RunProver(key: key, config: shardConfig).prove(input: [], shardSize: 1 << 8)
        let recursion = RunRecursion(key: key, shardConfig: shardConfig, config: config)
        var shape = RecursionShape.minimal
        var outputIns: [[RF]] = []
        var digest = [RF](repeating: .zero, count: 8)
        for shard in proof.shards {
            outputIns.append(digest)
            digest = chain(digest, shard.stark.preprocessedRoots[ShardCommitmentGroup.output].elements)
        }
        for (k, shard) in proof.shards.enumerated() {
            let b = try LeafCircuit.build(
                shard: shard,
                key: key,
                config: shardConfig,
                outputIn: outputIns[k],
                aggregateKey: [RF](repeating: .zero, count: 8)
            )
            shape = shape.union(b.build().circuit.heights)
        }
        let (s, aggregate) = try recursion.aggregateKey(leaves: shape)
        let leaves = try proof.shards.enumerated().map { k, shard in
            let b = try LeafCircuit.build(
                shard: shard,
                key: key,
                config: shardConfig,
                outputIn: outputIns[k],
                aggregateKey: aggregate.root.elements
            )
            let (c, w) = b.build(shape: s)
            return try RecursionProver.prove(circuit: c, witness: w, config: config)
        }
        return Fixture(
            recursion: recursion,
            proof: proof,
            shape: s,
            aggregateKey: aggregate.root.elements,
            leaves: leaves
        )
    }

    static func chain(_ d: [RF], _ root: [RF]) -> [RF] {
        let b = CircuitBuilder()
        return b.compress(b.inputs(base: d), b.inputs(base: root)).map { b.value($0).c0 }
    }

    /// The failures of the aggregate circuit over two leaves (or `nil` when it refuses to build).
    static func aggregateFailures(
        _ f: Fixture,
        _ left: StarkProof<RF>,
        _ right: StarkProof<RF>,
        leftIsAggregate: Bool = false
    ) throws -> [String] {
        let b = try AggregateCircuit.build(
            left: .init(proof: left, isAggregate: leftIsAggregate),
            right: .init(proof: right, isAggregate: false),
            shape: f.shape,
            config: config,
            aggregateKey: f.aggregateKey
        )
        return b.failures
    }

    @Test func runAggregatesAndVerifies() throws {
        let f = try Self.fixture.get()
        #expect(f.proof.shards.count >= 3)
        let run = try RunAggregator(recursion: f.recursion).aggregate(f.proof)
        #expect(run.shape == f.shape && run.rootIsAggregate)
        let verified = try f.recursion.verify(run)
        #expect(verified.exitCode == 3 && verified.shards == f.proof.shards.count)
        let machine = try Machine(program: ShardCircuitTests.program, input: [])
        _ = try machine.run()
        #expect(verified.cycles == machine.cycles)
        // The statement checked against another program's key fails.
        let wrongKey = try VMProgramKey(program: TestProgram.program(RV.exit(3)), config: Self.shardConfig)
        let wrong = RunRecursion(key: wrongKey, shardConfig: Self.shardConfig, config: Self.config)
        #expect(throws: AggregationError.self) { try wrong.verify(run) }
        // A changed statement, a dropped shard, a root of the wrong kind: refused.
        var tampered = run
        tampered.statement.exitLo += RF(1)
        #expect(throws: AggregationError.self) { try f.recursion.verify(tampered) }
        var dropped = run
        dropped.shards.removeLast()
        #expect(throws: AggregationError.self) { try f.recursion.verify(dropped) }
        var output = run
        output.shards[0].output = [1]
        #expect(throws: AggregationError.self) { try f.recursion.verify(output) }
        var heights = run
        heights.shards[1].logHeights.removeLast()
        #expect(throws: AggregationError.self) { try f.recursion.verify(heights) }
        var huge = run
        huge.shape = RecursionShape(arith: 1 << 27, poseidon2: 2, input: 2)
        #expect(throws: AggregationError.self) { try f.recursion.verify(huge) }

        // The file format: a round trip, and every truncation is refused.
        let bytes = run.encoded()
        let decoded = try AggregatedRun(decoding: bytes)
        #expect(decoded == run)
        #expect(try f.recursion.verify(decoded) == verified)
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
            #expect(throws: DecodingError.self) { try AggregatedRun(decoding: Array(bytes[0..<cut])) }
        }
        #expect(throws: DecodingError.self) { try AggregatedRun(decoding: bytes + [0]) }
    }

    @Test func adjacentLeavesJoin() throws {
        let f = try Self.fixture.get()
        #expect(try Self.aggregateFailures(f, f.leaves[0], f.leaves[1]) == [])
        #expect(try Self.aggregateFailures(f, f.leaves[1], f.leaves[2]) == [])
    }

    @Test func gapOrOverlapRefused() throws {
        let f = try Self.fixture.get()
        let gap = try Self.aggregateFailures(f, f.leaves[0], f.leaves[2])
        #expect(gap.contains("the right segment is not the next shard"))
        let overlap = try Self.aggregateFailures(f, f.leaves[1], f.leaves[1])
        #expect(overlap.contains("the right segment is not the next shard"))
        let reversed = try Self.aggregateFailures(f, f.leaves[1], f.leaves[0])
        #expect(!reversed.isEmpty)
    }

    @Test func tamperedInnerProofRefused() throws {
        let f = try Self.fixture.get()
        var left = f.leaves[0]
        left.tables[0].openings.mainLocal[3] += QuarticExtension(RF(1))
        #expect(!(try Self.aggregateFailures(f, left, f.leaves[1])).isEmpty)
        var right = f.leaves[1]
        right.queries[1].inputs[0].rows[0][0] += RF(1)
        #expect(!(try Self.aggregateFailures(f, f.leaves[0], right)).isEmpty)
    }

    /// A leaf passed off as an aggregate has another key than the aggregate circuit's.
    @Test func wrongKeyRefused() throws {
        let f = try Self.fixture.get()
        let failures = try Self.aggregateFailures(f, f.leaves[0], f.leaves[1], leftIsAggregate: true)
        #expect(failures.contains("left child's key"))
    }

    /// A shard of another program cannot join.
    @Test func anotherProgramRefused() throws {
        let f = try Self.fixture.get()
        // Another program: the same loop with another bound, so its shards differ.
        let key = try VMProgramKey(program: ShardCircuitTests.loop(bound: 100), config: Self.shardConfig)
        let proof = try RunProver(key: key, config: Self.shardConfig).prove(input: [], shardSize: 1 << 8)
        let b = try LeafCircuit.build(
            shard: proof.shards[1],
            key: key,
            config: Self.shardConfig,
            outputIn: [RF](repeating: .zero, count: 8),
            aggregateKey: f.aggregateKey
        )
        let (c, w) = b.build(shape: f.shape)
        try #require(c.heights == f.shape)
        let foreign = try RecursionProver.prove(circuit: c, witness: w, config: Self.config)
        let failures = try Self.aggregateFailures(f, f.leaves[0], foreign)
        #expect(failures.contains("the children prove different programs"))
    }
}
