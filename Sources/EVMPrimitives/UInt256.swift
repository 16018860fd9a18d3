/// A 256-bit unsigned integer with the EVM's wrapping semantics.
///
/// Four 64-bit limbs, least significant first (`w0` is bits 0–63). Arithmetic operators wrap
/// modulo 2^256 (`+`, `-`, `*` are the same as `&+`, `&-`, `&*`); division and remainder by
/// zero give zero, as the EVM's `DIV` and `MOD` do. Signed helpers read the value as two's
/// complement.
@frozen
public struct UInt256: Hashable, Sendable {
    /// Bits 0–63.
    public var w0: UInt64
    /// Bits 64–127.
    public var w1: UInt64
    /// Bits 128–191.
    public var w2: UInt64
    /// Bits 192–255.
    public var w3: UInt64

    /// The value with the given limbs, least significant first.
    @inlinable @inline(__always)
    public init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    /// The value `v`.
    @inlinable @inline(__always)
    public init(_ v: UInt64) { self.init(v, 0, 0, 0) }

    /// The value `v`; negative `v` is sign-extended (two's complement).
    @inlinable
    public init(truncatingIfNeeded v: Int) {
        let ext: UInt64 = v < 0 ? ~0 : 0
        self.init(UInt64(truncatingIfNeeded: v), ext, ext, ext)
    }

    /// Zero.
    @inlinable public static var zero: UInt256 { UInt256(0, 0, 0, 0) }
    /// One.
    @inlinable public static var one: UInt256 { UInt256(1, 0, 0, 0) }
    /// 2^256 − 1.
    @inlinable public static var max: UInt256 { UInt256(~0, ~0, ~0, ~0) }

    /// Whether the value is zero.
    @inlinable @inline(__always)
    public var isZero: Bool { (w0 | w1 | w2 | w3) == 0 }

    /// Limb `i` (0 = least significant).
    @inlinable @inline(__always)
    public subscript(limb i: Int) -> UInt64 {
        get {
            switch i {
            case 0: return w0
            case 1: return w1
            case 2: return w2
            default: return w3
            }
        }
        set {
            switch i {
            case 0: w0 = newValue
            case 1: w1 = newValue
            case 2: w2 = newValue
            default: w3 = newValue
            }
        }
    }

    /// Whether the value is below 2^64.
    @inlinable
    public var fitsInUInt64: Bool { (w1 | w2 | w3) == 0 }

    /// The value as an `Int` when it fits in `0...Int.max`, else `nil`.
    @inlinable
    public var intValue: Int? {
        guard fitsInUInt64, w0 <= UInt64(Int.max) else { return nil }
        return Int(w0)
    }

    /// The value clamped to `Int.max` (useful for memory offsets and sizes that must be bounded).
    @inlinable
    public var clampedToInt: Int { intValue ?? Int.max }
}

// MARK: - Bytes

extension UInt256 {
    /// Reads exactly 32 big-endian bytes at `pointer` (no alignment needed).
    @inlinable @inline(__always)
    public init(loadingBigEndian pointer: UnsafeRawPointer) {
        self.init(
            UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 24, as: UInt64.self)),
            UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
            UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        )
    }

    /// Writes the value as 32 big-endian bytes at `pointer` (no alignment needed).
    @inlinable @inline(__always)
    public func storeBigEndian(to pointer: UnsafeMutableRawPointer) {
        pointer.storeBytes(of: w3.bigEndian, toByteOffset: 0, as: UInt64.self)
        pointer.storeBytes(of: w2.bigEndian, toByteOffset: 8, as: UInt64.self)
        pointer.storeBytes(of: w1.bigEndian, toByteOffset: 16, as: UInt64.self)
        pointer.storeBytes(of: w0.bigEndian, toByteOffset: 24, as: UInt64.self)
    }

    /// The value of up to 32 big-endian bytes (an empty buffer is zero); `nil` for more than 32.
    @inlinable
    public init?(bigEndianBytes bytes: UnsafeRawBufferPointer) {
        guard bytes.count <= 32 else { return nil }
        var v = UInt256.zero
        for b in bytes {
            v = (v << 8) | UInt256(UInt64(b))
        }
        self = v
    }

    /// The value of up to 32 big-endian bytes (an empty array is zero); `nil` for more than 32.
    @inlinable
    public init?(bigEndianBytes bytes: [UInt8]) {
        guard let v = bytes.withUnsafeBytes({ UInt256(bigEndianBytes: $0) }) else { return nil }
        self = v
    }

    /// The value as 32 big-endian bytes.
    @inlinable
    public var bigEndianBytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buf, n in
            storeBigEndian(to: UnsafeMutableRawPointer(buf.baseAddress!))
            n = 32
        }
    }

    /// The value as big-endian bytes without leading zeros (zero is the empty array), as RLP encodes integers.
    @inlinable
    public var minimalBigEndianBytes: [UInt8] {
        let full = bigEndianBytes
        let skip = leadingZeroBitCount / 8
        return Array(full[skip...])
    }

    /// Number of bytes needed to write the value (0 for zero).
    @inlinable
    public var byteWidth: Int { (263 &- leadingZeroBitCount) / 8 }

    /// Number of significant bits (0 for zero).
    @inlinable
    public var bitWidth: Int { 256 &- leadingZeroBitCount }

    /// The number of leading zero bits (256 for zero).
    @inlinable
    public var leadingZeroBitCount: Int {
        if w3 != 0 { return w3.leadingZeroBitCount }
        if w2 != 0 { return 64 &+ w2.leadingZeroBitCount }
        if w1 != 0 { return 128 &+ w1.leadingZeroBitCount }
        return 192 &+ w0.leadingZeroBitCount
    }

    /// The number of trailing zero bits (256 for zero).
    @inlinable
    public var trailingZeroBitCount: Int {
        if w0 != 0 { return w0.trailingZeroBitCount }
        if w1 != 0 { return 64 &+ w1.trailingZeroBitCount }
        if w2 != 0 { return 128 &+ w2.trailingZeroBitCount }
        return 192 &+ w3.trailingZeroBitCount
    }

    /// The EVM's `BYTE`: byte `i` counted from the most significant end, or zero when `i ≥ 32`.
    @inlinable
    public func byte(_ i: UInt256) -> UInt256 {
        guard i.fitsInUInt64, i.w0 < 32 else { return .zero }
        let idx = 31 &- Int(i.w0)  // little-endian byte index
        let limb = self[limb: idx >> 3]
        return UInt256((limb >> UInt64((idx & 7) &* 8)) & 0xFF)
    }

    /// Bit `i` (0 = least significant); `false` for `i ≥ 256`.
    @inlinable
    public func bit(_ i: Int) -> Bool {
        guard i >= 0 && i < 256 else { return false }
        return (self[limb: i >> 6] >> UInt64(i & 63)) & 1 == 1
    }
}

// MARK: - Comparison

extension UInt256: Comparable {
    @inlinable @inline(__always)
    public static func < (a: UInt256, b: UInt256) -> Bool {
        if a.w3 != b.w3 { return a.w3 < b.w3 }
        if a.w2 != b.w2 { return a.w2 < b.w2 }
        if a.w1 != b.w1 { return a.w1 < b.w1 }
        return a.w0 < b.w0
    }

    @inlinable @inline(__always)
    public static func == (a: UInt256, b: UInt256) -> Bool {
        ((a.w0 ^ b.w0) | (a.w1 ^ b.w1) | (a.w2 ^ b.w2) | (a.w3 ^ b.w3)) == 0
    }
}

// MARK: - Addition, subtraction, multiplication

extension UInt256 {
    /// `self + other` and whether it carried out of bit 255.
    @inlinable @inline(__always)
    public func addingReportingOverflow(_ b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (r0, c0) = w0.addingReportingOverflow(b.w0)
        var (r1, c1) = w1.addingReportingOverflow(b.w1)
        var c: Bool
        (r1, c) = r1.addingReportingOverflow(c0 ? 1 : 0)
        c1 = c1 || c
        var (r2, c2) = w2.addingReportingOverflow(b.w2)
        (r2, c) = r2.addingReportingOverflow(c1 ? 1 : 0)
        c2 = c2 || c
        var (r3, c3) = w3.addingReportingOverflow(b.w3)
        (r3, c) = r3.addingReportingOverflow(c2 ? 1 : 0)
        c3 = c3 || c
        return (UInt256(r0, r1, r2, r3), c3)
    }

    /// `self - other` and whether it borrowed.
    @inlinable @inline(__always)
    public func subtractingReportingOverflow(_ b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (r0, c0) = w0.subtractingReportingOverflow(b.w0)
        var (r1, c1) = w1.subtractingReportingOverflow(b.w1)
        var c: Bool
        (r1, c) = r1.subtractingReportingOverflow(c0 ? 1 : 0)
        c1 = c1 || c
        var (r2, c2) = w2.subtractingReportingOverflow(b.w2)
        (r2, c) = r2.subtractingReportingOverflow(c1 ? 1 : 0)
        c2 = c2 || c
        var (r3, c3) = w3.subtractingReportingOverflow(b.w3)
        (r3, c) = r3.subtractingReportingOverflow(c2 ? 1 : 0)
        c3 = c3 || c
        return (UInt256(r0, r1, r2, r3), c3)
    }

    /// Wrapping addition.
    @inlinable @inline(__always)
    public static func &+ (a: UInt256, b: UInt256) -> UInt256 { a.addingReportingOverflow(b).partialValue }
    /// Wrapping subtraction.
    @inlinable @inline(__always)
    public static func &- (a: UInt256, b: UInt256) -> UInt256 { a.subtractingReportingOverflow(b).partialValue }
    /// Wrapping addition (same as `&+`).
    @inlinable @inline(__always)
    public static func + (a: UInt256, b: UInt256) -> UInt256 { a &+ b }
    /// Wrapping subtraction (same as `&-`).
    @inlinable @inline(__always)
    public static func - (a: UInt256, b: UInt256) -> UInt256 { a &- b }
    /// Wrapping multiplication (same as `&*`).
    @inlinable @inline(__always)
    public static func * (a: UInt256, b: UInt256) -> UInt256 { a &* b }
    @inlinable @inline(__always)
    public static func += (a: inout UInt256, b: UInt256) { a = a &+ b }
    @inlinable @inline(__always)
    public static func -= (a: inout UInt256, b: UInt256) { a = a &- b }
    @inlinable @inline(__always)
    public static func *= (a: inout UInt256, b: UInt256) { a = a &* b }

    /// Two's-complement negation (wrapping).
    @inlinable @inline(__always)
    public static prefix func - (a: UInt256) -> UInt256 { UInt256.zero &- a }

    /// Wrapping multiplication modulo 2^256.
    @inlinable
    public static func &* (a: UInt256, b: UInt256) -> UInt256 {
        // Column-wise schoolbook, only the partial products below 2^256.
        var r0: UInt64
        var r1: UInt64
        var r2: UInt64
        var r3: UInt64
        var carry: UInt64
        // row a.w0
        var p = wideProduct(a.w0, b.w0)
        r0 = p.low
        carry = p.high
        p = wideProduct(a.w0, b.w1)
        var s = p.low.addingReportingOverflow(carry)
        r1 = s.partialValue
        carry = p.high &+ (s.overflow ? 1 : 0)
        p = wideProduct(a.w0, b.w2)
        s = p.low.addingReportingOverflow(carry)
        r2 = s.partialValue
        carry = p.high &+ (s.overflow ? 1 : 0)
        r3 = a.w0 &* b.w3 &+ carry
        // row a.w1
        p = wideProduct(a.w1, b.w0)
        s = r1.addingReportingOverflow(p.low)
        r1 = s.partialValue
        carry = p.high &+ (s.overflow ? 1 : 0)
        p = wideProduct(a.w1, b.w1)
        s = r2.addingReportingOverflow(p.low)
        let s2 = s.partialValue.addingReportingOverflow(carry)
        r2 = s2.partialValue
        carry = p.high &+ (s.overflow ? 1 : 0) &+ (s2.overflow ? 1 : 0)
        r3 = r3 &+ a.w1 &* b.w2 &+ carry
        // row a.w2
        p = wideProduct(a.w2, b.w0)
        s = r2.addingReportingOverflow(p.low)
        r2 = s.partialValue
        carry = p.high &+ (s.overflow ? 1 : 0)
        r3 = r3 &+ a.w2 &* b.w1 &+ carry
        // row a.w3
        r3 = r3 &+ a.w3 &* b.w0
        return UInt256(r0, r1, r2, r3)
    }

    /// The full 512-bit product `self * other`.
    @inlinable
    public func multipliedFullWidth(by b: UInt256) -> (high: UInt256, low: UInt256) {
        var r: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &r) { raw in
            let out = raw.baseAddress!.assumingMemoryBound(to: UInt64.self)
            for i in 0..<4 {
                let ai = self[limb: i]
                var carry: UInt64 = 0
                for j in 0..<4 {
                    let p = wideProduct(ai, b[limb: j])
                    let (t, c1) = out[i &+ j].addingReportingOverflow(p.low)
                    let (t2, c2) = t.addingReportingOverflow(carry)
                    out[i &+ j] = t2
                    carry = p.high &+ (c1 ? 1 : 0) &+ (c2 ? 1 : 0)
                }
                out[i &+ 4] = carry
            }
        }
        return (UInt256(r.4, r.5, r.6, r.7), UInt256(r.0, r.1, r.2, r.3))
    }
}

// MARK: - Bitwise

extension UInt256 {
    @inlinable @inline(__always)
    public static func & (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(a.w0 & b.w0, a.w1 & b.w1, a.w2 & b.w2, a.w3 & b.w3)
    }
    @inlinable @inline(__always)
    public static func | (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(a.w0 | b.w0, a.w1 | b.w1, a.w2 | b.w2, a.w3 | b.w3)
    }
    @inlinable @inline(__always)
    public static func ^ (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(a.w0 ^ b.w0, a.w1 ^ b.w1, a.w2 ^ b.w2, a.w3 ^ b.w3)
    }
    @inlinable @inline(__always)
    public static prefix func ~ (a: UInt256) -> UInt256 { UInt256(~a.w0, ~a.w1, ~a.w2, ~a.w3) }
    @inlinable @inline(__always)
    public static func &= (a: inout UInt256, b: UInt256) { a = a & b }
    @inlinable @inline(__always)
    public static func |= (a: inout UInt256, b: UInt256) { a = a | b }
    @inlinable @inline(__always)
    public static func ^= (a: inout UInt256, b: UInt256) { a = a ^ b }

    /// Logical left shift; shifts of 256 or more (or negative) give zero.
    @inlinable
    public static func << (a: UInt256, n: Int) -> UInt256 {
        guard n >= 0 && n < 256 else { return .zero }
        var x0 = a.w0
        var x1 = a.w1
        var x2 = a.w2
        var x3 = a.w3
        switch n >> 6 {
        case 1: (x0, x1, x2, x3) = (0, x0, x1, x2)
        case 2: (x0, x1, x2, x3) = (0, 0, x0, x1)
        case 3: (x0, x1, x2, x3) = (0, 0, 0, x0)
        default: break
        }
        let b = UInt64(n & 63)
        if b == 0 { return UInt256(x0, x1, x2, x3) }
        let rb = 64 &- b
        return UInt256(x0 << b, (x1 << b) | (x0 >> rb), (x2 << b) | (x1 >> rb), (x3 << b) | (x2 >> rb))
    }

    /// Logical right shift; shifts of 256 or more (or negative) give zero.
    @inlinable
    public static func >> (a: UInt256, n: Int) -> UInt256 {
        guard n >= 0 && n < 256 else { return .zero }
        var x0 = a.w0
        var x1 = a.w1
        var x2 = a.w2
        var x3 = a.w3
        switch n >> 6 {
        case 1: (x0, x1, x2, x3) = (x1, x2, x3, 0)
        case 2: (x0, x1, x2, x3) = (x2, x3, 0, 0)
        case 3: (x0, x1, x2, x3) = (x3, 0, 0, 0)
        default: break
        }
        let b = UInt64(n & 63)
        if b == 0 { return UInt256(x0, x1, x2, x3) }
        let rb = 64 &- b
        return UInt256((x0 >> b) | (x1 << rb), (x1 >> b) | (x2 << rb), (x2 >> b) | (x3 << rb), x3 >> b)
    }

    /// The EVM's `SHL`: `a << n`, zero when `n ≥ 256`.
    @inlinable
    public static func << (a: UInt256, n: UInt256) -> UInt256 {
        guard n.fitsInUInt64, n.w0 < 256 else { return .zero }
        return a << Int(n.w0)
    }

    /// The EVM's `SHR`: `a >> n`, zero when `n ≥ 256`.
    @inlinable
    public static func >> (a: UInt256, n: UInt256) -> UInt256 {
        guard n.fitsInUInt64, n.w0 < 256 else { return .zero }
        return a >> Int(n.w0)
    }

    @inlinable
    public static func <<= (a: inout UInt256, n: Int) { a = a << n }
    @inlinable
    public static func >>= (a: inout UInt256, n: Int) { a = a >> n }
}

// MARK: - Division

/// Divides the 128-bit `(hi, lo)` by `d`; requires `hi < d`.
@inlinable @inline(__always)
package func div128(_ hi: UInt64, _ lo: UInt64, _ d: UInt64) -> (quotient: UInt64, remainder: UInt64) {
    #if arch(x86_64) || arch(arm64)
    return d.dividingFullWidth((hi, lo))
    #else
    return div128Portable(hi, lo, d)
    #endif
}

/// 128-by-64 division with 64-bit operations only (Hacker's Delight `divlu`); requires `hi < d`.
@inlinable
package func div128Portable(_ hi: UInt64, _ lo: UInt64, _ d0: UInt64) -> (quotient: UInt64, remainder: UInt64) {
    let b: UInt64 = 1 << 32
    let s = UInt64(d0.leadingZeroBitCount)
    let d = d0 << s
    let vn1 = d >> 32
    let vn0 = d & 0xFFFF_FFFF
    let un32 = s == 0 ? hi : (hi << s) | (lo >> (64 &- s))
    let un10 = lo << s
    let un1 = un10 >> 32
    let un0 = un10 & 0xFFFF_FFFF
    var q1 = un32 / vn1
    var rhat = un32 &- q1 &* vn1
    while q1 >= b || q1 &* vn0 > (rhat << 32) &+ un1 {
        q1 &-= 1
        rhat &+= vn1
        if rhat >= b { break }
    }
    let un21 = (un32 << 32) &+ un1 &- q1 &* d
    var q0 = un21 / vn1
    rhat = un21 &- q0 &* vn1
    while q0 >= b || q0 &* vn0 > (rhat << 32) &+ un0 {
        q0 &-= 1
        rhat &+= vn1
        if rhat >= b { break }
    }
    let r = ((un21 << 32) &+ un0 &- q0 &* d) >> s
    return ((q1 << 32) &+ q0, r)
}

/// Knuth's algorithm D on little-endian 64-bit limbs.
///
/// Divides `u[0..<m]` by `v[0..<n]` (`v[n-1] != 0`, `n ≥ 1`, `m ≥ n`). Writes the quotient
/// (`m - n + 1` limbs) to `q` when non-nil and the remainder (`n` limbs) to `r`. `u` must have room
/// for `m + 1` limbs and is clobbered; `v` is clobbered.
@inlinable
package func knuthDivide(
    _ u: UnsafeMutablePointer<UInt64>,
    _ m: Int,
    _ v: UnsafeMutablePointer<UInt64>,
    _ n: Int,
    quotient q: UnsafeMutablePointer<UInt64>?,
    remainder r: UnsafeMutablePointer<UInt64>
) {
    if n == 1 {
        let d = v[0]
        var rem: UInt64 = 0
        var j = m &- 1
        while j >= 0 {
            let (qq, rr) = div128(rem, u[j], d)
            q?[j] = qq
            rem = rr
            j &-= 1
        }
        r[0] = rem
        return
    }
    // Normalise so the top bit of v is set.
    let s = UInt64(v[n &- 1].leadingZeroBitCount)
    if s != 0 {
        var i = n &- 1
        while i > 0 {
            v[i] = (v[i] << s) | (v[i &- 1] >> (64 &- s))
            i &-= 1
        }
        v[0] <<= s
        u[m] = u[m &- 1] >> (64 &- s)
        i = m &- 1
        while i > 0 {
            u[i] = (u[i] << s) | (u[i &- 1] >> (64 &- s))
            i &-= 1
        }
        u[0] <<= s
    } else {
        u[m] = 0
    }
    let vTop = v[n &- 1]
    let vNext = v[n &- 2]
    var j = m &- n
    while j >= 0 {
        // Estimate qhat from the top two limbs of the current remainder.
        var qhat: UInt64
        var rhat: UInt64
        var rhatOverflow = false
        let ujn = u[j &+ n]
        if ujn >= vTop {
            qhat = ~0
            let t = u[j &+ n &- 1].addingReportingOverflow(vTop)
            rhat = t.partialValue
            rhatOverflow = t.overflow || ujn > vTop
        } else {
            (qhat, rhat) = div128(ujn, u[j &+ n &- 1], vTop)
        }
        while !rhatOverflow {
            let p = wideProduct(qhat, vNext)
            let ujn2 = u[j &+ n &- 2]
            if p.high > rhat || (p.high == rhat && p.low > ujn2) {
                qhat &-= 1
                let t = rhat.addingReportingOverflow(vTop)
                rhat = t.partialValue
                rhatOverflow = t.overflow
            } else {
                break
            }
        }
        // Multiply and subtract.
        var borrow: UInt64 = 0
        var carry: UInt64 = 0
        for i in 0..<n {
            let p = wideProduct(qhat, v[i])
            let (pl, c) = p.low.addingReportingOverflow(carry)
            carry = p.high &+ (c ? 1 : 0)
            let (t1, b1) = u[i &+ j].subtractingReportingOverflow(pl)
            let (t2, b2) = t1.subtractingReportingOverflow(borrow)
            u[i &+ j] = t2
            borrow = (b1 ? 1 : 0) &+ (b2 ? 1 : 0)
        }
        let (t1, b1) = u[j &+ n].subtractingReportingOverflow(carry)
        let (t2, b2) = t1.subtractingReportingOverflow(borrow)
        u[j &+ n] = t2
        if b1 || b2 {
            // qhat was one too large: add v back.
            qhat &-= 1
            var c: UInt64 = 0
            for i in 0..<n {
                let (a1, o1) = u[i &+ j].addingReportingOverflow(v[i])
                let (a2, o2) = a1.addingReportingOverflow(c)
                u[i &+ j] = a2
                c = (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
            }
            u[j &+ n] = u[j &+ n] &+ c
        }
        q?[j] = qhat
        j &-= 1
    }
    // Unnormalise the remainder.
    for i in 0..<n {
        r[i] = s == 0 ? u[i] : (u[i] >> s) | (u[i &+ 1] << (64 &- s))
    }
}

extension UInt256 {
    @inlinable
    var limbCount: Int {
        if w3 != 0 { return 4 }
        if w2 != 0 { return 3 }
        if w1 != 0 { return 2 }
        return w0 != 0 ? 1 : 0
    }

    /// Quotient and remainder; both zero when `divisor` is zero (the EVM's rule).
    @inlinable
    public func quotientAndRemainder(dividingBy divisor: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        let n = divisor.limbCount
        if n == 0 { return (.zero, .zero) }
        if self < divisor { return (.zero, self) }
        if n == 1 && fitsInUInt64 {
            return (UInt256(w0 / divisor.w0), UInt256(w0 % divisor.w0))
        }
        let m = limbCount
        var u: (UInt64, UInt64, UInt64, UInt64, UInt64) = (w0, w1, w2, w3, 0)
        var v: (UInt64, UInt64, UInt64, UInt64) = (divisor.w0, divisor.w1, divisor.w2, divisor.w3)
        var q: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var r: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &u) { ub in
            withUnsafeMutableBytes(of: &v) { vb in
                withUnsafeMutableBytes(of: &q) { qb in
                    withUnsafeMutableBytes(of: &r) { rb in
                        knuthDivide(
                            ub.baseAddress!.assumingMemoryBound(to: UInt64.self),
                            m,
                            vb.baseAddress!.assumingMemoryBound(to: UInt64.self),
                            n,
                            quotient: qb.baseAddress!.assumingMemoryBound(to: UInt64.self),
                            remainder: rb.baseAddress!.assumingMemoryBound(to: UInt64.self)
                        )
                    }
                }
            }
        }
        return (UInt256(q.0, q.1, q.2, q.3), UInt256(r.0, r.1, r.2, r.3))
    }

    /// The EVM's `DIV`: zero when `b` is zero.
    @inlinable
    public static func / (a: UInt256, b: UInt256) -> UInt256 { a.quotientAndRemainder(dividingBy: b).quotient }

    /// The EVM's `MOD`: zero when `b` is zero.
    @inlinable
    public static func % (a: UInt256, b: UInt256) -> UInt256 { a.quotientAndRemainder(dividingBy: b).remainder }

    @inlinable
    public static func /= (a: inout UInt256, b: UInt256) { a = a / b }
    @inlinable
    public static func %= (a: inout UInt256, b: UInt256) { a = a % b }

    /// The 512-bit value `(high, low)` modulo `m` (zero when `m` is zero).
    @inlinable
    public static func reduce512(high: UInt256, low: UInt256, modulo m: UInt256) -> UInt256 {
        if high.isZero { return low % m }
        let n = m.limbCount
        if n == 0 { return .zero }
        var u: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (
            low.w0, low.w1, low.w2, low.w3, high.w0, high.w1, high.w2, high.w3, 0
        )
        let ml = 4 &+ high.limbCount
        var v: (UInt64, UInt64, UInt64, UInt64) = (m.w0, m.w1, m.w2, m.w3)
        var r: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &u) { ub in
            withUnsafeMutableBytes(of: &v) { vb in
                withUnsafeMutableBytes(of: &r) { rb in
                    knuthDivide(
                        ub.baseAddress!.assumingMemoryBound(to: UInt64.self),
                        ml,
                        vb.baseAddress!.assumingMemoryBound(to: UInt64.self),
                        n,
                        quotient: nil,
                        remainder: rb.baseAddress!.assumingMemoryBound(to: UInt64.self)
                    )
                }
            }
        }
        return UInt256(r.0, r.1, r.2, r.3)
    }

    /// The EVM's `ADDMOD`: `(a + b) mod m` without overflow, zero when `m` is zero.
    @inlinable
    public static func addMod(_ a: UInt256, _ b: UInt256, _ m: UInt256) -> UInt256 {
        if m.isZero { return .zero }
        let (s, c) = a.addingReportingOverflow(b)
        if !c { return s % m }
        return reduce512(high: .one, low: s, modulo: m)
    }

    /// The EVM's `MULMOD`: `(a * b) mod m` with a 512-bit intermediate, zero when `m` is zero.
    @inlinable
    public static func mulMod(_ a: UInt256, _ b: UInt256, _ m: UInt256) -> UInt256 {
        if m.isZero { return .zero }
        let p = a.multipliedFullWidth(by: b)
        return reduce512(high: p.high, low: p.low, modulo: m)
    }

    /// The EVM's `EXP`: `base ** exponent` modulo 2^256.
    @inlinable
    public static func exp(_ base: UInt256, _ exponent: UInt256) -> UInt256 {
        if base.w0 == 2 && (base.w1 | base.w2 | base.w3) == 0 {
            return exponent.fitsInUInt64 && exponent.w0 < 256 ? UInt256.one << Int(exponent.w0) : .zero
        }
        var result = UInt256.one
        var i = exponent.bitWidth &- 1
        while i >= 0 {
            result = result &* result
            if (exponent[limb: i >> 6] >> UInt64(i & 63)) & 1 == 1 { result = result &* base }
            i &-= 1
        }
        return result
    }
}

// MARK: - Signed (two's complement) helpers

extension UInt256 {
    /// Whether bit 255 is set (negative as a two's-complement number).
    @inlinable @inline(__always)
    public var isNegative: Bool { w3 >> 63 == 1 }

    /// The absolute value of the two's-complement reading (2^255 stays 2^255).
    @inlinable
    public var magnitude: UInt256 { isNegative ? -self : self }

    /// The EVM's `SDIV`: signed division truncating toward zero; zero when `b` is zero,
    /// and `−2^255 / −1 = −2^255`.
    @inlinable
    public func sdiv(_ b: UInt256) -> UInt256 {
        if b.isZero { return .zero }
        let q = magnitude / b.magnitude
        return isNegative != b.isNegative ? -q : q
    }

    /// The EVM's `SMOD`: the remainder takes the sign of the dividend; zero when `b` is zero.
    @inlinable
    public func smod(_ b: UInt256) -> UInt256 {
        if b.isZero { return .zero }
        let r = magnitude % b.magnitude
        return isNegative ? -r : r
    }

    /// The EVM's `SLT`: signed `self < b`.
    @inlinable
    public func slt(_ b: UInt256) -> Bool {
        let na = isNegative
        let nb = b.isNegative
        if na != nb { return na }
        return self < b
    }

    /// The EVM's `SGT`: signed `self > b`.
    @inlinable
    public func sgt(_ b: UInt256) -> Bool { b.slt(self) }

    /// The EVM's `SIGNEXTEND`: extends the sign of byte `byteIndex` (0 = least significant) of
    /// `value`; `value` unchanged when `byteIndex ≥ 31`.
    @inlinable
    public static func signExtend(byteIndex: UInt256, value: UInt256) -> UInt256 {
        guard byteIndex.fitsInUInt64, byteIndex.w0 < 31 else { return value }
        let bit = Int(byteIndex.w0) &* 8 &+ 7
        let mask = (UInt256.one << (bit &+ 1)) &- .one
        return value.bit(bit) ? value | ~mask : value & mask
    }

    /// The EVM's `SAR`: arithmetic right shift; shifts of 256 or more give 0 or −1 by sign.
    @inlinable
    public func sar(_ shift: UInt256) -> UInt256 {
        let neg = isNegative
        guard shift.fitsInUInt64, shift.w0 < 256 else { return neg ? .max : .zero }
        let n = Int(shift.w0)
        let r = self >> n
        if !neg || n == 0 { return r }
        return r | ~(UInt256.max >> n)
    }
}

// MARK: - Text

extension UInt256: CustomStringConvertible {
    /// Lowercase hex with a `0x` prefix and no leading zeros (`0x0` for zero).
    public var description: String { hexString }

    /// Lowercase hex with a `0x` prefix and no leading zeros (`0x0` for zero).
    public var hexString: String {
        if isZero { return "0x0" }
        var digits = [UInt8]()
        digits.reserveCapacity(66)
        digits.append(UInt8(ascii: "0"))
        digits.append(UInt8(ascii: "x"))
        var i = (bitWidth &+ 3) / 4 &- 1
        while i >= 0 {
            let nib = (self[limb: i >> 4] >> UInt64((i & 15) &* 4)) & 0xF
            digits.append(hexDigit(UInt8(nib)))
            i &-= 1
        }
        return String(decoding: digits, as: UTF8.self)
    }

    /// The value in decimal digits.
    public var decimalString: String {
        if isZero { return "0" }
        var digits = [UInt8]()
        var v = self
        let chunk = UInt256(10_000_000_000_000_000_000)  // 10^19
        while !v.isZero {
            let (q, r) = v.quotientAndRemainder(dividingBy: chunk)
            var part = r.w0
            for _ in 0..<19 {
                digits.append(UInt8(truncatingIfNeeded: part % 10) &+ 48)
                part /= 10
                if q.isZero && part == 0 { break }
            }
            v = q
        }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }

    /// Parses hex digits with an optional `0x` prefix (at most 64 digits; empty is zero); `nil` otherwise.
    public init?(hex: String) {
        var v = UInt256.zero
        var count = 0
        var ok = true
        var utf8 = Array(hex.utf8)
        if utf8.count >= 2 && utf8[0] == UInt8(ascii: "0") && (utf8[1] | 0x20) == UInt8(ascii: "x") {
            utf8.removeFirst(2)
        }
        for c in utf8 {
            guard let d = hexValue(c) else {
                ok = false
                break
            }
            count &+= 1
            if count > 64 {
                ok = false
                break
            }
            v = (v << 4) | UInt256(UInt64(d))
        }
        guard ok else { return nil }
        self = v
    }

    /// Parses a decimal number (digits only, at most 2^256 − 1); `nil` otherwise.
    public init?(decimal: String) {
        var v = UInt256.zero
        let ten = UInt256(10)
        var any = false
        for c in decimal.utf8 {
            guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return nil }
            let p = v.multipliedFullWidth(by: ten)
            guard p.high.isZero else { return nil }
            let (s, o) = p.low.addingReportingOverflow(UInt256(UInt64(c &- UInt8(ascii: "0"))))
            guard !o else { return nil }
            v = s
            any = true
        }
        guard any else { return nil }
        self = v
    }
}

extension UInt256: ExpressibleByIntegerLiteral {
    @inlinable
    public init(integerLiteral value: UInt64) { self.init(value) }
}

/// The lowercase ASCII hex digit for a nibble.
@inlinable @inline(__always)
package func hexDigit(_ n: UInt8) -> UInt8 {
    n < 10 ? n &+ 48 : n &+ 87
}

/// The value of an ASCII hex digit, or `nil`.
@inlinable @inline(__always)
package func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 48...57: return c &- 48
    case 65...70: return c &- 55
    case 97...102: return c &- 87
    default: return nil
    }
}
