import EVMPrimitives

/// A recent canonical block, as ommer validation sees it.
public struct RecentBlock: Sendable {
    public var header: BlockHeader
    /// The hashes of its ommers.
    public var ommerHashes: [Bytes32]

    /// A recent block from its header and its ommers' hashes.
    public init(header: BlockHeader, ommerHashes: [Bytes32]) {
        self.header = header
        self.ommerHashes = ommerHashes
    }
}

extension Block {
    /// The deepest an ommer may lie below the block that includes it.
    public static var maximumOmmerDepth: UInt64 { 6 }

    /// Checks the ommers of a proof-of-work block (the Yellow Paper's rules, as the execution
    /// specs state them): at most two, distinct, each numbered below the block and 1 to 6
    /// generations back, its parent a recent canonical block other than the block's parent,
    /// not itself the block, a canonical block or an ommer already included, and its header
    /// valid against its parent under `fork`.
    ///
    /// - Parameter recent: the block's parent and its ancestors, up to
    ///   ``maximumOmmerDepth`` + 1 blocks, newest first.
    public func validateOmmers(recent: [RecentBlock], fork: Fork) throws(BlockError) {
        if ommers.isEmpty { return }
        var canonical: [Bytes32: BlockHeader] = [:]
        var included: Set<Bytes32> = []
        for r in recent.prefix(Int(Block.maximumOmmerDepth) + 1) {
            canonical[r.header.hash] = r.header
            for h in r.ommerHashes { included.insert(h) }
        }
        for (i, o) in ommers.enumerated() {
            guard o.number >= 1, o.number < header.number, let parent = canonical[o.parentHash] else {
                throw .ommerNotRelated(index: i)
            }
            do {
                try o.validate(parent: parent, fork: fork, parentFork: fork)
            } catch {
                throw .invalidOmmer(index: i, error)
            }
        }
        if ommers.count > 2 { throw .tooManyOmmers }
        let hashes = ommers.map { $0.hash }
        if Set(hashes).count != hashes.count { throw .duplicateOmmer }
        let blockHash = header.hash
        for (i, o) in ommers.enumerated() {
            let h = hashes[i]
            if h == blockHash || canonical[h] != nil || included.contains(h) {
                throw .ommerAlreadyIncluded(index: i)
            }
            let age = header.number &- o.number
            if age < 1 || age > Block.maximumOmmerDepth || o.parentHash == header.parentHash {
                throw .ommerNotRelated(index: i)
            }
        }
    }
}
