import Algebra

/// Batch inversion split over threads (each chunk pays one field inversion).
@_specialize(where E == KoalaBear)
@_specialize(where E == BabyBear)
@_specialize(where E == QuarticExtension<KoalaBear>)
@_specialize(where E == QuarticExtension<BabyBear>)
func parallelBatchInverse<E: Field>(_ values: [E]) -> [E] {
    var out = [E](repeating: .zero, count: values.count)
    values.withUnsafeBufferPointer { v in
        out.withUnsafeMutableBufferPointer { o in
            Parallel.forEachChunk(count: v.count, minChunk: 4096) { range in
                var acc = E.one
                for i in range {
                    o[i] = acc
                    if !v[i].isZero { acc *= v[i] }
                }
                var inv = acc.inverse() ?? .zero
                for i in range.reversed() {
                    if v[i].isZero {
                        o[i] = .zero
                    } else {
                        o[i] *= inv
                        inv *= v[i]
                    }
                }
            }
        }
    }
    return out
}

/// Inverts extension elements in place, zeros left as zero: Montgomery's trick run as
/// `Packing.width` independent products, one per SIMD lane of a ``PackedExt`` (element `i` in
/// lane `i mod width`), so each multiplication serves eight elements; one inversion per lane.
///
/// `scratch` holds the prefix products and needs `values.count / Packing.width` entries. Meant
/// for blocks of a few thousand elements (LogUp fingerprints, DEEP denominators).
@inline(__always)
package func packedBatchInverseInPlace<F: StarkPackedField>(
    _ values: UnsafeMutableBufferPointer<QuarticExtension<F>>,
    scratch: UnsafeMutableBufferPointer<PackedExt<F>>
) {
    typealias E = QuarticExtension<F>
    typealias Packed = F.Packing
    let W = Packed.width
    let groups = values.count / W
    precondition(scratch.count >= groups, "scratch shorter than the groups")
    withUnsafeTemporaryAllocation(of: F.self, capacity: 4 * W) { t in
        let lanes = t.baseAddress!
        // Loads group `g`, ones in place of zeros (a zero has no inverse and stays zero).
        func load(_ g: Int) -> PackedExt<F> {
            for l in 0..<W {
                let e = values[g &* W &+ l]
                PackedExt<F>.stage(e.isZero ? E.one : e, lane: l, in: lanes)
            }
            return PackedExt(staged: lanes)
        }
        var acc = PackedExt<F>(broadcast: .one)
        for g in 0..<groups {
            scratch[g] = acc
            acc = acc * load(g)
        }
        for l in 0..<W { PackedExt<F>.stage(acc[l].inverse() ?? .zero, lane: l, in: lanes) }
        var inv = PackedExt<F>(staged: lanes)
        var g = groups - 1
        while g >= 0 {
            let x = load(g)
            let out = scratch[g] * inv
            inv = inv * x
            for l in 0..<W where !values[g &* W &+ l].isZero {
                values[g &* W &+ l] = out[l]
            }
            g -= 1
        }
        for i in (groups * W)..<values.count where !values[i].isZero {
            values[i] = values[i].inverse() ?? .zero
        }
    }
}

/// Inverts packed extension elements in place (each lane its own element): Montgomery's trick
/// over the whole buffer, one field inversion per lane. Returns `false`, with `values`
/// untouched, when some element is zero (the caller then inverts another way).
///
/// `scratch` holds the prefix products and needs `values.count` entries.
@inline(__always)
func packedBatchInverseInPlace<F: StarkPackedField>(
    packed values: UnsafeMutableBufferPointer<PackedExt<F>>,
    scratch: UnsafeMutableBufferPointer<PackedExt<F>>
) -> Bool {
    typealias Packed = F.Packing
    let W = Packed.width
    precondition(scratch.count >= values.count, "scratch shorter than the values")
    var acc = PackedExt<F>(broadcast: .one)
    for g in 0..<values.count {
        scratch[g] = acc
        acc = acc * values[g]
    }
    let inverse: PackedExt<F>? = withUnsafeTemporaryAllocation(of: F.self, capacity: 4 * W) { t in
        let lanes = t.baseAddress!
        for l in 0..<W {
            guard let x = acc[l].inverse() else { return nil }
            PackedExt<F>.stage(x, lane: l, in: lanes)
        }
        return PackedExt(staged: lanes)
    }
    guard var inv = inverse else { return false }
    var g = values.count - 1
    while g >= 0 {
        let x = values[g]
        values[g] = scratch[g] * inv
        inv = inv * x
        g -= 1
    }
    return true
}
