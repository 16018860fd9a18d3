// The block guest's input: a chain configuration, the parent header, a block and its execution
// witness, RLP-encoded. Portable (Embedded Swift): compiled into the guest, and on the host
// into the `EVMGuestInput` module that writes it.
import EVM
import EVMPrimitives
import Keccak

/// Everything the block guest needs to validate one block statelessly: the chain's rules, the
/// parent header (whose state root the witness opens), the block and the witness.
///
/// What the guest commits (``Outcome``) binds the parent's hash to the block's hash and the
/// post-state root: a proof of a valid outcome says that the block, executed on the state the
/// parent commits to, is valid and yields that root. A witness that lacks or alters a node is
/// not an outcome at all (``Failure/witness(_:)``; the guest exits with an error), so a prover
/// cannot turn a valid block into an "invalid" one by withholding state.
public struct StatelessBlockInput: Equatable {
    public var config: ChainConfig
    /// The parent header's RLP.
    public var parent: [UInt8]
    /// The block's RLP.
    public var block: [UInt8]
    public var witness: ExecutionWitness

    public init(config: ChainConfig, parent: [UInt8], block: [UInt8], witness: ExecutionWitness) {
        self.config = config
        self.parent = parent
        self.block = block
        self.witness = witness
    }

    /// What the guest commits.
    public struct Outcome: Equatable {
        /// The parent header's hash.
        public var parentHash: Bytes32
        /// The block header's hash.
        public var blockHash: Bytes32
        /// The post-state root (the parent's state root when the block is invalid).
        public var stateRoot: Bytes32
        /// Gas used by the block's transactions (zero when the block is invalid).
        public var gasUsed: UInt64
        /// Whether the block is valid on the parent.
        public var valid: Bool

        public init(parentHash: Bytes32, blockHash: Bytes32, stateRoot: Bytes32, gasUsed: UInt64, valid: Bool) {
            self.parentHash = parentHash
            self.blockHash = blockHash
            self.stateRoot = stateRoot
            self.gasUsed = gasUsed
            self.valid = valid
        }

        /// The committed bytes: parent hash, block hash, state root (32 bytes each), gas used
        /// (8 bytes little-endian), validity (1 byte): 105 bytes.
        public var encoded: [UInt8] {
            var out = parentHash.bytes + blockHash.bytes + stateRoot.bytes
            for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: gasUsed >> (8 * UInt64(i)))) }
            out.append(valid ? 1 : 0)
            return out
        }

        /// The outcome a valid `block` on `parent` claims: the two hashes, the header's state
        /// root and gas used.
        public init(validBlock block: Block, parent: BlockHeader) {
            self.init(
                parentHash: parent.hash,
                blockHash: block.header.hash,
                stateRoot: block.header.stateRoot,
                gasUsed: block.header.gasUsed,
                valid: true
            )
        }

        /// Reads ``encoded``'s bytes; nil when they are not 105 bytes with a 0 or 1 flag.
        public init?(encoded b: [UInt8]) {
            guard b.count == 105, b[104] <= 1 else { return nil }
            var gas: UInt64 = 0
            for i in 0..<8 { gas |= UInt64(b[96 + i]) << (8 * UInt64(i)) }
            self.init(
                parentHash: Bytes32(Array(b[0..<32]))!,
                blockHash: Bytes32(Array(b[32..<64]))!,
                stateRoot: Bytes32(Array(b[64..<96]))!,
                gasUsed: gas,
                valid: b[104] == 1
            )
        }
    }

    /// Why no outcome can be given.
    public enum Failure: Error, Equatable {
        /// The parent header or the block does not decode.
        case malformed(BlockError)
        /// The witness lacks or alters a node, code or header the block needs.
        case witness(WitnessError)
    }

    /// Validates the block statelessly (the same code natively and in the guest): its outcome,
    /// valid or not, or a ``Failure`` when the input cannot answer.
    ///
    /// - Parameter phase: called as each step begins (see ``StatelessPhase``).
    public func validate(phase: (StatelessPhase) -> Void = { _ in }) throws(Failure) -> Outcome {
        let parentHeader: BlockHeader
        let decoded: Block
        do {
            parentHeader = try BlockHeader.decode(parent)
            decoded = try Block.decode(block)
        } catch {
            throw .malformed(error)
        }
        let parentHash = Keccak256.digest(parent)
        let blockHash = decoded.header.hash
        do {
            let r = try decoded.validateStatelessly(
                parent: parentHeader,
                witness: witness,
                config: config,
                phase: phase
            )
            return Outcome(
                parentHash: parentHash,
                blockHash: blockHash,
                stateRoot: r.stateRoot,
                gasUsed: r.gasUsed,
                valid: true
            )
        } catch {
            switch error {
            case .witness(let e): throw .witness(e)
            case .block:
                return Outcome(
                    parentHash: parentHash,
                    blockHash: blockHash,
                    stateRoot: parentHeader.stateRoot,
                    gasUsed: 0,
                    valid: false
                )
            }
        }
    }

    // MARK: encoding

    typealias E = EVMGuestInput

    static func byteList(_ items: [[UInt8]]) -> [UInt8] { E.list(items.map(E.bytes)) }

    /// `rlp([config, parent, block, [state, codes, headers]])`, config =
    /// `[chainId, [[fork, at, byTimestamp, [target, max, fraction] or []], ...]]`.
    public func encode() -> [UInt8] {
        let activations = config.activations.map { a in
            E.list([
                E.uint(UInt64(a.fork.rawValue)), E.uint(a.at), E.uint(a.byTimestamp ? 1 : 0),
                E.list(
                    a.blobSchedule.map { [E.uint($0.target), E.uint($0.max), E.uint($0.baseFeeUpdateFraction)] } ?? []
                ),
            ])
        }
        return E.list([
            E.list([E.u256(config.chainId), E.list(activations)]),
            E.bytes(parent),
            E.bytes(block),
            E.list([Self.byteList(witness.state), Self.byteList(witness.codes), Self.byteList(witness.headers)]),
        ])
    }

    static func readByteList(_ r: inout RLPReader) throws(RLPError) -> [[UInt8]] {
        var l = try r.readList()
        var out: [[UInt8]] = []
        while !l.isAtEnd { out.append(try l.readBytes()) }
        return out
    }

    /// Parses ``encode()``'s output (strictly: no trailing bytes, known forks, flags 0 or 1).
    public static func decode(_ data: [UInt8]) throws(RLPError) -> StatelessBlockInput {
        var top = RLPReader(data)
        var r = try top.readList()
        var c = try r.readList()
        let chainId = try c.readUInt256()
        var list = try c.readList()
        var activations: [ChainConfig.Activation] = []
        while !list.isAtEnd {
            var a = try list.readList()
            guard let fork = Fork(rawValue: Int(try a.readUInt64())) else { throw .wrongSize }
            let at = try a.readUInt64()
            let flag = try a.readUInt64()
            guard flag <= 1 else { throw .wrongSize }
            var b = try a.readList()
            var blobs: BlobSchedule? = nil
            if !b.isAtEnd {
                blobs = BlobSchedule(
                    target: try b.readUInt64(),
                    max: try b.readUInt64(),
                    baseFeeUpdateFraction: try b.readUInt64()
                )
                try b.finish()
            }
            try a.finish()
            activations.append(.init(fork: fork, at: at, byTimestamp: flag == 1, blobSchedule: blobs))
        }
        guard !activations.isEmpty else { throw .wrongSize }
        try c.finish()
        let parent = try r.readBytes()
        let block = try r.readBytes()
        var w = try r.readList()
        let witness = ExecutionWitness(
            state: try readByteList(&w),
            codes: try readByteList(&w),
            headers: try readByteList(&w)
        )
        try w.finish()
        try r.finish()
        try top.finish()
        return StatelessBlockInput(
            config: ChainConfig(chainId: chainId, activations: activations),
            parent: parent,
            block: block,
            witness: witness
        )
    }
}
