import Algebra
import Hashing
import Stark

extension FriParameters {
    /// The zkVM shard proofs' FRI parameters: rate 1/4, 92 queries, 20 bits of grinding before
    /// the queries and 18 before each challenge phase and each FRI commit round, folding by 8:
    /// ≥ 100 bits proven up to the Johnson bound (``StarkConfig/vmShard``) for every shard, up to
    /// every accelerator table at 2^``maxLogShardSize`` rows (`ShardConfigTests`).
    ///
    /// Why not ``standard`` (rate 1/2, 193 queries, unique decoding): every shard proof is
    /// verified by a leaf recursion circuit, whose size is about the proof's queries times its
    /// columns. 92 queries make that circuit half as large, and so every leaf proof, for twice
    /// the shard's low-degree extension (the quotient and the trace generation do not grow) and
    /// about 2^18 permutations of grinding per phase and per commit round. The shard proof is
    /// half as large too.
    public static var vmShard: FriParameters {
        FriParameters(
            logBlowup: 2,
            numQueries: 92,
            queryPowBits: 20,
            logFinalPolyLength: 0,
            phasePowBits: 18,
            logFoldingArity: 3,
            commitPowBits: 18
        )
    }
}

extension StarkConfig where F == VMField {
    /// The configuration of production shard proofs: ``FriParameters/vmShard``, ≥ 100 bits
    /// proven up to the Johnson bound.
    public static var vmShard: StarkConfig { StarkConfig(fri: .vmShard, regime: .johnsonBound) }

    /// INSECURE test configuration (about 20 bits: ``FriParameters/testing``), for tests and
    /// development only.
    public static var vmTesting: StarkConfig { StarkConfig(fri: .testing, securityFloor: 0, allowInsecure: true) }

    /// ``vmTesting`` when `insecure`, ``vmShard`` otherwise.
    public static func vm(insecure: Bool) -> StarkConfig { insecure ? vmTesting : vmShard }
}
