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
/// | 18..<26 | `outputIn` | output digest before the segment |
/// | 26..<34 | `finalImage` | memory image root it ends in |
/// | 34 | `endPC` | pc after its last cycle |
/// | 35 | `lastShard` | index of its last shard |
/// | 36..<44 | `outputOut` | output digest after it: `compress(outputIn, output root)` per shard |
/// | 44 | `halted` | whether its last shard halts |
/// | 45, 46 | `exitLo`, `exitHi` | the exit code's 16-bit limbs (meaningful when halted) |
/// | 47..<55 | `aggregateKey` | the verifying key aggregate children must have |
/// | 55..<63 | `keysDigest` | the leaf keys it accepted, folded in tree order (zero for a leaf) |
/// | 63 | `cycles` | cycles of its shards, summed in the field (exact below 2^31 − 2^24 + 1; the aggregator refuses longer runs) |
///
/// The output digest is a chain (like the memory image), so joining two segments only asks
/// that the left one's `outputOut` be the right one's `outputIn`; a whole run starts from
/// the zero digest. The keys: a leaf circuit cannot name its own key, so the aggregate that
/// verifies a leaf takes the leaf proof's key (its preprocessed root) as that leaf's digest,
/// and the key of an aggregate child must equal `aggregateKey`, a value carried unchanged up
/// the tree and checked against the aggregate circuit's key by the final verifier.
public struct SegmentStatement: Hashable, Sendable {
    public var programId: [RF]
    public var startImage: [RF]
    public var startPC: RF
    public var firstShard: RF
    public var outputIn: [RF]
    public var finalImage: [RF]
    public var endPC: RF
    public var lastShard: RF
    public var outputOut: [RF]
    public var halted: RF
    public var exitLo: RF
    public var exitHi: RF
    public var aggregateKey: [RF]
    public var keysDigest: [RF]
    public var cycles: RF

    /// The number of public values.
    public static let count = 64

    /// The statement from its public values (`count` of them).
    public init?(_ v: [RF]) {
        guard v.count == Self.count else { return nil }
        programId = Array(v[0..<8])
        startImage = Array(v[8..<16])
        startPC = v[16]
        firstShard = v[17]
        outputIn = Array(v[18..<26])
        finalImage = Array(v[26..<34])
        endPC = v[34]
        lastShard = v[35]
        outputOut = Array(v[36..<44])
        halted = v[44]
        exitLo = v[45]
        exitHi = v[46]
        aggregateKey = Array(v[47..<55])
        keysDigest = Array(v[55..<63])
        cycles = v[63]
    }

    /// The public values, in order.
    public var values: [RF] {
        programId + startImage + [startPC, firstShard] + outputIn + finalImage + [endPC, lastShard] + outputOut
            + [halted, exitLo, exitHi] + aggregateKey + keysDigest + [cycles]
    }

    /// The exit code (when `halted` is one).
    public var exitCode: UInt32 { exitLo.canonical | exitHi.canonical << 16 }
}

/// A ``SegmentStatement`` as slots of a circuit: what a leaf or aggregate circuit computes,
/// or reads from a child proof's public values.
public struct SegmentSlots {
    public var programId: [Slot]
    public var startImage: [Slot]
    public var startPC: Slot
    public var firstShard: Slot
    public var outputIn: [Slot]
    public var finalImage: [Slot]
    public var endPC: Slot
    public var lastShard: Slot
    public var outputOut: [Slot]
    public var halted: Slot
    public var exitLo: Slot
    public var exitHi: Slot
    public var aggregateKey: [Slot]
    public var keysDigest: [Slot]
    public var cycles: Slot

    init(
        programId: [Slot],
        startImage: [Slot],
        startPC: Slot,
        firstShard: Slot,
        outputIn: [Slot],
        finalImage: [Slot],
        endPC: Slot,
        lastShard: Slot,
        outputOut: [Slot],
        halted: Slot,
        exitLo: Slot,
        exitHi: Slot,
        aggregateKey: [Slot],
        keysDigest: [Slot],
        cycles: Slot
    ) {
        self.programId = programId
        self.startImage = startImage
        self.startPC = startPC
        self.firstShard = firstShard
        self.outputIn = outputIn
        self.finalImage = finalImage
        self.endPC = endPC
        self.lastShard = lastShard
        self.outputOut = outputOut
        self.halted = halted
        self.exitLo = exitLo
        self.exitHi = exitHi
        self.aggregateKey = aggregateKey
        self.keysDigest = keysDigest
        self.cycles = cycles
    }

    /// The slots of a child's public values (``SegmentStatement/count`` of them, in order).
    init(_ v: [Slot]) {
        precondition(v.count == SegmentStatement.count)
        programId = Array(v[0..<8])
        startImage = Array(v[8..<16])
        startPC = v[16]
        firstShard = v[17]
        outputIn = Array(v[18..<26])
        finalImage = Array(v[26..<34])
        endPC = v[34]
        lastShard = v[35]
        outputOut = Array(v[36..<44])
        halted = v[44]
        exitLo = v[45]
        exitHi = v[46]
        aggregateKey = Array(v[47..<55])
        keysDigest = Array(v[55..<63])
        cycles = v[63]
    }

    var values: [Slot] {
        programId + startImage + [startPC, firstShard] + outputIn + finalImage + [endPC, lastShard] + outputOut
            + [halted, exitLo, exitHi] + aggregateKey + keysDigest + [cycles]
    }

    /// Makes every slot a public value of `builder`'s circuit, in statement order.
    func makePublic(_ builder: CircuitBuilder) { for s in values { builder.makePublic(s) } }
}
