import EVMPrimitives

/// When consecutive blocks close into a batch: at ``maxBlocks`` blocks, when the next block
/// would take the batch past ``maxGas`` gas, or when its oldest block has waited
/// ``maxAgeSeconds``. A single block above ``maxGas`` is a batch of its own.
public struct BatchPolicy: Sendable, Equatable {
    /// Most blocks in one batch (at least 1).
    public var maxBlocks: Int
    /// Most gas used by a batch's blocks together (a lone heavier block is still batched).
    public var maxGas: UInt64
    /// Seconds after which a batch closes however few blocks it holds.
    public var maxAgeSeconds: Double

    /// A policy; the defaults close batches of up to 16 blocks, 60 M gas or 30 seconds.
    public init(maxBlocks: Int = 16, maxGas: UInt64 = 60_000_000, maxAgeSeconds: Double = 30) {
        self.maxBlocks = max(1, maxBlocks)
        self.maxGas = maxGas
        self.maxAgeSeconds = maxAgeSeconds
    }

    /// The batches to close now from `pending`: consecutive blocks, oldest first, none batched
    /// yet. Full batches close at once; the trailing partial batch closes only once its first
    /// block is ``maxAgeSeconds`` old at `now` (seconds, the clock of ``BlockSummary/seenAt``).
    /// Blocks not covered stay pending.
    public func close(_ pending: [BlockSummary], now: Double) -> [ClosedRange<UInt64>] {
        var ranges: [ClosedRange<UInt64>] = []
        var i = 0
        while i < pending.count {
            var j = i
            var gas: UInt64 = 0
            while j < pending.count, j - i < maxBlocks {
                let (sum, overflow) = gas.addingReportingOverflow(pending[j].gasUsed)
                if j > i && (overflow || sum > maxGas) { break }
                gas = overflow ? .max : sum
                j += 1
            }
            // Stopped before the end: by count or by gas, so the batch is full.
            let full = j - i == maxBlocks || j < pending.count || gas >= maxGas
            let old = now - pending[i].seenAt >= maxAgeSeconds
            guard full || old else { break }
            ranges.append(pending[i].number...pending[j - 1].number)
            i = j
        }
        return ranges
    }
}

/// What batch formation needs to know of a block.
public struct BlockSummary: Sendable, Equatable {
    /// The block's number.
    public var number: UInt64
    /// Gas its transactions used.
    public var gasUsed: UInt64
    /// When the block became a batch candidate (seconds since the epoch).
    public var seenAt: Double

    /// A summary from its fields.
    public init(number: UInt64, gasUsed: UInt64, seenAt: Double) {
        self.number = number
        self.gasUsed = gasUsed
        self.seenAt = seenAt
    }
}

/// A batch's data: for each of its blocks, in order, the block guest's input (the encoding of
/// `StatelessBlockInput`: chain config, parent header, block and execution witness). Stored and
/// posted deflated (``compressed()``); encoded as the RLP list of the inputs.
public struct BatchData: Sendable, Equatable {
    /// Each block's `StatelessBlockInput` encoding.
    public var blockInputs: [[UInt8]]

    /// Data from the blocks' inputs.
    public init(blockInputs: [[UInt8]]) { self.blockInputs = blockInputs }

    /// `rlp([input, ...])`.
    public var encoded: [UInt8] {
        var w = RLPWriter()
        w.appendList { w in for input in blockInputs { w.append(bytes: input) } }
        return w.bytes
    }

    /// Parses ``encoded``'s output strictly.
    public init(decoding bytes: [UInt8]) throws(RLPError) {
        var r = RLPReader(bytes)
        var list = try r.readList()
        try r.finish()
        var inputs: [[UInt8]] = []
        while !list.isAtEnd { inputs.append(try list.readBytes()) }
        blockInputs = inputs
    }

    /// The deflated encoding and the encoding's size.
    public func compressed() -> (data: [UInt8], rawSize: Int) {
        let raw = encoded
        return (Deflate.compress(raw), raw.count)
    }

    /// Data back from ``compressed()``'s output.
    public init(compressed data: [UInt8], rawSize: Int) throws {
        try self.init(decoding: try Deflate.decompress(data, size: rawSize))
    }
}

/// Where a batch stands.
public enum BatchState: String, Sendable, Codable {
    /// Closed and stored, its jobs not yet requested.
    case sealed
    /// Its jobs are in the coordinator.
    case submitted
    /// Its final proof verified: its blocks are final.
    case finalized
}

/// A batch of consecutive blocks and its proof jobs, as the node stores it.
public struct Batch: Sendable, Equatable {
    /// Sequence number, from 1.
    public var id: Int64
    /// The batch's first block.
    public var firstBlock: UInt64
    /// The batch's last block.
    public var lastBlock: UInt64
    /// Gas used by its blocks together.
    public var gasUsed: UInt64
    /// Transactions in its blocks.
    public var transactions: Int
    /// Size of ``BatchData/encoded``.
    public var rawBytes: Int
    /// Size of its deflated data.
    public var compressedBytes: Int
    /// Where it stands.
    public var state: BatchState
    /// How many times its jobs were requested (a failed final job requests them again).
    public var attempt: Int
    /// The coordinator's ids of its block jobs, in block order (empty until submitted).
    public var blockJobs: [String]
    /// The coordinator's id of its final job (nil until submitted).
    public var finalJob: String?
    /// When it was sealed, submitted and finalized (milliseconds since the epoch).
    public var sealedAt: Int64
    public var submittedAt: Int64?
    public var finalizedAt: Int64?

    /// The number of blocks.
    public var blockCount: Int { Int(lastBlock - firstBlock) + 1 }
    /// The compression ratio: raw bytes per compressed byte.
    public var compressionRatio: Double { Double(rawBytes) / Double(max(1, compressedBytes)) }
}
