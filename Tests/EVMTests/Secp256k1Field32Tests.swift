import EVMPrimitives
import Testing

@testable import Secp256k1

/// The 32-bit-limb field products (the riscv32 path) against the 64-bit ones the host uses, on
/// random values and on the edges of the reductions.
@Suite struct Secp256k1Field32Tests {
    /// Field elements that stress the folds: 0, 1, p − 1, p − 2, 2^255, values with all-ones or
    /// zero words, and just below 2^256 − 2^32 (near p).
    static var edges: [FieldElement] {
        let p = FieldElement.p
        let raw: [UInt256] = [
            .zero, .one, UInt256(2), p &- 1, p &- 2, p &- UInt256(0x1_0000_0000), UInt256(0, 0, 0, 1 << 63),
            UInt256(~0, ~0, ~0, 0), UInt256(0, ~0, ~0, ~0), UInt256(~0, 0, ~0, 0), UInt256(0xFFFF_FFFF, 0, 0, 0),
            UInt256(0xFFFF_FFFF_0000_0000, ~0, ~0, ~0), UInt256(0x1_0000_03D1, 0, 0, 0),
            UInt256(0xFFFF_FFFE_FFFF_FC2E, ~0, ~0, ~0), UInt256(0xFFFF_FFFE_0000_0000, ~0, ~0, ~0),
        ]
        return raw.map { FieldElement(reducing: $0) }
    }

    static func randomElements(_ count: Int, seed: UInt64) -> [FieldElement] {
        var g = ValueGen(s: seed)
        return (0..<count).map { _ in FieldElement(reducing: UInt256(g.limb(), g.limb(), g.limb(), g.limb())) }
    }

    @Test func multiplyMatches64BitPath() {
        let values = Self.edges + Self.randomElements(400, seed: 32)
        for a in values {
            for b in values.prefix(40) {
                let expected = FieldElement.reduce(wideMul(a.value, b.value)).value
                #expect(fieldMul32(a.value, b.value) == expected, "\(a.value) · \(b.value)")
                #expect(fieldMul32(b.value, a.value) == expected)
            }
        }
    }

    /// The word-pointer products the zkVM guests route through `uint256_mulmod` (their software
    /// bodies, which they fall back to under qemu), against `UInt256.mulMod` by p (squares
    /// included) and by n.
    @Test func wordProductMatchesMulMod() {
        func words(_ v: UInt256) -> [UInt32] {
            [v.w0, v.w1, v.w2, v.w3].flatMap { [UInt32(truncatingIfNeeded: $0), UInt32(truncatingIfNeeded: $0 >> 32)] }
        }
        let values = Self.edges + Self.randomElements(60, seed: 34)
        for a in values {
            for b in values.prefix(20) + [a] {
                var r = [UInt32](repeating: 0, count: 8)
                let x = words(a.value)
                let y = words(b.value)
                x.withUnsafeBufferPointer { xp in
                    y.withUnsafeBufferPointer { yp in secp256k1FieldMul(&r, xp.baseAddress!, yp.baseAddress!) }
                }
                #expect(r == words(UInt256.mulMod(a.value, b.value, FieldElement.p)))
                x.withUnsafeBufferPointer { xp in secp256k1FieldMul(&r, xp.baseAddress!, xp.baseAddress!) }
                #expect(r == words(UInt256.mulMod(a.value, a.value, FieldElement.p)))
                // Scalars: the same words as integers below p, reduced mod n first.
                let (sa, sb) = (Scalar(reducing: a.value), Scalar(reducing: b.value))
                let (u, v) = (words(sa.value), words(sb.value))
                u.withUnsafeBufferPointer { up in
                    v.withUnsafeBufferPointer { vp in secp256k1ScalarMul(&r, up.baseAddress!, vp.baseAddress!) }
                }
                #expect(r == words(UInt256.mulMod(sa.value, sb.value, Scalar.n)))
            }
        }
    }

    @Test func squareMatches64BitPath() {
        for a in Self.edges + Self.randomElements(3000, seed: 33) {
            let expected = FieldElement.reduce(wideSquare(a.value)).value
            #expect(fieldSquare32(a.value) == expected, "\(a.value)²")
            #expect(expected == UInt256.mulMod(a.value, a.value, FieldElement.p))
        }
    }

    /// Every 512-bit value (not only products of reduced elements) reduces correctly, including
    /// the largest ones, whose folds carry furthest.
    @Test func reductionOfArbitraryWideValues() {
        var g = ValueGen(s: 35)
        for i in 0..<3000 {
            var w = [UInt32](repeating: 0, count: 16)
            for j in 0..<16 {
                w[j] = i < 8 ? [0, ~0, 0x8000_0000, 0xFFFF_FFFE][(i &+ j) % 4] : UInt32(truncatingIfNeeded: g.limb())
            }
            if i == 0 { w = [UInt32](repeating: ~0, count: 16) }
            let limbs = (0..<8).map { UInt64(w[2 * $0]) | UInt64(w[2 * $0 + 1]) << 32 }
            let expected = FieldElement.reduce(
                (limbs[0], limbs[1], limbs[2], limbs[3], limbs[4], limbs[5], limbs[6], limbs[7])
            ).value
            #expect(
                fieldReduce32(
                    w[0],
                    w[1],
                    w[2],
                    w[3],
                    w[4],
                    w[5],
                    w[6],
                    w[7],
                    w[8],
                    w[9],
                    w[10],
                    w[11],
                    w[12],
                    w[13],
                    w[14],
                    w[15]
                ) == expected
            )
            #expect(!FieldElement.geP(expected))
        }
    }
}
