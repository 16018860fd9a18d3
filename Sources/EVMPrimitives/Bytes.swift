import Keccak

/// Hex text ⇄ bytes (portable: works on UTF-8 code units only).
public enum Hex {
    /// Decodes hex digits with an optional `0x` prefix. An odd number of digits gets a leading zero
    /// nibble. `nil` on any non-hex character.
    public static func decode(_ text: String) -> [UInt8]? {
        var utf8 = Array(text.utf8)
        if utf8.count >= 2 && utf8[0] == UInt8(ascii: "0") && (utf8[1] | 0x20) == UInt8(ascii: "x") {
            utf8.removeFirst(2)
        }
        var out = [UInt8]()
        out.reserveCapacity((utf8.count &+ 1) / 2)
        var i = 0
        if utf8.count % 2 == 1 {
            guard let d = hexValue(utf8[0]) else { return nil }
            out.append(d)
            i = 1
        }
        while i < utf8.count {
            guard let hi = hexValue(utf8[i]), let lo = hexValue(utf8[i &+ 1]) else { return nil }
            out.append(hi << 4 | lo)
            i &+= 2
        }
        return out
    }

    /// Lowercase hex of `bytes`, with a `0x` prefix when `prefix` is true.
    public static func encode(_ bytes: UnsafeRawBufferPointer, prefix: Bool = true) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count &* 2 &+ 2)
        if prefix {
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "x"))
        }
        for b in bytes {
            out.append(hexDigit(b >> 4))
            out.append(hexDigit(b & 0xF))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lowercase hex of `bytes`, with a `0x` prefix when `prefix` is true.
    public static func encode(_ bytes: [UInt8], prefix: Bool = true) -> String {
        bytes.withUnsafeBytes { encode($0, prefix: prefix) }
    }
}

/// A 32-byte string: hashes, storage keys and values, state roots.
///
/// Held as four 64-bit words in memory order, so `withUnsafeBytes` yields the bytes as written.
/// Ordering is lexicographic by byte.
@frozen
public struct Bytes32: Hashable, Sendable, Comparable, CustomStringConvertible {
    @usableFromInline var r0: UInt64
    @usableFromInline var r1: UInt64
    @usableFromInline var r2: UInt64
    @usableFromInline var r3: UInt64

    /// All zero bytes.
    @inlinable public init() { (r0, r1, r2, r3) = (0, 0, 0, 0) }

    /// All zero bytes.
    @inlinable public static var zero: Bytes32 { Bytes32() }

    /// Reads 32 bytes at `pointer` (no alignment needed).
    @inlinable
    public init(loading pointer: UnsafeRawPointer) {
        r0 = pointer.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        r1 = pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        r2 = pointer.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
        r3 = pointer.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
    }

    /// Exactly 32 bytes; `nil` for any other length.
    @inlinable
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 32 else { return nil }
        self.init(loading: bytes.baseAddress!)
    }

    /// Exactly 32 bytes; `nil` for any other length.
    @inlinable
    public init?(_ bytes: [UInt8]) {
        guard let v = bytes.withUnsafeBytes({ Bytes32($0) }) else { return nil }
        self = v
    }

    /// Exactly 64 hex digits, with an optional `0x` prefix.
    public init?(hex: String) {
        guard let b = Hex.decode(hex), b.count == 32, hex.utf8.count % 2 == 0 else { return nil }
        self.init(b)
    }

    /// The 32-byte big-endian encoding of `value`.
    @inlinable
    public init(_ value: UInt256) {
        self.init()
        withUnsafeMutableBytes { value.storeBigEndian(to: $0.baseAddress!) }
    }

    /// Writes the 32 bytes at `pointer`.
    @inlinable
    public func store(to pointer: UnsafeMutableRawPointer) {
        pointer.storeBytes(of: r0, toByteOffset: 0, as: UInt64.self)
        pointer.storeBytes(of: r1, toByteOffset: 8, as: UInt64.self)
        pointer.storeBytes(of: r2, toByteOffset: 16, as: UInt64.self)
        pointer.storeBytes(of: r3, toByteOffset: 24, as: UInt64.self)
    }

    /// Calls `body` with the 32 bytes.
    @inlinable
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        var copy = self
        return try Swift.withUnsafeMutableBytes(of: &copy) { (raw) throws(E) -> R in
            try body(UnsafeRawBufferPointer(raw))
        }
    }

    /// Calls `body` with the 32 bytes, mutable.
    @inlinable
    public mutating func withUnsafeMutableBytes<R, E: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        try Swift.withUnsafeMutableBytes(of: &self) { (raw) throws(E) -> R in try body(raw) }
    }

    /// The bytes as an array.
    @inlinable
    public var bytes: [UInt8] { withUnsafeBytes { [UInt8]($0) } }

    /// Byte `i` (0...31).
    @inlinable
    public subscript(i: Int) -> UInt8 {
        withUnsafeBytes { $0[i] }
    }

    /// Whether all bytes are zero.
    @inlinable
    public var isZero: Bool { (r0 | r1 | r2 | r3) == 0 }

    @inlinable
    public static func < (a: Bytes32, b: Bytes32) -> Bool {
        let (a0, b0) = (UInt64(bigEndian: a.r0), UInt64(bigEndian: b.r0))
        if a0 != b0 { return a0 < b0 }
        let (a1, b1) = (UInt64(bigEndian: a.r1), UInt64(bigEndian: b.r1))
        if a1 != b1 { return a1 < b1 }
        let (a2, b2) = (UInt64(bigEndian: a.r2), UInt64(bigEndian: b.r2))
        if a2 != b2 { return a2 < b2 }
        return UInt64(bigEndian: a.r3) < UInt64(bigEndian: b.r3)
    }

    /// `0x` and 64 lowercase hex digits.
    public var description: String { withUnsafeBytes { Hex.encode($0) } }
}

extension UInt256 {
    /// The value of the 32 bytes read big-endian.
    @inlinable
    public init(_ bytes: Bytes32) {
        self = bytes.withUnsafeBytes { UInt256(loadingBigEndian: $0.baseAddress!) }
    }

    /// The value of the 20 address bytes read big-endian.
    @inlinable
    public init(_ address: Address) {
        self.init(
            UInt64(bigEndian: address.r1) << 32 | UInt64(UInt32(bigEndian: address.r2)),
            UInt64(bigEndian: address.r0) << 32 | UInt64(bigEndian: address.r1) >> 32,
            UInt64(bigEndian: address.r0) >> 32,
            0
        )
    }
}

/// A 20-byte Ethereum account address. Ordering is lexicographic by byte.
@frozen
public struct Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    @usableFromInline var r0: UInt64
    @usableFromInline var r1: UInt64
    @usableFromInline var r2: UInt32

    /// The zero address.
    @inlinable public init() { (r0, r1, r2) = (0, 0, 0) }

    /// The zero address.
    @inlinable public static var zero: Address { Address() }

    /// Reads 20 bytes at `pointer` (no alignment needed).
    @inlinable
    public init(loading pointer: UnsafeRawPointer) {
        r0 = pointer.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        r1 = pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        r2 = pointer.loadUnaligned(fromByteOffset: 16, as: UInt32.self)
    }

    /// Exactly 20 bytes; `nil` for any other length.
    @inlinable
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 20 else { return nil }
        self.init(loading: bytes.baseAddress!)
    }

    /// Exactly 20 bytes; `nil` for any other length.
    @inlinable
    public init?(_ bytes: [UInt8]) {
        guard let v = bytes.withUnsafeBytes({ Address($0) }) else { return nil }
        self = v
    }

    /// Exactly 40 hex digits, with an optional `0x` prefix (any letter case).
    public init?(hex: String) {
        guard let b = Hex.decode(hex), b.count == 20, hex.utf8.count % 2 == 0 else { return nil }
        self.init(b)
    }

    /// The low 160 bits of `value` (the EVM's conversion of a stack word to an address).
    @inlinable
    public init(truncating value: UInt256) {
        var buf = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        self = Swift.withUnsafeMutableBytes(of: &buf) { raw in
            value.storeBigEndian(to: raw.baseAddress!)
            return Address(loading: raw.baseAddress! + 12)
        }
    }

    /// The last 20 bytes of `hash` (how an address is derived from a Keccak digest).
    @inlinable
    public init(lastBytesOf hash: Bytes32) {
        self = hash.withUnsafeBytes { Address(loading: $0.baseAddress! + 12) }
    }

    /// Writes the 20 bytes at `pointer`.
    @inlinable
    public func store(to pointer: UnsafeMutableRawPointer) {
        pointer.storeBytes(of: r0, toByteOffset: 0, as: UInt64.self)
        pointer.storeBytes(of: r1, toByteOffset: 8, as: UInt64.self)
        pointer.storeBytes(of: r2, toByteOffset: 16, as: UInt32.self)
    }

    /// Calls `body` with the 20 bytes.
    @inlinable
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        var buf = (UInt64(0), UInt64(0), UInt32(0))
        return try Swift.withUnsafeMutableBytes(of: &buf) { (raw) throws(E) -> R in
            store(to: raw.baseAddress!)
            return try body(UnsafeRawBufferPointer(start: raw.baseAddress!, count: 20))
        }
    }

    /// The bytes as an array.
    @inlinable
    public var bytes: [UInt8] { withUnsafeBytes { [UInt8]($0) } }

    /// Whether this is the zero address.
    @inlinable
    public var isZero: Bool { (r0 | r1 | UInt64(r2)) == 0 }

    @inlinable
    public static func < (a: Address, b: Address) -> Bool {
        let (a0, b0) = (UInt64(bigEndian: a.r0), UInt64(bigEndian: b.r0))
        if a0 != b0 { return a0 < b0 }
        let (a1, b1) = (UInt64(bigEndian: a.r1), UInt64(bigEndian: b.r1))
        if a1 != b1 { return a1 < b1 }
        return UInt32(bigEndian: a.r2) < UInt32(bigEndian: b.r2)
    }

    /// `0x` and 40 lowercase hex digits.
    public var description: String { withUnsafeBytes { Hex.encode($0) } }
}

extension Keccak256 {
    /// The Keccak-256 digest of `bytes` as a ``Bytes32``.
    @inlinable
    public static func digest(_ bytes: UnsafeRawBufferPointer) -> Bytes32 {
        var out = Bytes32()
        out.withUnsafeMutableBytes { hash(bytes, into: $0.baseAddress!) }
        return out
    }

    /// The Keccak-256 digest of `bytes` as a ``Bytes32``.
    @inlinable
    public static func digest(_ bytes: [UInt8]) -> Bytes32 {
        bytes.withUnsafeBytes { digest($0) }
    }
}

extension Keccak256.Hasher {
    /// Pads, permutes and returns the digest as a ``Bytes32``.
    @inlinable
    public mutating func finalizeDigest() -> Bytes32 {
        var out = Bytes32()
        out.withUnsafeMutableBytes { finalize(into: $0.baseAddress!) }
        return out
    }
}
