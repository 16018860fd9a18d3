import Algebra
import Hashing
import Recursion
import Stark
import VMProver

extension RunRecursion {
    /// Proves the leaf circuit of `shard`: a segment proof of that shard alone (it depends on
    /// no other shard, so the leaves of a run are proven in parallel, on any machines). A leaf
    /// circuit taller than the recursion shape is proven in its own shape, then normalized: the
    /// wrap circuit over that proof, proven in the recursion shape (``leafPlan(_:)``).
    public func proveLeaf(_ shard: ShardProof) throws(AggregationError) -> SegmentProof {
        let keys = try keys()
        let plan = try leafPlan(ShardShape(shard))
        let b: CircuitBuilder
        do { b = try leaf(shard, aggregateKey: keys.aggregate.root.elements) } catch { throw .proof(error) }
        var (proof, statement) = try prove(b, shape: plan.leafShape, config: config, what: "leaf")
        if plan.normalizeKey != nil {
            let w: CircuitBuilder
            do { w = try WrapCircuit.build(inner: proof, key: plan.leafKey, config: config) } catch {
                throw .proof(error)
            }
            let restated: SegmentStatement
            (proof, restated) = try prove(w, shape: keys.shape, config: config, what: "normalized leaf")
            guard restated == statement else { throw .prover("normalized leaf: another statement") }
        }
        return SegmentProof(statement: statement, isAggregate: false, proof: proof, shards: [ShardShape(shard)])
    }

    /// Proves the aggregate circuit over two adjacent segments (`left` ends where `right`
    /// starts): the segment of both.
    public func proveAggregate(_ left: SegmentProof, _ right: SegmentProof) throws(AggregationError) -> SegmentProof {
        let keys = try keys()
        let b: CircuitBuilder
        do {
            b = try AggregateCircuit.build(
                left: AggregateCircuit.Child(proof: left.proof, isAggregate: left.isAggregate),
                right: AggregateCircuit.Child(proof: right.proof, isAggregate: right.isAggregate),
                shape: keys.shape,
                config: config,
                aggregateKey: keys.aggregate.root.elements
            )
        } catch {
            throw .proof(error)
        }
        let (proof, statement) = try prove(b, shape: keys.shape, config: config, what: "aggregate")
        return SegmentProof(statement: statement, isAggregate: true, proof: proof, shards: left.shards + right.shards)
    }

    /// Proves the final circuit over `root`, the root of a run's aggregation tree, under
    /// ``compressConfig`` (the compress proof), then the wrap circuit over that proof under
    /// ``finalConfig``: the run's final proof. `progress` hears of each of the two.
    public func proveFinal(
        _ root: SegmentProof,
        progress: (@Sendable (String) -> Void)? = nil
    ) throws(AggregationError) -> FinalProof {
        let keys = try keys()
        let b: CircuitBuilder
        do {
            b = try FinalCircuit.build(
                root: AggregateCircuit.Child(proof: root.proof, isAggregate: root.isAggregate),
                shape: keys.shape,
                config: config,
                aggregateKey: keys.aggregate.root.elements
            )
        } catch {
            throw .proof(error)
        }
        progress?("proving the compress proof (the final circuit over the root)")
        let (compressed, statement) = try prove(b, shape: keys.compress.shape, config: compressConfig, what: "compress")
        let w: CircuitBuilder
        do {
            w = try WrapCircuit.build(inner: compressed, key: keys.compress, config: compressConfig)
        } catch {
            throw .proof(error)
        }
        progress?("proving the final proof (the wrap circuit over the compress proof)")
        let (proof, wrapped) = try prove(w, shape: keys.final.shape, config: finalConfig, what: "final")
        guard wrapped == statement else { throw .prover("final: the wrap circuit restated another statement") }
        return FinalProof(statement: statement, proof: proof, shards: root.shards)
    }

    /// Proves the circuit of `b` padded to `shape` under `config`: the proof and its statement.
    func prove(
        _ b: CircuitBuilder,
        shape: RecursionShape,
        config: StarkConfig<RF>,
        what: String
    ) throws(AggregationError) -> (StarkProof<RF>, SegmentStatement) {
        if let failure = b.failures.first { throw .prover("\(what): \(failure)") }
        let (circuit, witness) = b.build(shape: shape)
        guard circuit.heights == shape else {
            throw .prover("\(what): the circuit needs \(circuit.heights), above the recursion shape \(shape)")
        }
        do {
            let proof = try RecursionProver.prove(circuit: circuit, witness: witness, config: config)
            guard let statement = SegmentStatement(witness.publicValues(of: circuit)) else {
                throw AggregationError.prover("\(what): not a segment statement")
            }
            return (proof, statement)
        } catch let e as AggregationError {
            throw e
        } catch {
            throw .prover("\(what): \(error)")
        }
    }
}

/// Proves a run's shard proofs into one final proof: a leaf proof per shard, aggregate proofs
/// over adjacent pairs, level by level, up to the root, and the final proof over the root.
///
/// Every segment proof (aggregate, leaf, or normalized leaf) is padded to one
/// ``RecursionShape`` (``RecursionKeys/shape``), so that one aggregate circuit, whose key the
/// statements carry, verifies leaves and aggregates alike.
public struct RunAggregator: Sendable {
    public let recursion: RunRecursion
    /// Called with a line on each step (building keys, proving each proof).
    public var progress: (@Sendable (String) -> Void)?

    public init(recursion: RunRecursion, progress: (@Sendable (String) -> Void)? = nil) {
        self.recursion = recursion
        self.progress = progress
    }

    /// Aggregates the shards of `proof` (a run proof of ``RunRecursion/key``'s program).
    public func aggregate(_ proof: VMProof) throws(AggregationError) -> FinalProof {
        let report = progress ?? { _ in }
        guard !proof.shards.isEmpty else { throw .statement("no shards") }
        report("building the recursion keys")
        let keys = try recursion.keys()
        report(
            "recursion shape: \(keys.shape); final circuit (compress): \(keys.compress.shape); "
                + "wrap circuit (final proof): \(keys.final.shape)"
        )
        var level: [SegmentProof] = []
        for (k, shard) in proof.shards.enumerated() {
            do {
                let plan = try recursion.leafPlan(ShardShape(shard))
                report(
                    "proving leaf \(k + 1)/\(proof.shards.count)"
                        + (plan.normalizeKey == nil
                            ? "" : " (taller than the recursion shape: proven in \(plan.leafShape), then normalized)")
                )
                level.append(try recursion.proveLeaf(shard))
            } catch {
                if case .proof(let e) = error { throw .shard(k, e) }
                throw error
            }
        }
        var depth = 0
        while level.count > 1 {
            depth += 1
            var next: [SegmentProof] = []
            for i in stride(from: 0, to: level.count - 1, by: 2) {
                report("proving aggregate \(i / 2 + 1)/\(level.count / 2) of level \(depth)")
                next.append(try recursion.proveAggregate(level[i], level[i + 1]))
            }
            if level.count % 2 == 1 { next.append(level.last!) }
            level = next
        }
        return try recursion.proveFinal(level[0], progress: report)
    }
}
