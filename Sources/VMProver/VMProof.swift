import Algebra
import Hashing
import Stark
import VM

/// The proof of one shard: the STARK proof of its tables and the bytes it committed.
public struct ShardProof: Sendable, Equatable {
    /// Bytes the shard committed (the output table's fixed columns are rebuilt from them).
    public var output: [UInt8]
    /// The accelerator tables the proof includes after the base tables.
    public var accelerators: ShardAccelerators
    public var stark: StarkProof<VMField>

    public init(output: [UInt8], accelerators: ShardAccelerators, stark: StarkProof<VMField>) {
        self.output = output
        self.accelerators = accelerators
        self.stark = stark
    }

    /// The CPU table's public values, decoded.
    public var cpu: ShardPublicValues? {
        guard stark.tables.count == ShardTable.tables(accelerators).count else { return nil }
        return ShardPublicValues(stark.tables[ShardTable.cpu.rawValue].publicValues)
    }
}

/// The public values of a shard, as the CPU table exposes them.
public struct ShardPublicValues: Sendable, Equatable {
    public var startPC: UInt32
    public var endPC: UInt32
    public var halted: Bool
    public var exitCode: UInt32
    public var cycles: UInt32
    public var shardIndex: UInt32

    init?(_ v: [VMField]) {
        guard v.count == CPUAir.Public.count else { return nil }
        let c = v.map(\.canonical)
        guard c[CPUAir.Public.halted] <= 1, c[CPUAir.Public.exitLo] < 1 << 16, c[CPUAir.Public.exitHi] < 1 << 16
        else { return nil }
        startPC = c[CPUAir.Public.startPC]
        endPC = c[CPUAir.Public.endPC]
        halted = c[CPUAir.Public.halted] == 1
        exitCode = c[CPUAir.Public.exitLo] | c[CPUAir.Public.exitHi] << 16
        cycles = c[CPUAir.Public.cycles]
        shardIndex = c[CPUAir.Public.shardIndex]
    }
}

/// A proof of a whole run: the program id and one proof per shard, in order.
public struct VMProof: Sendable, Equatable {
    public var programId: StarkDigest<VMField>
    public var shards: [ShardProof]

    public init(programId: StarkDigest<VMField>, shards: [ShardProof]) {
        self.programId = programId
        self.shards = shards
    }

    public static var magic: [UInt8] { Array("ZKVM".utf8) }
    /// Version 2: each shard names its accelerator tables.
    public static var formatVersion: UInt16 { 2 }
    /// Most shards a proof file may hold.
    public static var maxShards: Int { 1 << 16 }
    /// Most output bytes per shard.
    public static var maxOutputBytes: Int { 1 << 20 }

    /// The committed output of the run (all shards, in order).
    public var output: [UInt8] { shards.flatMap(\.output) }

    /// Magic, version, program id, then each shard's output (length-prefixed), accelerator set
    /// (u32) and STARK proof (length-prefixed).
    public func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.bytes.append(contentsOf: Self.magic)
        w.u16(Self.formatVersion)
        for e in programId.elements { w.field(e) }
        w.count(shards.count)
        for s in shards {
            w.count(s.output.count)
            w.bytes.append(contentsOf: s.output)
            w.u32(s.accelerators.rawValue)
            let p = s.stark.encoded()
            w.count(p.count)
            w.bytes.append(contentsOf: p)
        }
        return w.bytes
    }

    /// Decodes a proof file; any malformed, truncated or oversized input throws.
    public init(decoding bytes: [UInt8]) throws(DecodingError) {
        var r = ByteReader(bytes)
        for m in Self.magic { guard try r.u8() == m else { throw .badMagic } }
        let version = try r.u16()
        guard version == Self.formatVersion else { throw .unsupportedVersion(version) }
        var id: [VMField] = []
        for _ in 0..<StarkDigest<VMField>.count { id.append(try r.field(VMField.self)) }
        programId = StarkDigest(id)
        let n = try r.count("shards", limit: Self.maxShards, minBytesPerItem: 2)
        var shards: [ShardProof] = []
        for _ in 0..<n {
            let len = try r.count("output bytes", limit: Self.maxOutputBytes, minBytesPerItem: 1)
            let out = try r.raw(len)
            let accelerators = ShardAccelerators(rawValue: try r.u32())
            guard ShardAccelerators.all.isSuperset(of: accelerators) else {
                throw .invalidTag("accelerator tables 0x\(String(accelerators.rawValue, radix: 16))")
            }
            let plen = try r.count("shard proof bytes", limit: Int(Int32.max), minBytesPerItem: 1)
            let stark = try StarkProof<VMField>(decoding: try r.raw(plen))
            shards.append(ShardProof(output: out, accelerators: accelerators, stark: stark))
        }
        guard r.remaining == 0 else { throw .trailingBytes(r.remaining) }
        self.shards = shards
    }
}
