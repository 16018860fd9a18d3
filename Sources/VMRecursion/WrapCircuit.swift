import Algebra
import Hashing
import Recursion
import Stark

/// The wrap circuit: verifies the compress proof (a proof of ``FinalCircuit``, whose key is
/// fixed) and restates its statement. A run's final proof is a proof of this circuit, under
/// ``RunRecursion/finalConfig``.
///
/// Why a second circuit at the root: the final circuit verifies the root of the tree, a
/// recursion proof with the recursion proofs' many queries (193 at rate 1/2), so it is large,
/// and a final proof of it is large too. Proven once more under ``RunRecursion/compressConfig``
/// (rate 1/8, 58 queries), it becomes a proof that a circuit a third the size verifies; that
/// small circuit, proven at a high rate with few queries, gives the small final proof.
///
/// The circuit checks:
/// - the compress proof, against the tables of `key`'s shape (``StarkVerifierCircuit``);
/// - its preprocessed root equals `key`'s root, a constant of this circuit: the proof is one of
///   the final circuit, not of any other circuit of that shape;
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
        let b = CircuitBuilder()
        let verified = try StarkVerifierCircuit(config: config, builder: b).verify(airs: key.airs, proof: inner)
        guard verified.preprocessedRoots.count == 1, verified.publicValues.count == 4,
            let statement = SegmentSlots(verified.publicValues[3])
        else { throw .shape("not a proof of the final circuit") }
        for (slot, k) in zip(verified.preprocessedRoots[0], key.root.elements) {
            b.arithAssert(slot, k: RE(k), "the wrapped proof is not of the final circuit")
        }
        statement.makePublic(b)
        return b
    }
}
