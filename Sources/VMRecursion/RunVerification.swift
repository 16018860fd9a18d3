import Algebra
import Recursion
import Stark
import VMProver

/// What an aggregated run proves, once verified.
public struct VerifiedAggregatedRun: Sendable, Equatable {
    public var exitCode: UInt32
    public var output: [UInt8]
    public var cycles: UInt64
    public var shards: Int
}

extension RunRecursion {
    /// Most distinct shard shapes one run or segment may have: each costs the verifier a leaf
    /// key (a circuit build, about a second) the first time it is seen.
    public static var maxShardShapes: Int { 64 }

    /// Verifies a segment proof of this program: a leaf proof under its shard's leaf key, or an
    /// aggregate proof under the aggregate key whose key digest is the tree of its shards'
    /// leaf keys. Its statement must be this program's shards `firstShard...lastShard` (from
    /// the ELF's image and entry when `firstShard` is 0), with the output digest of the
    /// claimed outputs. A segment need not halt.
    public func verifySegment(_ p: SegmentProof) throws(AggregationError) {
        let keys = try keys()
        let n = p.shards.count
        guard p.isAggregate == (n > 1) else {
            throw .statement("a \(p.isAggregate ? "aggregate" : "leaf") of \(n) shards")
        }
        let leafKeys = try check(p.statement, shards: p.shards, keys: keys)
        let s = p.statement
        if n > 1 {
            guard s.keysDigest == Self.treeDigest(leafKeys.map(\.root.elements)) else {
                throw .statement("the leaves are not this program's leaf circuits")
            }
        }
        do {
            try RecursionProver.verify(
                key: n > 1 ? keys.aggregate : leafKeys[0],
                proof: p.proof,
                publicValues: s.values,
                config: config
            )
        } catch {
            throw .proof(error)
        }
    }

    /// Verifies a final proof of a whole run of this program: the proof under the final key,
    /// and its statement: this program, from the ELF's image and entry, shards 0 to the last,
    /// halted, the leaf keys of the shards' shapes folded into the key digest, the aggregate
    /// key this configuration's, the output digest the claimed outputs'.
    public func verify(_ f: FinalProof) throws(AggregationError) -> VerifiedAggregatedRun {
        let keys = try keys()
        let s = f.statement
        guard s.firstShard == .zero else { throw .statement("does not start at shard 0") }
        guard s.halted == .one else { throw .statement("the run does not halt") }
        let leafKeys = try check(s, shards: f.shards, keys: keys)
        guard s.keysDigest == Self.treeDigest(leafKeys.map(\.root.elements)) else {
            throw .statement("the leaves are not this program's leaf circuits")
        }
        do {
            try RecursionProver.verify(key: keys.final, proof: f.proof, publicValues: s.values, config: finalConfig)
        } catch {
            throw .proof(error)
        }
        return VerifiedAggregatedRun(
            exitCode: s.exitCode,
            output: f.output,
            cycles: UInt64(s.cycles.canonical),
            shards: f.shards.count
        )
    }

    /// The checks of a statement over `shards` that do not need its proof; returns the leaf
    /// keys of the shards. Cheap checks come first, the leaf keys (circuit builds) last.
    func check(
        _ s: SegmentStatement,
        shards: [ShardShape],
        keys: RecursionKeys
    ) throws(AggregationError) -> [RecursionVerifyingKey] {
        let n = shards.count
        guard (1...Self.maxShards).contains(n) else { throw .statement("\(n) shards") }
        guard s.programId == key.programId.elements else { throw .statement("another program") }
        let first = Int(s.firstShard.canonical)
        guard first <= Self.maxShards - n, s.lastShard.canonical == UInt32(first + n - 1) else {
            throw .statement("\(n) shards claimed for shards \(s.firstShard)…\(s.lastShard)")
        }
        if first == 0 {
            guard s.startImage == key.startImageRoot.elements, s.startPC == RF(key.program.entry) else {
                throw .statement("does not start at the ELF's image and entry")
            }
        }
        guard s.exitLo.canonical < 1 << 16, s.exitHi.canonical < 1 << 16 else {
            throw .statement("an exit code limb above 16 bits")
        }
        guard s.aggregateKey == keys.aggregate.root.elements else { throw .statement("another aggregate key") }
        // Cycles: each shard ran at most its CPU table's height; the sum must stay below the
        // field's modulus for the statement's field sum to be exact.
        var bound: UInt64 = 0
        for (k, shard) in shards.enumerated() {
            let tables = ShardTable.tables(shard.accelerators)
            guard shard.logHeights.count == tables.count,
                shard.logHeights.allSatisfy({ $0 <= ProofLimits.maxLogHeight })
            else {
                throw .statement(
                    "shard \(first + k): \(shard.logHeights.count) table heights for \(tables.count) tables"
                )
            }
            bound += UInt64(1) << shard.logHeights[tables.firstIndex(of: .cpu)!]
        }
        guard bound < UInt64(RF.modulus) else {
            throw .statement("shards of up to \(bound) cycles: too many for one proof")
        }
        guard UInt64(s.cycles.canonical) <= bound else {
            throw .statement("\(s.cycles) cycles in shards of \(bound) rows")
        }
        guard
            Set(shards.map { LeafShapeID(accelerators: $0.accelerators, logHeights: $0.logHeights) }).count
                <= Self.maxShardShapes
        else { throw .statement("more than \(Self.maxShardShapes) distinct shard shapes") }

        // The output digest: the tree of the shards' output roots.
        var roots: [[RF]] = []
        for (k, shard) in shards.enumerated() {
            let airs = key.airs(output: shard.output, start: nil, final: nil, accelerators: shard.accelerators)
            let root: StarkDigest<VMField>?
            do {
                root = try StarkVerifier(config: shardConfig).preprocessedRoot(
                    airs: airs,
                    group: ShardCommitmentGroup.output
                )
            } catch {
                throw .shard(first + k, error)
            }
            guard let root else { throw .statement("shard \(first + k) has no output table") }
            roots.append(root.elements)
        }
        guard s.outputDigest == Self.treeDigest(roots) else { throw .statement("the output is not the one proven") }

        var leafKeys: [RecursionVerifyingKey] = []
        for (k, shard) in shards.enumerated() {
            do { leafKeys.append(try leafKey(shard)) } catch {
                if case .proof(let e) = error { throw .shard(first + k, e) }
                throw error
            }
        }
        return leafKeys
    }
}

/// A shard's shape without its output: what its leaf key depends on.
struct LeafShapeID: Hashable {
    var accelerators: ShardAccelerators
    var logHeights: [Int]
}
