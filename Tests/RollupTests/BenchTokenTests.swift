import EVM
import EVMPrimitives
import Testing

@testable import Rollup

/// The benchmark's hand-assembled ERC-20-style token (`BenchToken`) on a dev chain: minting to
/// its creator, `transfer` with its checks, event and return value, and `balanceOf`.
@Suite struct BenchTokenTests {
    @Test func transfersAndBalances() async throws {
        let dev = try DevChain()
        let chain = try await dev.open()
        let (a, b) = (dev.keys[0], dev.keys[1])
        let key = a.privateKey
        _ = try await chain.submit(
            try RollupBench.sign(key: key, nonce: 0, to: nil, gas: 1_000_000, data: BenchToken.initcode(supply: 1_000))
        )
        try await chain.produceBlock()
        let token = EVM.createAddress(sender: a.address, nonce: 0)
        #expect(await chain.accounts[token]?.code.bytes == BenchToken.runtime)
        func call(_ data: [UInt8], value: UInt64 = 0) async throws -> [UInt8] {
            var r = CallRequest()
            r.from = a.address
            r.to = token
            r.data = data
            r.value = UInt256(value)
            return try await chain.call(r)
        }
        func balance(_ owner: Address) async throws -> UInt256 {
            UInt256(hex: Hex.encode(try await call(BenchToken.balanceOfCall(owner)))) ?? .zero
        }
        #expect(try await balance(a.address) == UInt256(1_000))
        #expect(try await balance(b.address) == .zero)
        // A transfer returns true (one 32-byte word).
        let transfer = BenchToken.transferCall(to: b.address, amount: UInt256(300))
        #expect(try await call(transfer) == [UInt8](repeating: 0, count: 31) + [1])
        _ = try await chain.submit(try RollupBench.sign(key: key, nonce: 1, to: token, gas: 100_000, data: transfer))
        let block = try #require(try await chain.produceBlock())
        #expect(try await balance(a.address) == UInt256(700))
        #expect(try await balance(b.address) == UInt256(300))
        let logs = try await chain.logs(LogQuery(fromBlock: block.number, toBlock: block.number), limit: 10)
        // keccak256("Transfer(address,address,uint256)"), the standard ERC-20 topic.
        let topic = Bytes32(UInt256(hex: "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")!)
        #expect(logs.count == 1)
        #expect(logs.first?.topics == [topic, Bytes32(UInt256(a.address)), Bytes32(UInt256(b.address))])
        #expect(logs.first?.data == UInt256(300).bigEndianBytes)
        // Refusals revert: more than the balance, value sent, short calldata, an address with high
        // bits, an unknown selector.
        await #expect(throws: RPCError.self) {
            _ = try await call(BenchToken.transferCall(to: b.address, amount: UInt256(701)))
        }
        await #expect(throws: RPCError.self) { _ = try await call(transfer, value: 1) }
        await #expect(throws: RPCError.self) { _ = try await call(Array(transfer.prefix(67))) }
        var dirty = transfer
        dirty[4] = 1
        await #expect(throws: RPCError.self) { _ = try await call(dirty) }
        await #expect(throws: RPCError.self) { _ = try await call([0xde, 0xad, 0xbe, 0xef]) }
        // All of a balance may move, and a transfer to oneself keeps it.
        #expect(try await call(BenchToken.transferCall(to: b.address, amount: UInt256(700))).last == 1)
        _ = try await chain.submit(
            try RollupBench.sign(
                key: key,
                nonce: 2,
                to: token,
                gas: 100_000,
                data: BenchToken.transferCall(to: a.address, amount: UInt256(700))
            )
        )
        try await chain.produceBlock()
        #expect(try await balance(a.address) == UInt256(700))
    }
}
