/// The constants of the cheap hashing of the EVM state's dictionary keys (``UInt256``,
/// ``Address``, ``Bytes32``, and keys built from them).
///
/// The standard library hashes every key with SipHash-1-3 through `Hasher`: three calls into
/// the runtime per lookup, which was most of the time of `SLOAD` and `SSTORE`. These keys
/// instead implement `_rawHashValue(seed:)`, the requirement `Dictionary` and `Set` call, with
/// folded multiplications (the high and low halves of a 128-bit product, xored) of the limbs
/// against fixed odd constants. The table's per-instance seed enters the first and the last
/// products, so the bucket of a key is not predictable without it; the hash is not
/// cryptographic (it does not need to be: the tables only need keys spread over buckets).
/// `hash(into:)` feeds the same mixed word to the `Hasher`, so it stays consistent with `==`.
@usableFromInline
enum KeyHash {
    @inlinable static var k0: UInt64 { 0xA076_1D64_78BD_642F }
    @inlinable static var k1: UInt64 { 0xE703_7ED1_A0B4_28DB }
    @inlinable static var k2: UInt64 { 0x8EBC_6AF0_9C88_C6E3 }
    @inlinable static var k3: UInt64 { 0x5899_65CC_7537_4CC3 }

    /// Four words mixed into one under `seed` (``UInt256`` and ``Bytes32`` keys).
    @inlinable @inline(__always)
    static func mix(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64, seed: UInt64) -> UInt64 {
        let a = foldedMultiply(w0 ^ seed ^ k0, w1 ^ k1)
        let b = foldedMultiply(w2 ^ k2, w3 ^ k3)
        return foldedMultiply(a ^ k1, b ^ seed ^ k0)
    }
}

/// The xor of the high and low halves of the 128-bit product `a × b`.
@inlinable @inline(__always)
public func foldedMultiply(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let p = wideProduct(a, b)
    return p.high ^ p.low
}

extension UInt256 {
    /// The limbs mixed into one word under `seed` (the key hash of ``UInt256``).
    @inlinable @inline(__always)
    public func mixedHash(seed: UInt64) -> UInt64 { KeyHash.mix(w0, w1, w2, w3, seed: seed) }

    @inlinable
    public func hash(into hasher: inout Hasher) { hasher.combine(mixedHash(seed: 0)) }

    @inlinable @inline(__always)
    public func _rawHashValue(seed: Int) -> Int {
        Int(truncatingIfNeeded: mixedHash(seed: UInt64(truncatingIfNeeded: seed)))
    }
}

extension Address {
    /// The 20 bytes mixed into one word under `seed` (the key hash of ``Address``).
    @inlinable @inline(__always)
    public func mixedHash(seed: UInt64) -> UInt64 {
        let a = foldedMultiply(r0 ^ seed ^ KeyHash.k2, r1 ^ KeyHash.k3)
        return foldedMultiply(a ^ KeyHash.k0, UInt64(r2) ^ seed ^ KeyHash.k1)
    }

    @inlinable
    public func hash(into hasher: inout Hasher) { hasher.combine(mixedHash(seed: 0)) }

    @inlinable @inline(__always)
    public func _rawHashValue(seed: Int) -> Int {
        Int(truncatingIfNeeded: mixedHash(seed: UInt64(truncatingIfNeeded: seed)))
    }
}

extension Bytes32 {
    /// The four words mixed into one under `seed` (the key hash of ``Bytes32``: trie nodes and
    /// codes by hash in stateless validation).
    @inlinable @inline(__always)
    public func mixedHash(seed: UInt64) -> UInt64 { KeyHash.mix(r0, r1, r2, r3, seed: seed) }

    @inlinable
    public func hash(into hasher: inout Hasher) { hasher.combine(mixedHash(seed: 0)) }

    @inlinable @inline(__always)
    public func _rawHashValue(seed: Int) -> Int {
        Int(truncatingIfNeeded: mixedHash(seed: UInt64(truncatingIfNeeded: seed)))
    }
}
