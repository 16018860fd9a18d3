import Algebra
import Recursion
import Stark
import VMProver

extension AggregatedRun {
    /// The file magic of an aggregated run proof.
    public static var magic: [UInt8] { Array("ZKAG".utf8) }
    /// Version 1: the first format (a 64-element statement).
    public static var formatVersion: UInt16 { 1 }
    /// Most tables a shard shape may list.
    static var maxTables: Int { 64 }

    /// Magic, version, the recursion shape (three `log2` heights), the statement (64 field
    /// elements), the root's kind (u8) and proof (length-prefixed), then each shard's shape:
    /// accelerator set (u32), table heights (`log2`, one byte each, count-prefixed) and output
    /// (length-prefixed).
    public func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.bytes.append(contentsOf: Self.magic)
        w.u16(Self.formatVersion)
        for h in [shape.arith, shape.poseidon2, shape.input] { w.u8(UInt8(h.trailingZeroBitCount)) }
        for v in statement.values { w.field(v) }
        w.u8(rootIsAggregate ? 1 : 0)
        let p = root.encoded()
        w.count(p.count)
        w.bytes.append(contentsOf: p)
        w.count(shards.count)
        for s in shards {
            w.u32(s.accelerators.rawValue)
            w.count(s.logHeights.count)
            for h in s.logHeights { w.u8(UInt8(h)) }
            w.count(s.output.count)
            w.bytes.append(contentsOf: s.output)
        }
        return w.bytes
    }

    /// Decodes an aggregated run proof; malformed, truncated or oversized input throws.
    public init(decoding bytes: [UInt8]) throws(DecodingError) {
        var r = ByteReader(bytes)
        for m in Self.magic { guard try r.u8() == m else { throw .badMagic } }
        let version = try r.u16()
        guard version == Self.formatVersion else { throw .unsupportedVersion(version) }
        var heights: [Int] = []
        for what in ["arith", "Poseidon2", "input"] {
            let l = Int(try r.u8())
            guard l >= 1, l <= ProofLimits.maxLogHeight else {
                throw .lengthOutOfBounds(what: "\(what) table height (log2)", value: l, limit: ProofLimits.maxLogHeight)
            }
            heights.append(1 << l)
        }
        shape = RecursionShape(arith: heights[0], poseidon2: heights[1], input: heights[2])
        var values: [RF] = []
        for _ in 0..<SegmentStatement.count { values.append(try r.field(RF.self)) }
        statement = SegmentStatement(values)!
        switch try r.u8() {
        case 0: rootIsAggregate = false
        case 1: rootIsAggregate = true
        case let t: throw .invalidTag("root kind \(t)")
        }
        let plen = try r.count("root proof bytes", limit: Int(Int32.max), minBytesPerItem: 1)
        root = try StarkProof<RF>(decoding: try r.raw(plen))
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
        try r.finish()
        self.shards = shards
    }
}
