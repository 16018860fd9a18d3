import EVMPrimitives

/// An integer modulo the secp256k1 group order
/// n = 0xFFFFFFFF_FFFFFFFF_FFFFFFFF_FFFFFFFE_BAAEDCE6_AF48A03B_BFD25E8C_D0364141, always fully reduced.
@frozen
public struct Scalar: Hashable, Sendable {
    /// The canonical value in `0..<n`.
    public var value: UInt256

    /// The scalar `v`, which must be below `n`.
    @inlinable @inline(__always)
    public init(unchecked v: UInt256) { value = v }

    /// `v mod n`.
    @inlinable
    public init(reducing v: UInt256) {
        value = v >= Scalar.n ? v &- Scalar.n : v
    }

    /// The scalar `v` when `v < n`, else `nil`.
    @inlinable
    public init?(exactly v: UInt256) {
        guard v < Scalar.n else { return nil }
        value = v
    }

    /// The group order n.
    @inlinable public static var n: UInt256 {
        UInt256(0xBFD2_5E8C_D036_4141, 0xBAAE_DCE6_AF48_A03B, 0xFFFF_FFFF_FFFF_FFFE, 0xFFFF_FFFF_FFFF_FFFF)
    }
    /// ⌊n / 2⌋ (the largest low-s value).
    @inlinable public static var halfN: UInt256 {
        UInt256(0xDFE9_2F46_681B_20A0, 0x5D57_6E73_57A4_501D, 0xFFFF_FFFF_FFFF_FFFF, 0x7FFF_FFFF_FFFF_FFFF)
    }
    /// 2^256 − n (129 bits), limbs.
    @inlinable static var c0: UInt64 { 0x402D_A173_2FC9_BEBF }
    @inlinable static var c1: UInt64 { 0x4551_2319_50B7_5FC4 }

    @inlinable public static var zero: Scalar { Scalar(unchecked: .zero) }
    @inlinable public static var one: Scalar { Scalar(unchecked: .one) }

    @inlinable public var isZero: Bool { value.isZero }
    /// Whether the value exceeds n/2 (a "high-s" signature component).
    @inlinable public var isHigh: Bool { value > Scalar.halfN }

    @inlinable
    public static func + (a: Scalar, b: Scalar) -> Scalar {
        let (s, o) = a.value.addingReportingOverflow(b.value)
        if o || s >= n { return Scalar(unchecked: s &- n) }
        return Scalar(unchecked: s)
    }

    @inlinable
    public static func - (a: Scalar, b: Scalar) -> Scalar {
        let (d, borrow) = a.value.subtractingReportingOverflow(b.value)
        return Scalar(unchecked: borrow ? d &+ n : d)
    }

    @inlinable
    public static prefix func - (a: Scalar) -> Scalar { Scalar.zero - a }

    /// Reduces a 512-bit value modulo n by folding the high half with 2^256 ≡ 2^256 − n.
    @inlinable
    static func reduce(_ t: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)) -> Scalar {
        var l0 = t.0
        var l1 = t.1
        var l2 = t.2
        var l3 = t.3
        var h0 = t.4
        var h1 = t.5
        var h2 = t.6
        var h3 = t.7
        let k0 = c0
        let k1 = c1
        // Each fold replaces H·2^256 by H·(2^256 − n); H shrinks by ~127 bits per fold.
        while (h0 | h1 | h2 | h3) != 0 {
            // H · (c0 + c1·2^64 + 2^128) + L, up to 8 limbs.
            var r0: UInt64
            var r1: UInt64
            var r2: UInt64
            var r3: UInt64
            var r4: UInt64
            var r5: UInt64
            var r6: UInt64
            var r7: UInt64
            var c: UInt64
            // + H·c0
            (r0, c) = mac(l0, h0, k0, 0)
            (r1, c) = mac(l1, h1, k0, c)
            (r2, c) = mac(l2, h2, k0, c)
            (r3, c) = mac(l3, h3, k0, c)
            r4 = c
            // + H·c1·2^64
            (r1, c) = mac(r1, h0, k1, 0)
            (r2, c) = mac(r2, h1, k1, c)
            (r3, c) = mac(r3, h2, k1, c)
            (r4, c) = mac(r4, h3, k1, c)
            r5 = c
            // + H·2^128
            var o: Bool
            (r2, o) = r2.addingReportingOverflow(h0)
            c = o ? 1 : 0
            (r3, c) = mac(r3, h1, 1, c)
            (r4, c) = mac(r4, h2, 1, c)
            (r5, c) = mac(r5, h3, 1, c)
            r6 = c
            r7 = 0
            (l0, l1, l2, l3) = (r0, r1, r2, r3)
            (h0, h1, h2, h3) = (r4, r5, r6, r7)
        }
        let v = UInt256(l0, l1, l2, l3)
        return Scalar(unchecked: v >= n ? v &- n : v)
    }

    @inlinable
    public static func * (a: Scalar, b: Scalar) -> Scalar {
        #if _pointerBitWidth(_32)
        // On the rv32im guests every product goes through ``secp256k1ScalarMul(_:_:_:)``, which
        // the guest linker routes to the `uint256_mulmod` syscall.
        Scalar(unchecked: guestProduct(a.value, b.value, secp256k1ScalarMul))
        #else
        reduce(wideMul(a.value, b.value))
        #endif
    }

    /// The multiplicative inverse (`self^(n−2)`, 4-bit fixed window); zero for zero.
    @inlinable
    public func inverse() -> Scalar {
        #if _pointerBitWidth(_32)
        return Scalar(unchecked: guestPower(value, Scalar.n &- UInt256(2), modN: true))
        #else
        // Table of self^0 … self^15.
        var table = (
            Scalar.one, self, Scalar.zero, Scalar.zero, Scalar.zero, Scalar.zero, Scalar.zero, Scalar.zero,
            Scalar.zero, Scalar.zero, Scalar.zero, Scalar.zero, Scalar.zero, Scalar.zero, Scalar.zero, Scalar.zero
        )
        let e = Scalar.n &- UInt256(2)
        return withUnsafeMutableBytes(of: &table) { raw in
            let t = raw.baseAddress!.assumingMemoryBound(to: Scalar.self)
            for i in 2..<16 { t[i] = t[i &- 1] * self }
            var acc = Scalar.one
            var nib = 63
            while nib >= 0 {
                acc = acc * acc
                acc = acc * acc
                acc = acc * acc
                acc = acc * acc
                let d = Int((e[limb: nib >> 4] >> UInt64((nib & 15) &* 4)) & 0xF)
                if d != 0 { acc = acc * t[d] }
                nib &-= 1
            }
            return acc
        }
        #endif
    }
}
