import EVMFixtures
import Foundation
import TestSupport
import Testing

/// Locations of the shared fixtures (found by ``PackagePaths``).
enum FixturePaths {
    /// `../shared/fixtures` beside the package root.
    static var fixtures: String { PackagePaths.fixture().path }

    /// Every state-test file, relative to `eest/state_tests`.
    static var stateTestFiles: [String] {
        let base = fixtures + "/eest/state_tests"
        guard let e = FileManager.default.enumerator(atPath: base) else { return [] }
        var out: [String] = []
        while let rel = e.nextObject() as? String { if rel.hasSuffix(".json") { out.append(rel) } }
        return out.sorted()
    }
}

/// Every execution-spec-tests state test (all forks): post-state root, full post-state and logs hash.
@Test("EEST state tests", arguments: FixturePaths.stateTestFiles)
func stateTestFile(_ file: String) {
    let results = StateTestRunner.run(file: FixturePaths.fixtures + "/eest/state_tests/" + file)
    #expect(!results.isEmpty)
    let failures = results.filter { !$0.passed }
    #expect(
        failures.isEmpty,
        "\(failures.count) of \(results.count) vectors failed, first: \(failures.first.map { "\($0.id): \($0.detail)" } ?? "")"
    )
}

@Test func stateTestFixturesArePresent() {
    #expect(FixturePaths.stateTestFiles.count >= 200)
}
