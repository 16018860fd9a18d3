import EVMPrimitives

/// A chain's rules over time: its chain id and the forks it activates, each at a block number
/// or a timestamp, with the fork's blob parameters. The rules of a block are those of the last
/// activation it has reached; this is what a stateless validator needs besides the parent
/// header, the block and the witness.
public struct ChainConfig: Sendable, Equatable {
    /// One fork activation.
    public struct Activation: Sendable, Equatable {
        /// The fork from this activation on.
        public var fork: Fork
        /// The block number (or, when `byTimestamp`, the timestamp) from which it applies.
        public var at: UInt64
        /// Whether `at` is a timestamp (forks from Shanghai on) rather than a block number.
        public var byTimestamp: Bool
        /// The EIP-4844 blob parameters from this activation on (nil before Cancun).
        public var blobSchedule: BlobSchedule?

        /// An activation of `fork` at block `at` (or timestamp `at` when `byTimestamp`).
        public init(fork: Fork, at: UInt64, byTimestamp: Bool, blobSchedule: BlobSchedule?) {
            self.fork = fork
            self.at = at
            self.byTimestamp = byTimestamp
            self.blobSchedule = blobSchedule
        }
    }

    /// The chain id (EIP-155), which transactions sign and `CHAINID` returns.
    public var chainId: UInt256
    /// The activations, oldest first; the first applies from genesis whatever its `at`.
    public var activations: [Activation]

    /// A chain with `chainId` and `activations` (at least one, oldest first).
    public init(chainId: UInt256, activations: [Activation]) {
        self.chainId = chainId
        self.activations = activations
    }

    /// A chain that runs `fork` from genesis with its mainnet blob parameters.
    public init(chainId: UInt256, fork: Fork) {
        self.init(
            chainId: chainId,
            activations: [Activation(fork: fork, at: 0, byTimestamp: false, blobSchedule: BlobSchedule.mainnet(fork))]
        )
    }

    /// The fork and blob parameters of a block numbered `number` with `timestamp`.
    public func rules(number: UInt64, timestamp: UInt64) -> (fork: Fork, blobSchedule: BlobSchedule?) {
        var current = activations.first
        for a in activations.dropFirst() where (a.byTimestamp ? timestamp : number) >= a.at { current = a }
        guard let current else { return (.frontier, nil) }
        return (current.fork, current.blobSchedule)
    }

    /// The rules of a block with `header`.
    public func rules(_ header: BlockHeader) -> (fork: Fork, blobSchedule: BlobSchedule?) {
        rules(number: header.number, timestamp: header.timestamp)
    }
}
