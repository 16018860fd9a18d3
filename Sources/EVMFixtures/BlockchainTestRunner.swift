import EVM
import EVMPrimitives
import Foundation

/// The outcome of one EEST blockchain test.
public struct BlockchainTestResult: Sendable {
    /// The test's name.
    public var id: String
    /// The test's network (`"Cancun"`, `"ShanghaiToCancunAtTime15k"`).
    public var network: String
    public var passed: Bool
    /// What went wrong, for a failure.
    public var detail: String
    /// For each invalid block: `expected exception -> refusal`.
    public var refusals: [String] = []
}

/// Runs EEST blockchain tests: every block is decoded, validated against its parent, executed
/// on the parent's post-state and checked against its header; invalid blocks must be refused
/// and leave no trace; the last block's state must equal `postState`.
public enum BlockchainTestRunner {
    /// Runs every test of one file; a file that cannot be read yields one failed result.
    public static func run(file: String) -> [BlockchainTestResult] {
        do {
            let root = try J.load(file)
            return runWithLargeStack {
                var out: [BlockchainTestResult] = []
                for name in root.keys.sorted() {
                    var r = BlockchainTestResult(id: name, network: "?", passed: false, detail: "")
                    do {
                        let test = try J.dict(root[name], name)
                        r.network = try J.string(test["network"], "network")
                        r.detail = try run(test: test, refusals: &r.refusals) ?? ""
                        r.passed = r.detail.isEmpty
                    } catch {
                        r.detail = "\(error)"
                    }
                    out.append(r)
                }
                return out
            }
        } catch {
            return [BlockchainTestResult(id: file, network: "?", passed: false, detail: "\(error)")]
        }
    }

    /// The first block of a blockchain test with what applying it needs.
    public struct FirstBlock: Sendable {
        public var block: Block
        public var parent: BlockHeader
        public var parentState: [Address: Account]
        public var fork: Fork
        public var blobSchedule: BlobSchedule?
        public var chainId: UInt256

        /// ``Block/apply(parent:parentState:fork:parentFork:blobSchedule:chainId:blockHashes:)`` on
        /// `block` (possibly edited) with the genesis as its parent.
        public func apply(_ block: Block) throws(BlockError) -> [Address: Account] {
            try block.apply(
                parent: parent,
                parentState: parentState,
                fork: fork,
                parentFork: fork,
                blobSchedule: blobSchedule,
                chainId: chainId,
                blockHashes: [parent.number: UInt256(parent.hash)]
            ).accounts
        }
    }

    /// The first block of each test in `file` that is valid and carries transactions, in
    /// name order (for tests that forge headers of real blocks).
    public static func firstBlocks(file: String) throws -> [FirstBlock] {
        let root = try J.load(file)
        var out: [FirstBlock] = []
        for name in root.keys.sorted() {
            let test = try J.dict(root[name], name)
            let config = test["config"] as? [String: Any] ?? [:]
            let network = try FixtureNetwork(network: try J.string(test["network"], "network"), config: config)
            guard let first = try J.array(test["blocks"], "blocks").first as? [String: Any],
                first["expectException"] == nil
            else { continue }
            let block = try Block.decode(try J.bytes(first["rlp"], "rlp"))
            if block.transactions.isEmpty { continue }
            let rules = network.rules(number: block.header.number, timestamp: block.header.timestamp)
            out.append(
                FirstBlock(
                    block: block,
                    parent: try Block.decode(try J.bytes(test["genesisRLP"], "genesisRLP")).header,
                    parentState: try J.accounts(test["pre"], "pre"),
                    fork: rules.fork,
                    blobSchedule: rules.blobs,
                    chainId: config["chainid"] != nil ? try J.u256(config["chainid"], "chainid") : .one
                )
            )
        }
        return out
    }

    /// A known block: its header and post-state.
    struct Known {
        var header: BlockHeader
        var accounts: [Address: Account]
        var ommerHashes: [Bytes32] = []
    }

    /// Runs one test; returns nil when it passes, else what differed.
    static func run(test: [String: Any], refusals: inout [String]) throws -> String? {
        let config = test["config"] as? [String: Any] ?? [:]
        let network = try FixtureNetwork(network: try J.string(test["network"], "network"), config: config)
        let chainId = config["chainid"] != nil ? try J.u256(config["chainid"], "chainid") : .one
        let pre = try J.accounts(test["pre"], "pre")
        let genesis = try Block.decode(try J.bytes(test["genesisRLP"], "genesisRLP")).header
        if StateRoot.compute(pre) != genesis.stateRoot { return "genesis state root differs from pre" }
        var known: [Bytes32: Known] = [genesis.hash: Known(header: genesis, accounts: pre)]
        for (i, bv) in try J.array(test["blocks"], "blocks").enumerated() {
            let b = try J.dict(bv, "block")
            let expected = b["expectException"] as? String
            let outcome = apply(try J.bytes(b["rlp"], "rlp"), network: network, chainId: chainId, known: known)
            switch (outcome, expected) {
            case (.success(let k), nil): known[k.header.hash] = k
            case (.success, let ex?): return "block \(i): expected \(ex), accepted"
            case (.failure(let e), nil): return "block \(i): \(e.description)"
            case (.failure(let e), let ex?): refusals.append("\(ex) -> \(e.description)")
            }
        }
        let last = try J.u256(test["lastblockhash"], "lastblockhash")
        guard let head = known[Bytes32(last)] else { return "last block \(last) not reached" }
        if test["postState"] != nil {
            let problems = StateTestRunner.diff(head.accounts, try J.accounts(test["postState"], "postState"))
            if !problems.isEmpty { return "post-state: " + problems.prefix(6).joined(separator: "; ") }
        }
        return nil
    }

    /// Why a block was refused.
    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    /// Decodes, validates and executes one block on a copy of its parent's state.
    static func apply(
        _ raw: [UInt8],
        network: FixtureNetwork,
        chainId: UInt256,
        known: [Bytes32: Known]
    ) -> Result<Known, Refusal> {
        let block: Block
        do { block = try Block.decode(raw) } catch { return .failure(Refusal(description: "\(error)")) }
        let h = block.header
        guard let parent = known[h.parentHash] else { return .failure(Refusal(description: "unknown parent")) }
        let rules = network.rules(number: h.number, timestamp: h.timestamp)
        let parentFork = network.rules(number: parent.header.number, timestamp: parent.header.timestamp).fork
        var hashes: [UInt64: UInt256] = [:]
        var recent: [RecentBlock] = []
        var ancestor: Known? = parent
        var hash = h.parentHash
        while let a = ancestor, hashes.count < 256 {
            hashes[a.header.number] = UInt256(hash)
            if recent.count <= Int(Block.maximumOmmerDepth) {
                recent.append(RecentBlock(header: a.header, ommerHashes: a.ommerHashes))
            }
            hash = a.header.parentHash
            ancestor = known[a.header.parentHash]
        }
        do {
            let post = try block.apply(
                parent: parent.header,
                parentState: parent.accounts,
                fork: rules.fork,
                parentFork: parentFork,
                blobSchedule: rules.blobs,
                chainId: chainId,
                blockHashes: hashes,
                recent: recent
            )
            return .success(Known(header: h, accounts: post.accounts, ommerHashes: block.ommers.map(\.hash)))
        } catch {
            return .failure(Refusal(description: "\(error)"))
        }
    }
}
