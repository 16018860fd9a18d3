import EVM
import EVMPrimitives
import Foundation
import Logging
import NetworkCore
import Secp256k1
import Testing

@testable import Rollup

/// A dev chain on a fresh SQLite file, with helpers to sign transfers.
struct DevChain {
    let dir: String
    let genesis: Genesis
    let keys: [(privateKey: UInt256, address: Address)]

    init() throws {
        dir = NSTemporaryDirectory() + "rollup-\(UInt64.random(in: 0...UInt64.max))"
        genesis = try Genesis.dev()
        // Three funded dev accounts, then an unfunded key (private key 1).
        keys = try DevAccounts.derive(count: 3) + [(.one, try ECDSA.publicKey(privateKey: UInt256.one).address)]
    }

    func open() async throws -> Chain {
        try await RollupNode.openChain(genesis: genesis, datadir: dir, logger: Logger(label: "test"))
    }

    /// A signed transfer of `value` wei from dev account `from` (EIP-1559 unless `legacy`).
    func transfer(
        from: Int,
        to: Address,
        value: UInt64,
        nonce: UInt64,
        maxFee: UInt64 = 2_000_000_000,
        tip: UInt64 = 1_000_000_000,
        chainId: UInt64 = 1337,
        legacy: Bool = false,
        gas: UInt64 = 21000
    ) throws -> [UInt8] {
        var t = Transaction(
            type: legacy ? 0 : 2,
            chainId: UInt256(chainId),
            nonce: UInt256(nonce),
            gasPrice: legacy ? UInt256(maxFee) : .zero,
            maxPriorityFeePerGas: legacy ? .zero : UInt256(tip),
            maxFeePerGas: legacy ? .zero : UInt256(maxFee),
            gasLimit: UInt256(gas),
            to: to,
            value: UInt256(value)
        )
        let sig = try ECDSA.sign(messageHash: t.signingHash, privateKey: keys[from].privateKey)
        t.r = sig.r
        t.s = sig.s
        t.v = legacy ? UInt256(chainId * 2 + 35 + UInt64(sig.recoveryId)) : UInt256(UInt64(sig.recoveryId))
        return t.encoded
    }
}

@Suite struct RollupKeyTests {
    @Test func devAccountsAreTheMnemonicsAccounts() throws {
        let keys = try DevAccounts.derive(count: 2)
        #expect(keys[0].address == Address(hex: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")!)
        #expect(
            keys[0].privateKey == UInt256(hex: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")!
        )
        #expect(keys[1].address == Address(hex: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")!)
    }

    /// BIP-32 test vector 1: hardened and normal derivation.
    @Test func bip32Vector1() throws {
        let master = try HDKey.master(seed: Hex.decode("000102030405060708090a0b0c0d0e0f")!)
        #expect(
            try master.derive(path: "m/0'").privateKey
                == UInt256(hex: "edb2e14f9ee77d26dd93b4ecede8d16ed408ce149b6cd80b0715a2d911a0afea")!
        )
        #expect(
            try master.derive(path: "m/0'/1").privateKey
                == UInt256(hex: "3c6cb8d0f6a264c91ea8b5030fadaa8e538b020f0a387421a12de9319dc93368")!
        )
        #expect(throws: HDWalletError.self) { try master.derive(path: "44'/60'") }
        #expect(throws: HDWalletError.self) { try master.derive(path: "m/x") }
    }

    @Test func genesisFileParses() throws {
        let json = """
            {"chainId": "0x1a4", "gasLimit": 20000000, "alloc": {
              "0x70997970C51812dc3A010C7d01b50e0d17dc79C8": {"balance": "1000", "nonce": "0x2",
                "code": "0x6000", "storage": {"0x01": "0x02"}}}}
            """
        let g = try Genesis.parse(Data(json.utf8))
        #expect(g.chainId == 420 && g.gasLimit == 20_000_000)
        let a = g.alloc[Address(hex: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")!]!
        #expect(
            a.balance == UInt256(1000) && a.nonce == 2 && a.code.bytes == [0x60, 0] && a.storage[.one] == UInt256(2)
        )
        #expect(g.state[SystemContracts.withdrawalRequests] != nil)
        #expect(throws: (any Error).self) { try Genesis.parse(Data(#"{"alloc": {}}"#.utf8)) }
        #expect(throws: (any Error).self) { try Genesis.parse(Data(#"{"chainId": 1, "alloc": {"0x12": {}}}"#.utf8)) }
    }
}

@Suite struct RollupChainTests {
    /// Built blocks are valid Ethereum blocks: `Block.apply` accepts them on their parent and
    /// reaches the same state.
    @Test func builtBlocksApply() async throws {
        let dev = try DevChain()
        let chain = try await dev.open()
        let genesis = await chain.head
        let genesisState = await chain.accounts
        let to = Address(hex: "0x00000000000000000000000000000000000000aa")!
        _ = try await chain.submit(try dev.transfer(from: 0, to: to, value: 5, nonce: 0))
        _ = try await chain.submit(try dev.transfer(from: 0, to: to, value: 7, nonce: 1, legacy: true))
        _ = try await chain.submit(try dev.transfer(from: 1, to: to, value: 11, nonce: 0))
        let header = try #require(try await chain.produceBlock())
        #expect(header.number == 1 && header.gasUsed == 63000)
        let block = try #require(try await chain.block(number: 1))
        #expect(block.transactions.count == 3)
        let (post, result) = try block.apply(
            parent: genesis,
            parentState: genesisState,
            fork: .osaka,
            parentFork: .osaka,
            blobSchedule: BlobSchedule.mainnet(.osaka),
            chainId: UInt256(1337),
            blockHashes: [0: UInt256(genesis.hash)]
        )
        #expect(result.gasUsed == 63000)
        #expect(StateRoot.compute(post) == header.stateRoot)
        #expect(await chain.accounts[to]?.balance == UInt256(23))
        #expect(await chain.pooledCount == 0)
        // An empty block follows as well.
        let empty = try #require(try await chain.produceBlock())
        #expect(empty.number == 2 && empty.gasUsed == 0 && empty.baseFeePerGas! < header.baseFeePerGas!)
    }

    @Test func poolRefusals() async throws {
        let dev = try DevChain()
        let chain = try await dev.open()
        let to = Address(hex: "0x00000000000000000000000000000000000000bb")!
        func refusal(_ raw: [UInt8]) async -> String {
            do {
                _ = try await chain.submit(raw)
                return "accepted"
            } catch let e as RPCError {
                #expect(e.code == -32000)
                return e.message
            } catch { return "\(error)" }
        }
        #expect(
            await refusal(try dev.transfer(from: 0, to: to, value: 1, nonce: 0, chainId: 1))
                == "invalid chain id for signer"
        )
        #expect(
            await refusal(try dev.transfer(from: 0, to: to, value: 1, nonce: 0, gas: 20000)) == "intrinsic gas too low"
        )
        #expect(
            await refusal(try dev.transfer(from: 0, to: to, value: 1, nonce: 0, maxFee: 1, tip: 1)).hasPrefix(
                "max fee per gas less than block base fee"
            )
        )
        #expect(await refusal([0xde, 0xad]).hasPrefix("invalid transaction encoding"))
        let first = try dev.transfer(from: 0, to: to, value: 1, nonce: 0)
        #expect(await refusal(first) == "accepted")
        #expect(await refusal(first) == "already known")
        #expect(
            await refusal(try dev.transfer(from: 0, to: to, value: 2, nonce: 0, maxFee: 2_100_000_000))
                == "replacement transaction underpriced"
        )
        #expect(
            await refusal(
                try dev.transfer(from: 0, to: to, value: 2, nonce: 0, maxFee: 3_000_000_000, tip: 1_500_000_000)
            ) == "accepted"
        )
        #expect(await chain.pooledCount == 1)
        #expect(await chain.pendingNonce(dev.keys[0].address) == 1)
        #expect(await refusal(try dev.transfer(from: 0, to: to, value: 1, nonce: 500)).hasPrefix("nonce too high"))
        #expect(
            await refusal(
                try dev.transfer(
                    from: 3,
                    to: to,
                    value: 1,
                    nonce: 0
                )
            ).hasPrefix("insufficient funds")
        )
        try await chain.produceBlock()
        #expect(await chain.accounts[to]?.balance == UInt256(2))
        #expect(await refusal(try dev.transfer(from: 0, to: to, value: 1, nonce: 0)).hasPrefix("nonce too low"))
    }

    /// Blocks, state and acknowledged pooled transactions survive closing and reopening the store.
    @Test func restartResumes() async throws {
        let dev = try DevChain()
        let to = Address(hex: "0x00000000000000000000000000000000000000cc")!
        var head: BlockHeader
        do {
            let chain = try await dev.open()
            _ = try await chain.submit(try dev.transfer(from: 0, to: to, value: 9, nonce: 0))
            head = try #require(try await chain.produceBlock())
            _ = try await chain.submit(try dev.transfer(from: 0, to: to, value: 4, nonce: 1))
        }
        let chain = try await dev.open()
        #expect(await chain.head == head)
        #expect(StateRoot.compute(await chain.accounts) == head.stateRoot)
        #expect(await chain.pooledCount == 1)
        let next = try #require(try await chain.produceBlock())
        #expect(next.number == 2 && next.parentHash == head.hash)
        #expect(await chain.accounts[to]?.balance == UInt256(13))
        // Another genesis on the same data directory is refused.
        var other = dev.genesis
        other.chainId = 5
        await #expect(throws: GenesisError.self) {
            _ = try await RollupNode.openChain(genesis: other, datadir: dev.dir, logger: Logger(label: "test"))
        }
    }

    @Test func jsonRPCProtocol() async throws {
        let dev = try DevChain()
        let rpc = JSONRPCServer(chain: try await dev.open(), automine: true)
        func call(_ body: String) async throws -> Any {
            let reply = try #require(await rpc.handle(body: Data(body.utf8)))
            return try JSONSerialization.jsonObject(with: reply)
        }
        func code(_ o: Any) -> Int? { ((o as? [String: Any])?["error"] as? [String: Any])?["code"] as? Int }
        #expect(code(try await call("{")) == -32700)
        #expect(code(try await call("[]")) == -32600)
        #expect(code(try await call("17")) == -32600)
        #expect(code(try await call(#"{"jsonrpc":"2.0","id":1,"method":"eth_foo"}"#)) == -32601)
        #expect(
            code(try await call(#"{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0x12"]}"#)) == -32602
        )
        #expect(code(try await call(#"{"jsonrpc":"1.0","id":1,"method":"eth_chainId"}"#)) == -32600)
        #expect(
            code(
                try await call(
                    #"{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","0x99"]}"#
                )
            ) == -32000
        )
        let batch = try await call(
            #"[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","method":"eth_chainId"},{"jsonrpc":"2.0","id":"b","method":"net_version"}]"#
        )
        let replies = try #require(batch as? [[String: Any]])
        #expect(replies.count == 2)
        #expect(replies[0]["result"] as? String == "0x539" && replies[1]["result"] as? String == "1337")
        #expect(await rpc.handle(body: Data(#"{"jsonrpc":"2.0","method":"eth_chainId"}"#.utf8)) == nil)
        let raw = Hex.encode(try dev.transfer(from: 2, to: dev.keys[0].address, value: 3, nonce: 0))
        let sent = try await call(#"{"jsonrpc":"2.0","id":7,"method":"eth_sendRawTransaction","params":["\#(raw)"]}"#)
        let hash = try #require((sent as? [String: Any])?["result"] as? String)
        let receipt = try await call(
            #"{"jsonrpc":"2.0","id":8,"method":"eth_getTransactionReceipt","params":["\#(hash)"]}"#
        )
        let r = try #require((receipt as? [String: Any])?["result"] as? [String: Any])
        #expect(
            r["status"] as? String == "0x1" && r["blockNumber"] as? String == "0x1"
                && r["gasUsed"] as? String == "0x5208"
        )
    }
}
