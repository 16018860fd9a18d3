import EVMPrimitives

/// a + b·c + carry as (low, high); never overflows 128 bits.
@inlinable @inline(__always)
func mac(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
    #if arch(x86_64) || arch(arm64)
    let t = UInt128(b) &* UInt128(c) &+ UInt128(a) &+ UInt128(carry)
    return (UInt64(truncatingIfNeeded: t), UInt64(truncatingIfNeeded: t &>> 64))
    #else
    return macPortable(a, b, c, carry)
    #endif
}

/// `mac` with 64-bit operations only (the riscv32 path; tested on every host).
@inlinable @inline(__always)
func macPortable(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
    let p = wideProduct(b, c)
    let (l1, o1) = p.low.addingReportingOverflow(a)
    let (l2, o2) = l1.addingReportingOverflow(carry)
    return (l2, p.high &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0))
}

/// The full 512-bit product of two 256-bit values, limbs least significant first.
@inlinable @inline(__always)
func wideMul(_ a: UInt256, _ b: UInt256) -> (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) {
    var t0: UInt64 = 0
    var t1: UInt64 = 0
    var t2: UInt64 = 0
    var t3: UInt64 = 0
    var t4: UInt64 = 0
    var t5: UInt64 = 0
    var t6: UInt64 = 0
    var t7: UInt64 = 0
    var c: UInt64 = 0
    (t0, c) = mac(t0, a.w0, b.w0, c)
    (t1, c) = mac(t1, a.w0, b.w1, c)
    (t2, c) = mac(t2, a.w0, b.w2, c)
    (t3, c) = mac(t3, a.w0, b.w3, c)
    t4 = c
    c = 0
    (t1, c) = mac(t1, a.w1, b.w0, c)
    (t2, c) = mac(t2, a.w1, b.w1, c)
    (t3, c) = mac(t3, a.w1, b.w2, c)
    (t4, c) = mac(t4, a.w1, b.w3, c)
    t5 = c
    c = 0
    (t2, c) = mac(t2, a.w2, b.w0, c)
    (t3, c) = mac(t3, a.w2, b.w1, c)
    (t4, c) = mac(t4, a.w2, b.w2, c)
    (t5, c) = mac(t5, a.w2, b.w3, c)
    t6 = c
    c = 0
    (t3, c) = mac(t3, a.w3, b.w0, c)
    (t4, c) = mac(t4, a.w3, b.w1, c)
    (t5, c) = mac(t5, a.w3, b.w2, c)
    (t6, c) = mac(t6, a.w3, b.w3, c)
    t7 = c

    return (t0, t1, t2, t3, t4, t5, t6, t7)
}

/// The full 512-bit square of a 256-bit value: six cross products doubled plus four squares.
@inlinable @inline(__always)
func wideSquare(_ a: UInt256) -> (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) {
    var c: UInt64
    var t1: UInt64
    var t2: UInt64
    var t3: UInt64
    var t4: UInt64
    var t5: UInt64
    var t6: UInt64
    (t1, c) = mac(0, a.w0, a.w1, 0)
    (t2, c) = mac(0, a.w0, a.w2, c)
    (t3, c) = mac(0, a.w0, a.w3, c)
    t4 = c
    (t3, c) = mac(t3, a.w1, a.w2, 0)
    (t4, c) = mac(t4, a.w1, a.w3, c)
    t5 = c
    (t5, c) = mac(t5, a.w2, a.w3, 0)
    t6 = c
    // Double the cross products.
    let t7 = t6 >> 63
    t6 = (t6 << 1) | (t5 >> 63)
    t5 = (t5 << 1) | (t4 >> 63)
    t4 = (t4 << 1) | (t3 >> 63)
    t3 = (t3 << 1) | (t2 >> 63)
    t2 = (t2 << 1) | (t1 >> 63)
    t1 = t1 << 1
    // Add the squares a_i² at limbs 2i, 2i + 1.
    let s0 = wideProduct(a.w0, a.w0)
    let s1 = wideProduct(a.w1, a.w1)
    let s2 = wideProduct(a.w2, a.w2)
    let s3 = wideProduct(a.w3, a.w3)
    var o: Bool
    var k: UInt64
    let r0 = s0.low
    (t1, o) = t1.addingReportingOverflow(s0.high)
    k = o ? 1 : 0
    (t2, c) = mac(t2, s1.low, 1, k)
    (t3, c) = mac(t3, s1.high, 1, c)
    (t4, c) = mac(t4, s2.low, 1, c)
    (t5, c) = mac(t5, s2.high, 1, c)
    (t6, c) = mac(t6, s3.low, 1, c)
    let r7 = t7 &+ s3.high &+ c
    return (r0, t1, t2, t3, t4, t5, t6, r7)
}

/// An element of the secp256k1 base field, p = 2^256 − 2^32 − 977, always fully reduced.
@frozen
public struct FieldElement: Hashable, Sendable {
    /// The canonical value in `0..<p`.
    public var value: UInt256

    /// The element `v`, which must be below `p` (see ``init(reducing:)`` otherwise).
    @inlinable @inline(__always)
    public init(unchecked v: UInt256) { value = v }

    /// `v mod p`.
    @inlinable
    public init(reducing v: UInt256) {
        value = v
        if FieldElement.geP(v) { value = v &+ FieldElement.c256 }
    }

    /// The element `v` when `v < p`, else `nil`.
    @inlinable
    public init?(exactly v: UInt256) {
        if FieldElement.geP(v) { return nil }
        value = v
    }

    /// The modulus p.
    @inlinable public static var p: UInt256 {
        UInt256(0xFFFF_FFFE_FFFF_FC2F, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF)
    }
    /// 2^256 − p = 2^32 + 977.
    @inlinable public static var c: UInt64 { 0x1_0000_03D1 }
    @inlinable static var c256: UInt256 { UInt256(0x1_0000_03D1, 0, 0, 0) }

    @inlinable public static var zero: FieldElement { FieldElement(unchecked: .zero) }
    @inlinable public static var one: FieldElement { FieldElement(unchecked: .one) }

    @inlinable @inline(__always)
    static func geP(_ v: UInt256) -> Bool {
        (v.w1 & v.w2 & v.w3) == ~0 && v.w0 >= 0xFFFF_FFFE_FFFF_FC2F
    }

    @inlinable
    public var isZero: Bool { value.isZero }
    @inlinable
    public var isOdd: Bool { value.w0 & 1 == 1 }

    @inlinable @inline(__always)
    public static func + (a: FieldElement, b: FieldElement) -> FieldElement {
        let (s, o) = a.value.addingReportingOverflow(b.value)
        if o || geP(s) { return FieldElement(unchecked: s &+ c256) }
        return FieldElement(unchecked: s)
    }

    @inlinable @inline(__always)
    public static func - (a: FieldElement, b: FieldElement) -> FieldElement {
        let (d, borrow) = a.value.subtractingReportingOverflow(b.value)
        if borrow { return FieldElement(unchecked: d &- c256) }
        return FieldElement(unchecked: d)
    }

    @inlinable @inline(__always)
    public static prefix func - (a: FieldElement) -> FieldElement { FieldElement.zero - a }

    /// Reduces the 512-bit `t` modulo p using 2^256 ≡ 2^32 + 977.
    @inlinable @inline(__always)
    static func reduce(_ t: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)) -> FieldElement {
        let cc = c
        var carry: UInt64 = 0
        var r0: UInt64
        var r1: UInt64
        var r2: UInt64
        var r3: UInt64
        (r0, carry) = mac(t.0, t.4, cc, 0)
        (r1, carry) = mac(t.1, t.5, cc, carry)
        (r2, carry) = mac(t.2, t.6, cc, carry)
        (r3, carry) = mac(t.3, t.7, cc, carry)
        // carry < 2^34: fold carry·c (< 2^67) once more.
        let f = wideProduct(carry, cc)
        var o: Bool
        (r0, o) = r0.addingReportingOverflow(f.low)
        var k: UInt64 = f.high &+ (o ? 1 : 0)
        (r1, o) = r1.addingReportingOverflow(k)
        k = o ? 1 : 0
        (r2, o) = r2.addingReportingOverflow(k)
        k = o ? 1 : 0
        (r3, o) = r3.addingReportingOverflow(k)
        var r = UInt256(r0, r1, r2, r3)
        if o {
            // Wrapped past 2^256: add c again (the value is now tiny, no further carry).
            r = r &+ c256
        }
        if geP(r) { r = r &+ c256 }
        return FieldElement(unchecked: r)
    }

    @inlinable @inline(__always)
    public static func * (a: FieldElement, b: FieldElement) -> FieldElement {
        #if _pointerBitWidth(_32)
        // On the rv32im guests every product goes through ``secp256k1FieldMul(_:_:_:)``, which
        // the guest linker routes to the `uint256_mulmod` syscall.
        FieldElement(unchecked: guestProduct(a.value, b.value, secp256k1FieldMul))
        #else
        reduce(wideMul(a.value, b.value))
        #endif
    }

    @inlinable @inline(__always)
    public static func += (a: inout FieldElement, b: FieldElement) { a = a + b }
    @inlinable @inline(__always)
    public static func -= (a: inout FieldElement, b: FieldElement) { a = a - b }
    @inlinable @inline(__always)
    public static func *= (a: inout FieldElement, b: FieldElement) { a = a * b }

    /// The square (on 32-bit targets through ``secp256k1FieldMul(_:_:_:)``, like products).
    @inlinable @inline(__always)
    public func squared() -> FieldElement {
        #if _pointerBitWidth(_32)
        FieldElement(unchecked: guestProduct(value, value, secp256k1FieldMul))
        #else
        FieldElement.reduce(wideSquare(value))
        #endif
    }

    /// Squares `n` times.
    @inlinable
    public func squared(times n: Int) -> FieldElement {
        var x = self
        for _ in 0..<n { x = x.squared() }
        return x
    }

    /// Doubles the element.
    @inlinable @inline(__always)
    public func doubled() -> FieldElement { self + self }

    /// Multiplies by a small constant.
    @inlinable @inline(__always)
    public func times(_ k: UInt64) -> FieldElement {
        let p0 = mac(0, value.w0, k, 0)
        let p1 = mac(0, value.w1, k, p0.1)
        let p2 = mac(0, value.w2, k, p1.1)
        let p3 = mac(0, value.w3, k, p2.1)
        return FieldElement.reduce((p0.0, p1.0, p2.0, p3.0, p3.1, 0, 0, 0))
    }

    /// Shared prefix of the inverse and square-root addition chains (libsecp256k1's):
    /// returns (x2, x3, x22, x223) where xk = self^(2^k − 1).
    @inlinable
    func chainPrefix() -> (FieldElement, FieldElement, FieldElement, FieldElement) {
        let x = self
        let x2 = x.squared() * x
        let x3 = x2.squared() * x
        let x6 = x3.squared(times: 3) * x3
        let x9 = x6.squared(times: 3) * x3
        let x11 = x9.squared(times: 2) * x2
        let x22 = x11.squared(times: 11) * x11
        let x44 = x22.squared(times: 22) * x22
        let x88 = x44.squared(times: 44) * x44
        let x176 = x88.squared(times: 88) * x88
        let x220 = x176.squared(times: 44) * x44
        let x223 = x220.squared(times: 3) * x3
        return (x2, x3, x22, x223)
    }

    /// The multiplicative inverse (`self^(p−2)`); zero for zero.
    @inlinable
    public func inverse() -> FieldElement {
        #if _pointerBitWidth(_32)
        return FieldElement(unchecked: guestPower(value, FieldElement.p &- UInt256(2), modN: false))
        #else
        let (x2, _, x22, x223) = chainPrefix()
        var t = x223.squared(times: 23) * x22
        t = t.squared(times: 5) * self
        t = t.squared(times: 3) * x2
        t = t.squared(times: 2) * self
        return t
        #endif
    }

    /// A square root (`self^((p+1)/4)`) when one exists, else `nil`.
    @inlinable
    public func squareRoot() -> FieldElement? {
        #if _pointerBitWidth(_32)
        // (p + 1) / 4
        let e = UInt256(0xFFFF_FFFF_BFFF_FF0C, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF, 0x3FFF_FFFF_FFFF_FFFF)
        let t = FieldElement(unchecked: guestPower(value, e, modN: false))
        #else
        let (x2, _, x22, x223) = chainPrefix()
        var t = x223.squared(times: 23) * x22
        t = t.squared(times: 6) * x2
        t = t.squared(times: 2)
        #endif
        return t.squared() == self ? t : nil
    }
}

/// `r := a·b mod p` for canonical field elements stored as 8 little-endian words each (the
/// layout of `UInt256`), in software: ``fieldSquare32(_:)`` when `a == b`, else the 64-bit
/// product and reduction.
///
/// On the rv32im zkVM guests, field products and squares call this function (never inlined),
/// and the guest linker wraps its symbol (`ld.lld --wrap`, `Guests/runtime/secp256k1_accel.c`) to
/// make one `uint256_mulmod` syscall with m = p instead; under Linux (qemu-riscv32), which has
/// no such syscall, the wrapper calls this software body.
@inline(never)
public func secp256k1FieldMul(
    _ r: UnsafeMutablePointer<UInt32>,
    _ a: UnsafePointer<UInt32>,
    _ b: UnsafePointer<UInt32>
) {
    let x = loadWords(a)
    storeWords(r, a == b ? fieldSquare32(x) : FieldElement.reduce(wideMul(x, loadWords(b))).value)
}

/// `r := a·b mod n` for canonical scalars stored as 8 little-endian words each, in software.
/// Like ``secp256k1FieldMul(_:_:_:)``: the guests' scalar products call it, and their linker
/// wraps it to one `uint256_mulmod` syscall with m = n.
@inline(never)
public func secp256k1ScalarMul(
    _ r: UnsafeMutablePointer<UInt32>,
    _ a: UnsafePointer<UInt32>,
    _ b: UnsafePointer<UInt32>
) {
    storeWords(r, Scalar.reduce(wideMul(loadWords(a), loadWords(b))).value)
}

@inline(__always)
func loadWords(_ p: UnsafePointer<UInt32>) -> UInt256 {
    func w(_ i: Int) -> UInt64 { UInt64(p[2 * i]) | UInt64(p[2 * i + 1]) << 32 }
    return UInt256(w(0), w(1), w(2), w(3))
}

@inline(__always)
func storeWords(_ r: UnsafeMutablePointer<UInt32>, _ v: UInt256) {
    r[0] = UInt32(truncatingIfNeeded: v.w0)
    r[1] = UInt32(truncatingIfNeeded: v.w0 >> 32)
    r[2] = UInt32(truncatingIfNeeded: v.w1)
    r[3] = UInt32(truncatingIfNeeded: v.w1 >> 32)
    r[4] = UInt32(truncatingIfNeeded: v.w2)
    r[5] = UInt32(truncatingIfNeeded: v.w2 >> 32)
    r[6] = UInt32(truncatingIfNeeded: v.w3)
    r[7] = UInt32(truncatingIfNeeded: v.w3 >> 32)
}

#if _pointerBitWidth(_32)
/// `product(a, b)` through a word-pointer product (the guests' accelerated field and scalar
/// products).
@inlinable @inline(__always)
func guestProduct(
    _ a: UInt256,
    _ b: UInt256,
    _ product: (UnsafeMutablePointer<UInt32>, UnsafePointer<UInt32>, UnsafePointer<UInt32>) -> Void
) -> UInt256 {
    var x = a
    var y = b
    var r = UInt256.zero
    withUnsafeMutableBytes(of: &r) { rp in
        withUnsafeBytes(of: &x) { xp in
            withUnsafeBytes(of: &y) { yp in
                product(
                    rp.baseAddress!.assumingMemoryBound(to: UInt32.self),
                    xp.baseAddress!.assumingMemoryBound(to: UInt32.self),
                    yp.baseAddress!.assumingMemoryBound(to: UInt32.self)
                )
            }
        }
    }
    return r
}

#endif

/// `base^exponent` mod p (`modN` false) or mod n (`modN` true) for the guests: a 4-bit fixed
/// window whose every product is one ``secp256k1FieldMul(_:_:_:)`` or
/// ``secp256k1ScalarMul(_:_:_:)`` call on 8-word buffers (one `uint256_mulmod` syscall there),
/// the accumulator squared in place instead of copied into and out of `UInt256` values.
/// Compiled on every target, so the host tests it against the 64-bit inverses and roots.
@usableFromInline
func guestPower(_ base: UInt256, _ exponent: UInt256, modN: Bool) -> UInt256 {
    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 8 * 17) { buffer in
        let t = buffer.baseAddress!  // base^1 … base^15 at t + 8·i (entry 0 unused), then acc
        let acc = t + 8 * 16
        @inline(__always) func multiply(
            _ r: UnsafeMutablePointer<UInt32>,
            _ a: UnsafePointer<UInt32>,
            _ b: UnsafePointer<UInt32>
        ) {
            if modN { secp256k1ScalarMul(r, a, b) } else { secp256k1FieldMul(r, a, b) }
        }
        storeWords(t + 8, base)
        for i in 2..<16 { multiply(t + 8 * i, t + 8 * (i &- 1), t + 8) }
        var started = false
        var nibble = 63
        while nibble >= 0 {
            let d = Int(truncatingIfNeeded: (exponent[limb: nibble >> 4] >> UInt64((nibble & 15) &* 4)) & 0xF)
            if started {
                for _ in 0..<4 { multiply(acc, acc, acc) }
                if d != 0 { multiply(acc, acc, t + 8 * d) }
            } else if d != 0 {
                acc.update(from: t + 8 * d, count: 8)
                started = true
            }
            nibble &-= 1
        }
        return started ? loadWords(acc) : UInt256.one
    }
}
