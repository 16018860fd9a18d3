import EVMPrimitives
import Testing

@testable import Secp256k1

/// The pieces of the guests' signature path that the host can run too: the word-scanning wNAF
/// recoding (checked against its definition) and the word-buffer powers the 32-bit inverses and
/// square roots use (checked against the 64-bit addition chains and the group law).
@Suite struct Secp256k1GuestPathTests {
    static func randomValues(_ count: Int, seed: UInt64) -> [UInt256] {
        var g = ValueGen(s: seed)
        return (0..<count).map { _ in UInt256(g.limb(), g.limb(), g.limb(), g.limb()) }
    }

    /// The recoding is a width-w NAF of the scalar: the digits sum to it, each nonzero digit is
    /// odd and below 2^(w−1) in magnitude, any w consecutive digits hold at most one nonzero,
    /// and the last digit is nonzero.
    @Test(arguments: [5, 8])
    func wnafIsANonAdjacentFormOfTheScalar(width w: Int) {
        let edges: [UInt256] = [
            .zero, .one, UInt256(2), UInt256(255), UInt256.max, UInt256.max &- 1, UInt256(0, 0, 0, 1 << 63),
            UInt256(~0, ~0, 0, 0), UInt256(0x7F, 0, 0, 0), UInt256(0x80, 0, 0, 0), Scalar.n &- 1,
        ]
        for k in edges + Self.randomValues(300, seed: 91) + Self.randomValues(100, seed: 7).map({ $0 >> 127 }) {
            var digits = [Int8](repeating: 0, count: 264)
            let length = digits.withUnsafeMutableBufferPointer { wnaf(k, $0.baseAddress!, width: w) }
            #expect(length <= 257)
            // Σ dᵢ·2ⁱ, as positive and negative parts.
            var plus = UInt256.zero
            var minus = UInt256.zero
            var lastNonzero = -w
            for i in 0..<length where digits[i] != 0 {
                let d = Int(digits[i])
                #expect(d & 1 == 1 && abs(d) < 1 << (w - 1), "digit \(d) at \(i) of \(k)")
                #expect(i - lastNonzero >= w, "digits at \(lastNonzero) and \(i) of \(k)")
                lastNonzero = i
                let term = UInt256(UInt64(abs(d))) << i
                if d > 0 { plus = plus &+ term } else { minus = minus &+ term }
            }
            #expect(plus &- minus == k, "\(k)")
            #expect(length == 0 || digits[length - 1] != 0)
        }
    }

    /// Field inverses and square roots through the word-buffer power equal the 64-bit chains,
    /// and scalar inverses invert.
    @Test func wordBufferPowersMatch() {
        let p = FieldElement.p
        for v in [UInt256.one, UInt256(2), p &- 1] + Self.randomValues(40, seed: 3) {
            let x = FieldElement(reducing: v)
            #expect(FieldElement(unchecked: guestPower(x.value, p &- UInt256(2), modN: false)) == x.inverse())
            let e = (p &+ UInt256.one) >> 2
            let root = FieldElement(unchecked: guestPower(x.value, e, modN: false))
            let expected = x.squareRoot()
            #expect(expected == nil ? root.squared() != x : root == expected)
            let s = Scalar(reducing: v)
            let inv = Scalar(unchecked: guestPower(s.value, Scalar.n &- UInt256(2), modN: true))
            #expect(inv * s == Scalar.one)
        }
        #expect(guestPower(UInt256(12345), .zero, modN: false) == .one)
        #expect(guestPower(.zero, p &- UInt256(2), modN: false) == .zero)
    }
}
