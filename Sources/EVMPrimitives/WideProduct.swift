/// The 128-bit product of two 64-bit words as (high, low).
///
/// On 64-bit hosts this is the standard library's `multipliedFullWidth` (one instruction
/// pair). On 32-bit targets (the rv32im guests) the standard library's generic version is an
/// out-of-line routine that dominated the guests' profiles; ``wideProductBy32BitHalves(_:_:)``
/// does it with four 32 × 32 → 64 products (`mul` + `mulhu` each).
@inlinable @inline(__always)
public func wideProduct(_ a: UInt64, _ b: UInt64) -> (high: UInt64, low: UInt64) {
    #if _pointerBitWidth(_64)
    return a.multipliedFullWidth(by: b)
    #else
    return wideProductBy32BitHalves(a, b)
    #endif
}

/// ``wideProduct(_:_:)`` from 32-bit halves (the 32-bit targets' path; tested on every host).
@inlinable @inline(__always)
public func wideProductBy32BitHalves(_ a: UInt64, _ b: UInt64) -> (high: UInt64, low: UInt64) {
    let a0 = a & 0xFFFF_FFFF
    let a1 = a &>> 32
    let b0 = b & 0xFFFF_FFFF
    let b1 = b &>> 32
    let p00 = a0 &* b0
    let p01 = a0 &* b1
    let p10 = a1 &* b0
    let p11 = a1 &* b1
    // The middle column: three values below 2^32 each, so no overflow.
    let mid = (p00 &>> 32) &+ (p01 & 0xFFFF_FFFF) &+ (p10 & 0xFFFF_FFFF)
    let low = (p00 & 0xFFFF_FFFF) | (mid &<< 32)
    let high = p11 &+ (p01 &>> 32) &+ (p10 &>> 32) &+ (mid &>> 32)
    return (high, low)
}
