import EVM
import EVMFixtures
import EVMPrimitives
import Testing

/// Every EEST blockchain test (all forks), executed block by block: header rules, body roots,
/// transactions, system calls, rewards, withdrawals, requests, receipts root, logs bloom, gas used
/// and state root against each header; invalid blocks refused without a trace; the head's state
/// equal to `postState`.
@Test("EEST blockchain tests", arguments: BlockchainFixtures.all)
func blockchainTestFile(_ file: String) {
    let results = BlockchainTestRunner.run(file: BlockchainFixtures.base + "/" + file)
    #expect(!results.isEmpty)
    let failures = results.filter { !$0.passed }
    #expect(
        failures.isEmpty,
        "\(failures.count) of \(results.count) tests failed, first: \(failures.first.map { "\($0.id): \($0.detail)" } ?? "")"
    )
}

/// Real blocks (the first of each EIP-6110 extra-logs test: transactions, logs, deposit requests) with one
/// header field or the body forged are refused with the rule they break; unforged they apply.
@Suite struct BlockExecutionForgeryTests {
    static let blocks: [BlockchainTestRunner.FirstBlock] = {
        let file = BlockchainFixtures.base + "/prague/eip6110_deposits/test_extra_logs.json"
        return (try? BlockchainTestRunner.firstBlocks(file: file)) ?? []
    }()

    static func refusal(_ f: BlockchainTestRunner.FirstBlock, _ edit: (inout Block) -> Void) -> BlockError? {
        var b = f.block
        edit(&b)
        do {
            _ = try f.apply(b)
            return nil
        } catch {
            return error
        }
    }

    @Test func fixtureHasBlocks() { #expect(Self.blocks.count >= 5) }

    @Test func forgedBlocksAreRefused() throws {
        for f in Self.blocks.prefix(5) {
            let post = try f.apply(f.block)
            #expect(!post.isEmpty)
            #expect(Self.refusal(f) { $0.header.gasUsed -= 1 } == .gasUsedMismatch)
            #expect(Self.refusal(f) { $0.header.receiptsRoot = .zero } == .receiptsRootMismatch)
            #expect(Self.refusal(f) { $0.header.logsBloom[0] ^= 1 } == .logsBloomMismatch)
            #expect(Self.refusal(f) { $0.header.stateRoot = .zero } == .stateRootMismatch)
            #expect(Self.refusal(f) { $0.header.requestsHash = .zero } == .requestsHashMismatch)
            #expect(Self.refusal(f) { $0.transactionEncodings.removeLast() } == .transactionsRootMismatch)
            #expect(Self.refusal(f) { $0.withdrawals = nil } == .withdrawalsPresence)
            #expect(
                Self.refusal(f) {
                    $0.transactions[0].r = .zero
                } == .invalidTransaction(index: 0, .invalidTransaction(.invalidSignature))
            )
            #expect(Self.refusal(f) { $0.header.gasLimit = $0.header.gasUsed } == .gasLimitOutOfBounds)
        }
    }
}
