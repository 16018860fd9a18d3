import Testing

@testable import Algebra

@Suite("Row gathers")
struct TransposeTests {
    /// `gatherRows8` puts column `c` of row `l` at `out[8c + l]`, for widths with and without a
    /// tail, with the eight rows scattered in memory (as bit-reversed LDE rows are).
    @Test(arguments: [1, 7, 8, 9, 16, 23, 64])
    func gatherMatchesScalar(width: Int) {
        var rng = SystemRandomNumberGenerator()
        let placement = [5, 0, 7, 2, 9, 4, 1, 11]  // row l lives at block placement[l] of 12
        let flat = (0..<(12 * width)).map { _ in KoalaBear(UInt32(truncatingIfNeeded: rng.next() as UInt64)) }
        var out = [KoalaBear](repeating: .zero, count: 8 * width)
        flat.withUnsafeBufferPointer { b in
            let p = placement.map { b.baseAddress! + $0 * width }
            out.withUnsafeMutableBufferPointer { o in
                gatherRows8((p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]), width: width, into: o.baseAddress!)
            }
        }
        for c in 0..<width {
            for l in 0..<8 { #expect(out[8 * c + l] == flat[placement[l] * width + c]) }
        }
    }
}
