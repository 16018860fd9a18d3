import EVMFixtures
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
