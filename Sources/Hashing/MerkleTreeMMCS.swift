import Algebra

/// A mixed-matrix commitment scheme over Merkle trees (Plonky3's `MerkleTreeMmcs`):
/// commit to several matrices of power-of-two heights at once, open one row
/// index of all of them, verify the opening.
public struct MerkleTreeMMCS<H: MerkleHasher>: Sendable {
    /// The leaf hash and the compression.
    public let hasher: H
    /// Threads used to build trees.
    public var threads: Int

    public init(hasher: H, threads: Int = 1) {
        self.hasher = hasher
        self.threads = threads
    }

    /// Commits to `matrices`: the root and the tree the prover keeps for openings.
    public func commit<M: MerkleMatrix>(
        _ matrices: [M]
    ) throws(MerkleError) -> (root: H.Digest, tree: MerkleTree<H>) where M.Element == H.Field {
        let tree = try MerkleTree(hasher: hasher, matrices: matrices, threads: threads)
        return (tree.root, tree)
    }

    /// The rows at `index` of every matrix and their authentication path.
    public func open(index: Int, in tree: MerkleTree<H>) throws(MerkleError) -> MerkleOpening<H> {
        try tree.open(index: index)
    }

    /// Checks an opening against a commitment; throws a `MerkleError` when it does not verify.
    public func verify(
        root: H.Digest,
        dimensions: [MatrixDimensions],
        index: Int,
        opening: MerkleOpening<H>
    ) throws(MerkleError) {
        try MerkleTree<H>.verify(hasher: hasher, root: root, dimensions: dimensions, index: index, opening: opening)
    }
}

/// The default commitment scheme: Poseidon2 width 16 sponge and compression over `F`.
public typealias Poseidon2MerkleTreeMMCS<F: Poseidon2Field> = MerkleTreeMMCS<Poseidon2MerkleHasher<F>>
