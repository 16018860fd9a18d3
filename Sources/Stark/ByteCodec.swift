import Algebra

/// Why a proof (or another encoded object) could not be decoded.
public enum DecodingError: Error, Sendable, Equatable {
    /// The input ended before the object did.
    case truncated
    /// The leading magic bytes are wrong: not a proof.
    case badMagic
    /// A format version this decoder does not know.
    case unsupportedVersion(UInt16)
    /// A field element encoding is not canonical (`>= p`).
    case nonCanonicalFieldElement
    /// A length or count exceeds its bound.
    case lengthOutOfBounds(what: String, value: Int, limit: Int)
    /// An enumeration tag or flag has an unknown value.
    case invalidTag(String)
    /// Bytes remain after the object.
    case trailingBytes(Int)
}

/// Appends little-endian encodings to a byte buffer.
package struct ByteWriter {
    package var bytes: [UInt8] = []

    package init() {}

    package mutating func u8(_ v: UInt8) { bytes.append(v) }

    package mutating func u16(_ v: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: v))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
    }

    package mutating func u32(_ v: UInt32) {
        for s in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) }
    }

    package mutating func u64(_ v: UInt64) {
        for s in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(s))) }
    }

    /// A length or count, LEB128-encoded.
    package mutating func count(_ v: Int) {
        var x = UInt64(v)
        while x >= 0x80 {
            bytes.append(UInt8(x & 0x7f) | 0x80)
            x >>= 7
        }
        bytes.append(UInt8(x))
    }

    package mutating func field<F: PrimeField31>(_ v: F) { u32(v.canonical) }

    package mutating func fields<F: PrimeField31>(_ vs: [F]) {
        count(vs.count)
        for v in vs { field(v) }
    }

    package mutating func ext<F: BinomiallyExtendable>(_ v: QuarticExtension<F>) {
        field(v.c0)
        field(v.c1)
        field(v.c2)
        field(v.c3)
    }

    package mutating func exts<F: BinomiallyExtendable>(_ vs: [QuarticExtension<F>]) {
        count(vs.count)
        for v in vs { ext(v) }
    }
}

/// Reads little-endian encodings with bounds checks; every count is checked against a
/// limit and against the bytes left before anything is allocated.
package struct ByteReader {
    package let bytes: [UInt8]
    package private(set) var offset: Int = 0

    package init(_ bytes: [UInt8]) { self.bytes = bytes }

    package var remaining: Int { bytes.count - offset }

    package mutating func u8() throws(DecodingError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    package mutating func u16() throws(DecodingError) -> UInt16 {
        guard remaining >= 2 else { throw .truncated }
        defer { offset += 2 }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    package mutating func u32() throws(DecodingError) -> UInt32 {
        guard remaining >= 4 else { throw .truncated }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[offset + i]) << UInt32(8 * i) }
        offset += 4
        return v
    }

    package mutating func u64() throws(DecodingError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[offset + i]) << UInt64(8 * i) }
        offset += 8
        return v
    }

    /// A LEB128 count at most `limit`; also at most the bytes left divided by `minBytesPerItem`.
    package mutating func count(_ what: String, limit: Int, minBytesPerItem: Int = 0) throws(DecodingError) -> Int {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try u8()
            if shift >= 63 { throw .lengthOutOfBounds(what: what, value: Int.max, limit: limit) }
            v |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { break }
            shift += 7
        }
        guard v <= UInt64(limit) else {
            throw .lengthOutOfBounds(what: what, value: v > UInt64(Int.max) ? Int.max : Int(v), limit: limit)
        }
        let n = Int(v)
        if minBytesPerItem > 0 && n > remaining / minBytesPerItem { throw .truncated }
        return n
    }

    package mutating func field<F: PrimeField31>(_: F.Type = F.self) throws(DecodingError) -> F {
        let v = try u32()
        guard let f = F(canonical: v) else { throw .nonCanonicalFieldElement }
        return f
    }

    package mutating func fields<F: PrimeField31>(
        _ what: String,
        limit: Int,
        _: F.Type = F.self
    ) throws(DecodingError)
        -> [F]
    {
        let n = try count(what, limit: limit, minBytesPerItem: 4)
        var out: [F] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try field(F.self)) }
        return out
    }

    package mutating func ext<F: BinomiallyExtendable>(_: F.Type = F.self) throws(DecodingError) -> QuarticExtension<F>
    {
        QuarticExtension(try field(F.self), try field(F.self), try field(F.self), try field(F.self))
    }

    package mutating func exts<F: BinomiallyExtendable>(
        _ what: String,
        limit: Int,
        _: F.Type = F.self
    )
        throws(DecodingError) -> [QuarticExtension<F>]
    {
        let n = try count(what, limit: limit, minBytesPerItem: 16)
        var out: [QuarticExtension<F>] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try ext(F.self)) }
        return out
    }

    /// The next `n` bytes as they are.
    package mutating func raw(_ n: Int) throws(DecodingError) -> [UInt8] {
        guard n >= 0, remaining >= n else { throw .truncated }
        let out = Array(bytes[offset..<(offset + n)])
        offset += n
        return out
    }

    package func finish() throws(DecodingError) {
        if remaining != 0 { throw .trailingBytes(remaining) }
    }
}
