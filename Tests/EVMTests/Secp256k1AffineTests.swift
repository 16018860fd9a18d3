import EVMPrimitives
import Secp256k1
import Testing

/// The guests' affine path (`AffinePoints.swift`), run natively: the software bodies of the
/// point steps the guest linker routes to `secp256k1_add` / `secp256k1_double`, and the affine
/// `a·G + b·P`, against the Jacobian formulas.
struct Secp256k1AffineTests {
    /// A deterministic stream of 256-bit values.
    struct Stream {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func scalar() -> Scalar { Scalar(reducing: UInt256(next(), next(), next(), next())) }
    }

    static func words(_ p: AffinePoint) -> [UInt32] {
        [p.x.value, p.y.value].flatMap { v in
            [v.w0, v.w1, v.w2, v.w3].flatMap { [UInt32(truncatingIfNeeded: $0), UInt32(truncatingIfNeeded: $0 >> 32)] }
        }
    }

    @Test func pointStepsEqualJacobian() {
        var s = Stream(state: 0xAF1)
        for _ in 0..<8 {
            let p = JacobianPoint.multiplyGenerator(s.scalar())
            let q = JacobianPoint.multiplyGenerator(s.scalar())
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
        var s = Stream(state: 0xAF2)
        let g = AffinePoint.generator
        var cases: [(Scalar, Scalar, AffinePoint)] = [
            (.zero, s.scalar(), g), (s.scalar(), .zero, g),
            (Scalar(reducing: UInt256(5)), -Scalar(reducing: UInt256(5)), g),
            (Scalar(reducing: UInt256(3)), Scalar(reducing: UInt256(3)), g),
        ]
        for _ in 0..<6 { cases.append((s.scalar(), s.scalar(), JacobianPoint.multiplyGenerator(s.scalar()).affine!)) }
        for (a, b, p) in cases {
            let expected = JacobianPoint.doubleScalarMultiply(a, b, JacobianPoint(p)).affine
            #expect(AffinePoint.doubleScalarMultiply(a, b, p) == expected)
        }
    }
}
