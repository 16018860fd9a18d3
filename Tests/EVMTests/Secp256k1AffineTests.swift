import EVMPrimitives
import Secp256k1
import TestSupport
import Testing

/// The guests' affine path (`AffinePoints.swift`), run natively: the software bodies of the
/// point steps the guest linker routes to `secp256k1_add` / `secp256k1_double`, and the affine
/// `a·G + b·P`, against the Jacobian formulas.
struct Secp256k1AffineTests {
    /// A random scalar from a seeded generator.
    static func scalar(_ rng: inout SplitMix64) -> Scalar {
        Scalar(reducing: UInt256(rng.next(), rng.next(), rng.next(), rng.next()))
    }

    static func words(_ p: AffinePoint) -> [UInt32] {
        [p.x.value, p.y.value].flatMap { v in
            [v.w0, v.w1, v.w2, v.w3].flatMap { [UInt32(truncatingIfNeeded: $0), UInt32(truncatingIfNeeded: $0 >> 32)] }
        }
    }

    @Test func pointStepsEqualJacobian() {
        var rng = SplitMix64(seed: 0xAF1)
        for _ in 0..<8 {
            let p = JacobianPoint.multiplyGenerator(Self.scalar(&rng))
            let q = JacobianPoint.multiplyGenerator(Self.scalar(&rng))
            var sum = Self.words(p.affine!)
            let qw = Self.words(q.affine!)
            sum.withUnsafeMutableBufferPointer { a in
                qw.withUnsafeBufferPointer { b in secp256k1AffineAdd(a.baseAddress!, b.baseAddress!) }
            }
            #expect(sum == Self.words((p + q).affine!))
            var twice = Self.words(p.affine!)
            twice.withUnsafeMutableBufferPointer { secp256k1AffineDouble($0.baseAddress!) }
            #expect(twice == Self.words(p.doubled().affine!))
        }
    }

    /// Random scalars, and the edge cases the accumulator handles itself: a zero scalar, b·P = −a·G
    /// (infinity), and a·G = b·P (a doubling in place of an addition).
    @Test func linearCombinationEqualsJacobian() {
        var rng = SplitMix64(seed: 0xAF2)
        let g = AffinePoint.generator
        let (r1, r2) = (Self.scalar(&rng), Self.scalar(&rng))
        var cases: [(Scalar, Scalar, AffinePoint)] = [
            (.zero, r1, g), (r2, .zero, g),
            (Scalar(reducing: UInt256(5)), -Scalar(reducing: UInt256(5)), g),
            (Scalar(reducing: UInt256(3)), Scalar(reducing: UInt256(3)), g),
        ]
        for _ in 0..<6 {
            let (a, b, k) = (Self.scalar(&rng), Self.scalar(&rng), Self.scalar(&rng))
            cases.append((a, b, JacobianPoint.multiplyGenerator(k).affine!))
        }
        for (a, b, p) in cases {
            let expected = JacobianPoint.doubleScalarMultiply(a, b, JacobianPoint(p)).affine
            #expect(AffinePoint.doubleScalarMultiply(a, b, p) == expected)
        }
    }
}
