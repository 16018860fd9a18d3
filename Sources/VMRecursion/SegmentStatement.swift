import Algebra
import Recursion
import Stark
import VMProver

/// What a recursion proof over shard proofs states: a segment of consecutive shards of one
/// program's run, from a start state to an end state. These are the public values of leaf
/// proofs (one shard) and aggregate proofs (two adjacent segments joined), in this order.
///
/// | values | field | meaning |
/// | --- | --- | --- |
/// | 0..<8 | `programId` | the shard program's id (root of its fixed tables) |
/// | 8..<16 | `startImage` | memory image root the segment starts from |
/// | 16 | `startPC` | pc of its first cycle |
/// | 17 | `firstShard` | index of its first shard |
/// | 18..<26 | `finalImage` | memory image root it ends in |
/// | 26 | `endPC` | pc after its last cycle |
/// | 27 | `lastShard` | index of its last shard |
/// | 28..<36 | `outputDigest` | a leaf: its shard's output root; an aggregate: `compress(left, right)` |
/// | 36 | `halted` | whether its last shard halts |
/// | 37, 38 | `exitLo`, `exitHi` | the exit code's 16-bit limbs (meaningful when halted) |
/// | 39..<47 | `aggregateKey` | the verifying key aggregate children must have |
/// | 47..<55 | `keysDigest` | the leaf keys it accepted, folded in tree order (zero for a leaf) |
/// | 55 | `cycles` | cycles of its shards, summed in the field (exact below 2^31 − 2^24 + 1; the verifier bounds it by the shards' heights) |
///
/// The output digest is a tree over the shards' output roots, folded as the aggregation tree
/// folds its leaves (like the key digest), so that a shard's leaf proof depends on no other
/// shard: nodes prove leaves in parallel. The keys: a leaf circuit cannot name its own key, so the aggregate that
/// verifies a leaf takes the leaf proof's key (its preprocessed root) as that leaf's digest,
/// and the key of an aggregate child must equal `aggregateKey`, a value carried unchanged up
/// the tree and checked against the aggregate circuit's key by the final verifier.
public struct Segment<Value: Hashable & Sendable>: Hashable, Sendable {
    public var programId: [Value]
    public var startImage: [Value]
    public var startPC: Value
    public var firstShard: Value
    public var finalImage: [Value]
    public var endPC: Value
    public var lastShard: Value
    public var outputDigest: [Value]
    public var halted: Value
    public var exitLo: Value
    public var exitHi: Value
    public var aggregateKey: [Value]
    public var keysDigest: [Value]
    public var cycles: Value

    /// The number of public values.
    public static var count: Int { 56 }

    public init(
        programId: [Value],
        startImage: [Value],
        startPC: Value,
        firstShard: Value,
        finalImage: [Value],
        endPC: Value,
        lastShard: Value,
        outputDigest: [Value],
        halted: Value,
        exitLo: Value,
        exitHi: Value,
        aggregateKey: [Value],
        keysDigest: [Value],
        cycles: Value
    ) {
        self.programId = programId
        self.startImage = startImage
        self.startPC = startPC
        self.firstShard = firstShard
        self.finalImage = finalImage
        self.endPC = endPC
        self.lastShard = lastShard
        self.outputDigest = outputDigest
        self.halted = halted
        self.exitLo = exitLo
        self.exitHi = exitHi
        self.aggregateKey = aggregateKey
        self.keysDigest = keysDigest
        self.cycles = cycles
    }

    /// The statement from its public values (`count` of them, in order).
    public init?(_ v: [Value]) {
        guard v.count == Self.count else { return nil }
        programId = Array(v[0..<8])
        startImage = Array(v[8..<16])
        startPC = v[16]
        firstShard = v[17]
        finalImage = Array(v[18..<26])
        endPC = v[26]
        lastShard = v[27]
        outputDigest = Array(v[28..<36])
        halted = v[36]
        exitLo = v[37]
        exitHi = v[38]
        aggregateKey = Array(v[39..<47])
        keysDigest = Array(v[47..<55])
        cycles = v[55]
    }

    /// The public values, in order.
    public var values: [Value] {
        programId + startImage + [startPC, firstShard] + finalImage + [endPC, lastShard] + outputDigest + [
            halted, exitLo, exitHi,
        ] + aggregateKey + keysDigest + [cycles]
    }
}

/// A segment statement's values: the public values of a leaf or aggregate proof.
public typealias SegmentStatement = Segment<RF>

/// A segment statement as slots of a circuit: what a leaf or aggregate circuit computes, or
/// reads from a child proof's public values.
public typealias SegmentSlots = Segment<Slot>

extension Segment where Value == RF {
    /// The exit code (when `halted` is one).
    public var exitCode: UInt32 { exitLo.canonical | exitHi.canonical << 16 }
}

extension Segment where Value == Slot {
    /// Makes every slot a public value of `builder`'s circuit, in statement order.
    func makePublic(_ builder: CircuitBuilder) { for s in values { builder.makePublic(s) } }
}
