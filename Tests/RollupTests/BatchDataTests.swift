import EVM
import EVMGuestInput
import EVMPrimitives
import Foundation
import Logging
import NetworkCore
import Testing

@testable import Rollup

/// Batch data: the blocks' guest inputs, deflated and back.
@Suite struct BatchDataTests {
    @Test func deflateRoundTripsAndRefusesCorruption() throws {
        let text = [UInt8](String(repeating: "the same witness node again, ", count: 200).utf8)
        let packed = Deflate.compress(text)
        #expect(packed.count < text.count / 10)
        #expect(try Deflate.decompress(packed, size: text.count) == text)
        #expect(try Deflate.decompress(Deflate.compress([]), size: 0) == [])
        // The wrong size, truncated or altered data: errors, never wrong bytes.
        #expect(throws: DeflateError.self) { try Deflate.decompress(packed, size: text.count - 1) }
        #expect(throws: DeflateError.self) { try Deflate.decompress(packed, size: text.count + 1) }
        #expect(throws: DeflateError.self) {
            try Deflate.decompress(Array(packed.prefix(packed.count / 2)), size: text.count)
        }
        var altered = packed
        altered[altered.count / 2] ^= 0xFF
        // zlib's Adler-32 check catches what the stream's structure does not.
        #expect(throws: DeflateError.self) { try Deflate.decompress(altered, size: text.count) }
        #expect(throws: DeflateError.self) { try Deflate.decompress(packed, size: Deflate.maxInflatedSize + 1) }
    }

    @Test func jobInputs() throws {
        let input: [UInt8] = [1, 2, 3]
        let h1 = Bytes32(UInt256(0xABCD))
        let h2 = Bytes32(UInt256(0xABCE))
        let kind = StarkFibonacciKind.testing
        // zkVM block proofs take the block guest's input unchanged.
        let zkvm = BatchProofs(blocks: .zkvm(kind: "evm-block"), final: kind)
        #expect(zkvm.blockKind == "evm-block" && zkvm.blockInput(input, blockHash: h1) == input)
        // A stand-in proves its own sample statement, seeded by the block hash: valid for its
        // kind, the same for the same block, different for another.
        let standIn = BatchProofs(blocks: .standIn(kind), final: kind)
        let a = standIn.blockInput(input, blockHash: h1)
        #expect(standIn.blockKind == kind.name && a == standIn.blockInput([], blockHash: h1))
        #expect(a != standIn.blockInput(input, blockHash: h2))
        #expect(try kind.estimateWork(input: a) > 0)
        #expect(try kind.estimateWork(input: standIn.finalInput(lastBlockHash: h2)) > 0)
        #expect(standIn.description.contains("STAND-IN"))
    }

    @Test func blocksOfAChainRoundTripAndValidate() async throws {
        let dev = try DevChain()
        let (chain, store) = try await RollupNode.open(
            genesis: dev.genesis,
            datadir: dev.dir,
            logger: Logger(label: "test")
        )
        let fresh = Address(hex: "0x00000000000000000000000000000000000000aa")!
        for n in 0..<3 {
            for from in 0..<3 {
                let to = from == 0 ? fresh : dev.keys[(from + 1) % 3].address
                _ = try await chain.submit(try dev.transfer(from: from, to: to, value: 7, nonce: UInt64(n)))
            }
            try #require(try await chain.produceBlock() != nil)
        }
        var config = BatcherConfig(
            coordinator: "http://127.0.0.1:1",
            keyFile: dev.dir + "/batcher.key",
            proofs: BatchProofs(blocks: .zkvm(kind: "evm-block"), final: StarkFibonacciKind.testing)
        )
        config.policy = BatchPolicy(maxBlocks: 3)
        let batcher = try Batcher(chain: chain, store: store, config: config, logger: Logger(label: "test"))
        try await batcher.sealBatches()
        let batch = try #require(try await store.batches().first)
        #expect(batch.firstBlock == 1 && batch.lastBlock == 3 && batch.transactions == 9)
        #expect(batch.gasUsed == 9 * 21_000)
        let data = try #require(try await store.data(id: batch.id))
        #expect(data.encoded.count == batch.rawBytes)
        #expect(try BatchData(decoding: data.encoded) == data)
        #expect(batch.compressionRatio > 1.5)
        // Each block's input is what the block guest validates: it yields the block's root.
        for (i, raw) in data.blockInputs.enumerated() {
            let input = try StatelessBlockInput.decode(raw)
            let block = try #require(try await chain.block(number: UInt64(i + 1)))
            let outcome = try input.validate()
            #expect(outcome.valid && outcome.blockHash == block.header.hash)
            #expect(outcome.stateRoot == block.header.stateRoot)
        }
    }
}
