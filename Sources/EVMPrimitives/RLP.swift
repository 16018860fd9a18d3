/// Why RLP input was rejected.
public enum RLPError: Error, Equatable, Sendable {
    /// The input ends before the item it announces.
    case truncated
    /// A length was written in a longer form than needed (long form for < 56 bytes, a leading zero
    /// byte in the length, or a single byte below 0x80 wrapped as a one-byte string).
    case nonCanonicalSize
    /// Bytes follow the item where none may.
    case trailingBytes
    /// A list was found where a byte string was expected.
    case expectedBytes
    /// A byte string was found where a list was expected.
    case expectedList
    /// An integer has leading zero bytes.
    case leadingZeroInteger
    /// An integer, address or hash has the wrong size.
    case wrongSize
    /// Lists nest deeper than ``RLPItem/maximumDepth``.
    case tooDeep
}

/// The header of one RLP item: its kind and where its payload lies.
@frozen
public struct RLPHeader: Sendable, Equatable {
    /// Whether the item is a list.
    public var isList: Bool
    /// Index of the first payload byte.
    public var payloadStart: Int
    /// Number of payload bytes.
    public var payloadLength: Int
    /// Index just past the item.
    @inlinable public var end: Int { payloadStart &+ payloadLength }

    @inlinable
    public init(isList: Bool, payloadStart: Int, payloadLength: Int) {
        self.isList = isList
        self.payloadStart = payloadStart
        self.payloadLength = payloadLength
    }
}

/// A zero-copy cursor over RLP data with canonical-form checks.
///
/// ```
/// var r = RLPReader(bytes)
/// var tx = try r.readList()
/// let nonce = try tx.readUInt64()
/// ```
public struct RLPReader: Sendable {
    /// The whole input (shared, never copied).
    public let data: [UInt8]
    /// Index of the next item.
    public var position: Int
    /// Index just past the region this reader covers.
    public let end: Int

    /// A reader over all of `data`.
    @inlinable
    public init(_ data: [UInt8]) {
        self.data = data
        self.position = 0
        self.end = data.count
    }

    @inlinable
    init(data: [UInt8], position: Int, end: Int) {
        self.data = data
        self.position = position
        self.end = end
    }

    /// Whether every item has been read.
    @inlinable
    public var isAtEnd: Bool { position >= end }

    /// Throws unless every item has been read.
    @inlinable
    public func finish() throws(RLPError) {
        if position != end { throw .trailingBytes }
    }

    /// Reads the header of the next item at `position` without consuming it.
    @inlinable
    public func peekHeader() throws(RLPError) -> RLPHeader {
        try data.withUnsafeBufferPointer { (buf) throws(RLPError) -> RLPHeader in
            try RLPReader.header(buf, at: position, end: end)
        }
    }

    /// Decodes the header of the item at `at`, checking it lies within `end` and is canonical.
    @inlinable
    static func header(_ buf: UnsafeBufferPointer<UInt8>, at: Int, end: Int) throws(RLPError) -> RLPHeader {
        guard at < end else { throw .truncated }
        let b = buf[at]
        let remaining = end &- at &- 1
        if b < 0x80 {
            return RLPHeader(isList: false, payloadStart: at, payloadLength: 1)
        }
        if b <= 0xB7 {
            let len = Int(b &- 0x80)
            guard len <= remaining else { throw .truncated }
            if len == 1 && buf[at &+ 1] < 0x80 { throw .nonCanonicalSize }
            return RLPHeader(isList: false, payloadStart: at &+ 1, payloadLength: len)
        }
        if b < 0xC0 {
            return try longHeader(buf, at: at, end: end, lengthOfLength: Int(b &- 0xB7), isList: false)
        }
        if b <= 0xF7 {
            let len = Int(b &- 0xC0)
            guard len <= remaining else { throw .truncated }
            return RLPHeader(isList: true, payloadStart: at &+ 1, payloadLength: len)
        }
        return try longHeader(buf, at: at, end: end, lengthOfLength: Int(b &- 0xF7), isList: true)
    }

    @inlinable
    static func longHeader(
        _ buf: UnsafeBufferPointer<UInt8>,
        at: Int,
        end: Int,
        lengthOfLength: Int,
        isList: Bool
    ) throws(RLPError) -> RLPHeader {
        let remaining = end &- at &- 1
        guard lengthOfLength <= remaining else { throw .truncated }
        guard buf[at &+ 1] != 0 else { throw .nonCanonicalSize }
        var len = 0
        for i in 0..<lengthOfLength {
            // Any length beyond the input is truncated; stop before Int overflows.
            guard len <= (Int.max >> 8) else { throw .truncated }
            len = len << 8 | Int(buf[at &+ 1 &+ i])
        }
        guard len >= 56 else { throw .nonCanonicalSize }
        guard len <= remaining &- lengthOfLength else { throw .truncated }
        return RLPHeader(isList: isList, payloadStart: at &+ 1 &+ lengthOfLength, payloadLength: len)
    }

    /// Consumes the next item and returns its header.
    @inlinable
    public mutating func readHeader() throws(RLPError) -> RLPHeader {
        let h = try peekHeader()
        position = h.end
        return h
    }

    /// Consumes the next item, which must be a byte string, and returns its payload range.
    @inlinable
    public mutating func readBytesRange() throws(RLPError) -> Range<Int> {
        let h = try readHeader()
        if h.isList { throw .expectedBytes }
        return h.payloadStart..<h.end
    }

    /// Consumes the next item, which must be a byte string, and returns its payload (one copy
    /// of the bytes, not a copy element by element through a slice).
    @inlinable
    public mutating func readBytes() throws(RLPError) -> [UInt8] {
        let r = try readBytesRange()
        let n = r.count
        if n == 0 { return [] }
        return [UInt8](unsafeUninitializedCapacity: n) { out, count in
            data.withUnsafeBufferPointer { src in
                out.baseAddress!.initialize(from: src.baseAddress! + r.lowerBound, count: n)
            }
            count = n
        }
    }

    /// Consumes the next item, which must be a list, and returns a reader over its items.
    @inlinable
    public mutating func readList() throws(RLPError) -> RLPReader {
        let h = try readHeader()
        if !h.isList { throw .expectedList }
        return RLPReader(data: data, position: h.payloadStart, end: h.end)
    }

    /// Consumes the next item and returns its complete encoding (header included).
    @inlinable
    public mutating func readRaw() throws(RLPError) -> ArraySlice<UInt8> {
        let start = position
        let h = try readHeader()
        return data[start..<h.end]
    }

    /// Consumes a canonical unsigned integer of at most 8 bytes (no leading zeros; zero is `0x80`).
    @inlinable
    public mutating func readUInt64() throws(RLPError) -> UInt64 {
        let r = try readBytesRange()
        guard r.count <= 8 else { throw .wrongSize }
        if r.count > 0 && data[r.lowerBound] == 0 { throw .leadingZeroInteger }
        var v: UInt64 = 0
        for i in r { v = v << 8 | UInt64(data[i]) }
        return v
    }

    /// Consumes a canonical unsigned integer of at most 32 bytes.
    @inlinable
    public mutating func readUInt256() throws(RLPError) -> UInt256 {
        let r = try readBytesRange()
        guard r.count <= 32 else { throw .wrongSize }
        if r.count > 0 && data[r.lowerBound] == 0 { throw .leadingZeroInteger }
        var v = UInt256.zero
        for i in r { v = (v << 8) | UInt256(UInt64(data[i])) }
        return v
    }

    /// Consumes a 20-byte string.
    @inlinable
    public mutating func readAddress() throws(RLPError) -> Address {
        let r = try readBytesRange()
        guard r.count == 20 else { throw .wrongSize }
        return data.withUnsafeBytes { Address(loading: $0.baseAddress! + r.lowerBound) }
    }

    /// Consumes a 32-byte string.
    @inlinable
    public mutating func readBytes32() throws(RLPError) -> Bytes32 {
        let r = try readBytesRange()
        guard r.count == 32 else { throw .wrongSize }
        return data.withUnsafeBytes { Bytes32(loading: $0.baseAddress! + r.lowerBound) }
    }
}

/// A decoded RLP value: a byte string or a list of values.
public indirect enum RLPItem: Equatable, Sendable {
    /// A byte string.
    case bytes([UInt8])
    /// A list of items.
    case list([RLPItem])

    /// Deepest list nesting ``decode(_:)`` accepts.
    public static var maximumDepth: Int { 128 }

    /// Decodes exactly one item spanning all of `data`.
    public static func decode(_ data: [UInt8]) throws(RLPError) -> RLPItem {
        var r = RLPReader(data)
        let item = try decode(&r, depth: 0)
        try r.finish()
        return item
    }

    static func decode(_ r: inout RLPReader, depth: Int) throws(RLPError) -> RLPItem {
        let h = try r.peekHeader()
        if !h.isList { return .bytes(try r.readBytes()) }
        guard depth < maximumDepth else { throw .tooDeep }
        var inner = try r.readList()
        var items = [RLPItem]()
        while !inner.isAtEnd {
            items.append(try decode(&inner, depth: depth &+ 1))
        }
        return .list(items)
    }

    /// The RLP encoding.
    public var encoded: [UInt8] {
        var w = RLPWriter()
        w.append(self)
        return w.bytes
    }
}

/// Builds RLP encodings by appending items; lists are written with ``appendList(_:)``.
///
/// ```
/// var w = RLPWriter()
/// w.appendList { w in
///   w.append(uint: nonce)
///   w.append(bytes: data)
/// }
/// let encoded = w.bytes
/// ```
public struct RLPWriter: Sendable {
    /// The encoding written so far.
    public var bytes: [UInt8]

    /// An empty writer with room for 64 bytes: most encodings (trie nodes, account leaves,
    /// headers' fields) fit, and an array grown from empty reallocates at every power of two
    /// (the guests, every instruction proven, have no allocator size rounding to hide it).
    @inlinable
    public init() { self.init(capacity: 64) }

    /// An empty writer with room for `capacity` bytes.
    @inlinable
    public init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends the header for a payload of `length` bytes with the given short-form offset
    /// (`0x80` strings, `0xC0` lists).
    @inlinable
    public mutating func appendHeader(length: Int, offset: UInt8) {
        if length < 56 {
            bytes.append(offset &+ UInt8(length))
        } else {
            let n = (Int.bitWidth &- length.leadingZeroBitCount &+ 7) / 8
            bytes.append(offset &+ 55 &+ UInt8(n))
            var i = n &- 1
            while i >= 0 {
                bytes.append(UInt8(truncatingIfNeeded: length >> (i &* 8)))
                i &-= 1
            }
        }
    }

    /// Appends a byte string.
    @inlinable
    public mutating func append(bytes b: UnsafeRawBufferPointer) {
        if b.count == 1 && b[0] < 0x80 {
            bytes.append(b[0])
            return
        }
        appendHeader(length: b.count, offset: 0x80)
        bytes.append(contentsOf: b)
    }

    /// Appends a byte string.
    @inlinable
    public mutating func append(bytes b: [UInt8]) {
        b.withUnsafeBytes { append(bytes: $0) }
    }

    /// Appends a byte string.
    @inlinable
    public mutating func append(bytes b: ArraySlice<UInt8>) {
        b.withUnsafeBytes { append(bytes: $0) }
    }

    /// Appends an unsigned integer (minimal big-endian; zero is the empty string).
    @inlinable
    public mutating func append(uint v: UInt64) {
        if v < 0x80 {
            bytes.append(v == 0 ? 0x80 : UInt8(v))
            return
        }
        let n = (71 &- v.leadingZeroBitCount) / 8
        bytes.append(0x80 &+ UInt8(n))
        var i = n &- 1
        while i >= 0 {
            bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(i &* 8)))
            i &-= 1
        }
    }

    /// Appends an unsigned integer (minimal big-endian; zero is the empty string).
    @inlinable
    public mutating func append(_ v: UInt256) {
        if v.fitsInUInt64 {
            append(uint: v.w0)
            return
        }
        let n = v.byteWidth
        bytes.append(0x80 &+ UInt8(n))
        var i = n &- 1
        while i >= 0 {
            bytes.append(UInt8(truncatingIfNeeded: v[limb: i >> 3] >> UInt64((i & 7) &* 8)))
            i &-= 1
        }
    }

    /// Appends a 20-byte string.
    @inlinable
    public mutating func append(_ a: Address) {
        a.withUnsafeBytes { append(bytes: $0) }
    }

    /// Appends a 32-byte string.
    @inlinable
    public mutating func append(_ h: Bytes32) {
        h.withUnsafeBytes { append(bytes: $0) }
    }

    /// Appends already-encoded RLP verbatim.
    @inlinable
    public mutating func append(raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }

    /// Appends already-encoded RLP verbatim.
    @inlinable
    public mutating func append(raw: ArraySlice<UInt8>) {
        bytes.append(contentsOf: raw)
    }

    /// Appends a list whose items `body` appends.
    @inlinable
    public mutating func appendList<E: Error>(_ body: (inout RLPWriter) throws(E) -> Void) throws(E) {
        let start = bytes.count
        try body(&self)
        let length = bytes.count &- start
        if length < 56 {
            bytes.insert(0xC0 &+ UInt8(length), at: start)
        } else {
            var header = RLPWriter()
            header.appendHeader(length: length, offset: 0xC0)
            bytes.insert(contentsOf: header.bytes, at: start)
        }
    }

    /// Appends an item tree.
    public mutating func append(_ item: RLPItem) {
        switch item {
        case .bytes(let b): append(bytes: b)
        case .list(let items):
            appendList { w in
                for i in items { w.append(i) }
            }
        }
    }
}

/// One-shot RLP helpers.
public enum RLP {
    /// The encoding of a byte string.
    @inlinable
    public static func encode(bytes: [UInt8]) -> [UInt8] {
        var w = RLPWriter()
        w.append(bytes: bytes)
        return w.bytes
    }

    /// The encoding of an unsigned integer.
    @inlinable
    public static func encode(_ v: UInt256) -> [UInt8] {
        var w = RLPWriter()
        w.append(v)
        return w.bytes
    }

    /// The encoding of a list of already-encoded items.
    @inlinable
    public static func encodeList(_ encodedItems: [[UInt8]]) -> [UInt8] {
        var w = RLPWriter()
        w.appendList { w in
            for e in encodedItems { w.append(raw: e) }
        }
        return w.bytes
    }
}
