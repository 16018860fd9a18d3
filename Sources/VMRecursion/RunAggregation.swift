import Algebra
import Hashing
import Recursion
import Stark
import VMProver

/// What the verifier of an aggregated run needs to know of each shard: its shape (which fixes
/// the shard's leaf circuit, and so the leaf key) and the bytes it committed.
public struct ShardShape: Hashable, Sendable {
    public var accelerators: ShardAccelerators
    /// `log2` of each table's height, in proof order.
    public var logHeights: [Int]
    /// The bytes the shard committed (its output table's fixed columns).
    public var output: [UInt8]

    public init(accelerators: ShardAccelerators, logHeights: [Int], output: [UInt8]) {
        self.accelerators = accelerators
        self.logHeights = logHeights
        self.output = output
    }

    /// The shape of `shard`.
    public init(_ shard: ShardProof) {
        self.init(
            accelerators: shard.accelerators,
            logHeights: shard.stark.tables.map(\.logHeight),
            output: shard.output
        )
    }
}

/// A whole run proven by one recursion proof: the root of the aggregation tree over the leaf
/// proofs of its shards (or the single leaf of a one-shard run), the statement it proves,
/// the recursion shape every proof of the tree was padded to, and the shards' shapes.
public struct AggregatedRun: Sendable, Equatable {
    public var shape: RecursionShape
    public var statement: SegmentStatement
    /// Whether `root` is an aggregate proof (false for a one-shard run: a leaf proof).
    public var rootIsAggregate: Bool
    public var root: StarkProof<RF>
    public var shards: [ShardShape]

    /// The run's output: the shards' bytes in order.
    public var output: [UInt8] { shards.flatMap(\.output) }
}

/// Why an aggregated run does not verify.
public enum AggregationError: Error, Sendable, CustomStringConvertible {
    /// A shard's leaf circuit could not be built (its shape does not match its program).
    case shard(Int, VerificationError)
    /// A recursion proof does not verify.
    case proof(VerificationError)
    /// The proven statement is not the run the verifier expects.
    case statement(String)
    /// The prover could not prove a circuit (a shard proof that does not verify, say).
    case prover(String)

    public var description: String {
        switch self {
        case .shard(let k, let e): return "shard \(k): \(e)"
        case .proof(let e): return "recursion proof: \(e)"
        case .statement(let s): return "statement: \(s)"
        case .prover(let s): return s
        }
    }
}

/// Keys and circuits shared by the aggregator and the verifier of aggregated runs.
public struct RunRecursion: Sendable {
    public let key: VMProgramKey
    /// The configuration of the shard proofs.
    public let shardConfig: StarkConfig<VMField>
    /// The configuration of the recursion proofs (leaves and aggregates).
    public let config: StarkConfig<RF>

    public init(key: VMProgramKey, shardConfig: StarkConfig<VMField>, config: StarkConfig<RF>) {
        self.key = key
        self.shardConfig = shardConfig
        self.config = config
    }

    static var zeroDigest: [RF] { [RF](repeating: .zero, count: 8) }

    /// The tallest recursion table a verifier accepts in an aggregated run (`log2`): larger
    /// shapes would make it build and commit circuits of unbounded size.
    public static let maxLogShapeHeight = 22

    /// The leaf circuit of `shard` (with the given output digest before it and aggregate key).
    func leaf(_ shard: ShardProof, outputIn: [RF], aggregateKey: [RF]) throws(VerificationError) -> CircuitBuilder {
        try LeafCircuit.build(
            shard: shard,
            key: key,
            config: shardConfig,
            outputIn: outputIn,
            aggregateKey: aggregateKey
        )
    }

    /// The leaf circuit of a shard of shape `s`, built from a placeholder proof: its key.
    public func leafKey(_ s: ShardShape, shape: RecursionShape) throws(VerificationError) -> RecursionVerifyingKey {
        let airs = key.airs(output: s.output, start: nil, final: nil, accelerators: s.accelerators)
        let proof = try StarkProof<VMField>.placeholder(airs: airs, logHeights: s.logHeights, fri: shardConfig.fri)
        let b = try leaf(
            ShardProof(output: s.output, accelerators: s.accelerators, stark: proof),
            outputIn: Self.zeroDigest,
            aggregateKey: Self.zeroDigest
        )
        return try RecursionVerifyingKey(circuit: b.build(shape: shape).circuit, config: config)
    }

    /// The aggregate circuit over two children of `shape`, from placeholder proofs.
    func placeholderAggregate(shape: RecursionShape) throws(VerificationError) -> RecursionCircuit {
        let airs = RecursionVerifyingKey.airs(shape: shape, publicCount: SegmentStatement.count)
        let logHeights = [shape.arith, shape.poseidon2, shape.input, 2].map { $0.trailingZeroBitCount }
        let p = try StarkProof<RF>.placeholder(airs: airs, logHeights: logHeights, fri: config.fri)
        let child = AggregateCircuit.Child(proof: p, isAggregate: false)
        return try AggregateCircuit.build(
            left: child,
            right: child,
            shape: shape,
            config: config,
            aggregateKey: Self.zeroDigest
        ).build(shape: shape).circuit
    }

    /// The smallest shape at least `leaves` that also holds the aggregate circuit over two
    /// proofs of that shape, and the aggregate circuit's key.
    public func aggregateKey(
        leaves: RecursionShape
    ) throws(VerificationError) -> (
        shape: RecursionShape, key: RecursionVerifyingKey
    ) {
        var shape = leaves
        while true {
            let circuit = try placeholderAggregate(shape: shape)
            let needed = circuit.heights
            if needed == shape { return (shape, try RecursionVerifyingKey(circuit: circuit, config: config)) }
            shape = shape.union(needed)
        }
    }

    /// The key digest of a tree over leaves with these keys, paired as ``RunAggregator``
    /// pairs them: adjacent proofs level by level, an odd last one carried up.
    public static func keysDigest(_ leafKeys: [[RF]]) -> [RF] {
        let compression = TruncatedPermutation<RF>(permutation: Poseidon2(width: 16))
        var level = leafKeys
        while level.count > 1 {
            var next: [[RF]] = []
            for i in stride(from: 0, to: level.count - 1, by: 2) {
                next.append(compression.compress(Digest(level[i]), Digest(level[i + 1])).elements)
            }
            if level.count % 2 == 1 { next.append(level.last!) }
            level = next
        }
        return level[0]
    }

    /// `compress(digest, root)`: the output digest after a shard whose output table's root is `root`.
    static func chainOutput(_ digest: [RF], _ root: [RF]) -> [RF] {
        TruncatedPermutation<RF>(permutation: Poseidon2(width: 16)).compress(Digest(digest), Digest(root)).elements
    }
}

extension RunRecursion {
    /// The proven (unique-decoding) security of the recursion proofs of `run`: every proof of
    /// its tree has the run's shape, so the root's figure is every one's.
    public func provenBits(_ run: AggregatedRun) -> Int {
        let airs = RecursionVerifyingKey.airs(shape: run.shape, publicCount: SegmentStatement.count)
        let sp = soundnessParameters(
            shapes: airs.map { AirShape(of: $0) },
            logHeights: run.root.tables.map(\.logHeight),
            fri: run.root.fri,
            fieldType: RF.self
        )
        return Soundness.report(sp, regime: .uniqueDecoding).bits
    }
}
