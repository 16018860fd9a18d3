import Algebra

extension CircuitBuilder {
    /// The extension element `c₀ + c₁X + c₂X² + c₃X³` from four base slots (three rows).
    public func recombine(_ coefficients: [Slot]) -> Slot {
        precondition(coefficients.count == 4)
        var acc = coefficients[0]
        for k in 1..<4 { acc = mulAdd(coefficients[k], constant(basis(k)), acc) }
        return acc
    }

    /// `Σ Xᵏ·vₖ` over four extension slots (the recombination of an extension column's four
    /// base coordinates, each evaluated at an extension point).
    public func recombineExtensions(_ values: ArraySlice<Slot>) -> Slot {
        precondition(values.count == 4)
        var acc = values[values.startIndex]
        for k in 1..<4 { acc = mulAdd(values[values.startIndex + k], constant(basis(k)), acc) }
        return acc
    }

    /// The four base coordinates of the extension value in `x`: hints whose pack is checked
    /// against `x`.
    public func decompose(_ x: Slot) -> [Slot] {
        let (c, value) = inputExtension(value(x))
        assertEqual(value, x, "extension decomposition")
        return c
    }

    /// The Poseidon2 padding-free sponge digest (rate 8, overwrite mode, as
    /// ``Hashing/PaddingFreeSponge``) of `input`: 8 slots.
    public func hash(_ input: [Slot]) -> [Slot] {
        var state = [Slot](repeating: RecursionCircuit.zero, count: 16)
        var position = 0
        for x in input {
            state[position] = x
            position += 1
            if position == 8 {
                state = permute(state)
                position = 0
            }
        }
        if position != 0 { state = permute(state) }
        return Array(state[0..<8])
    }

    /// Requires the digests `x` and `y` (8 slots each) to be equal.
    public func assertDigestsEqual(_ x: [Slot], _ y: [Slot], _ reason: @autoclosure () -> String) {
        precondition(x.count == y.count)
        for (a, b) in zip(x, y) { assertEqual(a, b, reason()) }
    }
}

/// `Xᵏ` in the extension.
func basis(_ k: Int) -> RE {
    var c: [RF] = [.zero, .zero, .zero, .zero]
    c[k] = .one
    return RE(coefficients: c)
}

/// The Fiat–Shamir transcript inside a circuit: ``Stark/DuplexChallenger`` over width-16
/// Poseidon2 with rate 8, step for step (the same buffers, the same permutation calls), so the
/// circuit draws exactly the challenges the native verifier draws.
public struct CircuitChallenger {
    let builder: CircuitBuilder
    var state: [Slot]
    var inputBuffer: [Slot] = []
    var outputBuffer: [Slot] = []
    static let rate = 8

    /// A fresh transcript (zero state).
    public init(_ builder: CircuitBuilder) {
        self.builder = builder
        state = [Slot](repeating: RecursionCircuit.zero, count: 16)
    }

    mutating func duplexing() {
        for (i, v) in inputBuffer.enumerated() { state[i] = v }
        inputBuffer.removeAll(keepingCapacity: true)
        state = builder.permute(state)
        outputBuffer = Array(state[0..<Self.rate])
    }

    /// Absorbs one base-field slot.
    public mutating func observe(_ x: Slot) {
        outputBuffer.removeAll(keepingCapacity: true)
        inputBuffer.append(x)
        if inputBuffer.count == Self.rate { duplexing() }
    }

    /// Absorbs base-field slots in order.
    public mutating func observe(_ xs: [Slot]) { for x in xs { observe(x) } }

    /// Absorbs a base-field constant (a shape parameter of the statement).
    public mutating func observe(constant c: RF) { observe(builder.constant(base: c)) }

    /// Squeezes one base-field element.
    public mutating func sample() -> Slot {
        if !inputBuffer.isEmpty || outputBuffer.isEmpty { duplexing() }
        return outputBuffer.removeLast()
    }

    /// Squeezes an extension element from four samples.
    public mutating func sampleExtension() -> Slot {
        let c = (0..<4).map { _ in sample() }
        return builder.recombine(c)
    }

    /// The low `bits` bits of a sample, least significant first; the caller uses the low
    /// `swapBits` of them as Poseidon2 swap bits (``CircuitBuilder/bits(_:count:swapBits:)``).
    public mutating func sampleBits(_ bits: Int, swapBits: Int = 0) -> [Slot] {
        let s = sample()
        return builder.bits(s, count: bits, swapBits: swapBits)
    }

    /// A proof-of-work check: with `bits == 0` the witness must be zero; otherwise, after
    /// observing it, a `bits`-bit sample must be zero.
    public mutating func checkWitness(bits: Int, witness: Slot) {
        if bits == 0 {
            builder.assertZero(witness, "proof-of-work witness must be zero")
            return
        }
        observe(witness)
        for b in sampleBits(bits) { builder.assertZero(b, "proof of work") }
    }
}
