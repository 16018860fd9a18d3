import Algebra
import Testing

@Suite("Packed fields")
struct PackedFieldTests {
    static func randomLanes<P: MontyParameters>(_: P.Type, _ rng: inout some RandomNumberGenerator) -> [MontyField31<P>]
    {
        (0..<PackedMontyField31<P>.width).map { i in
            // Mix in edge values (0, 1, p - 1) so the reductions' boundaries are exercised.
            switch rng.next() % 8 as UInt64 {
            case 0: return .zero
            case 1: return .one
            case 2: return -MontyField31<P>.one
            default: return MontyField31<P>(UInt32(truncatingIfNeeded: rng.next() as UInt64))
            }
        }
    }

    func checkLaneWise<P: MontyParameters>(_ params: P.Type) {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let xs = Self.randomLanes(params, &rng)
            let ys = Self.randomLanes(params, &rng)
            let s = MontyField31<P>(UInt32(truncatingIfNeeded: rng.next() as UInt64))
            let x = PackedMontyField31<P>(xs)
            let y = PackedMontyField31<P>(ys)
            #expect((x + y).elements == zip(xs, ys).map { $0 + $1 })
            #expect((x - y).elements == zip(xs, ys).map { $0 - $1 })
            #expect((x * y).elements == zip(xs, ys).map { $0 * $1 })
            #expect((-x).elements == xs.map { -$0 })
            #expect((x * s).elements == xs.map { $0 * s })
            #expect((s * x).elements == xs.map { s * $0 })
            #expect((x + s).elements == xs.map { $0 + s })
            #expect(x.exp3().elements == xs.map { $0.power(3) })
            #expect(x.exp5().elements == xs.map { $0.power(5) })
            #expect(x.exp7().elements == xs.map { $0.power(7) })
            #expect(x.power(12345).elements == xs.map { $0.power(12345) })
            #expect(PackedMontyField31<P>(broadcast: s).elements == Array(repeating: s, count: 8))
        }
    }

    @Test func koalaBearLaneWise() { checkLaneWise(KoalaBearParameters.self) }
    @Test func babyBearLaneWise() { checkLaneWise(BabyBearParameters.self) }

    @Test func loadStoreRoundTrip() {
        let xs: [KoalaBear] = (0..<20).map { KoalaBear(UInt32($0) &* 0x9e37_79b9) }
        var out = [KoalaBear](repeating: .zero, count: 20)
        xs.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for off in [0, 3, 11, 12] {
                    PackedKoalaBear(src, offset: off).store(to: dst, offset: off)
                }
            }
        }
        #expect(out == xs)
        var p = PackedKoalaBear.zero
        p[5] = xs[7]
        #expect(p[5] == xs[7] && p[4] == .zero)
    }
}
