import EVMPrimitives

/// 0 or 1 without a branch.
@inline(__always)
func carryBit(_ b: Bool) -> UInt64 { UInt64(unsafeBitCast(b, to: UInt8.self)) }

/// out ← a·b·R⁻¹ mod m, R = 2^(64n), for n-limb a, b < m (m odd, `mInv` = −m⁻¹ mod 2⁶⁴): the
/// Montgomery product (CIOS), the one kernel behind `Fp` (n = 4 or 6, constant once
/// specialised, so the loops unroll) and modexp's `MontgomeryContext` (any n). `t` is scratch
/// of n + 2 limbs; `out` may alias `a` or `b`.
@inline(__always)
func montgomeryProduct(
    _ out: UnsafeMutablePointer<UInt64>,
    _ a: UnsafePointer<UInt64>,
    _ b: UnsafePointer<UInt64>,
    _ m: UnsafePointer<UInt64>,
    _ n: Int,
    _ mInv: UInt64,
    _ t: UnsafeMutablePointer<UInt64>
) {
    for i in 0..<(n + 2) { t[i] = 0 }
    for i in 0..<n {
        // t ← t + a[i]·b
        var c: UInt64 = 0
        let ai = a[i]
        for j in 0..<n {
            let (h, l) = wideProduct(ai, b[j])
            let (s1, o1) = l.addingReportingOverflow(t[j])
            let (s2, o2) = s1.addingReportingOverflow(c)
            t[j] = s2
            c = h &+ carryBit(o1) &+ carryBit(o2)
        }
        var (s, o) = t[n].addingReportingOverflow(c)
        t[n] = s
        t[n + 1] = carryBit(o)
        // t ← (t + q·m) / 2⁶⁴ with q making the low limb vanish
        let q = t[0] &* mInv
        let (h0, l0) = wideProduct(q, m[0])
        let (_, oo) = l0.addingReportingOverflow(t[0])
        c = h0 &+ carryBit(oo)
        var j = 1
        while j < n {
            let (h, l) = wideProduct(q, m[j])
            let (s1, o1) = l.addingReportingOverflow(t[j])
            let (s2, o2) = s1.addingReportingOverflow(c)
            t[j - 1] = s2
            c = h &+ carryBit(o1) &+ carryBit(o2)
            j += 1
        }
        (s, o) = t[n].addingReportingOverflow(c)
        t[n - 1] = s
        t[n] = t[n + 1] &+ carryBit(o)
    }
    subtractModulusOnce(out, t, m, carry: t[n], n: n)
}

/// r ← x − m when (carry, x) ≥ m, else r ← x (`r` may be `x`): the final step of a modular sum
/// and of a Montgomery product.
@inline(__always)
func subtractModulusOnce(
    _ r: UnsafeMutablePointer<UInt64>,
    _ x: UnsafePointer<UInt64>,
    _ m: UnsafePointer<UInt64>,
    carry: UInt64,
    n: Int
) {
    var geq = carry != 0
    if !geq {
        geq = true
        var i = n - 1
        while i >= 0 {
            if x[i] != m[i] {
                geq = x[i] > m[i]
                break
            }
            i -= 1
        }
    }
    if geq {
        var borrow: UInt64 = 0
        for i in 0..<n {
            let (d1, b1) = x[i].subtractingReportingOverflow(m[i])
            let (d2, b2) = d1.subtractingReportingOverflow(borrow)
            r[i] = d2
            borrow = carryBit(b1) | carryBit(b2)
        }
    } else {
        for i in 0..<n { r[i] = x[i] }
    }
}

/// Operations every field in the curve code provides (prime fields and their extensions).
protocol FieldElement: Equatable {
    static var zero: Self { get }
    static var one: Self { get }
    var isZero: Bool { get }
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static prefix func - (a: Self) -> Self
    func squared() -> Self
    func doubled() -> Self
    /// The multiplicative inverse (zero maps to zero).
    func inverse() -> Self
    /// Multiplication by a small constant.
    func times(_ k: UInt64) -> Self
}

extension FieldElement {
    func doubled() -> Self { self + self }
    func squared() -> Self { self * self }
    func times(_ k: UInt64) -> Self {
        var result = Self.zero
        var base = self
        var k = k
        while k > 0 {
            if k & 1 == 1 { result = result + base }
            base = base.doubled()
            k >>= 1
        }
        return result
    }
    /// self^e for an exponent given as little-endian 64-bit limbs.
    func power(_ e: [UInt64]) -> Self {
        var result = Self.one
        var i = e.count * 64 - 1
        while i >= 0 {
            result = result.squared()
            if (e[i >> 6] >> UInt64(i & 63)) & 1 == 1 { result = result * self }
            i -= 1
        }
        return result
    }
}

/// An element of the prime field given by `M`, kept in Montgomery form.
struct Fp<M: MontgomeryModulus>: FieldElement {
    var limbs: Limbs

    @inline(__always)
    init(montgomery limbs: Limbs) { self.limbs = limbs }

    static var zero: Fp { Fp(montgomery: Limbs(repeating: 0)) }
    static var one: Fp { Fp(montgomery: M.one) }

    /// The element with canonical value `value` (little-endian limbs, must be < p).
    init(canonical value: Limbs) {
        self = Fp(montgomery: value) * Fp(montgomery: M.rSquared)
    }

    init(_ small: UInt64) {
        var l = Limbs(repeating: 0)
        l[0] = small
        self.init(canonical: l)
    }

    /// The element encoded by `bytes` (big-endian, exactly `M.byteCount` bytes); nil when ≥ p.
    init?(bigEndian bytes: ArraySlice<UInt8>) {
        guard let l = Fp.parseLimbs(bytes), Fp.less(l, M.modulus) else { return nil }
        self.init(canonical: l)
    }

    /// Little-endian limbs of a big-endian byte string of at most 48 bytes.
    static func parseLimbs(_ bytes: ArraySlice<UInt8>) -> Limbs? {
        guard bytes.count <= 48 else { return nil }
        var l = Limbs(repeating: 0)
        var i = 0
        for b in bytes.reversed() {
            l[i >> 3] |= UInt64(b) << (UInt64(i & 7) * 8)
            i += 1
        }
        return l
    }

    /// a < b on the first `limbCount` limbs.
    @inline(__always)
    static func less(_ a: Limbs, _ b: Limbs) -> Bool {
        var i = M.limbCount - 1
        while i >= 0 {
            if a[i] != b[i] { return a[i] < b[i] }
            i -= 1
        }
        return false
    }

    /// The canonical value as little-endian limbs.
    var canonical: Limbs {
        var one = Limbs(repeating: 0)
        one[0] = 1
        return (self * Fp(montgomery: one)).limbs
    }

    /// Big-endian encoding, `M.byteCount` bytes.
    var bigEndianBytes: [UInt8] {
        let c = canonical
        let n = M.byteCount
        var out = [UInt8](repeating: 0, count: n)
        for i in 0..<n { out[n - 1 - i] = UInt8(truncatingIfNeeded: c[i >> 3] >> (UInt64(i & 7) * 8)) }
        return out
    }

    var isZero: Bool {
        for i in 0..<M.limbCount where limbs[i] != 0 { return false }
        return true
    }

    static func == (a: Fp, b: Fp) -> Bool {
        for i in 0..<M.limbCount where a.limbs[i] != b.limbs[i] { return false }
        return true
    }

    @inline(__always)
    static func + (a: Fp, b: Fp) -> Fp {
        var r = Limbs(repeating: 0)
        let p = M.modulus
        let n = M.limbCount
        withUnsafeBytes(of: a.limbs.storage) { ab in
            withUnsafeBytes(of: b.limbs.storage) { bb in
                withUnsafeBytes(of: p.storage) { pb in
                    withUnsafeMutableBytes(of: &r.storage) { rb in
                        let a = ab.baseAddress!.assumingMemoryBound(to: UInt64.self)
                        let b = bb.baseAddress!.assumingMemoryBound(to: UInt64.self)
                        let p = pb.baseAddress!.assumingMemoryBound(to: UInt64.self)
                        let r = rb.baseAddress!.assumingMemoryBound(to: UInt64.self)
                        var carry: UInt64 = 0
                        for i in 0..<n {
                            let (s1, o1) = a[i].addingReportingOverflow(b[i])
                            let (s2, o2) = s1.addingReportingOverflow(carry)
                            r[i] = s2
                            carry = carryBit(o1) | carryBit(o2)
                        }
                        subtractModulusOnce(r, r, p, carry: carry, n: n)
                    }
                }
            }
        }
        return Fp(montgomery: r)
    }

    @inline(__always)
    static func - (a: Fp, b: Fp) -> Fp {
        var r = Limbs(repeating: 0)
        let p = M.modulus
        let n = M.limbCount
        withUnsafeBytes(of: a.limbs.storage) { ab in
            withUnsafeBytes(of: b.limbs.storage) { bb in
                withUnsafeBytes(of: p.storage) { pb in
                    withUnsafeMutableBytes(of: &r.storage) { rb in
                        let a = ab.baseAddress!.assumingMemoryBound(to: UInt64.self)
                        let b = bb.baseAddress!.assumingMemoryBound(to: UInt64.self)
                        let p = pb.baseAddress!.assumingMemoryBound(to: UInt64.self)
                        let r = rb.baseAddress!.assumingMemoryBound(to: UInt64.self)
                        var borrow: UInt64 = 0
                        for i in 0..<n {
                            let (d1, b1) = a[i].subtractingReportingOverflow(b[i])
                            let (d2, b2) = d1.subtractingReportingOverflow(borrow)
                            r[i] = d2
                            borrow = carryBit(b1) | carryBit(b2)
                        }
                        if borrow != 0 {
                            var carry: UInt64 = 0
                            for i in 0..<n {
                                let (s1, o1) = r[i].addingReportingOverflow(p[i])
                                let (s2, o2) = s1.addingReportingOverflow(carry)
                                r[i] = s2
                                carry = carryBit(o1) | carryBit(o2)
                            }
                        }
                    }
                }
            }
        }
        return Fp(montgomery: r)
    }

    static prefix func - (a: Fp) -> Fp { Fp.zero - a }

    /// Montgomery product: `montgomeryProduct` on the limbs in use; on 32-bit targets (the zkVM
    /// guests) a 256-bit field's product goes through ``montgomeryProduct256(_:_:_:_:_:_:)``,
    /// which the guest linker turns into two `uint256_mulmod` syscalls.
    @inline(__always)
    static func * (a: Fp, b: Fp) -> Fp {
        var r = Limbs(repeating: 0)
        let p = M.modulus
        #if _pointerBitWidth(_32)
        if M.limbCount == 4 {
            let (m, i) = (p.storage, M.rInverse.storage)
            var context = (m.0, m.1, m.2, m.3, i.0, i.1, i.2, i.3, M.inverse)
            withUnsafeBytes(of: a.limbs.storage) { ab in
                withUnsafeBytes(of: b.limbs.storage) { bb in
                    withUnsafeMutableBytes(of: &context) { cb in
                        withUnsafeMutableBytes(of: &r.storage) { rb in
                            montgomeryProduct256(
                                rb.baseAddress!.assumingMemoryBound(to: UInt64.self),
                                ab.baseAddress!.assumingMemoryBound(to: UInt64.self),
                                bb.baseAddress!.assumingMemoryBound(to: UInt64.self),
                                cb.baseAddress!.assumingMemoryBound(to: UInt64.self)
                            )
                        }
                    }
                }
            }
            return Fp(montgomery: r)
        }
        #endif
        var tStorage = WideLimbs()
        withUnsafeBytes(of: a.limbs.storage) { ab in
            withUnsafeBytes(of: b.limbs.storage) { bb in
                withUnsafeBytes(of: p.storage) { pb in
                    withUnsafeMutableBytes(of: &r.storage) { rb in
                        withUnsafeMutableBytes(of: &tStorage.storage) { tb in
                            montgomeryProduct(
                                rb.baseAddress!.assumingMemoryBound(to: UInt64.self),
                                ab.baseAddress!.assumingMemoryBound(to: UInt64.self),
                                bb.baseAddress!.assumingMemoryBound(to: UInt64.self),
                                pb.baseAddress!.assumingMemoryBound(to: UInt64.self),
                                M.limbCount,
                                M.inverse,
                                tb.baseAddress!.assumingMemoryBound(to: UInt64.self)
                            )
                        }
                    }
                }
            }
        }
        return Fp(montgomery: r)
    }

    /// p − k as little-endian limbs (k small).
    static func modulusMinus(_ k: UInt64) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: M.limbCount)
        var borrow = k
        for i in 0..<M.limbCount {
            let (d, b) = M.modulus[i].subtractingReportingOverflow(borrow)
            out[i] = d
            borrow = b ? 1 : 0
        }
        return out
    }

    /// The inverse by the binary extended Euclidean algorithm on canonical values (zero maps to zero).
    func inverse() -> Fp {
        if isZero { return .zero }
        let n = M.limbCount
        let c = canonical
        let pl = M.modulus
        var u = [UInt64](repeating: 0, count: n)
        var v = [UInt64](repeating: 0, count: n)
        var x1 = [UInt64](repeating: 0, count: n)
        var x2 = [UInt64](repeating: 0, count: n)
        var p = [UInt64](repeating: 0, count: n)
        for i in 0..<n {
            u[i] = c[i]
            v[i] = pl[i]
            p[i] = pl[i]
        }
        x1[0] = 1
        @inline(__always)
        func isOne(_ a: [UInt64]) -> Bool {
            if a[0] != 1 { return false }
            for i in 1..<n where a[i] != 0 { return false }
            return true
        }
        /// a ← a / 2, x ← x / 2 mod p, while a is even.
        @inline(__always)
        func halve(_ a: inout [UInt64], _ x: inout [UInt64]) {
            while a[0] & 1 == 0 {
                for i in 0..<n { a[i] = (a[i] >> 1) | (i + 1 < n ? a[i + 1] << 63 : 0) }
                var carry: UInt64 = 0
                if x[0] & 1 == 1 {
                    for i in 0..<n {
                        let (s1, o1) = x[i].addingReportingOverflow(p[i])
                        let (s2, o2) = s1.addingReportingOverflow(carry)
                        x[i] = s2
                        carry = carryBit(o1) | carryBit(o2)
                    }
                }
                for i in 0..<n { x[i] = (x[i] >> 1) | (i + 1 < n ? x[i + 1] << 63 : carry << 63) }
            }
        }
        /// a ← a − b (a ≥ b) and x ← x − y mod p.
        @inline(__always)
        func subtract(_ a: inout [UInt64], _ b: [UInt64], _ x: inout [UInt64], _ y: [UInt64]) {
            var borrow: UInt64 = 0
            for i in 0..<n {
                let (d1, b1) = a[i].subtractingReportingOverflow(b[i])
                let (d2, b2) = d1.subtractingReportingOverflow(borrow)
                a[i] = d2
                borrow = carryBit(b1) | carryBit(b2)
            }
            borrow = 0
            for i in 0..<n {
                let (d1, b1) = x[i].subtractingReportingOverflow(y[i])
                let (d2, b2) = d1.subtractingReportingOverflow(borrow)
                x[i] = d2
                borrow = carryBit(b1) | carryBit(b2)
            }
            if borrow != 0 {
                var carry: UInt64 = 0
                for i in 0..<n {
                    let (s1, o1) = x[i].addingReportingOverflow(p[i])
                    let (s2, o2) = s1.addingReportingOverflow(carry)
                    x[i] = s2
                    carry = carryBit(o1) | carryBit(o2)
                }
            }
        }
        while !isOne(u) && !isOne(v) {
            halve(&u, &x1)
            halve(&v, &x2)
            var uGeqV = true
            var i = n - 1
            while i >= 0 {
                if u[i] != v[i] {
                    uGeqV = u[i] > v[i]
                    break
                }
                i -= 1
            }
            if uGeqV {
                subtract(&u, v, &x1, x2)
            } else {
                subtract(&v, u, &x2, x1)
            }
        }
        let r = isOne(u) ? x1 : x2
        var l = Limbs(repeating: 0)
        for i in 0..<n { l[i] = r[i] }
        return Fp(canonical: l)
    }

    /// (p − 1) / 2, little-endian.
    static var halfOrder: [UInt64] {
        var e = modulusMinus(1)
        for i in 0..<e.count {
            e[i] = (e[i] >> 1) | (i + 1 < e.count ? e[i + 1] << 63 : 0)
        }
        return e
    }

    /// Whether the element is a square (zero counts as a square).
    var isSquare: Bool {
        isZero || power(Fp.halfOrder) == Fp.one
    }

    /// A square root for p ≡ 3 (mod 4), or nil when there is none.
    func squareRoot() -> Fp? {
        // (p + 1) / 4
        var e = Fp.modulusMinus(0)
        var carry: UInt64 = 1
        for i in 0..<e.count {
            let (s, o) = e[i].addingReportingOverflow(carry)
            e[i] = s
            carry = o ? 1 : 0
        }
        for _ in 0..<2 {
            for i in 0..<e.count { e[i] = (e[i] >> 1) | (i + 1 < e.count ? e[i + 1] << 63 : 0) }
        }
        let r = power(e)
        return r.squared() == self ? r : nil
    }

    /// Whether the canonical value is odd (the "sign" of hash-to-curve, RFC 9380 sgn0).
    var isOdd: Bool { canonical[0] & 1 == 1 }

    /// Lexicographically larger of ±y: canonical value > (p−1)/2 (used by compressed encodings).
    var isLexicographicallyLargest: Bool {
        let c = canonical
        let h = Fp.halfOrder
        var i = M.limbCount - 1
        while i >= 0 {
            if c[i] != h[i] { return c[i] > h[i] }
            i -= 1
        }
        return false
    }
}

/// out ← a·b·R⁻¹ mod m for 4-limb (256-bit) a, b < m, R = 2²⁵⁶: the Montgomery product of the
/// 256-bit fields (bn254, P-256). `context` holds nine limbs: m (4), R⁻¹ mod m (4) and
/// −m⁻¹ mod 2⁶⁴.
///
/// On the rv32im zkVM guests, field products call this function (never inlined), and the
/// guest linker wraps its symbol (`ld.lld --wrap`, `Guests/runtime/precompiles_accel.c`) to make
/// two `uint256_mulmod` syscalls instead: x = a·b mod m, then x·R⁻¹ mod m, the same value. Under
/// Linux (qemu-riscv32), which has no such syscall, the wrapper calls this software body (which
/// does not need R⁻¹).
@inline(never)
public func montgomeryProduct256(
    _ out: UnsafeMutablePointer<UInt64>,
    _ a: UnsafePointer<UInt64>,
    _ b: UnsafePointer<UInt64>,
    _ context: UnsafePointer<UInt64>
) {
    var t: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
    withUnsafeMutableBytes(of: &t) { tb in
        montgomeryProduct(out, a, b, context, 4, context[8], tb.baseAddress!.assumingMemoryBound(to: UInt64.self))
    }
}
