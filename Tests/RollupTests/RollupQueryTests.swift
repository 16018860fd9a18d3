import EVM
import EVMPrimitives
import Foundation
import Keccak
import Logging
import NetworkCore
import Secp256k1
import Testing

@testable import Rollup

/// A contract whose code logs `LOG2(data: word, topics: [0xaa, word])` and stores `word` in
/// slot 1, where `word` is the first calldata word.
let logger2Initcode = Hex.decode("0x6015600c60003960156000f3" + "600035806000526" + "0aa60206000a2600035600155" + "00")!

extension DevChain {
    /// A signed EIP-1559 transaction from dev account `from` (a creation when `to` is nil).
    func sign(from: Int, to: Address?, data: [UInt8], nonce: UInt64, gas: UInt64 = 200_000) throws -> [UInt8] {
        var t = Transaction(
            type: 2,
            chainId: UInt256(1337),
            nonce: UInt256(nonce),
            gasPrice: .zero,
            maxPriorityFeePerGas: UInt256(1_000_000_000 as UInt64),
            maxFeePerGas: UInt256(2_000_000_000 as UInt64),
            gasLimit: UInt256(gas),
            to: to,
            value: .zero,
            data: data
        )
        let sig = try ECDSA.sign(messageHash: t.signingHash, privateKey: keys[from].privateKey)
        t.r = sig.r
        t.s = sig.s
        t.v = UInt256(UInt64(sig.recoveryId))
        return t.encoded
    }
}

/// A JSON-RPC client of a server in the same process.
struct LocalRPC {
    var rpc: JSONRPCServer

    /// The result of `method(params)`, or the error object.
    func call(_ method: String, _ params: [Any]) async throws -> (result: Any?, error: [String: Any]?) {
        let body = try JSONSerialization.data(withJSONObject: [
            "jsonrpc": "2.0", "id": 1, "method": method, "params": params,
        ])
        let reply = try #require(await rpc.handle(body: body))
        let o = try #require(try JSONSerialization.jsonObject(with: reply) as? [String: Any])
        return (o["result"], o["error"] as? [String: Any])
    }

    func result(_ method: String, _ params: [Any]) async throws -> Any {
        let (r, e) = try await call(method, params)
        #expect(e == nil, "\(method): \(e ?? [:])")
        return try #require(r)
    }

    func errorCode(_ method: String, _ params: [Any]) async throws -> (code: Int, message: String) {
        let (_, e) = try await call(method, params)
        let error = try #require(e, "\(method) should fail")
        return (error["code"] as? Int ?? 0, error["message"] as? String ?? "")
    }
}

func word(_ n: UInt64) -> [UInt8] { Bytes32(UInt256(n)).bytes }

@Suite struct RollupQueryTests {
    /// A chain with the logging contract deployed (block 1) and called with 1, 2, 1 (blocks 2–4).
    static func chainWithLogs() async throws -> (DevChain, Chain, Address) {
        let dev = try DevChain()
        let chain = try await dev.open()
        _ = try await chain.submit(dev.sign(from: 0, to: nil, data: logger2Initcode, nonce: 0))
        try await chain.produceBlock()
        let contract = EVM.createAddress(sender: dev.keys[0].address, nonce: 0)
        #expect(await chain.accounts[contract]?.code.isEmpty == false)
        for (i, x) in [1, 2, 1].enumerated() {
            _ = try await chain.submit(dev.sign(from: 1, to: contract, data: word(UInt64(x)), nonce: UInt64(i)))
            try await chain.produceBlock()
        }
        return (dev, chain, contract)
    }

    @Test func getLogsFilters() async throws {
        let (_, chain, contract) = try await Self.chainWithLogs()
        var server = JSONRPCServer(chain: chain, automine: false)
        let rpc = LocalRPC(rpc: server)
        let t0 = Bytes32(UInt256(0xaa)).description
        let one = Bytes32(word(1))!.description
        let two = Bytes32(word(2))!.description
        func logs(_ filter: [String: Any]) async throws -> [[String: Any]] {
            try #require(try await rpc.result("eth_getLogs", [filter]) as? [[String: Any]])
        }
        // Default range: the latest block only.
        #expect(try await logs([:]).count == 1)
        let all = try await logs(["fromBlock": "earliest", "toBlock": "latest"])
        #expect(all.count == 3)
        #expect(all.map { $0["blockNumber"] as? String } == ["0x2", "0x3", "0x4"])
        #expect(all[1]["topics"] as? [String] == [t0, two] && all[1]["data"] as? String == two)
        #expect(all[0]["address"] as? String == contract.description && all[0]["logIndex"] as? String == "0x0")
        #expect(try await logs(["fromBlock": "0x0", "address": [contract.description]]).count == 3)
        #expect(try await logs(["fromBlock": "0x0", "address": Address.zero.description]).isEmpty)
        #expect(try await logs(["fromBlock": "0x0", "topics": [NSNull(), one]]).count == 2)
        #expect(try await logs(["fromBlock": "0x0", "topics": [t0, [one, two]]]).count == 3)
        #expect(try await logs(["fromBlock": "0x0", "topics": [[two, t0], [two]]]).count == 1)
        #expect(try await logs(["fromBlock": "0x0", "topics": [[NSNull(), one]]]).count == 3)
        // Three positions, wildcards included, need three topics: as geth.
        #expect(try await logs(["fromBlock": "0x0", "topics": [NSNull(), NSNull(), NSNull()]]).isEmpty)
        #expect(try await logs(["fromBlock": "0x2", "toBlock": "0x3"]).count == 2)
        #expect(try await logs(["fromBlock": "0x9", "toBlock": "0x10"]).isEmpty)
        let b3 = try #require(try await chain.block(number: 3)).header.hash.description
        let byHash = try await logs(["blockHash": b3])
        #expect(byHash.count == 1 && byHash[0]["blockHash"] as? String == b3)
        // Receipts and the index agree.
        let receipt = try #require(
            try await rpc.result("eth_getTransactionReceipt", [byHash[0]["transactionHash"]!]) as? [String: Any]
        )
        #expect((receipt["logs"] as? [[String: Any]])?.first?["topics"] as? [String] == [t0, two])
        // Refusals.
        #expect(try await rpc.errorCode("eth_getLogs", [["blockHash": b3, "fromBlock": "0x1"]]).code == -32602)
        #expect(try await rpc.errorCode("eth_getLogs", [["fromBlock": "0x3", "toBlock": "0x2"]]).code == -32000)
        #expect(
            try await rpc.errorCode("eth_getLogs", [["blockHash": Bytes32(UInt256(5)).description]]).message
                == "unknown block"
        )
        #expect(try await rpc.errorCode("eth_getLogs", [["topics": [t0, t0, t0, t0, t0]]]).code == -32602)
        #expect(try await rpc.errorCode("eth_getLogs", [["address": "0x12"]]).code == -32602)
        server.maxLogBlockRange = 2
        server.maxLogResults = 1
        let limited = LocalRPC(rpc: server)
        let range = try await limited.errorCode("eth_getLogs", [["fromBlock": "0x0"]])
        #expect(range.code == -32005 && range.message.contains("max block range 2"))
        let many = try await limited.errorCode("eth_getLogs", [["fromBlock": "0x3", "toBlock": "0x4", "topics": [t0]]])
        #expect(many.code == -32005 && many.message.hasPrefix("query returned more than 1 results"))
        #expect(
            (try await limited.result("eth_getLogs", [["fromBlock": "0x4", "toBlock": "0x4"]]) as? [Any])?.count == 1
        )
    }

    @Test func filterMethods() async throws {
        let (dev, chain, contract) = try await Self.chainWithLogs()
        let rpc = LocalRPC(rpc: JSONRPCServer(chain: chain, automine: false))
        let blocks = try #require(try await rpc.result("eth_newBlockFilter", []) as? String)
        let two = Bytes32(word(2))!.description
        let logFilter = try #require(
            try await rpc.result("eth_newFilter", [["address": contract.description, "topics": [NSNull(), two]]])
                as? String
        )
        #expect((try await rpc.result("eth_getFilterChanges", [blocks]) as? [Any])?.isEmpty == true)
        _ = try await chain.submit(dev.sign(from: 1, to: contract, data: word(2), nonce: 3))
        _ = try await chain.submit(dev.sign(from: 2, to: contract, data: word(7), nonce: 0))
        let b5 = try #require(try await chain.produceBlock())
        let b6 = try #require(try await chain.produceBlock())
        #expect(b5.gasUsed > 0 && b6.gasUsed == 0)
        #expect(
            try await rpc.result("eth_getFilterChanges", [blocks]) as? [String]
                == [b5.hash.description, b6.hash.description]
        )
        #expect((try await rpc.result("eth_getFilterChanges", [blocks]) as? [Any])?.isEmpty == true)
        let changes = try #require(try await rpc.result("eth_getFilterChanges", [logFilter]) as? [[String: Any]])
        #expect(changes.count == 1 && changes[0]["blockNumber"] as? String == "0x5")
        #expect((try await rpc.result("eth_getFilterChanges", [logFilter]) as? [Any])?.isEmpty == true)
        // The filter's whole range (latest, as it was given no range) and then a wider one.
        #expect((try await rpc.result("eth_getFilterLogs", [logFilter]) as? [Any])?.isEmpty == true)
        let wide = try #require(
            try await rpc.result("eth_newFilter", [["fromBlock": "0x0", "topics": [NSNull(), [two]]]]) as? String
        )
        #expect((try await rpc.result("eth_getFilterLogs", [wide]) as? [Any])?.count == 2)
        #expect(try await rpc.result("eth_uninstallFilter", [logFilter]) as? Bool == true)
        #expect(try await rpc.result("eth_uninstallFilter", [logFilter]) as? Bool == false)
        let gone = try await rpc.errorCode("eth_getFilterChanges", [logFilter])
        #expect(gone.code == -32000 && gone.message == "filter not found")
        #expect(try await rpc.errorCode("eth_getFilterLogs", [blocks]).message == "filter not found")
    }

    @Test func feeHistory() async throws {
        let (_, chain, _) = try await Self.chainWithLogs()
        _ = try await chain.produceBlock()  // an empty block 5
        let rpc = LocalRPC(rpc: JSONRPCServer(chain: chain, automine: false))
        let h = try #require(try await rpc.result("eth_feeHistory", ["0x3", "latest", [10, 90]]) as? [String: Any])
        #expect(h["oldestBlock"] as? String == "0x3")
        let fees = try #require(h["baseFeePerGas"] as? [String])
        #expect(fees.count == 4)
        for n in 3...5 {
            let header = try #require(try await chain.block(number: UInt64(n))).header
            #expect(fees[n - 3] == q(header.baseFeePerGas!))
        }
        #expect(fees[3] == q(await chain.nextBaseFee))
        #expect((h["gasUsedRatio"] as? [Double])?.count == 3 && (h["gasUsedRatio"] as? [Double])?[2] == 0)
        #expect((h["baseFeePerBlobGas"] as? [String])?.count == 4 && (h["blobGasUsedRatio"] as? [Double])?.count == 3)
        let rewards = try #require(h["reward"] as? [[String]])
        #expect(rewards == [["0x3b9aca00", "0x3b9aca00"], ["0x3b9aca00", "0x3b9aca00"], ["0x0", "0x0"]])
        // A decimal count, more blocks than exist, no percentiles.
        let all = try #require(try await rpc.result("eth_feeHistory", [10, "0x2"]) as? [String: Any])
        #expect(all["oldestBlock"] as? String == "0x0" && (all["baseFeePerGas"] as? [Any])?.count == 4)
        #expect(all["reward"] == nil)
        #expect(try await rpc.errorCode("eth_feeHistory", ["0x2", "latest", [50, 10]]).code == -32602)
        #expect(try await rpc.errorCode("eth_feeHistory", ["0x2", "latest", [101]]).code == -32602)
        #expect(try await rpc.errorCode("eth_feeHistory", ["0x2", "0x99"]).message.hasPrefix("request beyond head"))
    }

    /// The witness served for a block validates it statelessly to its state root, also after a
    /// restart.
    @Test func executionWitnessValidatesTheBlock() async throws {
        let (dev, chain, _) = try await Self.chainWithLogs()
        let rpc = LocalRPC(rpc: JSONRPCServer(chain: chain, automine: false))
        let config = await chain.config
        func decode(_ list: [String]?) throws -> [[UInt8]] {
            try #require(list).map { try #require(Hex.decode($0)) }
        }
        for n in 1...4 as ClosedRange<UInt64> {
            let o = try #require(try await rpc.result("debug_executionWitness", [q(n)]) as? [String: [String]])
            let witness = ExecutionWitness(
                state: try decode(o["state"]),
                codes: try decode(o["codes"]),
                headers: try decode(o["headers"])
            )
            #expect(!witness.state.isEmpty)
            let block = try #require(try await chain.block(number: n))
            let parent = try #require(try await chain.block(number: n - 1)).header
            let result = try block.validateStatelessly(parent: parent, witness: witness, config: config)
            #expect(result.stateRoot == block.header.stateRoot && result.gasUsed == block.header.gasUsed)
            // Without the witness's nodes it cannot be validated.
            let bare = ExecutionWitness(state: [], codes: witness.codes, headers: witness.headers)
            #expect(throws: StatelessError.self) {
                _ = try block.validateStatelessly(parent: parent, witness: bare, config: config)
            }
        }
        #expect(try await rpc.errorCode("debug_executionWitness", ["0x0"]).code == -32000)
        #expect(try await rpc.errorCode("debug_executionWitness", ["0x63"]).code == -32000)
        let before = try await chain.witness(block: 4)
        let reopened = try await dev.open()
        #expect(try await reopened.witness(block: 4) == before)
    }

    /// `eth_getProof`'s nodes prove the account and its slots against the head's state root.
    @Test func accountProofs() async throws {
        let (_, chain, contract) = try await Self.chainWithLogs()
        let rpc = LocalRPC(rpc: JSONRPCServer(chain: chain, automine: false))
        let root = await chain.head.stateRoot
        let absent = Address(hex: "0x00000000000000000000000000000000000000ee")!
        for (address, slots) in [(contract, ["0x1", "0x2"]), (absent, ["0x1"])] {
            let o = try #require(
                try await rpc.result("eth_getProof", [address.description, slots, "latest"]) as? [String: Any]
            )
            let nodes = try #require(o["accountProof"] as? [String]).map { Hex.decode($0)! }
            let trie = PartialTrie(root: root, store: TrieNodeStore(nodes: nodes))
            let leaf = try trie.value(for: Keccak256.hash(address.bytes))
            let account = await chain.accounts[address]
            #expect((leaf != nil) == (account != nil))
            #expect(o["balance"] as? String == q(account?.balance ?? .zero))
            let storageHashText = try #require(o["storageHash"] as? String)
            let storageHash = try #require(Bytes32(hex: storageHashText))
            if let account {
                #expect(leaf == StateRoot.accountLeaf(account, storageRoot: storageHash))
            } else {
                #expect(storageHash == MerklePatriciaTrie.emptyRoot)
            }
            let storage = try #require(o["storageProof"] as? [[String: Any]])
            #expect(storage.map { $0["key"] as? String } == slots)
            for s in storage {
                let proof = try #require(s["proof"] as? [String]).map { Hex.decode($0)! }
                let t = PartialTrie(root: storageHash, store: TrieNodeStore(nodes: proof))
                let key = try #require(s["key"] as? String)
                let slot = try #require(UInt256(hex: key))
                let value = try t.value(for: Keccak256.hash(slot.bigEndianBytes))
                #expect(value == (account?.storage[slot]).map { RLP.encode($0) })
                #expect(s["value"] as? String == q(account?.storage[slot] ?? .zero))
            }
        }
        #expect(try await rpc.errorCode("eth_getProof", [contract.description, ["0x1"], "0x1"]).code == -32000)
        #expect(try await rpc.errorCode("eth_getProof", [contract.description, ["zz"], "latest"]).code == -32602)
    }

    /// A store written before the log index existed is indexed from its receipts when reopened.
    @Test func logIndexBackfill() async throws {
        let (dev, chain, _) = try await Self.chainWithLogs()
        let before = try await chain.logs(LogQuery(fromBlock: 0, toBlock: 10), limit: 100)
        #expect(before.count == 3)
        let db = try await openDatabase(dev.dir + "/chain.sqlite", logger: Logger(label: "test"))
        try await db.transaction { tx in
            _ = try await tx.query("DELETE FROM logs", [])
            _ = try await tx.query("DELETE FROM meta", [])
        }
        await db.close()
        let reopened = try await dev.open()
        #expect(try await reopened.logs(LogQuery(fromBlock: 0, toBlock: 10), limit: 100) == before)
    }
}
