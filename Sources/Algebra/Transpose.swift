/// The 8 × 8 transpose of 32-bit words, the bridge between row-major matrices and packed lanes:
/// row `l` is the eight words at `rows.l`; word `j` of every row lands, as one `SIMD8<UInt32>`
/// (lane `l` from row `l`), at `out + j * stride` (bytes). The one transpose kernel of the
/// prover: `gatherRows8` below and the packed Poseidon2 sponge, compression and Merkle hashing
/// (`transpose8` in Hashing) all go through it.
///
/// Each output vector is gathered lane by lane from the eight loaded rows and stored whole. The
/// permutation reads these vectors straight back, and a 256-bit load of data written as two
/// 128-bit halves is not forwarded from the store buffer: four 4 × 4 transposes of 128-bit
/// quarter rows take fewer instructions (LLVM stores their results as halves) and made proving
/// ~8% slower. The `vpunpck`/`vperm2i128` network is no faster here either (LLVM narrows its row
/// loads the same way), so this one form serves every caller.
@inlinable @inline(__always)
package func transpose8x8(
    _ rows: (
        UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer,
        UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer
    ),
    into out: UnsafeMutableRawPointer,
    stride: Int
) {
    let r = (
        rows.0.loadUnaligned(as: SIMD8<UInt32>.self),
        rows.1.loadUnaligned(as: SIMD8<UInt32>.self),
        rows.2.loadUnaligned(as: SIMD8<UInt32>.self),
        rows.3.loadUnaligned(as: SIMD8<UInt32>.self),
        rows.4.loadUnaligned(as: SIMD8<UInt32>.self),
        rows.5.loadUnaligned(as: SIMD8<UInt32>.self),
        rows.6.loadUnaligned(as: SIMD8<UInt32>.self),
        rows.7.loadUnaligned(as: SIMD8<UInt32>.self)
    )
    for j in 0..<8 {
        (out + j * stride).storeBytes(
            of: SIMD8(r.0[j], r.1[j], r.2[j], r.3[j], r.4[j], r.5[j], r.6[j], r.7[j]),
            as: SIMD8<UInt32>.self
        )
    }
}

/// Gathers the same `width` columns of eight rows into column-major lanes: for every column
/// `c`, `out[c * 8 + l] = rows.l[c]`. Elements are 32-bit words (`MontyField31` values).
@inlinable
package func gatherRows8<F>(
    _ rows: (
        UnsafePointer<F>, UnsafePointer<F>, UnsafePointer<F>, UnsafePointer<F>,
        UnsafePointer<F>, UnsafePointer<F>, UnsafePointer<F>, UnsafePointer<F>
    ),
    width: Int,
    into out: UnsafeMutablePointer<F>
) {
    precondition(MemoryLayout<F>.size == 4, "gatherRows8 moves 32-bit elements")
    let p0 = UnsafeRawPointer(rows.0)
    let p1 = UnsafeRawPointer(rows.1)
    let p2 = UnsafeRawPointer(rows.2)
    let p3 = UnsafeRawPointer(rows.3)
    let p4 = UnsafeRawPointer(rows.4)
    let p5 = UnsafeRawPointer(rows.5)
    let p6 = UnsafeRawPointer(rows.6)
    let p7 = UnsafeRawPointer(rows.7)
    let dst = UnsafeMutableRawPointer(out)
    var c = 0
    while c &+ 8 <= width {
        let o = c &* 4
        transpose8x8((p0 + o, p1 + o, p2 + o, p3 + o, p4 + o, p5 + o, p6 + o, p7 + o), into: dst + c &* 32, stride: 32)
        c &+= 8
    }
    while c < width {
        let o = c &* 4
        let v = SIMD8<UInt32>(
            p0.load(fromByteOffset: o, as: UInt32.self),
            p1.load(fromByteOffset: o, as: UInt32.self),
            p2.load(fromByteOffset: o, as: UInt32.self),
            p3.load(fromByteOffset: o, as: UInt32.self),
            p4.load(fromByteOffset: o, as: UInt32.self),
            p5.load(fromByteOffset: o, as: UInt32.self),
            p6.load(fromByteOffset: o, as: UInt32.self),
            p7.load(fromByteOffset: o, as: UInt32.self)
        )
        (dst + c &* 32).storeBytes(of: v, as: SIMD8<UInt32>.self)
        c &+= 1
    }
}
