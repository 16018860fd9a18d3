import Algebra
import Poseidon2AVX512
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

    @Test("Packed kernel equals element-by-element arithmetic on random and edge states", arguments: [16, 24])
    func packedKernelEqualsReference(width: Int) {
        checkPackedReference(KoalaBearParameters.self, width: width)
        checkPackedReference(BabyBearParameters.self, width: width)
    }

    /// 24 batches of 8 states through `permute(words8:)`, each lane against `permuteReference`:
    /// random states, and batches where every lane holds 0, 1 or p - 1 (and mixtures), which
    /// exercise the extremes of the signed S-box and the lazy corrections.
    private func checkPackedReference<P: Poseidon2Parameters>(_: P.Type, width: Int) {
        typealias F = MontyField31<P>
        var rng = TestRNG(seed: 2000 + UInt64(width) + UInt64(P.prime % 1000))
        let p = Poseidon2<F>(width: width)
        let edges: [F] = [.zero, .one, -F.one]
        for batch in 0..<24 {
            var states: [F] = rng.elements(8 * width)
            if batch < 3 { states = [F](repeating: edges[batch], count: 8 * width) }
            if batch == 3 { states = (0..<(8 * width)).map { edges[$0 % 3] } }
            var lanes = (0..<width).map { i in SIMD8<UInt32>((0..<8).map { states[$0 * width + i].montgomery }) }
            lanes.withUnsafeMutableBufferPointer { p.permute(words8: $0.baseAddress!) }
            for l in 0..<8 {
                var reference = Array(states[(l * width)..<((l + 1) * width)]).map(\.montgomery)
                p.constants.withUnsafeBufferPointer { rc in
                    Poseidon2Kernel<P>.permuteReference(&reference, width: width, constants: rc.baseAddress!)
                }
                #expect((0..<width).map { lanes[$0][l] } == reference, "batch \(batch), lane \(l)")
            }
        }
    }

    @Test("Single-state vector kernel equals element-by-element arithmetic", arguments: [16, 24])
    func vectorKernelEqualsReference(width: Int) {
        checkReference(KoalaBearParameters.self, width: width)
        checkReference(BabyBearParameters.self, width: width)
    }

    private func checkReference<P: Poseidon2Parameters>(_: P.Type, width: Int) {
        var rng = TestRNG(seed: 1000 + UInt64(width))
        let p = Poseidon2<MontyField31<P>>(width: width)
        for trial in 0..<20 {
            var state: [MontyField31<P>] = rng.elements(width)
            if trial == 0 { state = [MontyField31<P>](repeating: -MontyField31<P>.one, count: width) }
            var words = state.map(\.montgomery)
            var reference = words
            p.constants.withUnsafeBufferPointer { rc in
                Poseidon2Kernel<P>.permuteReference(&reference, width: width, constants: rc.baseAddress!)
            }
            words.withUnsafeMutableBufferPointer { p.permute(words: $0.baseAddress!) }
            #expect(words == reference)
        }
    }

    @Test("Lane arithmetic equals scalar arithmetic")
    func laneArithmetic() {
        var rng = TestRNG(seed: 7)
        for _ in 0..<50 {
            var a: [KoalaBear] = rng.elements(8)
            a[2] = -KoalaBear.one
            a[3] = .zero
            var b: [KoalaBear] = rng.elements(8)
            b[0] = .zero
            b[1] = -KoalaBear.one
            let la = Poseidon2Lanes<KoalaBear>(words: SIMD8(a.map(\.montgomery)))
            let lb = Poseidon2Lanes<KoalaBear>(words: SIMD8(b.map(\.montgomery)))
            for l in 0..<8 {
                #expect((la * lb)[lane: l] == a[l] * b[l])
                let muB = Poseidon2Lanes<KoalaBear>(words: lb.words &* KoalaBearParameters.mu)
                #expect(la.multiplied(byConstant: lb, mu: muB)[lane: l] == a[l] * b[l])
                #expect((la + lb)[lane: l] == a[l] + b[l])
                #expect((la - lb)[lane: l] == a[l] - b[l])
                #expect(la.halved()[lane: l] * KoalaBear(2) == a[l])
                let cMinusP = lb.words &- KoalaBearParameters.prime
                #expect(la.sboxAdding(constantMinusPrime: cMinusP, degree: 3)[lane: l] == (a[l] + b[l]).power(3))
                #expect(la.sboxAdding(constantMinusPrime: cMinusP, degree: 7)[lane: l] == (a[l] + b[l]).power(7))
                for k in [1, 3, 8, 24] {
                    #expect(la.divided(byTwoToThe: k)[lane: l] * KoalaBear(1 << UInt32(k)) == a[l])
                    let quotient = b[l].divided(byTwoToThe: k)
                    #expect(quotient * KoalaBear(1 << UInt32(k)) == b[l])
                    #expect(la.adding(lb, dividedByTwoToThe: k)[lane: l] == a[l] + quotient)
                    #expect(la.subtracting(lb, dividedByTwoToThe: k)[lane: l] == a[l] - quotient)
                }
            }
        }
    }

    @Test("16-state packed permutation equals two 8-state ones and 16 scalar ones")
    func sixteenStates() {
        check16(KoalaBear.self)
        check16(BabyBear.self)
    }

    /// Sixteen width-16 states (256 elements, state after state) in the 16-state kernels' layout:
    /// vector `16 g + i` holds element `i` of states `8 g ..< 8 g + 8`.
    static func pairLanes<F: Poseidon2Field>(_ states: [F]) -> [SIMD8<UInt32>] {
        (0..<32).map { v in SIMD8<UInt32>((0..<8).map { states[(8 * (v / 16) + $0) * 16 + v % 16].montgomery }) }
    }

    private func check16<F: Poseidon2Field>(_: F.Type) {
        var rng = TestRNG(seed: 77)
        let p = Poseidon2<F>(width: 16)
        for trial in 0..<4 {
            var states: [F] = rng.elements(256)
            if trial == 0 { states = (0..<256).map { [F.zero, .one, -F.one][$0 % 3] } }
            var expected = states
            expected.withUnsafeMutableBufferPointer { b in
                for i in 0..<16 { p.permute(b.baseAddress! + 16 * i) }
            }
            var lanes = Self.pairLanes(states)
            var pairs = lanes
            lanes.withUnsafeMutableBufferPointer { p.permute(words16: $0.baseAddress!) }
            pairs.withUnsafeMutableBufferPointer {
                p.permute(words8: $0.baseAddress!)
                p.permute(words8: $0.baseAddress! + 16)
            }
            #expect(lanes == pairs)
            states.withUnsafeMutableBufferPointer { p.permute16($0.baseAddress!) }
            #expect(states == expected)
        }
    }

    /// Whether this processor can run the AVX-512 kernel (the module is compiled for it in
    /// release builds, so it may only run where the flags are present).
    static let hasAVX512 = Poseidon2Kernels.processorHasAVX512

    @Test(
        "AVX-512 and AVX2 16-state kernels equal 16 scalar permutations",
        .enabled(if: hasAVX512, "the processor has no AVX-512")
    )
    func avx512Kernel() {
        checkKernels(KoalaBear.self, Poseidon2AVX512.permuteKoalaBear)
        checkKernels(BabyBear.self, Poseidon2AVX512.permuteBabyBear)
    }

    private func checkKernels<F: Poseidon2Field>(
        _: F.Type,
        _ avx512: (UnsafeMutablePointer<SIMD8<UInt32>>, Int, UnsafePointer<UInt32>) -> Void
    ) {
        var rng = TestRNG(seed: 512)
        let p = Poseidon2<F>(width: 16)
        let rp = F.Parameters.partialRounds(width: 16)!
        for trial in 0..<8 {
            var states: [F] = rng.elements(256)
            if trial == 0 { states = (0..<256).map { [F.zero, .one, -F.one][$0 % 3] } }
            if trial == 1 { states = (0..<256).map { _ in -F.one } }
            var expected = states
            expected.withUnsafeMutableBufferPointer { b in
                for i in 0..<16 { p.permute(b.baseAddress! + 16 * i) }
            }
            let lanes = Self.pairLanes(states)
            var wide = lanes
            var pairs = lanes
            p.constants.withUnsafeBufferPointer { c in
                let rc = c.baseAddress! + (8 * 16 + rp + 2 * 16)
                wide.withUnsafeMutableBufferPointer { avx512($0.baseAddress!, rp, rc) }
                pairs.withUnsafeMutableBufferPointer {
                    Poseidon2Packed16<F.Parameters>.permutePair($0.baseAddress!, partialRounds: rp, constants: rc)
                }
            }
            let want = Self.pairLanes(expected)
            #expect(wide == want)
            #expect(pairs == want)
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
