import Algebra
import Testing

@testable import Hashing

@Suite("Batched Merkle verification")
struct MerkleBatchVerifyTests {
    typealias F = KoalaBear
    let hasher = Poseidon2MerkleHasher<F>()

    /// A tree of three matrices of two heights, opened at `count` indices (repeats included).
    func fixture(count: Int) throws -> (Digest<F>, [MatrixDimensions], [Int], [MerkleOpening<Poseidon2MerkleHasher<F>>])
    {
        var rng = TestRNG(seed: 77)
        let ms = [
            RowMajorMatrix(values: rng.elements(5 * 64, as: F.self), width: 5),
            RowMajorMatrix(values: rng.elements(3 * 16, as: F.self), width: 3),
            RowMajorMatrix(values: rng.elements(11 * 64, as: F.self), width: 11),
        ]
        let mmcs = Poseidon2MerkleTreeMMCS<F>(hasher: hasher)
        let (root, tree) = try mmcs.commit(ms)
        var indices: [Int] = []
        for _ in 0..<count { indices.append(Int(rng.next() % 64)) }
        let openings = try indices.map { try mmcs.open(index: $0, in: tree) }
        return (root, tree.dimensions, indices, openings)
    }

    /// Every batch size around the packed width of 8 verifies, like one opening at a time.
    @Test(arguments: [1, 7, 8, 9, 17, 203])
    func acceptsHonestOpenings(count: Int) throws {
        let (root, dims, indices, openings) = try fixture(count: count)
        try MerkleTree.verifyBatch(hasher: hasher, root: root, dimensions: dims, indices: indices, openings: openings)
    }

    /// Each kind of tampering is reported at the position of the tampered opening, with the error
    /// the one-at-a-time verifier gives.
    @Test func reportsTheTamperedOpening() throws {
        let (root, dims, indices, openings) = try fixture(count: 20)
        var tamperings: [(Int, (inout [Int], inout [MerkleOpening<Poseidon2MerkleHasher<F>>]) -> Void)] = []
        tamperings.append((3, { _, o in o[3].openedRows[0][1] += .one }))
        tamperings.append((9, { _, o in o[9].openedRows[1][2] += .one }))
        tamperings.append((12, { _, o in o[12].siblings[4] = Digest([F](repeating: .one, count: 8)) }))
        tamperings.append((15, { i, _ in i[15] ^= 1 }))
        tamperings.append((17, { i, _ in i[17] = 64 }))
        tamperings.append((5, { _, o in o[5].siblings.removeLast() }))
        tamperings.append((19, { _, o in o[19].openedRows[2].append(.one) }))
        for (position, tamper) in tamperings {
            var idx = indices
            var ops = openings
            tamper(&idx, &ops)
            var single: MerkleError? = nil
            do {
                try MerkleTree.verify(
                    hasher: hasher,
                    root: root,
                    dimensions: dims,
                    index: idx[position],
                    opening: ops[position]
                )
            } catch { single = error }
            #expect(single != nil)
            #expect(throws: MerkleBatchError(position: position, error: single ?? .rootMismatch)) {
                try MerkleTree.verifyBatch(hasher: hasher, root: root, dimensions: dims, indices: idx, openings: ops)
            }
        }
        #expect(throws: MerkleBatchError.self) {
            try MerkleTree.verifyBatch(hasher: hasher, root: root, dimensions: dims, indices: [1], openings: openings)
        }
    }
}
