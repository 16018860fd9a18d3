import Algebra
import Hashing
import Stark
import Testing

@Suite("Duplex challenger")
struct ChallengerTests {
    typealias F = KoalaBear
    let permutation = Poseidon2<F>(width: 16)

    @Test func deterministicAndInputSensitive() {
        var a = DuplexChallenger(permutation: permutation)
        var b = DuplexChallenger(permutation: permutation)
        var c = DuplexChallenger(permutation: permutation)
        a.observe(F(1))
        b.observe(F(1))
        c.observe(F(2))
        let x = a.sample()
        let y = b.sample()
        let z = c.sample()
        #expect(x == y)
        #expect(x != z)
        let e: KoalaBearExt4 = a.sampleExtension()
        let f: KoalaBearExt4 = b.sampleExtension()
        #expect(e == f)
    }

    /// The first sample after observing `v` is the last rate element of the permuted state
    /// whose first element is `v` (Plonky3's DuplexChallenger semantics).
    @Test func duplexSemantics() {
        var ch = DuplexChallenger(permutation: permutation)
        ch.observe(F(7))
        var state = [F](repeating: .zero, count: 16)
        state[0] = F(7)
        permutation.permute(&state)
        let s0 = ch.sample()
        let s1 = ch.sample()
        #expect(s0 == state[7])
        #expect(s1 == state[6])
        // A full rate of observations duplexes immediately; samples then come from that state.
        var ch2 = DuplexChallenger(permutation: permutation)
        for i in 0..<8 { ch2.observe(F(UInt32(i))) }
        var s2 = [F](repeating: .zero, count: 16)
        for i in 0..<8 { s2[i] = F(UInt32(i)) }
        permutation.permute(&s2)
        let t0 = ch2.sample()
        #expect(t0 == s2[7])
    }

    @Test func grindingRoundTrip() {
        var prover = DuplexChallenger(permutation: permutation)
        prover.observe(F(42))
        var verifier = prover
        let witness = prover.grind(bits: 8)
        let ok = verifier.checkWitness(bits: 8, witness: witness)
        #expect(ok)
        let p1 = prover.sample()
        let v1 = verifier.sample()
        #expect(p1 == v1)
        // Witnesses below the smallest valid one fail.
        var fresh = DuplexChallenger(permutation: permutation)
        fresh.observe(F(42))
        if witness.canonical > 0 {
            var v = fresh
            let bad = v.checkWitness(bits: 8, witness: F(witness.canonical - 1))
            #expect(!bad)
        }
    }

    /// The packed search returns the smallest witness, whatever input is pending when it starts
    /// (the witness lands at a different state position each time).
    @Test(arguments: 0..<8)
    func grindingFindsTheSmallestWitness(pending: Int) {
        var ch = DuplexChallenger(permutation: permutation)
        ch.observe(F(UInt32(1000 + pending)))
        _ = ch.sample()
        for i in 0..<pending { ch.observe(F(UInt32(i + 3))) }
        var search = ch
        let witness = search.grind(bits: 6)
        for w in 0..<witness.canonical {
            var v = ch
            let valid = v.checkWitness(bits: 6, witness: F(w))
            #expect(!valid, "witness \(w) is smaller and also valid")
        }
        var v = ch
        let valid = v.checkWitness(bits: 6, witness: witness)
        #expect(valid)
        let a = search.sample()
        let b = v.sample()
        #expect(a == b)
    }

    @Test func sampleBitsInRange() {
        var ch = DuplexChallenger(permutation: permutation)
        for _ in 0..<100 {
            let v = ch.sampleBits(5)
            #expect(v < 32)
        }
    }
}
