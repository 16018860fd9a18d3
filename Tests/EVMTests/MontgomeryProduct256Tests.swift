import EVMPrimitives
import TestSupport
import Testing

@testable import Precompiles

/// The 256-bit Montgomery product the zkVM guests route through two `uint256_mulmod` syscalls:
/// its software body and the R⁻¹ constants the syscall path multiplies by, both checked against
/// `UInt256.mulMod` (a 512-bit product reduced by long division, an independent path).
@Suite struct MontgomeryProduct256Tests {
    static func value(_ l: Limbs) -> UInt256 { UInt256(l[0], l[1], l[2], l[3]) }

    /// a·b·R⁻¹ mod p from `montgomeryProduct256`, with `M`'s context.
    static func product<M: MontgomeryModulus>(_: M.Type, _ a: UInt256, _ b: UInt256) -> UInt256 {
        let (m, i) = (M.modulus, M.rInverse)
        let context = [m[0], m[1], m[2], m[3], i[0], i[1], i[2], i[3], M.inverse]
        let x = [a.w0, a.w1, a.w2, a.w3]
        let y = [b.w0, b.w1, b.w2, b.w3]
        var out = [UInt64](repeating: 0, count: 4)
        montgomeryProduct256(&out, x, y, context)
        return UInt256(out[0], out[1], out[2], out[3])
    }

    static func check<M: MontgomeryModulus>(_ type: M.Type, seed: UInt64) {
        let p = value(M.modulus)
        let rInverse = value(M.rInverse)
        // R⁻¹ · (R mod p) = 1 (M.one is R mod p).
        #expect(UInt256.mulMod(rInverse, value(M.one), p) == .one)
        var rng = SplitMix64(seed: seed)
        for _ in 0..<64 {
            let a = UInt256(rng.next(), rng.next(), rng.next(), rng.next()) % p
            let b = UInt256(rng.next(), rng.next(), rng.next(), rng.next()) % p
            let expected = UInt256.mulMod(UInt256.mulMod(a, b, p), rInverse, p)
            #expect(product(type, a, b) == expected)
        }
        let pm1 = p &- .one
        #expect(product(type, pm1, pm1) == UInt256.mulMod(UInt256.mulMod(pm1, pm1, p), rInverse, p))
    }

    @Test func bn254Base() { Self.check(BN254P.self, seed: 1) }
    @Test func bn254Scalar() { Self.check(BN254R.self, seed: 2) }
    @Test func p256Base() { Self.check(P256P.self, seed: 3) }
    @Test func p256Order() { Self.check(P256N.self, seed: 4) }
}
