import Algebra
import Hashing
import Recursion
import Stark

/// The aggregate circuit: verifies two recursion proofs of adjacent segments (each a leaf or
/// an aggregate) and states the joined segment.
///
/// Per child, the circuit verifies the child's STARK proof against the recursion tables of
/// `shape` (the child's circuit key is the proof's preprocessed root, an input) and reads the
/// child's ``SegmentStatement`` from its public values. A bit `aggregate` (chosen by the
/// prover) says what the child is:
/// - a leaf: the child's key digest is its key (a leaf circuit cannot state its own key);
/// - an aggregate: its key must equal the statement's `aggregateKey` (which both children's
///   statements must carry too), and its digest is the one it states.
///
/// The joined statement requires: one program id; the left segment ends where the right one
/// starts (memory image root, pc, shard index + 1); the left one does not halt. Its output
/// digest is `compress(left, right)`, its key digest `compress(left digest, right digest)`: the final verifier recomputes it
/// from the leaf keys of the shards, so a leaf of another circuit, or an aggregate passed off
/// as a leaf, is caught there.
public enum AggregateCircuit {
    /// One child: its proof and whether it is an aggregate.
    public struct Child: Sendable {
        public var proof: StarkProof<RF>
        public var isAggregate: Bool

        public init(proof: StarkProof<RF>, isAggregate: Bool) {
            self.proof = proof
            self.isAggregate = isAggregate
        }
    }

    /// Builds the aggregate circuit over `left` and `right`, both proofs of circuits padded to
    /// `shape` with ``SegmentStatement/count`` public values, made under `config`.
    /// `aggregateKey` is the key of this very circuit (which does not depend on the value
    /// given: compute it once from a build with any value).
    public static func build(
        left: Child,
        right: Child,
        shape: RecursionShape,
        config: StarkConfig<RF>,
        aggregateKey: [RF]
    ) throws(VerificationError) -> CircuitBuilder {
        guard aggregateKey.count == 8 else { throw .shape("an aggregate key of \(aggregateKey.count) elements") }
        let b = CircuitBuilder()
        let key = b.inputs(base: aggregateKey)
        let (l, leftDigest) = try verifyChild(left, "left", shape: shape, config: config, key: key, builder: b)
        let (r, rightDigest) = try verifyChild(right, "right", shape: shape, config: config, key: key, builder: b)
        b.assertDigestsEqual(l.programId, r.programId, "the children prove different programs")
        b.assertDigestsEqual(l.finalImage, r.startImage, "the right segment starts from another memory image")
        b.assertEqual(l.endPC, r.startPC, "the right segment starts at another pc")
        b.arithAssert(r.firstShard, a: l.lastShard, ca: .one, k: .one, "the right segment is not the next shard")
        b.assertZero(l.halted, "the left segment halts")
        let joined = SegmentSlots(
            programId: l.programId,
            startImage: l.startImage,
            startPC: l.startPC,
            firstShard: l.firstShard,
            finalImage: r.finalImage,
            endPC: r.endPC,
            lastShard: r.lastShard,
            outputDigest: b.compress(l.outputDigest, r.outputDigest),
            halted: r.halted,
            exitLo: r.exitLo,
            exitHi: r.exitHi,
            aggregateKey: key,
            keysDigest: b.compress(leftDigest, rightDigest),
            cycles: b.add(l.cycles, r.cycles)
        )
        joined.makePublic(b)
        return b
    }

    /// Verifies one child proof in `b` and reads its statement; returns the statement and the
    /// child's key digest (its own key for a leaf, the digest it states for an aggregate, whose
    /// key must be `key` and which must carry `key` as its aggregate key).
    static func verifyChild(
        _ child: Child,
        _ side: String,
        shape: RecursionShape,
        config: StarkConfig<RF>,
        key: [Slot],
        builder b: CircuitBuilder
    ) throws(VerificationError) -> (statement: SegmentSlots, digest: [Slot]) {
        let verified = try StarkVerifierCircuit(config: config, builder: b).verify(
            airs: RunRecursion.segmentAirs(shape),
            proof: child.proof
        )
        guard verified.preprocessedRoots.count == 1, verified.publicValues.count == 4,
            let s = SegmentSlots(verified.publicValues[3])
        else { throw .shape("\(side) child: not a segment proof") }
        let root = verified.preprocessedRoots[0]
        let isAggregate = b.input(base: child.isAggregate ? .one : .zero)
        b.assertBool(isAggregate, "\(side) child kind")
        for j in 0..<8 {
            // An aggregate child has this circuit's key and carries it.
            let keyDiff = b.sub(root[j], key[j])
            b.arithAssert(RecursionCircuit.zero, a: isAggregate, b: keyDiff, cm: .one, "\(side) child's key")
            let carried = b.sub(s.aggregateKey[j], key[j])
            b.arithAssert(RecursionCircuit.zero, a: isAggregate, b: carried, cm: .one, "\(side) child's aggregate key")
        }
        let digest = (0..<8).map { j in b.select(isAggregate, ifZero: root[j], ifOne: s.keysDigest[j]) }
        return (s, digest)
    }
}
