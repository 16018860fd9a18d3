import Algebra
import Recursion
import Stark
import VMProver

extension FinalProof {
    /// The file magic of a final proof (an aggregated run).
    public static var magic: [UInt8] { Array("ZKAG".utf8) }
    /// Version 3: the proof is the wrap circuit's over the compress proof (version 2 held the
    /// final circuit's proof over the aggregation tree's root, version 1 the root itself and the
    /// recursion shape). The layout is unchanged; the version tells an older file's proof, which
    /// would fail against the new key, from a damaged one.
    public static var formatVersion: UInt16 { 3 }

    /// Magic, version, the statement (``SegmentStatement/count`` field elements), the proof
    /// (length-prefixed), then the shards' shapes (``ShardShape/encode(_:)``).
    public func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.bytes.append(contentsOf: Self.magic)
        w.u16(Self.formatVersion)
        statement.encode(&w)
        w.lengthPrefixed(proof.encoded())
        ShardShape.encode(shards, &w)
        return w.bytes
    }

    /// Decodes a final proof; malformed, truncated or oversized input throws.
    public init(decoding bytes: [UInt8]) throws(DecodingError) {
        var r = ByteReader(bytes)
        try r.header(magic: Self.magic, version: Self.formatVersion)
        statement = try SegmentStatement(&r)
        proof = try StarkProof<RF>(decoding: try r.lengthPrefixed("final proof bytes"))
        shards = try ShardShape.decode(&r)
        try r.finish()
    }
}

extension SegmentProof {
    /// The magic of a segment proof (a leaf or aggregate recursion proof).
    public static var magic: [UInt8] { Array("ZKSG".utf8) }
    public static var formatVersion: UInt16 { 1 }

    /// Magic, version, the statement, the kind (u8: 0 leaf, 1 aggregate), the proof
    /// (length-prefixed), then the shards' shapes.
    public func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.bytes.append(contentsOf: Self.magic)
        w.u16(Self.formatVersion)
        statement.encode(&w)
        w.u8(isAggregate ? 1 : 0)
        w.lengthPrefixed(proof.encoded())
        ShardShape.encode(shards, &w)
        return w.bytes
    }

    /// Decodes a segment proof; malformed, truncated or oversized input throws.
    public init(decoding bytes: [UInt8]) throws(DecodingError) {
        var r = ByteReader(bytes)
        try r.header(magic: Self.magic, version: Self.formatVersion)
        statement = try SegmentStatement(&r)
        switch try r.u8() {
        case 0: isAggregate = false
        case 1: isAggregate = true
        case let t: throw .invalidTag("segment kind \(t)")
        }
        proof = try StarkProof<RF>(decoding: try r.lengthPrefixed("segment proof bytes"))
        shards = try ShardShape.decode(&r)
        try r.finish()
    }
}

extension Segment where Value == RF {
    func encode(_ w: inout ByteWriter) { for v in values { w.field(v) } }

    init(_ r: inout ByteReader) throws(DecodingError) {
        var values: [RF] = []
        for _ in 0..<Self.count { values.append(try r.field(RF.self)) }
        self.init(values)!
    }
}

extension ShardShape {
    /// Most tables a shard shape may list.
    static var maxTables: Int { 64 }

    /// The count, then per shard: accelerator set (u32), table heights (`log2`, one byte
    /// each, count-prefixed) and output (length-prefixed).
    static func encode(_ shards: [ShardShape], _ w: inout ByteWriter) {
        w.count(shards.count)
        for s in shards {
            w.u32(s.accelerators.rawValue)
            w.count(s.logHeights.count)
            for h in s.logHeights { w.u8(UInt8(h)) }
            w.count(s.output.count)
            w.bytes.append(contentsOf: s.output)
        }
    }

    static func decode(_ r: inout ByteReader) throws(DecodingError) -> [ShardShape] {
        let n = try r.count("shards", limit: VMProof.maxShards, minBytesPerItem: 6)
        var shards: [ShardShape] = []
        for _ in 0..<n {
            let accelerators = ShardAccelerators(rawValue: try r.u32())
            guard ShardAccelerators.all.isSuperset(of: accelerators) else {
                throw .invalidTag("accelerator tables 0x\(String(accelerators.rawValue, radix: 16))")
            }
            let tables = try r.count("tables", limit: Self.maxTables, minBytesPerItem: 1)
            var logHeights: [Int] = []
            for _ in 0..<tables {
                let l = Int(try r.u8())
                guard l <= ProofLimits.maxLogHeight else {
                    throw .lengthOutOfBounds(what: "table height (log2)", value: l, limit: ProofLimits.maxLogHeight)
                }
                logHeights.append(l)
            }
            let len = try r.count("output bytes", limit: VMProof.maxOutputBytes, minBytesPerItem: 1)
            shards.append(ShardShape(accelerators: accelerators, logHeights: logHeights, output: try r.raw(len)))
        }
        return shards
    }
}

extension ByteWriter {
    mutating func lengthPrefixed(_ bytes: [UInt8]) {
        count(bytes.count)
        self.bytes.append(contentsOf: bytes)
    }
}

extension ByteReader {
    mutating func header(magic: [UInt8], version: UInt16) throws(DecodingError) {
        for m in magic { guard try u8() == m else { throw .badMagic } }
        let v = try u16()
        guard v == version else { throw .unsupportedVersion(v) }
    }

    mutating func lengthPrefixed(_ what: String) throws(DecodingError) -> [UInt8] {
        let n = try count(what, limit: Int(Int32.max), minBytesPerItem: 1)
        return try raw(n)
    }
}
