import Algebra
import Testing

@Suite("Prime fields")
struct FieldTests {
    @Test("Montgomery constants are consistent", arguments: [UInt32(0x7f00_0001), 0x7800_0001])
    func montgomeryConstants(prime: UInt32) {
        if prime == KoalaBear.modulus {
            #expect(KoalaBearParameters.prime &* KoalaBearParameters.mu == 1)
            #expect(KoalaBear(1).montgomery == UInt32((UInt64(1) << 32) % UInt64(prime)))
        } else {
            #expect(BabyBearParameters.prime &* BabyBearParameters.mu == 1)
            #expect(BabyBear(1).montgomery == UInt32((UInt64(1) << 32) % UInt64(prime)))
        }
    }

    @Test func canonicalRoundTripAndReduction() {
        for v: UInt32 in [0, 1, 2, 12345, 0x7f00_0000, 0x7f00_0001, 0xffff_ffff] {
            #expect(KoalaBear(v).canonical == v % KoalaBear.modulus)
            #expect(BabyBear(v).canonical == v % BabyBear.modulus)
        }
        #expect(KoalaBear(canonical: 0x7f00_0001) == nil)
        #expect(KoalaBear(reducing: UInt64.max).canonical == UInt32(UInt64.max % UInt64(KoalaBear.modulus)))
    }

    @Test func arithmeticMatchesIntegers() {
        var rng = SystemRandomNumberGenerator()
        let p = UInt64(KoalaBear.modulus)
        for _ in 0..<2000 {
            let a = UInt64(rng.next() as UInt32) % p
            let b = UInt64(rng.next() as UInt32) % p
            let x = KoalaBear(UInt32(a))
            let y = KoalaBear(UInt32(b))
            #expect((x + y).canonical == UInt32((a + b) % p))
            #expect((x - y).canonical == UInt32((a + p - b) % p))
            #expect((x * y).canonical == UInt32(a * b % p))
            if a != 0 { #expect(x * x.inverse()! == .one) }
        }
        #expect(KoalaBear.zero.inverse() == nil)
    }

    @Test func twoAdicGenerators() {
        // DESIGN.md: KoalaBear's order-2 element is p - 1, its order-4 element 0x7e010002.
        #expect(KoalaBear.twoAdicGenerator(logOrder: 1).canonical == KoalaBear.modulus - 1)
        #expect(KoalaBear.twoAdicGenerator(logOrder: 2).canonical == 0x7e01_0002)
        for k in [KoalaBear.twoAdicity, 10] {
            let g = KoalaBear.twoAdicGenerator(logOrder: k)
            #expect(g.exp2(k) == .one)
            #expect(g.exp2(k - 1) != .one)
        }
        let g = BabyBear.twoAdicGenerator(logOrder: BabyBear.twoAdicity)
        #expect(g.exp2(27) == .one && g.exp2(26) != .one)
    }

    @Test func batchInversion() {
        let xs: [KoalaBear] = [3, 0, 7, 1, 99999]
        let inv = batchInverse(xs)
        for (x, y) in zip(xs, inv) { #expect(x.isZero ? y.isZero : x * y == .one) }
    }

    @Test func quarticExtension() {
        var rng = SystemRandomNumberGenerator()
        func rand() -> KoalaBearExt4 {
            KoalaBearExt4(KoalaBear(rng.next()), KoalaBear(rng.next()), KoalaBear(rng.next()), KoalaBear(rng.next()))
        }
        for _ in 0..<200 {
            let a = rand()
            let b = rand()
            let c = rand()
            #expect(a * (b + c) == a * b + a * c)
            #expect(a * b == b * a)
            #expect(a * a.inverse()! == .one)
        }
        // x^4 = W
        let x = KoalaBearExt4(.zero, .one, .zero, .zero)
        #expect(x.power(4) == KoalaBearExt4(KoalaBear(3)))
        let y = BabyBearExt4(.zero, .one, .zero, .zero)
        #expect(y.power(4) == BabyBearExt4(BabyBear(11)))
        // The multiplicative group has order p^4 - 1.
        let a = rand()
        let p = UInt64(KoalaBear.modulus)
        // a^(p^4 - 1) == 1, computed as ((a^p)^p)^p)^p / a
        var t = a
        for _ in 0..<4 { t = t.power(p) }
        #expect(t == a)
    }
}
