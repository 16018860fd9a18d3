import EVMPrimitives

// The base field's products with 32-bit limbs (one `mul` and one `mulhu` per 32 × 32 product,
// no 64-bit multiplications), compiled and tested on every host against the 64-bit path.
//
// Products scan by columns (Comba): each column's 32 × 32 products add into a three-word
// accumulator whose low word is the column's result. The 512-bit result then folds with
// 2^256 ≡ 2^32 + 977 (mod p). The bodies are unrolled by hand; the words travel as scalars,
// never as tuples (which the guests' -Osize build passes through memory, with memcpy).
//
// On the rv32im guests `FieldElement.squared()` uses ``fieldSquare32(_:)`` (about 520 cycles
// against 640 for the 64-bit path). ``fieldMul32(_:_:)`` is not selected: under the guests'
// flags LLVM's pre-RA machine scheduler hoists its 64 independent products to the top of the
// function and spills them (about 950 cycles against 830 for the 64-bit path, whose carry
// chains keep the products in place); with `-Xllvm -enable-misched=false` it takes about 750.
// The squaring has half the live input words and does not spill.

/// (c0, c1, c2) += a·b.
@inlinable @inline(__always)
func mulAcc32(_ a: UInt32, _ b: UInt32, _ c0: inout UInt32, _ c1: inout UInt32, _ c2: inout UInt32) {
    let p = UInt64(a) &* UInt64(b)
    let (s0, o0) = c0.addingReportingOverflow(UInt32(truncatingIfNeeded: p))
    // The high word of a 32 × 32 product is at most 2^32 − 2, so adding the carry cannot wrap.
    let h = UInt32(truncatingIfNeeded: p &>> 32) &+ (o0 ? 1 : 0)
    let (s1, o1) = c1.addingReportingOverflow(h)
    c0 = s0
    c1 = s1
    c2 &+= o1 ? 1 : 0
}

/// (lo, hi) + a² + c as two words, with the carry out left in `c`.
@inlinable @inline(__always)
func addSquare32(_ a: UInt32, _ lo: UInt32, _ hi: UInt32, _ c: inout UInt32) -> (UInt32, UInt32) {
    let p = UInt64(a) &* UInt64(a)
    let (l1, o1) = lo.addingReportingOverflow(UInt32(truncatingIfNeeded: p))
    let (l2, o2) = l1.addingReportingOverflow(c)
    // At most one of o1, o2 is set (a wrapped first sum is at most 2^32 − 2), so k ≤ 1.
    let k: UInt32 = (o1 || o2) ? 1 : 0
    let (h1, o3) = hi.addingReportingOverflow(UInt32(truncatingIfNeeded: p &>> 32))
    let (h2, o4) = h1.addingReportingOverflow(k)
    c = (o3 || o4) ? 1 : 0
    return (l2, h2)
}

/// The 256-bit value of eight 32-bit words, least significant first.
@inlinable @inline(__always)
func joinWords32(
    _ r0: UInt32,
    _ r1: UInt32,
    _ r2: UInt32,
    _ r3: UInt32,
    _ r4: UInt32,
    _ r5: UInt32,
    _ r6: UInt32,
    _ r7: UInt32
) -> UInt256 {
    UInt256(
        UInt64(r0) | UInt64(r1) &<< 32,
        UInt64(r2) | UInt64(r3) &<< 32,
        UInt64(r4) | UInt64(r5) &<< 32,
        UInt64(r6) | UInt64(r7) &<< 32
    )
}

/// l + h·977 + g + carry as (low word, carry out); the carry out stays below 2^10 + 3.
@inlinable @inline(__always)
func fold977(_ l: UInt32, _ h: UInt32, _ g: UInt32, _ carry: UInt32) -> (UInt32, UInt32) {
    let p = UInt64(h) &* 977
    var hi = UInt32(truncatingIfNeeded: p &>> 32)
    var (lo, o) = UInt32(truncatingIfNeeded: p).addingReportingOverflow(l)
    hi &+= o ? 1 : 0
    (lo, o) = lo.addingReportingOverflow(g)
    hi &+= o ? 1 : 0
    (lo, o) = lo.addingReportingOverflow(carry)
    hi &+= o ? 1 : 0
    return (lo, hi)
}

/// The 512-bit value r0 + r1·2^32 + … + r15·2^480 modulo p: with 2^256 ≡ 2^32 + 977 the high
/// half H adds in as H·977 + H·2^32, then the overflow of that sum (below 2^33) once more.
@inlinable
func fieldReduce32(
    _ r0: UInt32,
    _ r1: UInt32,
    _ r2: UInt32,
    _ r3: UInt32,
    _ r4: UInt32,
    _ r5: UInt32,
    _ r6: UInt32,
    _ r7: UInt32,
    _ r8: UInt32,
    _ r9: UInt32,
    _ r10: UInt32,
    _ r11: UInt32,
    _ r12: UInt32,
    _ r13: UInt32,
    _ r14: UInt32,
    _ r15: UInt32
) -> UInt256 {
    let (u0, k0) = fold977(r0, r8, 0, 0)
    let (u1, k1) = fold977(r1, r9, r8, k0)
    let (u2, k2) = fold977(r2, r10, r9, k1)
    let (u3, k3) = fold977(r3, r11, r10, k2)
    let (u4, k4) = fold977(r4, r12, r11, k3)
    let (u5, k5) = fold977(r5, r13, r12, k4)
    let (u6, k6) = fold977(r6, r14, r13, k5)
    let (u7, k7) = fold977(r7, r15, r14, k6)
    // The word above (H's top word, the 2^32 term, plus the carry) is top = topLo + topHi·2^32.
    let (topLo, ot) = r15.addingReportingOverflow(k7)
    let topHi: UInt32 = ot ? 1 : 0
    // top·(2^32 + 977) = f0 + f1·2^32 + f2·2^64.
    let q = UInt64(topLo) &* 977
    let f0 = UInt32(truncatingIfNeeded: q)
    let (f1, of1) = topLo.addingReportingOverflow(UInt32(truncatingIfNeeded: q &>> 32) &+ topHi &* 977)
    let f2 = topHi &+ (of1 ? 1 : 0)
    var o: Bool
    var o2: Bool
    var c: UInt32
    let v0: UInt32
    var v1: UInt32
    var v2: UInt32
    let v3: UInt32
    let v4: UInt32
    let v5: UInt32
    let v6: UInt32
    let v7: UInt32
    (v0, o) = u0.addingReportingOverflow(f0)
    c = o ? 1 : 0
    // When the first addition wraps, its sum is at most 2^32 − 2, so adding the carry cannot.
    (v1, o) = u1.addingReportingOverflow(f1)
    (v1, o2) = v1.addingReportingOverflow(c)
    c = (o || o2) ? 1 : 0
    (v2, o) = u2.addingReportingOverflow(f2)
    (v2, o2) = v2.addingReportingOverflow(c)
    c = (o || o2) ? 1 : 0
    (v3, o) = u3.addingReportingOverflow(c)
    c = o ? 1 : 0
    (v4, o) = u4.addingReportingOverflow(c)
    c = o ? 1 : 0
    (v5, o) = u5.addingReportingOverflow(c)
    c = o ? 1 : 0
    (v6, o) = u6.addingReportingOverflow(c)
    c = o ? 1 : 0
    (v7, o) = u7.addingReportingOverflow(c)
    var r = joinWords32(v0, v1, v2, v3, v4, v5, v6, v7)
    // Past 2^256 the value wrapped to below 2^67: add 2^256 mod p again (no further carry).
    if o { r = r &+ FieldElement.c256 }
    if FieldElement.geP(r) { r = r &+ FieldElement.c256 }
    return r
}

/// a·b mod p with 32-bit limbs.
@inlinable
func fieldMul32(_ a: UInt256, _ b: UInt256) -> UInt256 {
    let a0 = UInt32(truncatingIfNeeded: a.w0)
    let a1 = UInt32(truncatingIfNeeded: a.w0 &>> 32)
    let a2 = UInt32(truncatingIfNeeded: a.w1)
    let a3 = UInt32(truncatingIfNeeded: a.w1 &>> 32)
    let a4 = UInt32(truncatingIfNeeded: a.w2)
    let a5 = UInt32(truncatingIfNeeded: a.w2 &>> 32)
    let a6 = UInt32(truncatingIfNeeded: a.w3)
    let a7 = UInt32(truncatingIfNeeded: a.w3 &>> 32)
    let b0 = UInt32(truncatingIfNeeded: b.w0)
    let b1 = UInt32(truncatingIfNeeded: b.w0 &>> 32)
    let b2 = UInt32(truncatingIfNeeded: b.w1)
    let b3 = UInt32(truncatingIfNeeded: b.w1 &>> 32)
    let b4 = UInt32(truncatingIfNeeded: b.w2)
    let b5 = UInt32(truncatingIfNeeded: b.w2 &>> 32)
    let b6 = UInt32(truncatingIfNeeded: b.w3)
    let b7 = UInt32(truncatingIfNeeded: b.w3 &>> 32)
    var c0: UInt32 = 0
    var c1: UInt32 = 0
    var c2: UInt32 = 0
    mulAcc32(a0, b0, &c0, &c1, &c2)
    let r0 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a0, b1, &c0, &c1, &c2)
    mulAcc32(a1, b0, &c0, &c1, &c2)
    let r1 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a0, b2, &c0, &c1, &c2)
    mulAcc32(a1, b1, &c0, &c1, &c2)
    mulAcc32(a2, b0, &c0, &c1, &c2)
    let r2 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a0, b3, &c0, &c1, &c2)
    mulAcc32(a1, b2, &c0, &c1, &c2)
    mulAcc32(a2, b1, &c0, &c1, &c2)
    mulAcc32(a3, b0, &c0, &c1, &c2)
    let r3 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a0, b4, &c0, &c1, &c2)
    mulAcc32(a1, b3, &c0, &c1, &c2)
    mulAcc32(a2, b2, &c0, &c1, &c2)
    mulAcc32(a3, b1, &c0, &c1, &c2)
    mulAcc32(a4, b0, &c0, &c1, &c2)
    let r4 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a0, b5, &c0, &c1, &c2)
    mulAcc32(a1, b4, &c0, &c1, &c2)
    mulAcc32(a2, b3, &c0, &c1, &c2)
    mulAcc32(a3, b2, &c0, &c1, &c2)
    mulAcc32(a4, b1, &c0, &c1, &c2)
    mulAcc32(a5, b0, &c0, &c1, &c2)
    let r5 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a0, b6, &c0, &c1, &c2)
    mulAcc32(a1, b5, &c0, &c1, &c2)
    mulAcc32(a2, b4, &c0, &c1, &c2)
    mulAcc32(a3, b3, &c0, &c1, &c2)
    mulAcc32(a4, b2, &c0, &c1, &c2)
    mulAcc32(a5, b1, &c0, &c1, &c2)
    mulAcc32(a6, b0, &c0, &c1, &c2)
    let r6 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a0, b7, &c0, &c1, &c2)
    mulAcc32(a1, b6, &c0, &c1, &c2)
    mulAcc32(a2, b5, &c0, &c1, &c2)
    mulAcc32(a3, b4, &c0, &c1, &c2)
    mulAcc32(a4, b3, &c0, &c1, &c2)
    mulAcc32(a5, b2, &c0, &c1, &c2)
    mulAcc32(a6, b1, &c0, &c1, &c2)
    mulAcc32(a7, b0, &c0, &c1, &c2)
    let r7 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a1, b7, &c0, &c1, &c2)
    mulAcc32(a2, b6, &c0, &c1, &c2)
    mulAcc32(a3, b5, &c0, &c1, &c2)
    mulAcc32(a4, b4, &c0, &c1, &c2)
    mulAcc32(a5, b3, &c0, &c1, &c2)
    mulAcc32(a6, b2, &c0, &c1, &c2)
    mulAcc32(a7, b1, &c0, &c1, &c2)
    let r8 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a2, b7, &c0, &c1, &c2)
    mulAcc32(a3, b6, &c0, &c1, &c2)
    mulAcc32(a4, b5, &c0, &c1, &c2)
    mulAcc32(a5, b4, &c0, &c1, &c2)
    mulAcc32(a6, b3, &c0, &c1, &c2)
    mulAcc32(a7, b2, &c0, &c1, &c2)
    let r9 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a3, b7, &c0, &c1, &c2)
    mulAcc32(a4, b6, &c0, &c1, &c2)
    mulAcc32(a5, b5, &c0, &c1, &c2)
    mulAcc32(a6, b4, &c0, &c1, &c2)
    mulAcc32(a7, b3, &c0, &c1, &c2)
    let r10 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a4, b7, &c0, &c1, &c2)
    mulAcc32(a5, b6, &c0, &c1, &c2)
    mulAcc32(a6, b5, &c0, &c1, &c2)
    mulAcc32(a7, b4, &c0, &c1, &c2)
    let r11 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a5, b7, &c0, &c1, &c2)
    mulAcc32(a6, b6, &c0, &c1, &c2)
    mulAcc32(a7, b5, &c0, &c1, &c2)
    let r12 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a6, b7, &c0, &c1, &c2)
    mulAcc32(a7, b6, &c0, &c1, &c2)
    let r13 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a7, b7, &c0, &c1, &c2)
    let r14 = c0
    let r15 = c1
    return fieldReduce32(r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15)
}

/// a² mod p with 32-bit limbs: the cross products a_i·a_j (i < j) once, doubled, plus the
/// squares on the diagonal.
@inlinable
func fieldSquare32(_ a: UInt256) -> UInt256 {
    let a0 = UInt32(truncatingIfNeeded: a.w0)
    let a1 = UInt32(truncatingIfNeeded: a.w0 &>> 32)
    let a2 = UInt32(truncatingIfNeeded: a.w1)
    let a3 = UInt32(truncatingIfNeeded: a.w1 &>> 32)
    let a4 = UInt32(truncatingIfNeeded: a.w2)
    let a5 = UInt32(truncatingIfNeeded: a.w2 &>> 32)
    let a6 = UInt32(truncatingIfNeeded: a.w3)
    let a7 = UInt32(truncatingIfNeeded: a.w3 &>> 32)
    var c0: UInt32 = 0
    var c1: UInt32 = 0
    var c2: UInt32 = 0
    mulAcc32(a0, a1, &c0, &c1, &c2)
    var r1 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a0, a2, &c0, &c1, &c2)
    var r2 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a0, a3, &c0, &c1, &c2)
    mulAcc32(a1, a2, &c0, &c1, &c2)
    var r3 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a0, a4, &c0, &c1, &c2)
    mulAcc32(a1, a3, &c0, &c1, &c2)
    var r4 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a0, a5, &c0, &c1, &c2)
    mulAcc32(a1, a4, &c0, &c1, &c2)
    mulAcc32(a2, a3, &c0, &c1, &c2)
    var r5 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a0, a6, &c0, &c1, &c2)
    mulAcc32(a1, a5, &c0, &c1, &c2)
    mulAcc32(a2, a4, &c0, &c1, &c2)
    var r6 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a0, a7, &c0, &c1, &c2)
    mulAcc32(a1, a6, &c0, &c1, &c2)
    mulAcc32(a2, a5, &c0, &c1, &c2)
    mulAcc32(a3, a4, &c0, &c1, &c2)
    var r7 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a1, a7, &c0, &c1, &c2)
    mulAcc32(a2, a6, &c0, &c1, &c2)
    mulAcc32(a3, a5, &c0, &c1, &c2)
    var r8 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a2, a7, &c0, &c1, &c2)
    mulAcc32(a3, a6, &c0, &c1, &c2)
    mulAcc32(a4, a5, &c0, &c1, &c2)
    var r9 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a3, a7, &c0, &c1, &c2)
    mulAcc32(a4, a6, &c0, &c1, &c2)
    var r10 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a4, a7, &c0, &c1, &c2)
    mulAcc32(a5, a6, &c0, &c1, &c2)
    var r11 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a5, a7, &c0, &c1, &c2)
    var r12 = c0
    (c0, c1, c2) = (c1, c2, 0)
    mulAcc32(a6, a7, &c0, &c1, &c2)
    var r13 = c0
    var r14 = c1
    var r15 = c2
    // Double the cross sum (below 2^511).
    r15 = (r15 &<< 1) | (r14 &>> 31)
    r14 = (r14 &<< 1) | (r13 &>> 31)
    r13 = (r13 &<< 1) | (r12 &>> 31)
    r12 = (r12 &<< 1) | (r11 &>> 31)
    r11 = (r11 &<< 1) | (r10 &>> 31)
    r10 = (r10 &<< 1) | (r9 &>> 31)
    r9 = (r9 &<< 1) | (r8 &>> 31)
    r8 = (r8 &<< 1) | (r7 &>> 31)
    r7 = (r7 &<< 1) | (r6 &>> 31)
    r6 = (r6 &<< 1) | (r5 &>> 31)
    r5 = (r5 &<< 1) | (r4 &>> 31)
    r4 = (r4 &<< 1) | (r3 &>> 31)
    r3 = (r3 &<< 1) | (r2 &>> 31)
    r2 = (r2 &<< 1) | (r1 &>> 31)
    r1 = r1 &<< 1
    // Add the squares a_i² at words 2i, 2i + 1.
    var c: UInt32 = 0
    let (r0, r1b) = addSquare32(a0, 0, r1, &c)
    let (r2b, r3b) = addSquare32(a1, r2, r3, &c)
    let (r4b, r5b) = addSquare32(a2, r4, r5, &c)
    let (r6b, r7b) = addSquare32(a3, r6, r7, &c)
    let (r8b, r9b) = addSquare32(a4, r8, r9, &c)
    let (r10b, r11b) = addSquare32(a5, r10, r11, &c)
    let (r12b, r13b) = addSquare32(a6, r12, r13, &c)
    let (r14b, r15b) = addSquare32(a7, r14, r15, &c)
    return fieldReduce32(r0, r1b, r2b, r3b, r4b, r5b, r6b, r7b, r8b, r9b, r10b, r11b, r12b, r13b, r14b, r15b)
}
