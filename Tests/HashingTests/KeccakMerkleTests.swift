import Algebra
import Keccak
import Testing

@testable import Hashing

@Suite("Keccak Merkle hashing")
struct KeccakMerkleTests {
    typealias F = BabyBear
    let hasher = KeccakMerkleHasher<F>()

    @Test func emptyLeafIsKeccakOfNothing() {
        // Keccak-256 of the empty string (the well-known Ethereum constant).
        let expected = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
        #expect(hasher.hash(slices: []).description == expected)
    }

    @Test("Leaves hash canonical values as little-endian 32-bit words", arguments: [1, 33, 64, 65, 200])
    func leafSerialisation(count: Int) {
        var rng = TestRNG(seed: UInt64(count))
        let elements: [F] = rng.elements(count)
        var bytes: [UInt8] = []
        for e in elements { withUnsafeBytes(of: e.canonical.littleEndian) { bytes += $0 } }
        let digest = elements.withUnsafeBufferPointer { buf in
            hasher.hash(slices: [
                UnsafeBufferPointer(rebasing: buf[0..<(count / 2)]), UnsafeBufferPointer(rebasing: buf[(count / 2)...]),
            ])
        }
        #expect(digest.bytes == Keccak256.hash(bytes))
    }

    @Test func compressionHashesTheConcatenation() {
        let a = KeccakDigest(Keccak256.hash([1, 2, 3]))
        let b = KeccakDigest(Keccak256.hash([4, 5]))
        #expect(hasher.compress(a, b).bytes == Keccak256.hash(a.bytes + b.bytes))
    }

    @Test func commitOpenVerify() throws {
        var rng = TestRNG(seed: 21)
        let big = RowMajorMatrix<F>(values: rng.elements(3 * 64), width: 3)
        let small = RowMajorMatrix<F>(values: rng.elements(5 * 16), width: 5)
        let mmcs = KeccakMerkleTreeMMCS<F>(hasher: hasher, threads: 2)
        let (root, tree) = try mmcs.commit([big, small])
        for index in [0, 17, 63] {
            let opening = try mmcs.open(index: index, in: tree)
            try mmcs.verify(root: root, dimensions: tree.dimensions, index: index, opening: opening)
            var bad = opening
            bad.openedRows[1][4] += .one
            #expect(throws: MerkleError.rootMismatch) {
                try mmcs.verify(root: root, dimensions: tree.dimensions, index: index, opening: bad)
            }
        }
    }
}
