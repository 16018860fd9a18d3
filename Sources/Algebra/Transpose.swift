/// 8 × 8 transposes of 32-bit words, the bridge between row-major matrices and packed lanes.
///
/// Written as the three unpack/permute stages of the classic AVX2 transpose (`vpunpck[lh]dq`,
/// `vpunpck[lh]qdq`, `vperm2i128`), which LLVM lowers to exactly those instructions.
@inlinable @inline(__always)
package func transpose8x8(
    _ r0: SIMD8<UInt32>,
    _ r1: SIMD8<UInt32>,
    _ r2: SIMD8<UInt32>,
    _ r3: SIMD8<UInt32>,
    _ r4: SIMD8<UInt32>,
    _ r5: SIMD8<UInt32>,
    _ r6: SIMD8<UInt32>,
    _ r7: SIMD8<UInt32>,
    into out: UnsafeMutableRawPointer,
    stride: Int
) {
    @inline(__always)
    func lo32(_ a: SIMD8<UInt32>, _ b: SIMD8<UInt32>) -> SIMD8<UInt32> {
        SIMD8(a[0], b[0], a[1], b[1], a[4], b[4], a[5], b[5])
    }
    @inline(__always)
    func hi32(_ a: SIMD8<UInt32>, _ b: SIMD8<UInt32>) -> SIMD8<UInt32> {
        SIMD8(a[2], b[2], a[3], b[3], a[6], b[6], a[7], b[7])
    }
    @inline(__always)
    func lo64(_ a: SIMD8<UInt32>, _ b: SIMD8<UInt32>) -> SIMD8<UInt32> {
        SIMD8(a[0], a[1], b[0], b[1], a[4], a[5], b[4], b[5])
    }
    @inline(__always)
    func hi64(_ a: SIMD8<UInt32>, _ b: SIMD8<UInt32>) -> SIMD8<UInt32> {
        SIMD8(a[2], a[3], b[2], b[3], a[6], a[7], b[6], b[7])
    }
    let t0 = lo32(r0, r1)
    let t1 = hi32(r0, r1)
    let t2 = lo32(r2, r3)
    let t3 = hi32(r2, r3)
    let t4 = lo32(r4, r5)
    let t5 = hi32(r4, r5)
    let t6 = lo32(r6, r7)
    let t7 = hi32(r6, r7)
    let u0 = lo64(t0, t2)
    let u1 = hi64(t0, t2)
    let u2 = lo64(t1, t3)
    let u3 = hi64(t1, t3)
    let u4 = lo64(t4, t6)
    let u5 = hi64(t4, t6)
    let u6 = lo64(t5, t7)
    let u7 = hi64(t5, t7)
    out.storeBytes(of: SIMD8(lowHalf: u0.lowHalf, highHalf: u4.lowHalf), as: SIMD8<UInt32>.self)
    (out + stride).storeBytes(of: SIMD8(lowHalf: u1.lowHalf, highHalf: u5.lowHalf), as: SIMD8<UInt32>.self)
    (out + 2 * stride).storeBytes(of: SIMD8(lowHalf: u2.lowHalf, highHalf: u6.lowHalf), as: SIMD8<UInt32>.self)
    (out + 3 * stride).storeBytes(of: SIMD8(lowHalf: u3.lowHalf, highHalf: u7.lowHalf), as: SIMD8<UInt32>.self)
    (out + 4 * stride).storeBytes(of: SIMD8(lowHalf: u0.highHalf, highHalf: u4.highHalf), as: SIMD8<UInt32>.self)
    (out + 5 * stride).storeBytes(of: SIMD8(lowHalf: u1.highHalf, highHalf: u5.highHalf), as: SIMD8<UInt32>.self)
    (out + 6 * stride).storeBytes(of: SIMD8(lowHalf: u2.highHalf, highHalf: u6.highHalf), as: SIMD8<UInt32>.self)
    (out + 7 * stride).storeBytes(of: SIMD8(lowHalf: u3.highHalf, highHalf: u7.highHalf), as: SIMD8<UInt32>.self)
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
        transpose8x8(
            p0.loadUnaligned(fromByteOffset: o, as: SIMD8<UInt32>.self),
            p1.loadUnaligned(fromByteOffset: o, as: SIMD8<UInt32>.self),
            p2.loadUnaligned(fromByteOffset: o, as: SIMD8<UInt32>.self),
            p3.loadUnaligned(fromByteOffset: o, as: SIMD8<UInt32>.self),
            p4.loadUnaligned(fromByteOffset: o, as: SIMD8<UInt32>.self),
            p5.loadUnaligned(fromByteOffset: o, as: SIMD8<UInt32>.self),
            p6.loadUnaligned(fromByteOffset: o, as: SIMD8<UInt32>.self),
            p7.loadUnaligned(fromByteOffset: o, as: SIMD8<UInt32>.self),
            into: dst + c &* 32,
            stride: 32
        )
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
