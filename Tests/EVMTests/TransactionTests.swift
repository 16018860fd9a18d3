import EVM
import EVMFixtures
import EVMPrimitives
import Foundation
import Testing

/// Every ethereum/tests transaction test file, relative to `ethereum-tests/TransactionTests`.
let transactionTestFiles: [String] = {
    let base = FixturePaths.fixtures + "/ethereum-tests/TransactionTests"
    guard let e = FileManager.default.enumerator(atPath: base) else { return [] }
    var out: [String] = []
    while let rel = e.nextObject() as? String { if rel.hasSuffix(".json") { out.append(rel) } }
    return out.sorted()
}()

/// Decoding, validity per fork, sender recovery, intrinsic gas and hash.
@Test("ethereum/tests TransactionTests", arguments: transactionTestFiles)
func transactionTestFile(_ file: String) {
    let results = TransactionTestRunner.run(file: FixturePaths.fixtures + "/ethereum-tests/TransactionTests/" + file)
    #expect(!results.isEmpty)
    let failures = results.filter { !$0.passed }
    #expect(
        failures.isEmpty,
        "\(failures.count) of \(results.count) failed, first: \(failures.first.map { "\($0.id): \($0.detail)" } ?? "")"
    )
}

@Test func transactionFixturesArePresent() {
    #expect(transactionTestFiles.count >= 200)
}

/// Malformed encodings are rejected with an error, never a crash.
@Test(arguments: [
    [UInt8](), [0xc0], [0x05, 0xc0], [0x02], [0xf8], [0xf8, 0x01, 0x00], [0x02, 0xc1, 0x80],
    [0xca, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80],
    [0xc8, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80],
])
func malformedTransactionIsRejected(_ bytes: [UInt8]) {
    #expect(throws: EVMError.self) { _ = try Transaction.decode(bytes) }
}
