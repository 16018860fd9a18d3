import Algebra
import Testing

@testable import Hashing

/// Deterministic pseudo-random field elements for tests (SplitMix64).
struct TestRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    mutating func elements<F: PrimeField31>(_ n: Int, as _: F.Type = F.self) -> [F] {
        (0..<n).map { _ in F(reducing: next()) }
    }
}

@Suite("Packed Poseidon2")
struct PackedPoseidon2Tests {
    @Test("8-lane permutation equals 8 scalar permutations", arguments: [16, 24])
    func packedEqualsScalar(width: Int) {
        checkPacked(KoalaBear.self, width: width)
        checkPacked(BabyBear.self, width: width)
    }

    private func checkPacked<F: Poseidon2Field>(_: F.Type, width: Int) {
        var rng = TestRNG(seed: UInt64(width))
        let p = Poseidon2<F>(width: width)
        var states: [F] = rng.elements(8 * width)
        // Edge values: 0, 1, p - 1 in every position of the first state.
        for i in 0..<width { states[i] = [F.zero, .one, -F.one][i % 3] }
        var expected = states
        for l in 0..<8 {
            var one = Array(expected[(l * width)..<((l + 1) * width)])
            p.permute(&one)
            expected.replaceSubrange((l * width)..<((l + 1) * width), with: one)
        }
        states.withUnsafeMutableBufferPointer { p.permute8($0.baseAddress!) }
        #expect(states == expected)
    }

    @Test("Lane arithmetic equals scalar arithmetic")
    func laneArithmetic() {
        var rng = TestRNG(seed: 7)
        for _ in 0..<50 {
            let a: [KoalaBear] = rng.elements(8)
            var b: [KoalaBear] = rng.elements(8)
            b[0] = .zero
            b[1] = -KoalaBear.one
            let la = Poseidon2Lanes<KoalaBear>(words: SIMD8(a.map(\.montgomery)))
            let lb = Poseidon2Lanes<KoalaBear>(words: SIMD8(b.map(\.montgomery)))
            for l in 0..<8 {
                #expect((la * lb)[lane: l] == a[l] * b[l])
                #expect((la + lb)[lane: l] == a[l] + b[l])
                #expect((la - lb)[lane: l] == a[l] - b[l])
                #expect(la.halved()[lane: l] * KoalaBear(2) == a[l])
                for k in [1, 3, 8, 24] {
                    #expect(la.divided(byTwoToThe: k)[lane: l] * KoalaBear(1 << UInt32(k)) == a[l])
                }
            }
        }
    }

    @Test("permuteAll on several threads equals scalar permutations")
    func permuteAll() {
        var rng = TestRNG(seed: 99)
        let p = Poseidon2<BabyBear>(width: 16)
        let count = 37
        var states: [BabyBear] = rng.elements(16 * count)
        var expected = states
        expected.withUnsafeMutableBufferPointer { buf in
            for i in 0..<count { p.permute(buf.baseAddress! + 16 * i) }
        }
        p.permuteAll(&states, threads: 2)
        #expect(states == expected)
    }
}
