import Foundation
import Testing

/// Precompile vectors from execution-spec-tests state tests, run through `PrecompileFixtureHarness`.
///
/// Debug runs check a spread-out sample per file; set `PRECOMPILE_FIXTURES_FULL=1` to check every vector.
@Suite struct PrecompileFixtureTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var directory: String
        var sample: Int
        var minimumChecked: Int
        var files: [String]? = nil
        var testDescription: String { directory }
    }

    static let cases: [Case] = [
        Case(directory: "frontier/identity_precompile", sample: 400, minimumChecked: 50),
        Case(directory: "homestead/identity_precompile", sample: 400, minimumChecked: 20),
        Case(directory: "byzantium/eip198_modexp_precompile", sample: 150, minimumChecked: 100),
        Case(directory: "osaka/eip7823_modexp_upper_bounds", sample: 100, minimumChecked: 10),
        Case(directory: "osaka/eip7883_modexp_gas_increase", sample: 60, minimumChecked: 200),
        Case(directory: "byzantium/eip196_ec_add_mul", sample: 40, minimumChecked: 10),
        Case(directory: "byzantium/eip197_ec_pairing", sample: 20, minimumChecked: 10),
        Case(directory: "osaka/eip7951_p256verify_precompiles", sample: 20, minimumChecked: 100),
        Case(directory: "prague/eip2537_bls_12_381_precompiles", sample: 10, minimumChecked: 100),
        Case(
            directory: "cancun/eip4844_blobs",
            sample: 12,
            minimumChecked: 40,
            files: [
                "test_valid_inputs.json", "test_invalid_inputs.json", "test_external_vectors.json",
                "test_point_evaluation_precompile_gas_usage.json", "test_call_opcode_types.json",
                "test_precompile_before_fork.json",
            ]
        ),
        Case(directory: "istanbul/eip152_blake2", sample: 60, minimumChecked: 100),
    ]

    @Test(arguments: cases)
    func fixtureVectors(_ c: Case) throws {
        let full = ProcessInfo.processInfo.environment["PRECOMPILE_FIXTURES_FULL"] == "1"
        let summary = try PrecompileFixtureHarness.runDirectory(
            c.directory,
            limit: full ? nil : c.sample,
            files: c.files
        )
        print("\(c.directory): \(summary)")
        #expect(summary.failures.isEmpty, "\(summary.failures.prefix(10).joined(separator: "\n"))")
        #expect(summary.checked >= c.minimumChecked, "only \(summary.checked) vectors checked: \(summary)")
    }
}
