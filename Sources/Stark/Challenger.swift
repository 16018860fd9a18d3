import Algebra
import Dispatch
import Synchronization

/// A cryptographic permutation of a fixed-width state of field elements, as used by the
/// duplex challenger (Poseidon2 width 16 in the default configuration).
public protocol CryptographicPermutation: Sendable {
    associatedtype F: PrimeField31
    /// The number of elements in the state.
    var width: Int { get }
    /// Permutes `state` (of length `width`) in place.
    func permute(_ state: inout [F])
}

/// The Fiat–Shamir transcript: a duplex sponge over a permutation with Plonky3's
/// `DuplexChallenger` semantics.
///
/// Observed elements are buffered; once `rate` elements are waiting (or a sample is
/// requested with input pending) they overwrite the first `rate` state elements, the
/// state is permuted, and the first `rate` elements become the output buffer.
/// Samples are taken from the end of the output buffer. Observing clears the output
/// buffer, so every sample depends on everything observed before it.
public struct DuplexChallenger<P: CryptographicPermutation>: Sendable {
    public typealias F = P.F

    /// Elements absorbed (and squeezed) per permutation call.
    public let rate: Int
    @usableFromInline var permutation: P
    @usableFromInline var state: [F]
    @usableFromInline var inputBuffer: [F]
    @usableFromInline var outputBuffer: [F]

    /// A fresh transcript: zero state, empty buffers.
    public init(permutation: P, rate: Int = 8) {
        precondition(rate > 0 && rate < permutation.width, "rate must leave a capacity")
        self.permutation = permutation
        self.rate = rate
        self.state = [F](repeating: .zero, count: permutation.width)
        self.inputBuffer = []
        self.outputBuffer = []
        inputBuffer.reserveCapacity(rate)
        outputBuffer.reserveCapacity(rate)
    }

    @usableFromInline
    mutating func duplexing() {
        for (i, v) in inputBuffer.enumerated() { state[i] = v }
        inputBuffer.removeAll(keepingCapacity: true)
        permutation.permute(&state)
        outputBuffer.removeAll(keepingCapacity: true)
        outputBuffer.append(contentsOf: state[0..<rate])
    }

    /// Absorbs one base-field element.
    public mutating func observe(_ value: F) {
        outputBuffer.removeAll(keepingCapacity: true)
        inputBuffer.append(value)
        if inputBuffer.count == rate { duplexing() }
    }

    /// Absorbs a sequence of base-field elements (a digest, public values, ...).
    public mutating func observe<S: Sequence>(_ values: S) where S.Element == F {
        for v in values { observe(v) }
    }

    /// Absorbs an extension element as its base coefficients.
    public mutating func observe<E: ExtensionField>(extension value: E) where E.Base == F {
        for c in value.coefficients { observe(c) }
    }

    /// Squeezes one base-field element.
    public mutating func sample() -> F {
        if !inputBuffer.isEmpty || outputBuffer.isEmpty { duplexing() }
        return outputBuffer.removeLast()
    }

    /// Squeezes an extension element from `extensionDegree` base samples.
    public mutating func sampleExtension<E: ExtensionField>(_: E.Type = E.self) -> E where E.Base == F {
        var coeffs: [F] = []
        coeffs.reserveCapacity(E.extensionDegree)
        for _ in 0..<E.extensionDegree { coeffs.append(sample()) }
        return E(coefficients: coeffs)
    }

    /// Squeezes a uniformly-ish distributed integer of `bits` bits (the low bits of a sample).
    public mutating func sampleBits(_ bits: Int) -> Int {
        precondition(bits >= 0 && bits < 31, "at most 30 bits per sample")
        let v = sample().canonical
        return Int(v) & ((1 << bits) - 1)
    }

    /// Whether `witness` is a valid proof of work: after observing it, a `bits`-bit sample is zero.
    ///
    /// Mutates the transcript exactly as the prover's `grind` did.
    public mutating func checkWitness(bits: Int, witness: F) -> Bool {
        if bits == 0 { return true }
        observe(witness)
        return sampleBits(bits) == 0
    }

    /// Proof of work: finds the smallest witness `w` such that observing `w` and sampling
    /// `bits` bits gives zero, observes it, and returns it. Searches on all cores.
    public mutating func grind(bits: Int) -> F {
        if bits == 0 { return .zero }
        precondition(bits < 31, "grinding bits must be below 31")
        let base = self
        let batch = 1 << 12
        let threads = max(1, Parallel.maxThreads)
        var start: UInt32 = 0
        while true {
            let found = Mutex<UInt32?>(nil)
            let slice = UInt32(batch)
            let first = start
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                var w = first &+ UInt32(t) &* slice
                let end = w &+ slice
                while w < end && w < F.modulus {
                    var c = base
                    if c.checkWitness(bits: bits, witness: F(w)) {
                        found.withLock { if $0 == nil || w < $0! { $0 = w } }
                        return
                    }
                    w &+= 1
                }
            }
            if let w = found.withLock({ $0 }) {
                let witness = F(w)
                let ok = checkWitness(bits: bits, witness: witness)
                precondition(ok)
                return witness
            }
            start &+= slice &* UInt32(threads)
            precondition(start < F.modulus, "no proof-of-work witness in the field")
        }
    }
}

