import Algebra
import Hashing
import Recursion
import Stark

/// The wrap circuit: verifies a proof of one fixed recursion circuit (its key a constant of
/// this circuit) and restates its statement. It has two uses:
/// - **the final proof**: over the compress proof (a proof of ``FinalCircuit``), under
///   ``RunRecursion/finalConfig``;
/// - **normalizing a large leaf**: over the proof of a leaf circuit taller than the recursion
///   shape (a shard with many accelerator tables, say), proven in its own shape; the wrap
///   circuit's proof, padded to the recursion shape, is the shard's segment proof, which the
///   aggregate circuit verifies (``RunRecursion/leafPlan(_:)``).
///
/// Why a second circuit at the root: the final circuit verifies the root of the tree, a
/// recursion proof with the recursion proofs' queries (88 at rate 1/4), so it is large, and a
/// final proof of it is large too. Proven once more under ``RunRecursion/compressConfig``
/// (rate 1/16, 42 queries), it becomes a proof that a smaller circuit verifies; that small
/// circuit, proven at a high rate with few queries, gives the small final proof.
///
/// The circuit checks:
/// - the inner proof, against the tables of the inner circuit's shape (``StarkVerifierCircuit``);
/// - its preprocessed root equals the inner circuit's key, a constant of this circuit: the
///   proof is one of that circuit, not of any other circuit of that shape;
/// - nothing else: its public values become this circuit's, unchanged and in order.
public enum WrapCircuit {
    /// Builds the wrap circuit over `inner`, a proof of the circuit of `key` made under
    /// `config`. Throws when `inner` does not have `key`'s shape; a proof of another circuit of
    /// that shape yields the circuit with its failures recorded (``CircuitBuilder/failures``).
    public static func build(
        inner: StarkProof<RF>,
        key: RecursionVerifyingKey,
        config: StarkConfig<RF>
    ) throws(VerificationError) -> CircuitBuilder {
        guard key.publicCount == SegmentStatement.count else {
            throw .shape("a key with \(key.publicCount) public values, not a segment statement's")
        }
        return try build(inner: inner, shape: key.shape, root: key.root.elements, config: config)
    }

    /// Builds the wrap circuit over `inner`, a proof of a segment circuit of `shape` whose fixed
    /// columns' root is `root` (the inner circuit's key), made under `config`. The circuit does
    /// not depend on `inner`'s values, only on its shape; `root` is a constant of it.
    public static func build(
        inner: StarkProof<RF>,
        shape: RecursionShape,
        root: [RF],
        config: StarkConfig<RF>
    ) throws(VerificationError) -> CircuitBuilder {
        guard root.count == 8 else { throw .shape("a key of \(root.count) elements") }
        let b = CircuitBuilder()
        let verified = try StarkVerifierCircuit(config: config, builder: b).verify(
            airs: RunRecursion.segmentAirs(shape),
            proof: inner
        )
        guard verified.preprocessedRoots.count == 1, verified.publicValues.count == 4,
            let statement = SegmentSlots(verified.publicValues[3])
        else { throw .shape("not a segment proof") }
        for (slot, k) in zip(verified.preprocessedRoots[0], root) {
            b.arithAssert(slot, k: RE(k), "the wrapped proof is not of the expected circuit")
        }
        statement.makePublic(b)
        return b
    }
}
