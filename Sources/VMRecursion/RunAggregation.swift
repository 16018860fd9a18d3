import Algebra
import Hashing
import Recursion
import Stark
import Synchronization
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

/// A recursion proof over a contiguous range of a run's shards: a leaf proof (one shard) or an
/// aggregate proof (two adjacent segments joined), with the shapes of the shards it covers.
public struct SegmentProof: Sendable, Equatable {
    public var statement: SegmentStatement
    /// Whether `proof` is an aggregate proof (a leaf proof otherwise).
    public var isAggregate: Bool
    public var proof: StarkProof<RF>
    public var shards: [ShardShape]

    public init(statement: SegmentStatement, isAggregate: Bool, proof: StarkProof<RF>, shards: [ShardShape]) {
        self.statement = statement
        self.isAggregate = isAggregate
        self.proof = proof
        self.shards = shards
    }
}

/// A whole run proven by one small proof: the final proof over the root of the run's
/// aggregation tree, the statement it proves and the shards' shapes.
public struct FinalProof: Sendable, Equatable {
    public var statement: SegmentStatement
    public var proof: StarkProof<RF>
    public var shards: [ShardShape]

    public init(statement: SegmentStatement, proof: StarkProof<RF>, shards: [ShardShape]) {
        self.statement = statement
        self.proof = proof
        self.shards = shards
    }

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

/// The keys of one recursion configuration: the shape every segment proof (aggregate, leaf
/// or normalized leaf) is padded to, the aggregate circuit's key, the final circuit's key and
/// the wrap circuit's key.
public struct RecursionKeys: Sendable {
    /// The recursion shape of segment proofs: the smallest that holds the aggregate circuit
    /// over two proofs of that shape, and the wrap circuit over the largest leaf's proof (which
    /// normalizes a leaf circuit taller than this shape: ``RunRecursion/leafPlan(_:)``).
    public var shape: RecursionShape
    public var aggregate: RecursionVerifyingKey
    /// The key of ``FinalCircuit`` (over the root of the tree), under
    /// ``RunRecursion/compressConfig``.
    public var compress: RecursionVerifyingKey
    /// The key of ``WrapCircuit`` (over the compress proof) under ``RunRecursion/finalConfig``:
    /// the key of a run's final proof.
    public var final: RecursionVerifyingKey
}

/// How a shard's leaf becomes a segment proof of the recursion shape (``RunRecursion/leafPlan(_:)``).
public struct LeafPlan: Sendable {
    /// The shape the leaf circuit is proven in: the recursion shape when the circuit fits it,
    /// else the circuit's own heights.
    public var leafShape: RecursionShape
    /// The leaf circuit's key, in `leafShape`.
    public var leafKey: RecursionVerifyingKey
    /// For a leaf taller than the recursion shape: the key of the wrap circuit over the leaf's
    /// proof (with `leafKey` a constant), padded to the recursion shape.
    public var normalizeKey: RecursionVerifyingKey?

    /// The key of the shard's segment proof: what an aggregate verifies and folds.
    public var segmentKey: RecursionVerifyingKey { normalizeKey ?? leafKey }
}

/// Keys and circuits shared by the provers and the verifiers of aggregated runs.
public struct RunRecursion: Sendable {
    public let key: VMProgramKey
    /// The configuration of the shard proofs.
    public let shardConfig: StarkConfig<VMField>
    /// The configuration of the recursion proofs (leaves and aggregates).
    public let config: StarkConfig<RF>
    /// The configuration of the compress proof: ``FinalCircuit`` over the root of the tree,
    /// which the wrap circuit verifies. Fewer queries than ``config`` make the wrap circuit
    /// small, and so the final proof.
    public let compressConfig: StarkConfig<RF>
    /// The configuration of the final proof (``WrapCircuit`` over the compress proof).
    public let finalConfig: StarkConfig<RF>
    /// The tallest shard table (`log2`) whose leaf the recursion shape must hold.
    public let maxLogShardHeight: Int

    public init(
        key: VMProgramKey,
        shardConfig: StarkConfig<VMField>,
        config: StarkConfig<RF>,
        compressConfig: StarkConfig<RF>,
        finalConfig: StarkConfig<RF>,
        maxLogShardHeight: Int = maxLogShardSize
    ) {
        self.key = key
        self.shardConfig = shardConfig
        self.config = config
        self.compressConfig = compressConfig
        self.finalConfig = finalConfig
        self.maxLogShardHeight = maxLogShardHeight
    }

    /// The production configurations: shard proofs at ``StarkConfig/vmShard`` (rate 1/4, 92
    /// queries, up to the Johnson bound), recursion proofs at ``RunRecursion/recursionParameters``
    /// (rate 1/4, 88 queries, up to the Johnson bound), the compress proof at
    /// ``RunRecursion/compressParameters``, the final proof at ``RunRecursion/finalParameters``,
    /// shard tables up to 2^`maxLogShardHeight` rows.
    public init(key: VMProgramKey, maxLogShardHeight: Int = maxLogShardSize) {
        self.init(
            key: key,
            shardConfig: .vmShard,
            config: StarkConfig(fri: Self.recursionParameters, regime: .johnsonBound),
            compressConfig: StarkConfig(fri: Self.compressParameters, regime: Self.finalRegime),
            finalConfig: StarkConfig(fri: Self.finalParameters, regime: Self.finalRegime),
            maxLogShardHeight: maxLogShardHeight
        )
    }

    /// INSECURE test configurations (about 20 bits), for tests and development only: shard and
    /// recursion proofs at ``FriParameters/testing``, the compress proof at rate 1/4 with 8
    /// queries and the final proof at rate 1/4 with 10 (blowups other than the recursion
    /// proofs', as in production), and shards of tables up to 2^`maxLogShardHeight` rows
    /// (small, so the recursion shape stays small).
    public static func testing(key: VMProgramKey, maxLogShardHeight: Int = 16) -> RunRecursion {
        RunRecursion(
            key: key,
            shardConfig: .testing,
            config: .testing,
            compressConfig: StarkConfig(
                fri: FriParameters(logBlowup: 2, numQueries: 8, queryPowBits: 2, logFoldingArity: 2),
                securityFloor: 0,
                allowInsecure: true
            ),
            finalConfig: StarkConfig(
                fri: FriParameters(logBlowup: 2, numQueries: 10, queryPowBits: 2),
                securityFloor: 0,
                allowInsecure: true
            ),
            maxLogShardHeight: maxLogShardHeight
        )
    }

    /// The recursion proofs' (leaves and aggregates) FRI parameters: rate 1/4, 88 queries, 20
    /// bits of grinding before the queries and 18 before each challenge phase and each FRI
    /// commit round, folding by 8 down to a final polynomial of 16 coefficients: ≥ 100 proven
    /// bits up to the Johnson bound for recursion tables up to 2^21 arithmetic rows
    /// (`Tests/VMRecursionTests/RecursionParametersTests.swift`).
    /// A circuit that verifies a proof is about its queries times its opened columns, so the
    /// aggregate circuit over two of these proofs is 127k arithmetic ops, inside 2^17 rows (228k
    /// and 2^18 before input packs, checked Merkle roots and leaner FRI gadgets); at
    /// rate 1/2 (193 queries in unique decoding) it was 557k, and needed 2^20. The final
    /// polynomial stops FRI at the public table's codeword (2^6 points), two rounds earlier than
    /// a constant one would: each query's circuit loses those rounds' leaves, paths and folds
    /// (about 100 arithmetic ops and 10 permutations a query) and gains 15 Horner steps, which
    /// took the aggregate circuit from 250k to 228k ops and 43.1k to 41.4k permutations.
    public static var recursionParameters: FriParameters {
        FriParameters(
            logBlowup: 2,
            numQueries: 88,
            queryPowBits: 20,
            logFinalPolyLength: 4,
            phasePowBits: 18,
            logFoldingArity: 3,
            commitPowBits: 18
        )
    }

    /// The compress proof's FRI parameters: rate 1/16, 42 queries, 22 bits of grinding before
    /// the queries and 18 before each challenge phase and each commit round, folding by 16 down
    /// to a final polynomial of 16 coefficients (the height of the public table, the shortest):
    /// ≥ 100 proven bits up to the Johnson bound (``finalRegime``). The wrap circuit verifies
    /// this proof, so its 42 queries (against the recursion proofs' 88) are what make the wrap
    /// circuit, and so the final proof, small: 63k arithmetic ops, inside 2^16 rows (at rate 1/8
    /// and 58 queries it was 83k, and 2^17 rows at rate 1/64 took the final proof from 20 to
    /// 26–31 s); the higher rate costs one proof per run (5 s → 9–10 s).
    public static var compressParameters: FriParameters {
        FriParameters(
            logBlowup: 4,
            numQueries: 42,
            queryPowBits: 22,
            logFinalPolyLength: 4,
            phasePowBits: 18,
            logFoldingArity: 4,
            commitPowBits: 18
        )
    }

    /// The final proof's FRI parameters: rate 1/64, 27 queries, 24 bits of grinding before the
    /// queries (a query is worth about 2.8 bits here: four bits of grinding, a few seconds of
    /// one core, replace one query and 1.2% of the final proof) and 20 before each challenge
    /// phase and each commit round, FRI folding by 16 down to a final polynomial of 16
    /// coefficients: ≥ 100 proven bits up to the Johnson bound (``finalRegime``), where unique
    /// decoding caps a query at 0.99 bits at this rate. The final proof is verified natively
    /// only, so neither its blowup nor its regime reaches a recursion circuit.
    public static var finalParameters: FriParameters {
        FriParameters(
            logBlowup: 6,
            numQueries: 27,
            queryPowBits: 24,
            logFinalPolyLength: 4,
            phasePowBits: 20,
            logFoldingArity: 4,
            commitPowBits: 20
        )
    }

    /// The regime the compress and final proofs' 100 bits are proven in: up to the Johnson
    /// bound (BCHKS25; the calculator picks the multiplicity: at rate 1/64 a query is worth
    /// about 2.8 bits against 0.99 in unique decoding, and the larger proximity-gap error of
    /// the batching and commit rounds is bought back by their grinding bits).
    public static var finalRegime: SoundnessRegime { .johnsonBound }

    static var zeroDigest: [RF] { [RF](repeating: .zero, count: 8) }

    /// Most shards a verifier accepts in one run or segment.
    public static var maxShards: Int { VMProof.maxShards }

    /// The smallest recursion shape: 2^8 rows a table, below which the soundness bound of a
    /// proof does not hold (DEEP's multi-point condition).
    static let minimumShape = RecursionShape(arith: 1 << 8, poseidon2: 1 << 8, input: 1 << 8)

    /// The leaf circuit of `shard`, with the aggregate key carried in its statement.
    func leaf(_ shard: ShardProof, aggregateKey: [RF]) throws(VerificationError) -> CircuitBuilder {
        try LeafCircuit.build(shard: shard, key: key, config: shardConfig, aggregateKey: aggregateKey)
    }

    /// The leaf circuit of a shard of shape `s` (its output aside), from a placeholder proof.
    func leafBuilder(_ s: ShardShape) throws(VerificationError) -> CircuitBuilder {
        let airs = key.airs(output: [], start: nil, final: nil, accelerators: s.accelerators)
        let proof = try StarkProof<VMField>.placeholder(airs: airs, logHeights: s.logHeights, fri: shardConfig.fri)
        return try leaf(
            ShardProof(output: [], accelerators: s.accelerators, stark: proof),
            aggregateKey: Self.zeroDigest
        )
    }

    /// The shape a leaf circuit of `heights` (unpadded) is proven in: the recursion shape
    /// `shape` when it fits, else its own heights (at least ``minimumShape``).
    static func leafShape(_ heights: RecursionShape, recursion shape: RecursionShape) -> RecursionShape {
        heights.fits(in: shape) ? shape : heights.union(minimumShape)
    }

    /// The wrap circuit that normalizes a leaf proven in `leafShape` (whose key root is `root`)
    /// into a segment proof of the recursion shape: built from a placeholder proof.
    func normalizeCircuit(leafShape: RecursionShape, root: [RF]) throws(VerificationError) -> CircuitBuilder {
        try WrapCircuit.build(
            inner: try placeholderSegment(leafShape).proof,
            shape: leafShape,
            root: root,
            config: config
        )
    }

    /// The leaf circuit of the largest shard (every accelerator table, every table
    /// 2^`maxLogShardHeight` rows), unpadded: the largest shape a leaf proof takes, and the
    /// circuit whose normalizing wrap circuit the recursion shape must hold.
    public func largestLeafCircuit() throws(VerificationError) -> RecursionCircuit {
        let largest = ShardShape(
            accelerators: .all,
            logHeights: [Int](repeating: maxLogShardHeight, count: ShardTable.tables(.all).count),
            output: []
        )
        return try leafBuilder(largest).build().circuit
    }

    /// The AIRs of a segment proof of `shape`.
    static func segmentAirs(_ shape: RecursionShape) -> [any Air<RF>] {
        RecursionVerifyingKey.airs(shape: shape, publicCount: SegmentStatement.count)
    }

    /// `log2` of each table's height in a segment proof of `shape`, in statement order.
    static func segmentLogHeights(_ shape: RecursionShape) -> [Int] {
        RecursionVerifyingKey.heights(shape: shape, publicCount: SegmentStatement.count).map { $0.trailingZeroBitCount }
    }

    /// A placeholder segment proof of `shape` (its values are never read), made under `fri`
    /// (by default the recursion proofs' parameters).
    func placeholderSegment(
        _ shape: RecursionShape,
        fri: FriParameters? = nil
    ) throws(VerificationError) -> AggregateCircuit.Child {
        let p = try StarkProof<RF>.placeholder(
            airs: Self.segmentAirs(shape),
            logHeights: Self.segmentLogHeights(shape),
            fri: fri ?? config.fri
        )
        return AggregateCircuit.Child(proof: p, isAggregate: false)
    }

    /// The keys of this configuration, computed once per process (several circuit builds).
    public func keys() throws(AggregationError) -> RecursionKeys {
        let id = KeyCache.ID(
            shard: shardConfig.fri,
            config: config.fri,
            compress: compressConfig.fri,
            final: finalConfig.fri,
            maxLogShardHeight: maxLogShardHeight
        )
        if let known = KeyCache.shared.withLock({ $0.keys[id] }) { return known }
        let keys: RecursionKeys
        do {
            // The aggregate circuit over two proofs of `shape`, grown until it fits in `shape`,
            // from the smallest shape; and the wrap circuit that normalizes the largest leaf
            // (every accelerator table, every table 2^maxLogShardHeight rows), which bounds the
            // normalizing circuit of every leaf too tall for the shape.
            let largestLeaf = try largestLeafCircuit().heights.union(Self.minimumShape)
            let normalize = try normalizeCircuit(leafShape: largestLeaf, root: Self.zeroDigest).build().circuit
            var shape = Self.minimumShape.union(normalize.heights)
            var aggregate: RecursionCircuit
            while true {
                let child = try placeholderSegment(shape)
                aggregate = try AggregateCircuit.build(
                    left: child,
                    right: child,
                    shape: shape,
                    config: config,
                    aggregateKey: Self.zeroDigest
                ).build(shape: shape).circuit
                if aggregate.heights == shape { break }
                shape = shape.union(aggregate.heights)
            }
            let compressCircuit = try FinalCircuit.build(
                root: try placeholderSegment(shape),
                shape: shape,
                config: config,
                aggregateKey: Self.zeroDigest
            ).build().circuit
            let compress = try RecursionVerifyingKey(circuit: compressCircuit, config: compressConfig)
            let wrap = try WrapCircuit.build(
                inner: try placeholderSegment(compress.shape, fri: compressConfig.fri).proof,
                key: compress,
                config: compressConfig
            ).build().circuit
            keys = RecursionKeys(
                shape: shape,
                aggregate: try RecursionVerifyingKey(circuit: aggregate, config: config),
                compress: compress,
                final: try RecursionVerifyingKey(circuit: wrap, config: finalConfig)
            )
        } catch {
            throw .proof(error)
        }
        KeyCache.shared.withLock { $0.keys[id] = keys }
        return keys
    }

    /// The key of a shard's segment proof, for a shard of shape `s` (it does not depend on the
    /// bytes the shard commits): its leaf circuit's key, or for a leaf taller than the recursion
    /// shape, the key of the wrap circuit that normalizes it (``leafPlan(_:)``). This is the key
    /// an aggregate finds in the shard's proof and folds into its key digest.
    public func leafKey(_ s: ShardShape) throws(AggregationError) -> RecursionVerifyingKey {
        try leafPlan(s).segmentKey
    }

    /// How the leaf of a shard of shape `s` is proven, with its keys: from placeholder proofs,
    /// cached per process.
    ///
    /// A leaf circuit whose tables fit the recursion shape is padded to it, and its proof is the
    /// shard's segment proof. A taller one (a shard with every accelerator table at 2^22 rows
    /// is about a million arithmetic ops, four times the shape) is proven in its own shape, and
    /// ``WrapCircuit`` over that proof, with the leaf's key a constant, is proven in the
    /// recursion shape: one more proof for such a shard, so that the aggregate circuit, which
    /// is sized by its children's queries and not their heights, stays at the recursion shape.
    public func leafPlan(_ s: ShardShape) throws(AggregationError) -> LeafPlan {
        let tables = ShardTable.tables(s.accelerators).count
        guard s.logHeights.count == tables else {
            throw .statement("\(s.logHeights.count) table heights for \(tables) tables")
        }
        let keys = try keys()
        let id = KeyCache.LeafID(
            shard: shardConfig.fri,
            config: config.fri,
            shape: keys.shape,
            accelerators: s.accelerators,
            logHeights: s.logHeights
        )
        if let known = KeyCache.shared.withLock({ $0.leaves[id] }) { return known }
        let plan: LeafPlan
        do {
            let leaf = try leafBuilder(s)
            let leafShape = Self.leafShape(leaf.build().circuit.heights, recursion: keys.shape)
            let leafKey = try RecursionVerifyingKey(circuit: leaf.build(shape: leafShape).circuit, config: config)
            var normalizeKey: RecursionVerifyingKey?
            if leafShape != keys.shape {
                let (circuit, _) = try normalizeCircuit(leafShape: leafShape, root: leafKey.root.elements)
                    .build(shape: keys.shape)
                guard circuit.heights == keys.shape else {
                    throw AggregationError.statement(
                        "a shard whose normalized leaf does not fit the recursion shape \(keys.shape)"
                    )
                }
                normalizeKey = try RecursionVerifyingKey(circuit: circuit, config: config)
            }
            plan = LeafPlan(leafShape: leafShape, leafKey: leafKey, normalizeKey: normalizeKey)
        } catch let e as AggregationError {
            throw e
        } catch let e as VerificationError {
            throw .proof(e)
        } catch {
            throw .statement("\(error)")
        }
        KeyCache.shared.withLock { $0.insertLeaf(id, plan) }
        return plan
    }

    /// The digest of `leaves` folded as ``RunAggregator`` pairs proofs: adjacent ones level by
    /// level, an odd last one carried up (the left-balanced tree of RFC 6962). A segment of
    /// the tree is folded the same way over its own leaves.
    public static func treeDigest(_ leaves: [[RF]]) -> [RF] {
        let compression = TruncatedPermutation<RF>(permutation: Poseidon2(width: 16))
        var level = leaves
        while level.count > 1 {
            var next: [[RF]] = []
            for i in stride(from: 0, to: level.count - 1, by: 2) {
                next.append(compression.compress(Digest(level[i]), Digest(level[i + 1])).elements)
            }
            if level.count % 2 == 1 { next.append(level.last!) }
            level = next
        }
        return level.first ?? zeroDigest
    }
}

/// Recursion keys computed in this process (building a circuit takes about a second).
struct KeyCache: Sendable {
    struct ID: Hashable, Sendable {
        var shard: FriParameters
        var config: FriParameters
        var compress: FriParameters
        var final: FriParameters
        var maxLogShardHeight: Int
    }
    struct LeafID: Hashable, Sendable {
        var shard: FriParameters
        var config: FriParameters
        var shape: RecursionShape
        var accelerators: ShardAccelerators
        var logHeights: [Int]
    }
    /// Most leaf keys kept (a verifier fed many distinct shapes must not grow without bound).
    static let maxLeaves = 256

    var keys: [ID: RecursionKeys] = [:]
    var leaves: [LeafID: LeafPlan] = [:]

    mutating func insertLeaf(_ id: LeafID, _ key: LeafPlan) {
        if leaves.count >= Self.maxLeaves { leaves.removeAll(keepingCapacity: true) }
        leaves[id] = key
    }

    static let shared = Mutex(KeyCache())
}

extension RunRecursion {
    /// The proven security of a final proof (in the final configuration's regime) and of the
    /// compress, recursion and shard proofs below it (in theirs): the lowest of them. Recursion
    /// proofs count in every shape they are made in: the recursion shape and the shapes of
    /// leaves too tall for it.
    public func provenBits(_ final: FinalProof) throws(AggregationError) -> Int {
        let keys = try keys()
        func bits(
            _ airs: [any Air<RF>],
            _ logHeights: [Int],
            _ fri: FriParameters,
            _ regime: SoundnessRegime
        ) -> Int {
            let sp = soundnessParameters(
                shapes: airs.map { AirShape(of: $0) },
                logHeights: logHeights,
                fri: fri,
                fieldType: RF.self
            )
            return Soundness.report(sp, regime: regime).bits
        }
        // Once per distinct shard shape (a run's shards mostly share one).
        let shardShapes = Set(
            final.shards.map { ShardShape(accelerators: $0.accelerators, logHeights: $0.logHeights, output: []) }
        )
        var recursionShapes: Set<RecursionShape> = [keys.shape]
        for s in shardShapes { recursionShapes.insert(try leafPlan(s).leafShape) }
        let recursionBits = recursionShapes.map {
            bits(Self.segmentAirs($0), Self.segmentLogHeights($0), config.fri, config.regime)
        }
        let shardBits = shardShapes.map { s in
            key.provenBits(
                accelerators: s.accelerators,
                logHeights: s.logHeights,
                fri: shardConfig.fri,
                regime: shardConfig.regime
            )
        }
        return min(
            recursionBits.min()!,
            bits(
                keys.compress.airs,
                Self.segmentLogHeights(keys.compress.shape),
                compressConfig.fri,
                compressConfig.regime
            ),
            bits(keys.final.airs, final.proof.tables.map(\.logHeight), final.proof.fri, finalConfig.regime),
            shardBits.min() ?? 0
        )
    }
}
