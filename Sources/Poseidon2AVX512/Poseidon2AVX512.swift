import Algebra

/// Sixteen width-16 Poseidon2 permutations with 512-bit vectors, for `Hashing` on machines
/// with AVX-512 (F, VL and BW).
///
/// This module is compiled with `-mavx512f -mavx512vl -mavx512bw` (release builds on Linux),
/// so its code may only run where the processor has them: `Hashing` calls it only after
/// checking (`Poseidon2Kernels.useAVX512`). The entry points are concrete and never inlined,
/// so the kernel is compiled here, for these types, and nowhere else.
///
/// The states come in the AVX2 kernel's layout, two groups of eight (`lanes[16 g + i]` holds
/// element `i` of states `8 g ..< 8 g + 8`), so that both kernels take the same input.
public enum Poseidon2AVX512 {
    /// Sixteen KoalaBear width-16 permutations; `constants` as the AVX2 kernel takes them
    /// (round constants minus `p`, wrapping: 64 initial, `partialRounds` internal, 64 final).
    @inline(never)
    public static func permuteKoalaBear(
        pairs lanes: UnsafeMutablePointer<SIMD8<UInt32>>,
        partialRounds: Int,
        constants: UnsafePointer<UInt32>
    ) {
        permute(lanes, partialRounds, constants, KoalaBearParameters.self)
    }

    /// Sixteen BabyBear width-16 permutations, as ``permuteKoalaBear(pairs:partialRounds:constants:)``.
    @inline(never)
    public static func permuteBabyBear(
        pairs lanes: UnsafeMutablePointer<SIMD8<UInt32>>,
        partialRounds: Int,
        constants: UnsafePointer<UInt32>
    ) {
        permute(lanes, partialRounds, constants, BabyBearParameters.self)
    }

    /// Joins the two groups into sixteen 16-lane vectors, permutes, and splits them back.
    @inline(__always)
    static func permute<P: Poseidon2LaneParameters>(
        _ lanes: UnsafeMutablePointer<SIMD8<UInt32>>,
        _ partialRounds: Int,
        _ constants: UnsafePointer<UInt32>,
        _: P.Type
    ) {
        withUnsafeTemporaryAllocation(of: SIMD16<UInt32>.self, capacity: 16) { buffer in
            let v = buffer.baseAddress!
            for i in 0..<16 { (v + i).initialize(to: SIMD16(lowHalf: lanes[i], highHalf: lanes[16 + i])) }
            Poseidon2Packed512<P>.permute(v, partialRounds: partialRounds, constants: constants)
            for i in 0..<16 {
                lanes[i] = v[i].lowHalf
                lanes[16 + i] = v[i].highHalf
            }
        }
    }
}

extension KoalaBearParameters: Poseidon2LaneParameters {
    @inlinable public static var sboxDegree: Int { 3 }

    @inlinable @inline(__always)
    public static func packedTailShift(index: Int) -> Int {
        switch index {
        case 9: 8
        case 10: 3
        case 11: 24
        case 12: -8
        case 13: -3
        case 14: -4
        default: -24
        }
    }
}

extension BabyBearParameters: Poseidon2LaneParameters {
    @inlinable public static var sboxDegree: Int { 7 }

    @inlinable @inline(__always)
    public static func packedTailShift(index: Int) -> Int {
        switch index {
        case 9: 8
        case 10: 2
        case 11: 3
        case 12: 27
        case 13: -8
        case 14: -4
        default: -27
        }
    }
}
