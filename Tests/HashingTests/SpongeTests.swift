import Algebra
import Testing

@testable import Hashing

@Suite("Sponge and compression")
struct SpongeTests {
    let permutation = Poseidon2<KoalaBear>(width: 16)

    @Test func emptyInputHashesToZero() {
        #expect(PaddingFreeSponge(permutation: permutation).hash([KoalaBear]()) == .zero)
    }

    @Test("Absorption overwrites the rate and permutes after every chunk", arguments: [1, 5, 8, 9, 16, 21])
    func spongeMatchesDefinition(length: Int) {
        var rng = TestRNG(seed: UInt64(length))
        let input: [KoalaBear] = rng.elements(length)
        var state = [KoalaBear](repeating: .zero, count: 16)
        var i = 0
        while i < length {
            let chunk = input[i..<min(i + 8, length)]
            for (k, x) in chunk.enumerated() { state[k] = x }
            permutation.permute(&state)
            i += 8
        }
        let sponge = PaddingFreeSponge(permutation: permutation)
        let digest = sponge.hash(input)
        #expect(digest.elements == Array(state[0..<8]))
        // Slices give the same digest as the concatenation.
        let split = min(3, length)
        let viaSlices = input.withUnsafeBufferPointer { buf in
            sponge.hash(slices: [
                UnsafeBufferPointer(rebasing: buf[0..<split]), UnsafeBufferPointer(rebasing: buf[split...]),
            ])
        }
        #expect(viaSlices == digest)
    }

    @Test func compressionIsTruncatedPermutation() {
        var rng = TestRNG(seed: 5)
        let left = Digest<KoalaBear>(rng.elements(8, as: KoalaBear.self))
        let right = Digest<KoalaBear>(rng.elements(8, as: KoalaBear.self))
        var state = left.elements + right.elements
        permutation.permute(&state)
        let c = TruncatedPermutation(permutation: permutation)
        #expect(c.compress(left, right).elements == Array(state[0..<8]))
        #expect(c.compress(left, right) != c.compress(right, left))
    }

    @Test func packedCompressionEqualsScalar() {
        var rng = TestRNG(seed: 6)
        let c = TruncatedPermutation<BabyBear>()
        let lefts = (0..<8).map { _ in Digest<BabyBear>(rng.elements(8, as: BabyBear.self)) }
        let rights = (0..<8).map { _ in Digest<BabyBear>(rng.elements(8, as: BabyBear.self)) }
        var out = [Digest<BabyBear>](repeating: .zero, count: 8)
        out.withUnsafeMutableBufferPointer { o in
            c.compress8(left: lefts, right: rights, out: o.baseAddress!)
        }
        #expect(out == zip(lefts, rights).map { c.compress($0, $1) })
    }

    @Test("16 packed compressions equal scalar ones, strided inputs", arguments: [1, 2])
    func packedCompression16EqualsScalar(stride: Int) {
        var rng = TestRNG(seed: 60 + UInt64(stride))
        let c = TruncatedPermutation<KoalaBear>()
        let lefts = (0..<(16 * stride)).map { _ in Digest<KoalaBear>(rng.elements(8, as: KoalaBear.self)) }
        let rights = (0..<(16 * stride)).map { _ in Digest<KoalaBear>(rng.elements(8, as: KoalaBear.self)) }
        var out = [Digest<KoalaBear>](repeating: .zero, count: 16)
        out.withUnsafeMutableBufferPointer { o in
            c.compress16(left: lefts, right: rights, stride: stride, out: o.baseAddress!)
        }
        #expect(out == (0..<16).map { c.compress(lefts[$0 * stride], rights[$0 * stride]) })
    }

    @Test func digestRoundTrips() {
        var rng = TestRNG(seed: 8)
        let e: [KoalaBear] = rng.elements(8)
        let d = Digest(e)
        #expect(d.elements == e)
        #expect(d.bytes.count == 32)
        #expect(d.bytes[0..<4] == [UInt8](withUnsafeBytes(of: e[0].canonical.littleEndian) { Array($0) })[...])
    }
}
