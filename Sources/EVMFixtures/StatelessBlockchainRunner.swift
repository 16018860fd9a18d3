import EVM
import EVMPrimitives
import Foundation
import Keccak

/// What stateless validation over EEST blockchain tests did: blocks checked, witness sizes,
/// refused mutations, and the failures.
public struct StatelessCheckCounts: Sendable {
    /// Valid blocks whose witness was recorded and validated.
    public var blocks = 0
    /// Blocks whose witness validated statelessly to the header's state root.
    public var validated = 0
    /// Witness entries over all blocks.
    public var nodes = 0
    public var codes = 0
    public var headers = 0
    /// Single-entry removals tried, and refused with a witness error.
    public var removals = 0
    public var removalsRefused = 0
    /// One-byte alterations of a node tried, and refused with a witness error.
    public var alterations = 0
    public var alterationsRefused = 0
    /// What went wrong (test, block, detail).
    public var failures: [String] = []

    public init() {}

    /// Adds `other`'s counts to these.
    public mutating func add(_ other: StatelessCheckCounts) {
        blocks += other.blocks
        validated += other.validated
        nodes += other.nodes
        codes += other.codes
        headers += other.headers
        removals += other.removals
        removalsRefused += other.removalsRefused
        alterations += other.alterations
        alterationsRefused += other.alterationsRefused
        failures += other.failures
    }
}

/// Stateless validation over EEST blockchain tests: for every valid block, the witness
/// recorded from the parent's full state must validate statelessly to the header's state root,
/// and a deterministic sample of single-entry removals (state nodes, codes, headers) and
/// one-byte node alterations must be refused with a ``StatelessError/witness(_:)`` error.
public enum StatelessBlockchainRunner {
    /// Runs every test of `file`, trying up to `mutations` state-node removals per block
    /// (plus one code removal, one header removal and one alteration).
    public static func run(file: String, mutations: Int = 3) -> StatelessCheckCounts {
        let root: [String: Any]
        do { root = try J.load(file) } catch {
            var counts = StatelessCheckCounts()
            counts.failures.append("\(file): \(error)")
            return counts
        }
        return runWithLargeStack {
            var counts = StatelessCheckCounts()
            for name in root.keys.sorted() {
                do {
                    try run(test: try J.dict(root[name], name), name: name, mutations: mutations, &counts)
                } catch {
                    counts.failures.append("\(name): \(error)")
                }
            }
            return counts
        }
    }

    static func run(test: [String: Any], name: String, mutations: Int, _ counts: inout StatelessCheckCounts) throws {
        try validBlocks(test: test, name: name) { c in c.check(mutations: mutations, &counts) }
    }

    /// Calls `body` with every valid block of the blockchain tests in `file` (the blocks
    /// without `expectException` that apply on their parent's full state), in file order.
    public static func validBlocks(file: String, _ body: @escaping (StatelessBlockCase) throws -> Void) throws {
        let root = try J.load(file)
        try runWithLargeStack {
            Result { () throws -> Void in
                for name in root.keys.sorted() {
                    try validBlocks(test: try J.dict(root[name], name), name: name, body)
                }
            }
        }.get()
    }

    static func validBlocks(test: [String: Any], name: String, _ body: (StatelessBlockCase) throws -> Void) throws {
        let config = test["config"] as? [String: Any] ?? [:]
        let network = try FixtureNetwork(network: try J.string(test["network"], "network"), config: config)
        let chainId = config["chainid"] != nil ? try J.u256(config["chainid"], "chainid") : .one
        let genesis = try Block.decode(try J.bytes(test["genesisRLP"], "genesisRLP")).header
        typealias Known = BlockchainTestRunner.Known
        var known: [Bytes32: Known] = [
            genesis.hash: Known(header: genesis, accounts: try J.accounts(test["pre"], "pre"))
        ]
        for (i, bv) in try J.array(test["blocks"], "blocks").enumerated() {
            let b = try J.dict(bv, "block")
            let raw = try J.bytes(b["rlp"], "rlp")
            guard b["expectException"] == nil,
                case .success(let k) = BlockchainTestRunner.apply(raw, network: network, chainId: chainId, known: known),
                let parent = known[k.header.parentHash]
            else { continue }
            known[k.header.hash] = k
            var ancestors: [BlockHeader] = []
            var cursor: Known? = parent
            while let c = cursor, ancestors.count < 256 {
                ancestors.append(c.header)
                cursor = known[c.header.parentHash]
            }
            try body(
                StatelessBlockCase(
                    id: "\(name) block \(i)",
                    index: i,
                    block: try Block.decode(raw),
                    raw: raw,
                    parent: parent.header,
                    parentState: parent.accounts,
                    ancestors: ancestors,
                    config: network.chainConfig(chainId: chainId)
                )
            )
        }
    }
}

/// A valid block of a blockchain test with what recording and validating its witness need.
public struct StatelessBlockCase {
    /// `test name block i`.
    public var id: String
    /// The block's index in the test.
    public var index: Int
    public var block: Block
    /// The block's RLP as the fixture gives it.
    public var raw: [UInt8]
    public var parent: BlockHeader
    /// The parent's full post-state.
    public var parentState: [Address: Account]
    /// The parent and its ancestors, newest first (up to 256).
    public var ancestors: [BlockHeader]
    /// The test's chain: forks, blob parameters, chain id.
    public var config: ChainConfig

    /// The witness recorded by executing the block on ``parentState``.
    public func recordWitness() throws(StatelessError) -> ExecutionWitness {
        try block.recordWitness(parent: parent, parentState: parentState, ancestors: ancestors, config: config)
    }

    /// The post-state root validated statelessly from `w`, or why it was refused.
    public func validate(_ w: ExecutionWitness) -> Result<Bytes32, StatelessError> {
        do {
            return .success(try block.validateStatelessly(parent: parent, witness: w, config: config).stateRoot)
        } catch {
            return .failure(error)
        }
    }

    /// Whether `w` is refused for a witness reason.
    func refused(_ w: ExecutionWitness) -> Bool {
        if case .failure(.witness) = validate(w) { return true }
        return false
    }

    /// Records the witness, validates it, and tries up to `mutations` state-node removals (plus
    /// one code removal, one header removal and one alteration), each of which must be refused.
    func check(mutations: Int, _ counts: inout StatelessCheckCounts) {
        let seed = index
        counts.blocks += 1
        let w: ExecutionWitness
        do {
            w = try recordWitness()
        } catch {
            counts.failures.append("\(id): recording: \(error)")
            return
        }
        counts.nodes += w.state.count
        counts.codes += w.codes.count
        counts.headers += w.headers.count
        switch validate(w) {
        case .success(let root) where root == block.header.stateRoot: counts.validated += 1
        case .success(let root): counts.failures.append("\(id): root \(root) != \(block.header.stateRoot)")
        case .failure(let e): counts.failures.append("\(id): \(e)")
        }
        func removal(_ what: String, _ index: Int, _ edit: (inout ExecutionWitness) -> Void) {
            var m = w
            edit(&m)
            counts.removals += 1
            if refused(m) {
                counts.removalsRefused += 1
            } else {
                counts.failures.append("\(id): witness without \(what) \(index) accepted")
            }
        }
        let n = w.state.count
        for j in 0..<min(mutations, n) {
            let index = (seed &* 7 &+ j &* (n / max(1, mutations) &+ 1)) % n
            removal("state node", index) { $0.state.remove(at: index) }
        }
        if !w.codes.isEmpty {
            let index = seed % w.codes.count
            removal("code", index) { $0.codes.remove(at: index) }
        }
        if !w.headers.isEmpty {
            let index = (seed &* 3) % w.headers.count
            removal("header", index) { $0.headers.remove(at: index) }
        }
        if n > 0 {
            let index = (seed &* 31 &+ 5) % n
            var m = w
            m.state[index][m.state[index].count / 2] ^= 0x01
            counts.alterations += 1
            if refused(m) {
                counts.alterationsRefused += 1
            } else {
                counts.failures.append("\(id): witness with node \(index) altered accepted")
            }
        }
    }
}

/// What reading externally produced witnesses (EIP-8025 zkEVM fixtures) found.
public struct ExternalWitnessCounts: Sendable {
    /// First blocks whose witness was read.
    public var blocks = 0
    /// Witness state nodes decoded as trie nodes.
    public var nodes = 0
    /// Witness entries that are not trie nodes (harmless while no read reaches them: the
    /// validator decodes a node only when a lookup needs it).
    public var undecodable = 0
    /// `pre` accounts the witness proves (their leaf equals the fixture's account).
    public var accountsProven = 0
    /// `pre` storage slots the witness proves.
    public var slotsProven = 0
    /// What went wrong.
    public var failures: [String] = []

    public init() {}
}

extension StatelessBlockchainRunner {
    /// Reads the `executionWitness` of the first block of every test in `file` (an EIP-8025
    /// fixture, used as a format reference: Amsterdam blocks are not executed) through a
    /// ``PartialTrie`` rooted at the genesis state root: every `pre` account and slot the
    /// witness reaches must equal the fixture's (a proof of absence of an existing account, a
    /// different leaf or a malformed node on the way is a failure); entries that are not trie
    /// nodes are counted.
    public static func readExternalWitnesses(file: String) -> ExternalWitnessCounts {
        var counts = ExternalWitnessCounts()
        do {
            let root = try J.load(file)
            for name in root.keys.sorted() {
                let test = try J.dict(root[name], name)
                let genesis = try J.dict(test["genesisBlockHeader"], "genesisBlockHeader")
                let stateRoot = Bytes32(try J.u256(genesis["stateRoot"], "stateRoot"))
                let pre = try J.accounts(test["pre"], "pre")
                guard let first = try J.array(test["blocks"], "blocks").first as? [String: Any],
                    let w = first["executionWitness"] as? [String: Any]
                else { continue }
                let nodes = try J.array(w["state"], "state").map { try J.bytes($0, "node") }
                let store = TrieNodeStore(nodes: nodes)
                counts.blocks += 1
                for h in store.nodes.keys.sorted() {
                    do {
                        _ = try PartialTrie(root: h, store: store).value(for: [])
                        counts.nodes += 1
                    } catch {
                        counts.undecodable += 1
                    }
                }
                read(pre, PartialTrie(root: stateRoot, store: store), name, &counts)
            }
        } catch {
            counts.failures.append("\(file): \(error)")
        }
        return counts
    }

    static func read(
        _ pre: [Address: Account],
        _ trie: PartialTrie,
        _ name: String,
        _ counts: inout ExternalWitnessCounts
    ) {
        for (a, acct) in pre.sorted(by: { $0.key < $1.key }) {
            let leaf: [UInt8]?
            do { leaf = try trie.value(for: Keccak256.hash(a.bytes)) } catch {
                if case .missingNode = error { continue }
                counts.failures.append("\(name): \(a): \(error)")
                continue
            }
            let storageRoot = StateRoot.storageRoot(acct.storage)
            guard leaf == StateRoot.accountLeaf(acct, storageRoot: storageRoot) else {
                counts.failures.append("\(name): \(a): leaf differs from pre")
                continue
            }
            counts.accountsProven += 1
            let storage = PartialTrie(root: storageRoot, store: trie.store)
            for (k, v) in acct.storage.sorted(by: { $0.key < $1.key }) {
                do {
                    let value = try storage.value(for: Keccak256.hash(k.bigEndianBytes))
                    if value == RLP.encode(v) {
                        counts.slotsProven += 1
                    } else {
                        counts.failures.append("\(name): \(a) slot \(k) differs from pre")
                    }
                } catch {
                    if case .missingNode = error { continue }
                    counts.failures.append("\(name): \(a) slot \(k): \(error)")
                }
            }
        }
    }
}
