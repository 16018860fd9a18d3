import Algebra
import Dispatch
import Hashing
import Synchronization

/// A cryptographic permutation of a fixed-width state of field elements, as used by the
/// duplex challenger (Poseidon2 width 16 in the default configuration).
public protocol CryptographicPermutation: Sendable {
    associatedtype F: PrimeField31
    /// The number of elements in the state.
    var width: Int { get }
    /// Permutes `state` (of length `width`) in place.
    func permute(_ state: inout [F])
    /// Permutes 8 consecutive states of `width` elements each (state after state) in place.
    /// Implementations may compute them together (packed lanes).
    func permute8(_ states: UnsafeMutablePointer<F>)
    /// Permutes 16 consecutive states of width 16 (state after state) in place; only called
    /// when `width` is 16. Implementations may compute them together (packed lanes).
    func permute16(_ states: UnsafeMutablePointer<F>)
}

extension CryptographicPermutation {
    /// One state after another.
    public func permute8(_ states: UnsafeMutablePointer<F>) {
        let w = width
        for k in 0..<8 {
            var s = Array(UnsafeBufferPointer(start: states + k * w, count: w))
            permute(&s)
            for i in 0..<w { states[k * w + i] = s[i] }
        }
    }

    /// Two groups of eight.
    public func permute16(_ states: UnsafeMutablePointer<F>) {
        permute8(states)
        permute8(states + 8 * width)
    }
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
    @_specialize(where P == Poseidon2<KoalaBear>)
    @_specialize(where P == Poseidon2<BabyBear>)
    mutating func duplexing() {
        for (i, v) in inputBuffer.enumerated() { state[i] = v }
        inputBuffer.removeAll(keepingCapacity: true)
        permutation.permute(&state)
        outputBuffer.removeAll(keepingCapacity: true)
        outputBuffer.append(contentsOf: state[0..<rate])
    }

    /// Absorbs one base-field element.
    @_specialize(where P == Poseidon2<KoalaBear>)
    @_specialize(where P == Poseidon2<BabyBear>)
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
    @_specialize(where P == Poseidon2<KoalaBear>)
    @_specialize(where P == Poseidon2<BabyBear>)
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
    @_specialize(where P == Poseidon2<KoalaBear>)
    @_specialize(where P == Poseidon2<BabyBear>)
    public mutating func sampleBits(_ bits: Int) -> Int {
        precondition(bits >= 0 && bits < 31, "at most 30 bits per sample")
        let v = sample().canonical
        return Int(v) & ((1 << bits) - 1)
    }

    /// Whether `witness` is a valid proof of work: after observing it, a `bits`-bit sample is zero.
    /// With `bits == 0` no work is asked and the witness must be zero, as ``grind(bits:)``
    /// returns it, so that a proof has one encoding (a verifier must not accept a proof that
    /// differs from the honest one in an unused field).
    ///
    /// Mutates the transcript exactly as the prover's `grind` did.
    @_specialize(where P == Poseidon2<KoalaBear>)
    @_specialize(where P == Poseidon2<BabyBear>)
    public mutating func checkWitness(bits: Int, witness: F) -> Bool {
        if bits == 0 { return witness.isZero }
        observe(witness)
        return sampleBits(bits) == 0
    }

    /// Proof of work: finds the smallest witness `w` such that observing `w` and sampling
    /// `bits` bits gives zero, observes it, and returns it. Searches on all cores.
    @_specialize(where P == Poseidon2<KoalaBear>)
    @_specialize(where P == Poseidon2<BabyBear>)
    public mutating func grind(bits: Int) -> F {
        if bits == 0 { return .zero }
        precondition(bits < 31, "grinding bits must be below 31")
        // Observing `w` and sampling costs exactly one permutation of the state with the pending
        // input and `w` written over its first elements; the sample is element `rate - 1`. So
        // sixteen candidates (eight for other widths) are tried per packed permutation, without
        // copying the transcript.
        let w = permutation.width
        var pending = state
        for (i, v) in inputBuffer.enumerated() { pending[i] = v }
        let template = pending
        let slot = inputBuffer.count
        let rate = self.rate
        let mask = UInt32((1 << bits) - 1)
        let batch: UInt32 = 1 << 12
        let threads = max(1, Parallel.maxThreads)
        let perm = permutation
        var start: UInt32 = 0
        while true {
            let found = Mutex<UInt32?>(nil)
            let first = start
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let lanes = w == 16 ? 16 : 8
                var states = [F](repeating: .zero, count: lanes * w)
                var candidate = first &+ UInt32(t) &* batch
                let end = candidate &+ batch
                states.withUnsafeMutableBufferPointer { buf in
                    let p = buf.baseAddress!
                    while candidate < end && candidate &+ UInt32(lanes) <= F.modulus {
                        for k in 0..<lanes {
                            for i in 0..<w { p[k * w + i] = template[i] }
                            p[k * w + slot] = F(candidate &+ UInt32(k))
                        }
                        if lanes == 16 { perm.permute16(p) } else { perm.permute8(p) }
                        for k in 0..<lanes where p[k * w + rate - 1].canonical & mask == 0 {
                            let hit = candidate &+ UInt32(k)
                            found.withLock { if $0 == nil || hit < $0! { $0 = hit } }
                            return
                        }
                        candidate &+= UInt32(lanes)
                    }
                }
            }
            if let hit = found.withLock({ $0 }) {
                let witness = F(hit)
                let ok = checkWitness(bits: bits, witness: witness)
                precondition(ok, "proof-of-work search and check disagree")
                return witness
            }
            start &+= batch &* UInt32(threads)
            precondition(start &+ 8 <= F.modulus, "no proof-of-work witness in the field")
        }
    }
}
