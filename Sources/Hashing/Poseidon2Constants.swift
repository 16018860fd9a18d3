/// Round-constant derivation for Poseidon2, as in the Poseidon reference
/// (eprint 2019/458, appendix E) and Plonky3's `poseidon2/generate_constants.py`:
/// a Grain LFSR in self-shrinking mode, seeded with the instance parameters.
///
/// The constants of Plonky3's default KoalaBear and BabyBear instances (commit
/// 5dc50e51) are exactly this stream: `R_F * t + R_P` field elements, split as
/// `R_F/2` initial external rounds of `t`, then `R_P` internal constants, then
/// `R_F/2` final external rounds of `t`. The tests check this against
/// `../shared/vectors/poseidon2.json`.
struct GrainLFSR {
    /// The 80-bit register; bit `i` of the reference bit list is bit `79 - i` here.
    private var high: UInt16  // bits 79...64
    private var low: UInt64  // bits 63...0

    /// Seeds the register with `field = 1 (GF(p))`, `sbox = 0 (x^alpha)`, the field size
    /// in bits, the width and the round numbers, then thirty ones, and discards 160 bits.
    init(fieldBits: Int, width: Int, fullRounds: Int, partialRounds: Int) {
        var seed: UInt128 = 1  // field type, 2 bits: 0b01
        seed = (seed << 4) | 0  // S-box x^alpha
        seed = (seed << 12) | UInt128(fieldBits)
        seed = (seed << 12) | UInt128(width)
        seed = (seed << 10) | UInt128(fullRounds)
        seed = (seed << 10) | UInt128(partialRounds)
        seed = (seed << 30) | ((1 << 30) - 1)
        high = UInt16(truncatingIfNeeded: seed >> 64)
        low = UInt64(truncatingIfNeeded: seed)
        for _ in 0..<160 { _ = clock() }
    }

    /// Reference bit `i` (0 = oldest).
    private func bit(_ i: Int) -> UInt64 {
        let position = 79 - i
        return position >= 64 ? UInt64((high >> UInt16(position - 64)) & 1) : (low >> UInt64(position)) & 1
    }

    /// One step: the new bit is the XOR of taps 0, 13, 23, 38, 51, 62; the oldest bit drops out.
    private mutating func clock() -> UInt64 {
        let b = bit(0) ^ bit(13) ^ bit(23) ^ bit(38) ^ bit(51) ^ bit(62)
        high = (high << 1) | UInt16(low >> 63)
        low = (low << 1) | b
        return b
    }

    /// Self-shrinking output: take bits in pairs `(a, b)` and output `b` when `a == 1`.
    private mutating func nextBit() -> UInt64 {
        while true {
            let a = clock()
            let b = clock()
            if a == 1 { return b }
        }
    }

    /// A uniform element of `0..<prime`: `bits`-bit big-endian integers, rejected when `>= prime`.
    mutating func nextFieldElement(bits: Int, prime: UInt32) -> UInt32 {
        while true {
            var v: UInt64 = 0
            for _ in 0..<bits { v = (v << 1) | nextBit() }
            if v < UInt64(prime) { return UInt32(v) }
        }
    }
}

/// The round constants of one Poseidon2 instance, canonical (not Montgomery).
package struct Poseidon2RoundConstants: Sendable, Equatable {
    /// `fullRounds / 2` rows of `width` constants for the initial external rounds.
    package var externalInitial: [[UInt32]]
    /// One constant per internal round.
    package var internalRounds: [UInt32]
    /// `fullRounds / 2` rows of `width` constants for the final external rounds.
    package var externalFinal: [[UInt32]]

    /// Derives the constants from the Grain LFSR for a 31-bit prime.
    package init(prime: UInt32, width: Int, fullRounds: Int, partialRounds: Int) {
        let bits = 32 - prime.leadingZeroBitCount
        var grain = GrainLFSR(fieldBits: bits, width: width, fullRounds: fullRounds, partialRounds: partialRounds)
        func row() -> [UInt32] { (0..<width).map { _ in grain.nextFieldElement(bits: bits, prime: prime) } }
        externalInitial = (0..<fullRounds / 2).map { _ in row() }
        internalRounds = (0..<partialRounds).map { _ in grain.nextFieldElement(bits: bits, prime: prime) }
        externalFinal = (0..<fullRounds / 2).map { _ in row() }
    }
}
