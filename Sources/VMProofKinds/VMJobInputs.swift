import Algebra
import Hashing
import NetworkCore
import Stark
import VMProver

/// Where a shard starts or ends: the memory image root (the root of the shard proof's start or
/// final image group) and the pc.
public struct VMShardBoundary: Sendable, Hashable {
    public var imageRoot: StarkDigest<VMField>
    public var pc: UInt32

    public init(imageRoot: StarkDigest<VMField>, pc: UInt32) {
        self.imageRoot = imageRoot
        self.pc = pc
    }
}

/// The input of a `vm-shard` job: shard `index` of the run of program `programId` on `input`,
/// cut into shards of `shardSize` cycles, which starts at `start` and ends at `end` (halting
/// there when `halts`).
///
/// Encoding (little-endian, 119 bytes + the guest input):
///
/// | bytes | field |
/// | --- | --- |
/// | 1 | version 1 |
/// | 1 | tag 1 (`vm-shard`) |
/// | 32 | program id: 8 field elements, each a `u32` below the modulus |
/// | 4 | shard size in cycles, a power of two in 2^4...2^``VMProofKinds/maxLogShardSize`` |
/// | 4 | shard index, below ``VMProofKinds/maxShards`` |
/// | 36 | start: image root (8 field elements), pc (`u32`, 4-byte aligned) |
/// | 36 | end: image root, pc |
/// | 1 | 1 when the shard halts (the run's last shard), else 0 |
/// | 4 + n | the guest's input: length (`u32`, at most ``VMProofKinds/maxGuestInputBytes``), bytes |
///
/// Nothing may follow. The boundaries bind the job to one shard of one run: the node
/// re-executes the program on the input up to the shard and proves it, and the coordinator
/// accepts only a leaf proof of exactly this shard, from `start` to `end`, so every accepted
/// shard joins its neighbours. The requester computes them by running the program
/// (``VMRunPlan``).
public struct VMShardInput: Sendable, Hashable {
    public var programId: StarkDigest<VMField>
    public var shardSize: Int
    public var index: Int
    public var start: VMShardBoundary
    public var end: VMShardBoundary
    public var halts: Bool
    public var input: [UInt8]

    public init(
        programId: StarkDigest<VMField>,
        shardSize: Int,
        index: Int,
        start: VMShardBoundary,
        end: VMShardBoundary,
        halts: Bool,
        input: [UInt8]
    ) {
        self.programId = programId
        self.shardSize = shardSize
        self.index = index
        self.start = start
        self.end = end
        self.halts = halts
        self.input = input
    }

    static let tag: UInt8 = 1

    /// The encoding above.
    public var encoded: [UInt8] {
        var w = VMJobCodec.header(Self.tag, programId)
        w.u32(UInt32(shardSize))
        w.u32(UInt32(index))
        for b in [start, end] {
            for e in b.imageRoot.elements { w.field(e) }
            w.u32(b.pc)
        }
        w.u8(halts ? 1 : 0)
        w.u32(UInt32(input.count))
        w.bytes.append(contentsOf: input)
        return w.bytes
    }

    /// Decodes and checks an input; anything off the encoding above throws.
    public init(decoding bytes: [UInt8]) throws(ProofKindError) {
        var r = try VMJobCodec.reader(bytes, tag: Self.tag, what: "vm-shard")
        let size: UInt32
        let index: UInt32
        var boundaries: [VMShardBoundary] = []
        let halt: UInt8
        do throws(DecodingError) {
            programId = try VMJobCodec.digest(&r)
            size = try r.u32()
            index = try r.u32()
            for _ in 0..<2 {
                boundaries.append(VMShardBoundary(imageRoot: try VMJobCodec.digest(&r), pc: try r.u32()))
            }
            halt = try r.u8()
            let n = try r.u32()
            guard n <= VMProofKinds.maxGuestInputBytes else {
                throw DecodingError.lengthOutOfBounds(
                    what: "guest input",
                    value: Int(n),
                    limit: VMProofKinds.maxGuestInputBytes
                )
            }
            input = try r.raw(Int(n))
            try r.finish()
        } catch {
            throw ProofKindError("malformed vm-shard input: \(error)")
        }
        guard size.nonzeroBitCount == 1, (4...VMProofKinds.maxLogShardSize).contains(size.trailingZeroBitCount) else {
            throw ProofKindError("shard size \(size) is not a power of two in 2^4...2^\(VMProofKinds.maxLogShardSize)")
        }
        guard index < VMProofKinds.maxShards else {
            throw ProofKindError("shard index \(index) is not below \(VMProofKinds.maxShards)")
        }
        for b in boundaries where b.pc & 3 != 0 {
            throw ProofKindError("pc 0x\(String(b.pc, radix: 16)) is not 4-byte aligned")
        }
        guard halt <= 1 else { throw ProofKindError("halt flag \(halt) is neither 0 nor 1") }
        shardSize = Int(size)
        self.index = Int(index)
        start = boundaries[0]
        end = boundaries[1]
        halts = halt == 1
    }
}

/// The input of a `vm-aggregate` job: the aggregate proof of shards `first...last` of a run of
/// program `programId`, joining the proofs of its two dependencies, the segments
/// `first...mid − 1` and `mid...last` with `mid = first + 2^(l−1)`, where 2^l is the smallest
/// power of two at least the segment's shard count. This is a node of the tree
/// `RunAggregator` builds (adjacent segments paired level by level, an odd last one carried
/// up), the only pairing the final verifier accepts: `first` must be a multiple of 2^l.
///
/// Encoding (42 bytes): version 1, tag 2, the program id (32 bytes as in ``VMShardInput``),
/// `first` and `last` (`u32`, `first < last < maxShards`). Nothing may follow.
public struct VMAggregateInput: Sendable, Hashable {
    public var programId: StarkDigest<VMField>
    public var first: Int
    public var last: Int

    public init(programId: StarkDigest<VMField>, first: Int, last: Int) {
        self.programId = programId
        self.first = first
        self.last = last
    }

    static let tag: UInt8 = 2

    /// Where the right child starts: the left child is a full subtree of 2^(l−1) shards.
    public var mid: Int { first + Self.leftCount(last - first + 1) }

    /// The shards of the left child of an aggregate over `count` shards (at least 2): half of
    /// the smallest power of two at least `count`.
    static func leftCount(_ count: Int) -> Int {
        var p = 1
        while p < count { p <<= 1 }
        return p / 2
    }

    public var encoded: [UInt8] {
        var w = VMJobCodec.header(Self.tag, programId)
        w.u32(UInt32(first))
        w.u32(UInt32(last))
        return w.bytes
    }

    public init(decoding bytes: [UInt8]) throws(ProofKindError) {
        var r = try VMJobCodec.reader(bytes, tag: Self.tag, what: "vm-aggregate")
        do throws(DecodingError) {
            programId = try VMJobCodec.digest(&r)
            first = Int(try r.u32())
            last = Int(try r.u32())
            try r.finish()
        } catch {
            throw ProofKindError("malformed vm-aggregate input: \(error)")
        }
        guard first < last, last < VMProofKinds.maxShards else {
            throw ProofKindError("shards \(first)...\(last): not at least two shards below \(VMProofKinds.maxShards)")
        }
        let span = 2 * Self.leftCount(last - first + 1)
        guard first % span == 0 else {
            throw ProofKindError(
                "shards \(first)...\(last) are not a node of the aggregation tree (the first is not a multiple of \(span))"
            )
        }
    }
}

/// The input of a `vm-final` job: the final proof of a whole run of program `programId` in
/// `shards` shards, over its one dependency, the root of the aggregation tree (the
/// `vm-aggregate` job of shards `0...shards − 1`, or the `vm-shard` job of a one-shard run).
///
/// Encoding (38 bytes): version 1, tag 3, the program id, `shards` (`u32`, 1...maxShards).
/// Nothing may follow.
public struct VMFinalInput: Sendable, Hashable {
    public var programId: StarkDigest<VMField>
    public var shards: Int

    public init(programId: StarkDigest<VMField>, shards: Int) {
        self.programId = programId
        self.shards = shards
    }

    static let tag: UInt8 = 3

    public var encoded: [UInt8] {
        var w = VMJobCodec.header(Self.tag, programId)
        w.u32(UInt32(shards))
        return w.bytes
    }

    public init(decoding bytes: [UInt8]) throws(ProofKindError) {
        var r = try VMJobCodec.reader(bytes, tag: Self.tag, what: "vm-final")
        do throws(DecodingError) {
            programId = try VMJobCodec.digest(&r)
            shards = Int(try r.u32())
            try r.finish()
        } catch {
            throw ProofKindError("malformed vm-final input: \(error)")
        }
        guard (1...VMProofKinds.maxShards).contains(shards) else {
            throw ProofKindError("\(shards) shards, outside 1...\(VMProofKinds.maxShards)")
        }
    }
}

/// The shared parts of the three encodings.
enum VMJobCodec {
    static let version: UInt8 = 1

    static func header(_ tag: UInt8, _ programId: StarkDigest<VMField>) -> ByteWriter {
        var w = ByteWriter()
        w.u8(version)
        w.u8(tag)
        for e in programId.elements { w.field(e) }
        return w
    }

    static func reader(_ bytes: [UInt8], tag: UInt8, what: String) throws(ProofKindError) -> ByteReader {
        guard bytes.count >= 2, bytes[0] == version, bytes[1] == tag else {
            throw ProofKindError("not a \(what) input (version \(version), tag \(tag))")
        }
        var r = ByteReader(bytes)
        _ = try? r.raw(2)
        return r
    }

    static func digest(_ r: inout ByteReader) throws(DecodingError) -> StarkDigest<VMField> {
        var e: [VMField] = []
        for _ in 0..<8 { e.append(try r.field(VMField.self)) }
        return StarkDigest(e)
    }
}
