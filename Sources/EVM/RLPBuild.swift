import EVMPrimitives

/// Minimal RLP encoding used by the EVM (addresses of `CREATE`, logs hash, receipts).
@usableFromInline
enum RLPBuild {
    /// The RLP string encoding of the minimal big-endian bytes of `v`.
    static func uint(_ v: UInt64) -> [UInt8] {
        if v == 0 { return [0x80] }
        if v < 0x80 { return [UInt8(v)] }
        var bytes: [UInt8] = []
        var x = v
        while x > 0 {
            bytes.insert(UInt8(x & 0xff), at: 0)
            x >>= 8
        }
        return [0x80 + UInt8(bytes.count)] + bytes
    }

    /// The RLP string encoding of a 256-bit number.
    static func uint(_ v: UInt256) -> [UInt8] { string(v.minimalBigEndianBytes) }

    /// The RLP string encoding of `b`.
    static func string(_ b: [UInt8]) -> [UInt8] {
        if b.count == 1 && b[0] < 0x80 { return b }
        return header(b.count, 0x80) + b
    }

    /// The RLP list encoding of already-encoded items.
    static func list(_ items: [[UInt8]]) -> [UInt8] {
        var payload: [UInt8] = []
        for i in items { payload.append(contentsOf: i) }
        return header(payload.count, 0xc0) + payload
    }

    static func header(_ len: Int, _ base: UInt8) -> [UInt8] {
        if len < 56 { return [base + UInt8(len)] }
        var lenBytes: [UInt8] = []
        var x = len
        while x > 0 {
            lenBytes.insert(UInt8(x & 0xff), at: 0)
            x >>= 8
        }
        return [base + 55 + UInt8(lenBytes.count)] + lenBytes
    }
}
