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

    /// Each kind of tampering is reported at the position of the tampered opening, with its error.
    @Test func reportsTheTamperedOpening() throws {
        let (root, dims, indices, openings) = try fixture(count: 20)
        typealias Tamper = (inout [Int], inout [MerkleOpening<Poseidon2MerkleHasher<F>>]) -> Void
        let tamperings: [(Int, MerkleError, Tamper)] = [
            (3, .rootMismatch, { _, o in o[3].openedRows[0][1] += .one }),
            (9, .rootMismatch, { _, o in o[9].openedRows[1][2] += .one }),
            (12, .rootMismatch, { _, o in o[12].siblings[4] = Digest([F](repeating: .one, count: 8)) }),
            (15, .rootMismatch, { i, _ in i[15] ^= 1 }),
            (17, .indexOutOfRange(index: 64, height: 64), { i, _ in i[17] = 64 }),
            (5, .wrongPathLength(expected: 6, actual: 5), { _, o in o[5].siblings.removeLast() }),
            (19, .wrongRowWidth(matrix: 2, expected: 11, actual: 12), { _, o in o[19].openedRows[2].append(.one) }),
        ]
        for (position, expected, tamper) in tamperings {
            var idx = indices
            var ops = openings
            tamper(&idx, &ops)
            #expect(throws: MerkleBatchError(position: position, error: expected)) {
                try MerkleTree.verifyBatch(hasher: hasher, root: root, dimensions: dims, indices: idx, openings: ops)
            }
        }
        #expect(throws: MerkleBatchError.self) {
            try MerkleTree.verifyBatch(hasher: hasher, root: root, dimensions: dims, indices: [1], openings: openings)
        }
    }
}
