import EVM
import EVMPrimitives
import Foundation
import Testing

@testable import Rollup

/// `eth_call` / `eth_estimateGas` and the state reads at older blocks (the state history), and
/// geth's state overrides.
@Suite struct RollupHistoricalCallTests {
    /// Code that returns storage slot 1: `PUSH1 1 SLOAD PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN`.
    static let returnSlot1 = "0x60015460005260206000f3"

    @Test func callsAndReadsAtOlderBlocks() async throws {
        // Blocks: 1 deploys the logging contract, 2–4 store 1, 2, 1 in its slot 1.
        let (dev, chain, contract) = try await RollupQueryTests.chainWithLogs()
        let rpc = LocalRPC(rpc: JSONRPCServer(chain: chain, automine: false))
        let override: [String: Any] = [contract.description: ["code": Self.returnSlot1]]
        let call: [String: Any] = ["to": contract.description]
        func slot1(_ block: Any) async throws -> String? {
            try await rpc.result("eth_call", [call, block, override]) as? String
        }
        #expect(try await slot1("0x2") == Bytes32(UInt256(1)).description)
        #expect(try await slot1("0x3") == Bytes32(UInt256(2)).description)
        #expect(try await slot1("latest") == Bytes32(UInt256(1)).description)
        // Before the contract existed: its override code reads empty storage.
        #expect(try await slot1("0x0") == Bytes32.zero.description)
        let b3 = try #require(try await chain.block(number: 3)).header.hash.description
        #expect(try await slot1(["blockHash": b3]) == Bytes32(UInt256(2)).description)
        #expect(
            try await rpc.result("eth_getStorageAt", [contract.description, "0x1", "0x3"]) as? String
                == Bytes32(UInt256(2)).description
        )
        #expect(try await rpc.result("eth_getCode", [contract.description, "0x0"]) as? String == "0x")
        let sender = dev.keys[1].address.description
        #expect(try await rpc.result("eth_getTransactionCount", [sender, "0x1"]) as? String == "0x0")
        #expect(try await rpc.result("eth_getTransactionCount", [sender, "0x3"]) as? String == "0x2")
        let genesisBalance = try #require(try await rpc.result("eth_getBalance", [sender, "0x0"]) as? String)
        let before = try #require(try await rpc.result("eth_getBalance", [sender, "0x1"]) as? String)
        let after = try #require(try await rpc.result("eth_getBalance", [sender, "latest"]) as? String)
        #expect(before == genesisBalance && after != before)
        #expect(genesisBalance == q(dev.genesis.state[dev.keys[1].address]?.balance ?? .zero))
        // The undo diffs of blocks 4…1 compose back to the genesis state exactly.
        #expect(StateChanges.between(try await chain.state(at: 0), dev.genesis.state).isEmpty)
        #expect(StateChanges.between(try await chain.state(at: 4), await chain.accounts).isEmpty)

        // Past the head, and an unknown hash.
        #expect(try await rpc.errorCode("eth_call", [call, "0x9"]).message == "header not found")
        let unknown = Bytes32(UInt256(7)).description
        #expect(try await rpc.errorCode("eth_call", [call, ["blockHash": unknown]]).code == -32000)
        // Beyond the history: -32000 "historical state not available".
        await chain.setStateHistory(blocks: 2)
        try await chain.produceBlock()
        #expect(try await slot1("0x3") == Bytes32(UInt256(2)).description)
        let old = try await rpc.errorCode("eth_call", [call, "0x2", override])
        #expect(old.code == -32000 && old.message.hasPrefix("historical state not available"))
        let oldBalance = try await rpc.errorCode("eth_getBalance", [sender, "0x1"])
        #expect(oldBalance.message.hasPrefix("historical state not available"))
        #expect(try await rpc.errorCode("eth_estimateGas", [call, "0x1"]).code == -32000)
    }

    @Test func stateOverrides() async throws {
        let (dev, chain, contract) = try await RollupQueryTests.chainWithLogs()
        let rpc = LocalRPC(rpc: JSONRPCServer(chain: chain, automine: false))
        let call: [String: Any] = ["to": contract.description]
        let nine = Bytes32(UInt256(9)).description
        func slot1(_ fields: [String: Any]) async throws -> String? {
            var o = fields
            o["code"] = Self.returnSlot1
            return try await rpc.result("eth_call", [call, "latest", [contract.description: o]]) as? String
        }
        // stateDiff patches one slot; state replaces the whole storage.
        #expect(try await slot1(["stateDiff": ["0x1": nine]]) == nine)
        #expect(try await slot1(["stateDiff": ["0x5": nine]]) == Bytes32(UInt256(1)).description)
        #expect(try await slot1(["state": ["0x5": nine]]) == Bytes32.zero.description)
        // The chain itself is untouched.
        #expect(await chain.accounts[contract]?.storage[.one] == .one)

        // Balance: an unfunded sender can move value only with an override.
        let poor = dev.keys[3].address.description
        let transfer: [String: Any] = ["from": poor, "to": contract.description, "value": "0x100"]
        let refused = try await rpc.errorCode("eth_estimateGas", [transfer])
        #expect(refused.code == -32000 && refused.message.contains("insufficient funds"))
        let gas = try await rpc.result("eth_estimateGas", [transfer, "latest", [poor: ["balance": "0x1000"]]])
        #expect(gas as? String != nil)
        // Nonce: CREATE's address follows the creator's nonce, which the override sets (code:
        // `CREATE(0, 0, 0)`, then return the new address).
        let factory = Address(hex: "0x00000000000000000000000000000000000f0f0f")!
        let created = try #require(
            try await rpc.result(
                "eth_call",
                [
                    ["to": factory.description], "latest",
                    [factory.description: ["code": "0x600060006000f060005260206000f3", "nonce": "0x5"]],
                ]
            ) as? String
        )
        let expected = EVM.createAddress(sender: factory, nonce: 5)
        #expect(created == Hex.encode([UInt8](repeating: 0, count: 12) + expected.bytes))

        // Refusals: -32602 with a message.
        let both = try await rpc.errorCode(
            "eth_call",
            [call, "latest", [contract.description: ["state": [:], "stateDiff": [:]]]]
        )
        #expect(both.code == -32602 && both.message.contains("both 'state' and 'stateDiff'"))
        let unknownField = try await rpc.errorCode(
            "eth_call",
            [call, "latest", [contract.description: ["movePrecompileToAddress": poor]]]
        )
        #expect(unknownField.code == -32602 && unknownField.message.contains("movePrecompileToAddress"))
        #expect(try await rpc.errorCode("eth_call", [call, "latest", ["0x12": [:]]]).code == -32602)
        #expect(
            try await rpc.errorCode(
                "eth_call",
                [call, "latest", [poor: ["nonce": "0x1" + String(repeating: "0", count: 20)]]]
            ).code == -32602
        )
        #expect(try await rpc.errorCode("eth_call", [call, "latest", [poor: ["balance": 5]]]).code == -32602)
        #expect(try await rpc.errorCode("eth_call", [call, "latest", "0x1"]).code == -32602)
    }

    @Test func historySurvivesRestart() async throws {
        let (dev, chain, contract) = try await RollupQueryTests.chainWithLogs()
        let kept = try await chain.state(at: 0)
        // The store drops undo diffs past its horizon; the chain reloads those it kept.
        let reopened = try await dev.open()
        #expect(await reopened.head == chain.head)
        #expect(StateChanges.between(try await reopened.state(at: 0), kept).isEmpty)
        #expect(try await reopened.state(at: 2)[contract]?.storage[.one] == .one)
        #expect(try await reopened.state(at: 3)[contract]?.storage[.one] == UInt256(2))
    }

    @Test func storeKeepsTheNewest128Blocks() async throws {
        let dev = try DevChain()
        var head: UInt64 = 0
        do {
            let chain = try await dev.open()
            for _ in 0..<130 { head = try #require(try await chain.produceBlock()).number }
            let old = try await LocalRPC(rpc: JSONRPCServer(chain: chain, automine: false))
                .errorCode("eth_getBalance", [dev.keys[0].address.description, "0x1"])
            #expect(old.message.hasPrefix("historical state not available") && old.message.contains("oldest: block 2"))
        }
        let chain = try await dev.open()
        #expect(await chain.head.number == head)
        _ = try await chain.state(at: head - 128)
        await #expect(throws: RPCError.self) { try await chain.state(at: head - 129) }
    }

    @Test func undoDiffsInvertBlocks() throws {
        let a = Address(hex: "0x00000000000000000000000000000000000000a1")!
        let b = Address(hex: "0x00000000000000000000000000000000000000b2")!
        let c = Address(hex: "0x00000000000000000000000000000000000000c3")!
        let old: [Address: Account] = [
            a: Account(nonce: 1, balance: UInt256(10), storage: [.one: UInt256(5), UInt256(2): UInt256(6)]),
            b: Account(nonce: 0, balance: UInt256(3), code: Code([0x00]), storage: [.one: UInt256(7)]),
        ]
        var new = old
        new[a]!.balance = UInt256(4)
        new[a]!.storage[.one] = nil
        new[a]!.storage[UInt256(3)] = UInt256(8)
        new[b] = nil
        new[c] = Account(nonce: 1, storage: [.one: .one])
        let forward = StateChanges.between(old, new)
        var state = old
        forward.apply(to: &state)
        #expect(StateChanges.between(state, new).isEmpty)
        // The stored form decodes to the same diff.
        let undo = forward.undo(from: old)
        let record = try UndoRecord(rlp: UndoRecord(undo).rlp)
        let codes = [Code.empty.hash: Code.empty, Code([0x00]).hash: Code([0x00])]
        record.changes(codes: codes).apply(to: &state)
        #expect(StateChanges.between(state, old).isEmpty)
        #expect(state[b]?.code.bytes == [0x00] && state[b]?.storage[.one] == UInt256(7) && state[c] == nil)
    }
}

extension StateChanges {
    /// Whether nothing changes.
    var isEmpty: Bool { accounts.isEmpty && storage.isEmpty && clearedStorage.isEmpty }
}
