import EVMPrimitives

/// `v >> 1`.
@inlinable @inline(__always)
func shiftRight1(_ v: UInt256) -> UInt256 {
    UInt256(
        (v.w0 >> 1) | (v.w1 << 63),
        (v.w1 >> 1) | (v.w2 << 63),
        (v.w2 >> 1) | (v.w3 << 63),
        v.w3 >> 1
    )
}

/// `x / 2 mod m` for odd `m` and `x < m`.
@inlinable @inline(__always)
func halveMod(_ x: UInt256, _ m: UInt256) -> UInt256 {
    if x.w0 & 1 == 0 { return shiftRight1(x) }
    let (s, o) = x.addingReportingOverflow(m)
    var r = shiftRight1(s)
    if o { r.w3 |= 1 << 63 }
    return r
}

/// `(a − b) mod m` for `a, b < m`.
@inlinable @inline(__always)
func subMod(_ a: UInt256, _ b: UInt256, _ m: UInt256) -> UInt256 {
    let (d, borrow) = a.subtractingReportingOverflow(b)
    return borrow ? d &+ m : d
}

/// The inverse of `a` modulo an odd prime `m` by the binary extended Euclidean algorithm
/// (variable time: use only on public values). Zero for zero.
@inlinable
func binaryInverse(_ a: UInt256, _ m: UInt256) -> UInt256 {
    if a.isZero { return .zero }
    var u = a
    var v = m
    var x1 = UInt256.one
    var x2 = UInt256.zero
    let one = UInt256.one
    while u != one && v != one {
        while u.w0 & 1 == 0 {
            u = shiftRight1(u)
            x1 = halveMod(x1, m)
        }
        while v.w0 & 1 == 0 {
            v = shiftRight1(v)
            x2 = halveMod(x2, m)
        }
        if u >= v {
            u = u &- v
            x1 = subMod(x1, x2, m)
        } else {
            v = v &- u
            x2 = subMod(x2, x1, m)
        }
    }
    return u == one ? x1 : x2
}

extension Scalar {
    /// The inverse in variable time (binary extended Euclid); for public values only — signing
    /// uses the constant-time ``inverse()``.
    /// On 32-bit targets (the zkVM guests) it is ``inverse()``, whose products each take one
    /// `uint256_mulmod` syscall there.
    @inlinable
    public func inverseVartime() -> Scalar {
        #if _pointerBitWidth(_32)
        inverse()
        #else
        Scalar(unchecked: binaryInverse(value, Scalar.n))
        #endif
    }
}

extension FieldElement {
    /// The inverse in variable time (binary extended Euclid); for public values only. On 32-bit
    /// targets (the zkVM guests) it is ``inverse()``: its ~270 products each take one
    /// `uint256_mulmod` syscall there, several times cheaper than the binary algorithm.
    @inlinable
    public func inverseVartime() -> FieldElement {
        #if _pointerBitWidth(_32)
        inverse()
        #else
        FieldElement(unchecked: binaryInverse(value, FieldElement.p))
        #endif
    }
}
