import EVMPrimitives

/// Arbitrary-size natural numbers as little-endian 64-bit limbs, for modexp.
///
/// Values are kept normalised (no zero top limbs; zero is the empty array).
struct BigNat {
    var limbs: [UInt64]

    init(limbs: [UInt64]) {
        self.limbs = limbs
        normalize()
    }

    /// The number whose big-endian bytes are `bytes`.
    init<C: Collection>(bigEndian bytes: C) where C.Element == UInt8 {
        var limbs = [UInt64](repeating: 0, count: (bytes.count + 7) / 8)
        var i = 0
        for b in bytes.reversed() {
            limbs[i >> 3] |= UInt64(b) << (UInt64(i & 7) * 8)
            i += 1
        }
        self.init(limbs: limbs)
    }

    mutating func normalize() {
        while let last = limbs.last, last == 0 { limbs.removeLast() }
    }

    var isZero: Bool { limbs.isEmpty }

    /// Number of significant bits.
    var bitWidth: Int {
        guard let last = limbs.last else { return 0 }
        return limbs.count * 64 - last.leadingZeroBitCount
    }

    func bit(_ i: Int) -> Bool {
        let w = i >> 6
        return w < limbs.count && (limbs[w] >> UInt64(i & 63)) & 1 == 1
    }

    /// The value as `length` big-endian bytes (the caller guarantees it fits).
    func bigEndianBytes(length: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        var i = 0
        while i < length && (i >> 3) < limbs.count {
            out[length - 1 - i] = UInt8(truncatingIfNeeded: limbs[i >> 3] >> (UInt64(i & 7) * 8))
            i += 1
        }
        return out
    }

    /// Schoolbook product.
    static func * (a: BigNat, b: BigNat) -> BigNat {
        if a.isZero || b.isZero { return BigNat(limbs: []) }
        var r = [UInt64](repeating: 0, count: a.limbs.count + b.limbs.count)
        for i in 0..<a.limbs.count {
            var carry: UInt64 = 0
            let ai = a.limbs[i]
            for j in 0..<b.limbs.count {
                let (hi, lo) = wideProduct(ai, b.limbs[j])
                let (s1, c1) = lo.addingReportingOverflow(r[i + j])
                let (s2, c2) = s1.addingReportingOverflow(carry)
                r[i + j] = s2
                carry = hi &+ carryBit(c1) &+ carryBit(c2)
            }
            r[i + b.limbs.count] = carry
        }
        return BigNat(limbs: r)
    }

    /// `a mod m` by Knuth's algorithm D (m nonzero).
    static func % (a: BigNat, m: BigNat) -> BigNat {
        precondition(!m.isZero)
        if a.limbs.count < m.limbs.count { return a }
        if m.limbs.count == 1 {
            let d = m.limbs[0]
            var r: UInt64 = 0
            for limb in a.limbs.reversed() {
                r = d.dividingFullWidth((r, limb)).remainder
            }
            return BigNat(limbs: [r])
        }
        let n = m.limbs.count
        let shift = UInt64(m.limbs[n - 1].leadingZeroBitCount)
        // Normalise so the divisor's top bit is set.
        var v = [UInt64](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            v[i] = m.limbs[i] << shift
            if shift > 0 && i > 0 { v[i] |= m.limbs[i - 1] >> (64 - shift) }
        }
        let mCount = a.limbs.count
        var u = [UInt64](repeating: 0, count: mCount + 1)
        u[mCount] = shift > 0 ? a.limbs[mCount - 1] >> (64 - shift) : 0
        for i in stride(from: mCount - 1, through: 0, by: -1) {
            u[i] = a.limbs[i] << shift
            if shift > 0 && i > 0 { u[i] |= a.limbs[i - 1] >> (64 - shift) }
        }
        let vTop = v[n - 1]
        let vNext = v[n - 2]
        var j = mCount - n
        while j >= 0 {
            // Estimate q̂ = (u[j+n]·b + u[j+n-1]) / v[n-1].
            var qhat: UInt64
            var rhat: UInt64
            var rhatOverflow = false
            if u[j + n] >= vTop {
                // u[j+n] == vTop (the running remainder stays below b·v), so q̂ = b − 1, r̂ = u[j+n−1] + vTop.
                qhat = UInt64.max
                let (r2, o2) = u[j + n - 1].addingReportingOverflow(vTop)
                rhat = r2
                rhatOverflow = o2
            } else {
                let qr = vTop.dividingFullWidth((u[j + n], u[j + n - 1]))
                qhat = qr.quotient
                rhat = qr.remainder
            }
            while !rhatOverflow {
                let (ph, pl) = wideProduct(qhat, vNext)
                if ph > rhat || (ph == rhat && pl > u[j + n - 2]) {
                    qhat &-= 1
                    let (r2, o2) = rhat.addingReportingOverflow(vTop)
                    rhat = r2
                    rhatOverflow = o2
                } else {
                    break
                }
            }
            // u[j..j+n] -= q̂·v.
            var borrow: UInt64 = 0
            var carry: UInt64 = 0
            for i in 0..<n {
                let (ph, pl) = wideProduct(qhat, v[i])
                let (pl2, c) = pl.addingReportingOverflow(carry)
                carry = ph &+ carryBit(c)
                let (d1, b1) = u[i + j].subtractingReportingOverflow(pl2)
                let (d2, b2) = d1.subtractingReportingOverflow(borrow)
                u[i + j] = d2
                borrow = carryBit(b1) &+ carryBit(b2)
            }
            let (d1, b1) = u[j + n].subtractingReportingOverflow(carry)
            let (d2, b2) = d1.subtractingReportingOverflow(borrow)
            u[j + n] = d2
            if b1 || b2 {
                // Add back.
                var c: UInt64 = 0
                for i in 0..<n {
                    let (s1, o1) = u[i + j].addingReportingOverflow(v[i])
                    let (s2, o2) = s1.addingReportingOverflow(c)
                    u[i + j] = s2
                    c = carryBit(o1) &+ carryBit(o2)
                }
                u[j + n] = u[j + n] &+ c
            }
            j -= 1
        }
        // Remainder = u[0..n] >> shift.
        var r = [UInt64](repeating: 0, count: n)
        for i in 0..<n {
            r[i] = u[i] >> shift
            if shift > 0 { r[i] |= u[i + 1] << (64 - shift) }
        }
        return BigNat(limbs: r)
    }

    /// `base^exponent mod modulus` (modulus nonzero); Montgomery multiplication for odd moduli.
    static func modPow(base: BigNat, exponent: BigNat, modulus: BigNat) -> BigNat {
        if modulus.limbs == [1] { return BigNat(limbs: []) }
        let b = base % modulus
        if modulus.limbs[0] & 1 == 1 {
            return MontgomeryContext(modulus: modulus).pow(b, exponent)
        }
        var result = BigNat(limbs: [1])
        let bits = exponent.bitWidth
        var i = bits - 1
        while i >= 0 {
            result = (result * result) % modulus
            if exponent.bit(i) { result = (result * b) % modulus }
            i -= 1
        }
        return result % modulus
    }
}

/// Montgomery arithmetic modulo an odd multi-limb modulus (CIOS), allocation-free in the loop.
struct MontgomeryContext {
    let m: [UInt64]
    let n: Int
    let mInv: UInt64  // -m^-1 mod 2^64
    let modulus: BigNat

    init(modulus: BigNat) {
        self.modulus = modulus
        m = modulus.limbs
        n = m.count
        var inv: UInt64 = 1
        for _ in 0..<6 { inv = inv &* (2 &- m[0] &* inv) }
        mInv = 0 &- inv
    }

    /// out ← a·b·R⁻¹ mod m for n-limb a, b < m; `t` is scratch of n + 2 limbs. `out` may alias a or b.
    static func mul(
        _ out: UnsafeMutablePointer<UInt64>,
        _ a: UnsafePointer<UInt64>,
        _ b: UnsafePointer<UInt64>,
        _ m: UnsafePointer<UInt64>,
        _ n: Int,
        _ mInv: UInt64,
        _ t: UnsafeMutablePointer<UInt64>
    ) {
        montgomeryProduct(out, a, b, m, n, mInv, t)
    }

    private func padded(_ x: BigNat) -> [UInt64] {
        var l = x.limbs
        while l.count < n { l.append(0) }
        return l
    }

    /// base^e mod m for base < m, with a 4-bit fixed window.
    func pow(_ base: BigNat, _ e: BigNat) -> BigNat {
        let n = self.n
        let mInv = self.mInv
        // x·R mod m by shifting left n limbs and reducing.
        let rModM = BigNat(limbs: [UInt64](repeating: 0, count: n) + [1]) % modulus
        let baseR = BigNat(limbs: [UInt64](repeating: 0, count: n) + base.limbs) % modulus
        // table[k] at offset k·n; acc, one and scratch after it.
        var buffer = [UInt64](repeating: 0, count: 16 * n + 2 * n + n + 2)
        let r0 = padded(rModM)
        let b1 = padded(baseR)
        let bits = e.bitWidth
        var result = [UInt64](repeating: 0, count: n)
        m.withUnsafeBufferPointer { mp in
            buffer.withUnsafeMutableBufferPointer { buf in
                let m = mp.baseAddress!
                let base = buf.baseAddress!
                let acc = base + 16 * n
                let one = acc + n
                let t = one + n
                for i in 0..<n {
                    base[i] = r0[i]
                    base[n + i] = b1[i]
                }
                for k in 2..<16 {
                    MontgomeryContext.mul(base + k * n, base + (k - 1) * n, base + n, m, n, mInv, t)
                }
                for i in 0..<n { acc[i] = r0[i] }
                var top = ((bits + 3) / 4) * 4 - 4
                while top >= 0 {
                    for _ in 0..<4 { MontgomeryContext.mul(acc, acc, acc, m, n, mInv, t) }
                    var nib = 0
                    for k in 0..<4 where e.bit(top + k) { nib |= 1 << k }
                    if nib != 0 { MontgomeryContext.mul(acc, acc, base + nib * n, m, n, mInv, t) }
                    top -= 4
                }
                one[0] = 1
                MontgomeryContext.mul(acc, acc, one, m, n, mInv, t)
                for i in 0..<n { result[i] = acc[i] }
            }
        }
        return BigNat(limbs: result)
    }
}
