import Algebra
import Hashing
import Testing

@testable import Recursion

/// The circuit IR and its tracing builder, checked natively.
@Suite struct CircuitBuilderTests {
    @Test func arithmeticAndChecks() {
        let b = CircuitBuilder()
        let x = b.input(RE(RF(3), RF(1), .zero, RF(7)))
        let y = b.input(base: RF(5))
        let p = b.mul(x, y)
        let q = b.mulAdd(x, y, p)
        b.assertEqual(q, b.scale(p, by: RF(2)))
        let inv = b.inverse(x)
        b.assertEqual(b.mul(inv, x), b.constant(.one))
        #expect(b.failures.isEmpty)
        let (c, w) = b.build()
        #expect(c.structuralError() == nil && c.check(w) == nil)
        var forged = w
        forged.values[p.index] = forged.values[p.index] + RE(RF(1))
        #expect(c.check(forged) != nil)
    }

    @Test func failedCheckKeepsTheShape() {
        func circuit(_ v: UInt32) -> (RecursionCircuit, [String]) {
            let b = CircuitBuilder()
            let x = b.input(base: RF(v))
            b.assertEqual(x, b.constant(base: RF(9)))
            _ = b.inverse(b.sub(x, b.constant(base: RF(4))))
            let r = b.build()
            return (r.circuit, b.failures)
        }
        let (good, none) = circuit(9)
        let (bad, two) = circuit(4)
        #expect(none.isEmpty && two.count == 2 && good == bad)
    }

    /// Bits against the integer's own bits, including values near the modulus.
    @Test(arguments: [UInt32(0), 1, 5, 0x00FF_FFFF, 0x7F00_0000, RF.modulus - 1, 0x1234_5678])
    func canonicalBits(_ v: UInt32) {
        let b = CircuitBuilder()
        let x = b.input(base: RF(v))
        let bits = b.bits(x, count: 31)
        #expect(b.failures.isEmpty)
        #expect(bits.enumerated().allSatisfy { b.value($0.element) == RE(RF((v >> UInt32($0.offset)) & 1)) })
        let (c, w) = b.build()
        #expect(c.check(w) == nil)
    }

    /// A non-canonical decomposition (v + p as 31 bits) satisfies the sum but not the
    /// canonical check.
    @Test func nonCanonicalBitsRejected() {
        let v: UInt32 = 3
        let b = CircuitBuilder()
        let x = b.input(base: RF(v))
        let bits = b.bits(x, count: 31)
        var (c, w) = b.build()
        let alias = v + RF.modulus
        for (i, s) in bits.enumerated() { w.values[s.index] = RE(RF((alias >> UInt32(i)) & 1)) }
        // Re-derive the dependent arithmetic (sums and products) from the forged bits.
        for op in c.arith where !op.asserts {
            w.values[op.out.index] = op.evaluate(w[op.a], w[op.b], w[op.c])
        }
        let failing = c.arith.indices.filter { i in
            let op = c.arith[i]
            return op.evaluate(w[op.a], w[op.b], w[op.c]) != w[op.out]
        }
        #expect(failing.count == 1 && c.arith[failing[0]].out == RecursionCircuit.zero)
        c.publics = []
        #expect(c.check(w) != nil)
    }

    @Test func poseidon2MatchesNative() {
        let b = CircuitBuilder()
        let l = b.inputs(base: (0..<8).map { RF(UInt32($0)) })
        let r = b.inputs(base: (8..<16).map { RF(UInt32($0)) })
        let one = b.constant(.one)
        let plain = b.compress(l, r)
        let swapped = b.compress(l, r, swap: one)
        let native = Poseidon2<RF>(width: 16)
        var s = (0..<16).map { RF(UInt32($0)) }
        native.permute(&s)
        var t = (8..<16).map { RF(UInt32($0)) } + (0..<8).map { RF(UInt32($0)) }
        native.permute(&t)
        #expect(plain.map { b.value($0).c0 } == Array(s[0..<8]))
        #expect(swapped.map { b.value($0).c0 } == Array(t[0..<8]))
        let (c, w) = b.build()
        #expect(c.check(w) == nil)
    }
}
