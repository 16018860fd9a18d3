import Algebra
import Testing

@testable import Stark

/// The Merkle path encoding of proof format 7: a bit mask of back-references after the
/// length, a digest per new node, an index per back-reference; one encoding per proof.
@Suite struct PathEncodingTests {
    typealias F = KoalaBear

    static func digest(_ seed: UInt32) -> StarkDigest<F> {
        StarkDigest((0..<8).map { F(seed &* 31 &+ UInt32($0)) })
    }

    /// Path A (9 levels) and path B, which shares A's nodes at levels 3 and 8.
    static let a = (0..<9).map { digest(100 + UInt32($0)) }
    static let b = (0..<9).map { [3, 8].contains($0) ? a[$0] : digest(200 + UInt32($0)) }

    static func encode(_ paths: [[StarkDigest<F>]], tree: Int = 0) -> [UInt8] {
        var w = ByteWriter()
        var nodes = PathNodes<F>()
        for p in paths { StarkProof<F>.writePath(&w, p, tree: tree, nodes: &nodes) }
        return w.bytes
    }

    static func decode(_ bytes: [UInt8], paths: Int) throws(DecodingError) -> [[StarkDigest<F>]] {
        var r = ByteReader(bytes)
        var nodes = PathNodes<F>()
        var out: [[StarkDigest<F>]] = []
        for _ in 0..<paths { out.append(try StarkProof<F>.readPath(&r, tree: 0, nodes: &nodes)) }
        try r.finish()
        return out
    }

    @Test func sharedNodesAreReferences() throws {
        let bytes = Self.encode([Self.a, Self.b])
        #expect(try Self.decode(bytes, paths: 2) == [Self.a, Self.b])
        // A: length, two mask bytes (zero), nine digests. B: length, mask bits 3 and 8, seven
        // digests, two one-byte references.
        #expect(Array(bytes[0...2]) == [9, 0, 0])
        let bStart = 3 + 9 * 32
        #expect(Array(bytes[bStart...(bStart + 2)]) == [9, 1 << 3, 1])
        #expect(bytes.count == bStart + 3 + 7 * 32 + 2)
        // The same nodes at another level are not shared.
        let shifted = [Self.a[1]] + Array(Self.a.dropLast())
        #expect(Self.encode([Self.a, shifted]).count == 2 * (3 + 9 * 32))
    }

    @Test func paddingBitsOfTheMaskAreRefused() throws {
        var bytes = Self.encode([Self.a])
        bytes[2] = 0x80  // bit 15 of a 9-level path
        #expect(throws: DecodingError.invalidTag("Merkle path mask")) { try Self.decode(bytes, paths: 1) }
    }

    @Test func referencesMustNameAKnownNode() throws {
        // A first path whose level 0 is marked as a reference: nothing is known yet.
        var first = Self.encode([Self.a])
        first[1] = 1
        #expect(throws: DecodingError.self) { try Self.decode(first, paths: 1) }
        // B's reference at level 8 (its last byte) names node 0 of that level; node 1 does not
        // exist.
        var bytes = Self.encode([Self.a, Self.b])
        let reference = bytes.count - 1
        #expect(bytes[reference] == 0)
        bytes[reference] = 1
        #expect(throws: DecodingError.self) { try Self.decode(bytes, paths: 2) }
    }

    @Test func aKnownNodeWrittenAgainIsRefused() throws {
        // B with its shared nodes written in full, as a non-canonical encoder would.
        var w = ByteWriter()
        var nodes = PathNodes<F>()
        StarkProof<F>.writePath(&w, Self.a, tree: 0, nodes: &nodes)
        var fresh = PathNodes<F>()
        StarkProof<F>.writePath(&w, Self.b, tree: 0, nodes: &fresh)
        #expect(throws: DecodingError.invalidTag("Merkle path node written twice")) {
            try Self.decode(w.bytes, paths: 2)
        }
    }
}
