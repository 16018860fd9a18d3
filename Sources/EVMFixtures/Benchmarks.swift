import EVM
import EVMPrimitives
import Foundation

/// One blockchain-test case prepared for timing: pre-state, block environment and the
/// blocks' transactions with their senders.
public struct BenchmarkCase {
    public var name: String
    public var fork: Fork
    public var pre: [Address: Account]
    public var block: BlockEnv
    public var transactions: [(Transaction, Address)]
    /// Total gas the fixture's receipts report (the last cumulative gas of each block, summed).
    public var expectedGas: UInt64
    /// The genesis header and the blocks, for timing whole blocks (``BlockchainBenchmark/runBlocks(_:)``).
    public var genesis: BlockHeader
    public var blocks: [Block]
    public var chain: ChainConfig
}

/// The timing of one benchmark case.
public struct BenchmarkResult: Sendable {
    public var name: String
    public var gas: UInt64
    public var expectedGas: UInt64
    public var seconds: Double
    /// Transactions rejected as invalid (a benchmark should have none).
    public var rejected: Int
    /// CPU time of the executing thread (robust against other load on the machine).
    public var cpuSeconds: Double
    public var mgasPerSecond: Double { seconds > 0 ? Double(gas) / seconds / 1e6 : 0 }
    /// Throughput by thread CPU time.
    public var mgasPerCPUSecond: Double { cpuSeconds > 0 ? Double(gas) / cpuSeconds / 1e6 : 0 }
}

/// Loads and runs execution-spec-tests blockchain tests as throughput benchmarks.
public enum BlockchainBenchmark {
    /// Every case of a blockchain-test file.
    public static func load(file: String) throws -> [BenchmarkCase] {
        let root = try J.load(file)
        var out: [BenchmarkCase] = []
        for name in root.keys.sorted() {
            let t = try J.dict(root[name], name)
            let network = try J.string(t["network"], "network")
            guard let fork = Fork(fixtureName: network) else { throw FixtureError("\(name): unknown fork \(network)") }
            let config = t["config"] as? [String: Any] ?? [:]
            let pre = try J.accounts(t["pre"], "pre")
            var block = BlockEnv()
            var txs: [(Transaction, Address)] = []
            var blocks: [Block] = []
            var expected: UInt64 = 0
            for (bi, bv) in try J.array(t["blocks"], "blocks").enumerated() {
                let b = try J.dict(bv, "block")
                blocks.append(try Block.decode(try J.bytes(b["rlp"], "rlp")))
                let h = try J.dict(b["blockHeader"], "blockHeader")
                if bi == 0 {
                    block.coinbase = try J.address(h["coinbase"], "coinbase")
                    block.number = try J.u64(h["number"], "number")
                    block.timestamp = try J.u64(h["timestamp"], "timestamp")
                    block.gasLimit = try J.u64(h["gasLimit"], "gasLimit")
                    if h["baseFeePerGas"] != nil { block.baseFee = try J.u256(h["baseFeePerGas"], "baseFee") }
                    block.prevRandao = try J.u256(h["mixHash"], "mixHash")
                    block.difficulty = try J.u256(h["difficulty"], "difficulty")
                    if h["excessBlobGas"] != nil {
                        block.excessBlobGas = try J.u64(h["excessBlobGas"], "excessBlobGas")
                    }
                    if config["chainid"] != nil { block.chainId = try J.u256(config["chainid"], "chainid") }
                    var fraction: UInt64 = fork >= .prague ? 5_007_716 : 3_338_477
                    if let s = config["blobSchedule"] as? [String: Any], let f = s[network] as? [String: Any] {
                        if f["baseFeeUpdateFraction"] != nil {
                            fraction = try J.u64(f["baseFeeUpdateFraction"], "fraction")
                        }
                        if f["max"] != nil { block.maxBlobsPerBlock = Int(try J.u64(f["max"], "max")) }
                    }
                    block.blobBaseFee = BlockEnv.fakeExponential(
                        factor: .one,
                        numerator: UInt256(block.excessBlobGas),
                        denominator: UInt256(fraction)
                    )
                }
                for tv in try J.array(b["transactions"] ?? [Any](), "transactions") {
                    txs.append(try transaction(try J.dict(tv, "transaction")))
                }
                if let receipts = b["receipts"] as? [Any], let last = receipts.last as? [String: Any] {
                    expected &+= try J.u64(last["cumulativeGasUsed"], "cumulativeGasUsed")
                } else if h["gasUsed"] != nil {
                    expected &+= try J.u64(h["gasUsed"], "gasUsed")
                }
            }
            let chainId = config["chainid"] != nil ? try J.u256(config["chainid"], "chainid") : .one
            out.append(
                BenchmarkCase(
                    name: name,
                    fork: fork,
                    pre: pre,
                    block: block,
                    transactions: txs,
                    expectedGas: expected,
                    genesis: try Block.decode(try J.bytes(t["genesisRLP"], "genesisRLP")).header,
                    blocks: blocks,
                    chain: try FixtureNetwork(network: network, config: config).chainConfig(chainId: chainId)
                )
            )
        }
        return out
    }

    /// A transaction as blockchain tests write it (single values, `sender` given).
    static func transaction(_ d: [String: Any]) throws -> (Transaction, Address) {
        var t = Transaction()
        t.type = UInt8(try J.u64(d["type"] ?? "0x00", "type"))
        if d["chainId"] != nil { t.chainId = try J.u256(d["chainId"], "chainId") }
        t.nonce = try J.u256(d["nonce"], "nonce")
        if d["gasPrice"] != nil { t.gasPrice = try J.u256(d["gasPrice"], "gasPrice") }
        if d["maxFeePerGas"] != nil { t.maxFeePerGas = try J.u256(d["maxFeePerGas"], "maxFeePerGas") }
        if d["maxPriorityFeePerGas"] != nil { t.maxPriorityFeePerGas = try J.u256(d["maxPriorityFeePerGas"], "tip") }
        t.gasLimit = try J.u256(d["gasLimit"], "gasLimit")
        if let to = d["to"] as? String, !to.isEmpty { t.to = try J.address(to, "to") }
        t.value = try J.u256(d["value"], "value")
        t.data = try J.bytes(d["data"], "data")
        if let list = d["accessList"] as? [Any] {
            for item in list {
                let e = try J.dict(item, "access list entry")
                let keys = try J.array(e["storageKeys"], "storageKeys").map { try J.u256($0, "key") }
                t.accessList.append(AccessListEntry(address: try J.address(e["address"], "address"), storageKeys: keys))
            }
        }
        if let hashes = d["blobVersionedHashes"] as? [Any] {
            t.blobVersionedHashes = try hashes.map { try J.u256($0, "blob hash") }
            t.maxFeePerBlobGas = try J.u256(d["maxFeePerBlobGas"], "maxFeePerBlobGas")
        }
        if let auths = d["authorizationList"] as? [Any] {
            for a in auths {
                let ad = try J.dict(a, "authorization")
                t.authorizations.append(
                    Authorization(
                        chainId: try J.u256(ad["chainId"], "chainId"),
                        address: try J.address(ad["address"], "address"),
                        nonce: try J.u256(ad["nonce"], "nonce"),
                        yParity: try J.u256(ad["yParity"] ?? ad["v"], "yParity"),
                        r: try J.u256(ad["r"], "r"),
                        s: try J.u256(ad["s"], "s")
                    )
                )
            }
        }
        // Chain id is checked against the block for typed transactions only.
        if t.type == 0 { t.chainId = nil }
        return (t, try J.address(d["sender"], "sender"))
    }

    /// Applies the case's blocks in turn on a copy of its pre-state (`Block.apply`: header
    /// checks, sender recovery, execution, rewards, withdrawals, requests and the post-state
    /// root, each checked against the header) and times them; a refused block counts as rejected.
    public static func runBlocks(_ c: BenchmarkCase) -> BenchmarkResult {
        timed(c) {
            var state = c.pre
            var parent = c.genesis
            var hashes: [UInt64: UInt256] = [:]
            var gas: UInt64 = 0
            for b in c.blocks {
                hashes[parent.number] = UInt256(parent.hash)
                let rules = c.chain.rules(b.header)
                do {
                    state = try b.apply(
                        parent: parent,
                        parentState: state,
                        fork: rules.fork,
                        parentFork: c.chain.rules(parent).fork,
                        blobSchedule: rules.blobSchedule,
                        chainId: c.chain.chainId,
                        blockHashes: hashes
                    ).accounts
                    gas &+= b.header.gasUsed
                    parent = b.header
                } catch {
                    return (gas, 1)
                }
            }
            return (gas, 0)
        }
    }

    /// Executes the case's transactions on a fresh copy of its pre-state and times them.
    public static func run(_ c: BenchmarkCase) -> BenchmarkResult {
        let evm = EVM(fork: c.fork, state: WorldState(accounts: c.pre), block: c.block)
        return timed(c) {
            var gas: UInt64 = 0
            var rejected = 0
            for (t, sender) in c.transactions {
                do {
                    gas &+= try evm.execute(t, sender: sender).gasUsed
                } catch {
                    rejected += 1
                }
            }
            return (gas, rejected)
        }
    }

    /// Runs `body` on a thread with a large stack, timing it by wall clock and thread CPU time.
    static func timed(_ c: BenchmarkCase, _ body: @escaping () -> (gas: UInt64, rejected: Int)) -> BenchmarkResult {
        runWithLargeStack {
            let cpuStart = CPUTime.thread
            let start = DispatchTime.now().uptimeNanoseconds
            let (gas, rejected) = body()
            let end = DispatchTime.now().uptimeNanoseconds
            let cpuEnd = CPUTime.thread
            return BenchmarkResult(
                name: c.name,
                gas: gas,
                expectedGas: c.expectedGas,
                seconds: Double(end - start) / 1e9,
                rejected: rejected,
                cpuSeconds: cpuEnd - cpuStart
            )
        }
    }
}
