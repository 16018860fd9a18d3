import Algebra
import Hashing
import Recursion
import Stark

/// The final circuit: verifies the root of a run's aggregation tree (an aggregate proof, or
/// the leaf proof of a one-shard run) and restates its statement. It is proven under the
/// compress configuration (``RunRecursion/compressConfig``: a larger blowup and fewer queries
/// than the recursion proofs'), and that proof is wrapped once more (``WrapCircuit``) under
/// the final configuration, for a small proof that is cheap to verify.
///
/// The root is verified exactly as an aggregate verifies a child
/// (``AggregateCircuit/verifyChild(_:_:shape:config:key:builder:)``): an aggregate root must
/// have the aggregate key and carry it; a leaf root's key becomes the key digest. The final
/// statement is the root's, with `aggregateKey` the key given and `keysDigest` the root's key
/// digest: the leaf keys of the whole run, folded in tree order, which the native verifier
/// recomputes from the shards' shapes.
public enum FinalCircuit {
    /// Builds the final circuit over `root`, a proof of a circuit padded to `shape` under
    /// `config`; `aggregateKey` is the aggregate circuit's key.
    public static func build(
        root: AggregateCircuit.Child,
        shape: RecursionShape,
        config: StarkConfig<RF>,
        aggregateKey: [RF]
    ) throws(VerificationError) -> CircuitBuilder {
        guard aggregateKey.count == 8 else { throw .shape("an aggregate key of \(aggregateKey.count) elements") }
        let b = CircuitBuilder()
        let key = b.inputs(base: aggregateKey)
        var (statement, digest) = try AggregateCircuit.verifyChild(
            root,
            "root",
            shape: shape,
            config: config,
            key: key,
            builder: b
        )
        statement.aggregateKey = key
        statement.keysDigest = digest
        statement.makePublic(b)
        return b
    }
}
