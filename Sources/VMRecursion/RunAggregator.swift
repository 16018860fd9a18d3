import Algebra
import Hashing
import Recursion
import Stark
import VMProver

/// Proves a run's shard proofs into one recursion proof: a leaf proof per shard, then
/// aggregate proofs over adjacent pairs, level by level, up to the root.
///
/// Every proof of the tree is padded to one ``RecursionShape`` (the largest leaf's tables,
/// grown until the aggregate circuit over two proofs of that shape fits in it), so that one
/// aggregate circuit, whose key the statements carry, verifies leaves and aggregates alike.
public struct RunAggregator: Sendable {
    public let recursion: RunRecursion
    /// Called with a line on each step (building circuits, proving each proof).
    public var progress: (@Sendable (String) -> Void)?

    public init(recursion: RunRecursion, progress: (@Sendable (String) -> Void)? = nil) {
        self.recursion = recursion
        self.progress = progress
    }

    /// Aggregates the shards of `proof` (a run proof of ``RunRecursion/key``'s program).
    public func aggregate(_ proof: VMProof) throws(AggregationError) -> AggregatedRun {
        let report = progress ?? { _ in }
        let shards = proof.shards
        guard !shards.isEmpty else { throw .statement("no shards") }
        let cycles = shards.reduce(UInt64(0)) { $0 + UInt64($1.cpu?.cycles ?? 0) }
        guard cycles < UInt64(RF.modulus) else {
            throw .statement("\(cycles) cycles: a run's cycles must stay below the field's modulus")
        }
        // The output digest before each shard.
        var outputIns: [[RF]] = []
        var digest = RunRecursion.zeroDigest
        for shard in shards {
            outputIns.append(digest)
            let roots = shard.stark.preprocessedRoots
            guard roots.count == 4 else { throw .statement("a shard without its 4 commitments") }
            digest = RunRecursion.chainOutput(digest, roots[ShardCommitmentGroup.output].elements)
        }

        // The shape: the leaves' heights, grown to hold the aggregate circuit.
        report("building \(shards.count) leaf circuits")
        var leafShape = RecursionShape.minimal
        for (k, shard) in shards.enumerated() {
            do {
                let b = try recursion.leaf(shard, outputIn: outputIns[k], aggregateKey: RunRecursion.zeroDigest)
                leafShape = leafShape.union(b.build().circuit.heights)
            } catch {
                throw .shard(k, error)
            }
        }
        let shape: RecursionShape
        let aggregateKey: [RF]
        if shards.count > 1 {
            report("building the aggregate circuit")
            do {
                let (s, key) = try recursion.aggregateKey(leaves: leafShape)
                shape = s
                aggregateKey = key.root.elements
            } catch {
                throw .proof(error)
            }
        } else {
            shape = leafShape
            aggregateKey = RunRecursion.zeroDigest
        }
        report("recursion shape: \(shape)")

        // Leaves.
        typealias Node = (proof: StarkProof<RF>, statement: [RF], isAggregate: Bool)
        var level: [Node] = []
        for (k, shard) in shards.enumerated() {
            report("proving leaf \(k + 1)/\(shards.count)")
            let b: CircuitBuilder
            do {
                b = try recursion.leaf(shard, outputIn: outputIns[k], aggregateKey: aggregateKey)
            } catch {
                throw .shard(k, error)
            }
            level.append(try prove(b, shape: shape, what: "leaf \(k)", isAggregate: false))
        }
        // Aggregates, level by level.
        var depth = 0
        while level.count > 1 {
            depth += 1
            var next: [Node] = []
            for i in stride(from: 0, to: level.count - 1, by: 2) {
                report("proving aggregate \(i / 2 + 1)/\(level.count / 2) of level \(depth)")
                let b: CircuitBuilder
                do {
                    b = try AggregateCircuit.build(
                        left: AggregateCircuit.Child(proof: level[i].proof, isAggregate: level[i].isAggregate),
                        right: AggregateCircuit.Child(proof: level[i + 1].proof, isAggregate: level[i + 1].isAggregate),
                        shape: shape,
                        config: recursion.config,
                        aggregateKey: aggregateKey
                    )
                } catch {
                    throw .proof(error)
                }
                next.append(try prove(b, shape: shape, what: "aggregate", isAggregate: true))
            }
            if level.count % 2 == 1 { next.append(level.last!) }
            level = next
        }
        let root = level[0]
        guard let statement = SegmentStatement(root.statement) else { throw .statement("malformed root statement") }
        return AggregatedRun(
            shape: shape,
            statement: statement,
            rootIsAggregate: root.isAggregate,
            root: root.proof,
            shards: shards.map(ShardShape.init)
        )
    }

    /// Proves the circuit of `b` padded to `shape`: the proof, its public values (a
    /// ``SegmentStatement``) and the kind.
    func prove(
        _ b: CircuitBuilder,
        shape: RecursionShape,
        what: String,
        isAggregate: Bool
    ) throws(AggregationError) -> (proof: StarkProof<RF>, statement: [RF], isAggregate: Bool) {
        if let failure = b.failures.first { throw .prover("\(what): \(failure)") }
        let (circuit, witness) = b.build(shape: shape)
        guard circuit.heights == shape else { throw .prover("\(what) does not fit the recursion shape \(shape)") }
        do {
            let proof = try RecursionProver.prove(circuit: circuit, witness: witness, config: recursion.config)
            return (proof, witness.publicValues(of: circuit), isAggregate)
        } catch {
            throw .prover("\(what): \(error)")
        }
    }
}

/// What an aggregated run proves, once verified.
public struct VerifiedAggregatedRun: Sendable, Equatable {
    public var exitCode: UInt32
    public var output: [UInt8]
    public var cycles: UInt64
    public var shards: Int
}

extension RunRecursion {
    /// Verifies `run` against this program: the root proof under the aggregate key (or the
    /// leaf key of a one-shard run), the leaf keys of the shards' shapes folded into the
    /// statement's key digest, and the statement: this program, from the ELF's image and
    /// entry, shard 0 to the last, from the zero output digest to the digest of the claimed
    /// output roots, halted.
    public func verify(_ run: AggregatedRun) throws(AggregationError) -> VerifiedAggregatedRun {
        let s = run.statement
        let n = run.shards.count
        guard n > 0 else { throw .statement("no shards") }
        guard run.rootIsAggregate == (n > 1) else { throw .statement("a root of the wrong kind for \(n) shards") }
        let limit = 1 << RunRecursion.maxLogShapeHeight
        guard [run.shape.arith, run.shape.poseidon2, run.shape.input].allSatisfy({ $0 <= limit }) else {
            throw .statement("recursion shape \(run.shape) above 2^\(RunRecursion.maxLogShapeHeight) rows")
        }
        // One key per distinct shard shape (shards mostly share one).
        var leafKeys: [RecursionVerifyingKey] = []
        var cache: [ShardShape: RecursionVerifyingKey] = [:]
        for (k, shard) in run.shards.enumerated() {
            if let known = cache[shard] {
                leafKeys.append(known)
                continue
            }
            let tables = ShardTable.tables(shard.accelerators).count
            guard shard.logHeights.count == tables else {
                throw .statement("shard \(k): \(shard.logHeights.count) table heights for \(tables) tables")
            }
            do {
                let key = try leafKey(shard, shape: run.shape)
                cache[shard] = key
                leafKeys.append(key)
            } catch {
                throw .shard(k, error)
            }
        }
        let rootKey: RecursionVerifyingKey
        if n > 1 {
            let aggregate: (shape: RecursionShape, key: RecursionVerifyingKey)
            do { aggregate = try aggregateKey(leaves: run.shape) } catch { throw .proof(error) }
            guard aggregate.shape == run.shape else {
                throw .statement("the recursion shape does not hold its circuits")
            }
            rootKey = aggregate.key
            guard s.aggregateKey == rootKey.root.elements else { throw .statement("another aggregate key") }
            guard s.keysDigest == Self.keysDigest(leafKeys.map(\.root.elements)) else {
                throw .statement("the leaves are not this program's leaf circuits")
            }
        } else {
            rootKey = leafKeys[0]
        }
        do {
            try RecursionProver.verify(key: rootKey, proof: run.root, publicValues: s.values, config: config)
        } catch {
            throw .proof(error)
        }
        // The statement is this run.
        guard s.programId == key.programId.elements else { throw .statement("another program") }
        guard s.startImage == key.startImageRoot.elements, s.startPC == RF(key.program.entry) else {
            throw .statement("does not start at the ELF's image and entry")
        }
        guard s.firstShard == .zero, s.lastShard == RF(UInt32(n - 1)) else { throw .statement("not shards 0…\(n - 1)") }
        guard s.halted == .one else { throw .statement("the run does not halt") }
        var digest = Self.zeroDigest
        for (k, shard) in run.shards.enumerated() {
            let airs = key.airs(output: shard.output, start: nil, final: nil, accelerators: shard.accelerators)
            let root: StarkDigest<VMField>?
            do {
                root = try StarkVerifier(config: shardConfig).preprocessedRoot(
                    airs: airs,
                    group: ShardCommitmentGroup.output
                )
            } catch {
                throw .shard(k, error)
            }
            guard let root else { throw .statement("shard \(k) has no output table") }
            digest = Self.chainOutput(digest, root.elements)
        }
        guard s.outputIn == Self.zeroDigest, s.outputOut == digest else {
            throw .statement("the output is not the one proven")
        }
        return VerifiedAggregatedRun(
            exitCode: s.exitCode,
            output: run.output,
            cycles: UInt64(s.cycles.canonical),
            shards: n
        )
    }
}
