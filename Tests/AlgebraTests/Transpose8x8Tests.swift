import Testing

@testable import Algebra

@Suite("8 × 8 transpose")
struct Transpose8x8Tests {
    /// Word `j` of row `l` lands in lane `l` of the vector at `out + j * stride`, for rows at
    /// unaligned, scattered addresses and output strides wider than a vector (nothing between
    /// the vectors is written).
    @Test(arguments: [32, 36, 64, 100])
    func matchesScalar(stride: Int) {
        var rng = SystemRandomNumberGenerator()
        let placement = [3, 0, 7, 2, 9, 4, 1, 11]  // row l starts at word 1 + 9 · placement[l]
        let words = (0..<120).map { _ in UInt32(truncatingIfNeeded: rng.next() as UInt64) }
        var out = [UInt8](repeating: 0xee, count: 8 * stride)
        words.withUnsafeBytes { w in
            let p = placement.map { w.baseAddress! + 4 * (1 + 9 * $0) }
            out.withUnsafeMutableBytes { o in
                transpose8x8((p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]), into: o.baseAddress!, stride: stride)
            }
        }
        out.withUnsafeBytes { o in
            for j in 0..<8 {
                let v = o.loadUnaligned(fromByteOffset: j * stride, as: SIMD8<UInt32>.self)
                for l in 0..<8 { #expect(v[l] == words[1 + 9 * placement[l] + j]) }
                for k in (j * stride + 32)..<((j + 1) * stride) { #expect(o[k] == 0xee) }
            }
        }
    }
}
