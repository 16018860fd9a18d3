import Hashing

/// The digest of the Merkle trees and the transcript.
public typealias StarkDigest<F: Poseidon2Field> = Digest<F>

/// The Merkle commitment scheme of the STARK: Poseidon2 sponge leaves, 2-to-1 compression,
/// mixed matrix heights in one tree.
typealias StarkMMCS<F: Poseidon2Field> = Poseidon2MerkleTreeMMCS<F>
