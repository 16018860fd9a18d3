import Algebra
import Testing

@testable import Hashing

@Suite("Merkle commitments")
struct MerkleTreeTests {
    typealias F = KoalaBear
    let hasher = Poseidon2MerkleHasher<F>()

    func matrix(_ rng: inout TestRNG, width: Int, height: Int) -> MatrixRows<F> {
        MatrixRows(values: rng.elements(width * height), width: width)
    }

    /// The tree computed straight from the definition, one hash at a time.
    func referenceRoot(_ ms: [MatrixRows<F>]) -> Digest<F> {
        let heights = ms.map { $0.values.count / $0.width }
        let maxHeight = heights.max()!
        func rowsHash(height: Int, row: Int) -> Digest<F> {
            var input: [F] = []
            for (k, m) in ms.enumerated() where heights[k] == height {
                input += m.values[(row * m.width)..<((row + 1) * m.width)]
            }
            return hasher.sponge.hash(input)
        }
        var layer = (0..<maxHeight).map { rowsHash(height: maxHeight, row: $0) }
        while layer.count > 1 {
            let h = layer.count / 2
            layer = (0..<h).map { i in
                let node = hasher.compress(layer[2 * i], layer[2 * i + 1])
                return heights.contains(h) ? hasher.compress(node, rowsHash(height: h, row: i)) : node
            }
        }
        return layer[0]
    }

    @Test("Root equals the definition", arguments: [1, 2])
    func rootMatchesReference(threads: Int) throws {
        var rng = TestRNG(seed: 11)
        // Heights 256, 256, 16, 1; widths exercising partial sponge chunks and packed rows;
        // large enough that leaves and the first layers are built on several threads.
        let ms = [
            matrix(&rng, width: 5, height: 256), matrix(&rng, width: 1, height: 16),
            matrix(&rng, width: 11, height: 256), matrix(&rng, width: 3, height: 1),
        ]
        let mmcs = Poseidon2MerkleTreeMMCS<F>(hasher: hasher, threads: threads)
        let (root, tree) = try mmcs.commit(ms)
        #expect(root == referenceRoot(ms))
        #expect(tree.depth == 8)
    }

    @Test func singleRowTree() throws {
        var rng = TestRNG(seed: 12)
        let m = matrix(&rng, width: 4, height: 1)
        let mmcs = Poseidon2MerkleTreeMMCS<F>(hasher: hasher)
        let (root, tree) = try mmcs.commit([m])
        #expect(root == hasher.sponge.hash(m.values))
        let opening = try mmcs.open(index: 0, in: tree)
        #expect(opening.siblings.isEmpty)
        try mmcs.verify(root: root, dimensions: tree.dimensions, index: 0, opening: opening)
    }

    @Test func openVerifyRoundTripAtEveryIndex() throws {
        var rng = TestRNG(seed: 13)
        let ms = [
            matrix(&rng, width: 3, height: 32), matrix(&rng, width: 2, height: 8), matrix(&rng, width: 7, height: 32),
        ]
        let mmcs = Poseidon2MerkleTreeMMCS<F>(hasher: hasher, threads: 2)
        let (root, tree) = try mmcs.commit(ms)
        for index in 0..<32 {
            let opening = try mmcs.open(index: index, in: tree)
            #expect(opening.openedRows[0] == Array(ms[0].values[(3 * index)..<(3 * index + 3)]))
            #expect(opening.openedRows[1] == Array(ms[1].values[(2 * (index / 4))..<(2 * (index / 4) + 2)]))
            try mmcs.verify(root: root, dimensions: tree.dimensions, index: index, opening: opening)
        }
    }

    @Test func rejectsTampering() throws {
        var rng = TestRNG(seed: 14)
        let ms = [matrix(&rng, width: 4, height: 16), matrix(&rng, width: 2, height: 4)]
        let mmcs = Poseidon2MerkleTreeMMCS<F>(hasher: hasher)
        let (root, tree) = try mmcs.commit(ms)
        let dims = tree.dimensions
        let good = try mmcs.open(index: 5, in: tree)

        var badRow = good
        badRow.openedRows[0][2] += .one
        #expect(throws: MerkleError.rootMismatch) {
            try mmcs.verify(root: root, dimensions: dims, index: 5, opening: badRow)
        }

        var badSmallRow = good
        badSmallRow.openedRows[1][0] += .one
        #expect(throws: MerkleError.rootMismatch) {
            try mmcs.verify(root: root, dimensions: dims, index: 5, opening: badSmallRow)
        }

        var badSibling = good
        badSibling.siblings[2] = Digest(rng.elements(8, as: F.self))
        #expect(throws: MerkleError.rootMismatch) {
            try mmcs.verify(root: root, dimensions: dims, index: 5, opening: badSibling)
        }

        #expect(throws: MerkleError.rootMismatch) {
            try mmcs.verify(root: root, dimensions: dims, index: 4, opening: good)
        }
        #expect(throws: MerkleError.indexOutOfRange(index: 16, height: 16)) {
            try mmcs.verify(root: root, dimensions: dims, index: 16, opening: good)
        }
        #expect(throws: MerkleError.indexOutOfRange(index: -1, height: 16)) {
            try mmcs.verify(root: root, dimensions: dims, index: -1, opening: good)
        }

        var shortPath = good
        shortPath.siblings.removeLast()
        #expect(throws: MerkleError.wrongPathLength(expected: 4, actual: 3)) {
            try mmcs.verify(root: root, dimensions: dims, index: 5, opening: shortPath)
        }

        var wideRow = good
        wideRow.openedRows[1].append(.one)
        #expect(throws: MerkleError.wrongRowWidth(matrix: 1, expected: 2, actual: 3)) {
            try mmcs.verify(root: root, dimensions: dims, index: 5, opening: wideRow)
        }

        var missingRow = good
        missingRow.openedRows.removeLast()
        #expect(throws: MerkleError.wrongNumberOfRows(expected: 2, actual: 1)) {
            try mmcs.verify(root: root, dimensions: dims, index: 5, opening: missingRow)
        }

        #expect(throws: MerkleError.heightNotPowerOfTwo(matrix: 1, height: 3)) {
            try mmcs.verify(
                root: root,
                dimensions: [dims[0], MatrixDimensions(width: 2, height: 3)],
                index: 5,
                opening: good
            )
        }
        #expect(throws: MerkleError.rootMismatch) {
            try mmcs.verify(
                root: root,
                dimensions: [dims[0], MatrixDimensions(width: 2, height: 8)],
                index: 5,
                opening: good
            )
        }
        #expect(throws: MerkleError.noMatrices) {
            try mmcs.verify(root: root, dimensions: [], index: 5, opening: good)
        }
        #expect(throws: MerkleError.emptyMatrix(matrix: 0)) {
            try mmcs.verify(
                root: root,
                dimensions: [MatrixDimensions(width: 0, height: 16), dims[1]],
                index: 5,
                opening: good
            )
        }
    }

    @Test func rejectsBadMatrices() {
        let mmcs = Poseidon2MerkleTreeMMCS<F>(hasher: hasher)
        #expect(throws: MerkleError.noMatrices) { try mmcs.commit([MatrixRows<F>]()) }
        #expect(throws: MerkleError.heightNotPowerOfTwo(matrix: 0, height: 3)) {
            try mmcs.commit([MatrixRows(values: [F](repeating: .one, count: 6), width: 2)])
        }
        #expect(throws: MerkleError.raggedMatrix(matrix: 0)) {
            try mmcs.commit([MatrixRows(values: [F](repeating: .one, count: 5), width: 2)])
        }
        #expect(throws: MerkleError.emptyMatrix(matrix: 0)) {
            try mmcs.commit([MatrixRows(values: [F](), width: 2)])
        }
    }

    @Test func babyBearRoundTrip() throws {
        var rng = TestRNG(seed: 15)
        let m = MatrixRows<BabyBear>(values: rng.elements(8 * 128), width: 8)
        let mmcs = Poseidon2MerkleTreeMMCS<BabyBear>(hasher: Poseidon2MerkleHasher(), threads: 2)
        let (root, tree) = try mmcs.commit([m])
        let opening = try mmcs.open(index: 77, in: tree)
        try mmcs.verify(root: root, dimensions: [MatrixDimensions(width: 8, height: 128)], index: 77, opening: opening)
    }
}
