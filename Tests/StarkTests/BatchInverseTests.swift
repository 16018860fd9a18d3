import Algebra
import Stark
import Testing

/// The lane-parallel batch inversion against one inversion per element (the definition),
/// zeros included, at lengths around the lane count.
@Suite("Packed batch inversion")
struct BatchInverseTests {
    typealias F = KoalaBear
    typealias E = QuarticExtension<F>

    @Test(arguments: [0, 1, 7, 8, 9, 64, 1000, 1027])
    func matchesOneInversionPerElement(count: Int) {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(count)
        func next() -> F {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return F(UInt32(truncatingIfNeeded: state >> 33) % F.modulus)
        }
        var values = (0..<count).map { i -> E in
            i % 5 == 3 ? .zero : E(next(), next(), next(), next())
        }
        let expected = values.map { $0.inverse() ?? .zero }
        var scratch = [PackedExt<F>](repeating: .zero, count: count / F.Packing.width + 1)
        values.withUnsafeMutableBufferPointer { v in
            scratch.withUnsafeMutableBufferPointer { s in packedBatchInverseInPlace(v, scratch: s) }
        }
        #expect(values == expected)
        for (v, e) in zip(values, expected) where !e.isZero { #expect(v * (e.inverse() ?? .zero) == .one) }
    }
}
