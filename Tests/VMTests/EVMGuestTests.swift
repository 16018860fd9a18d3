import EVMGuestInput
import EVMPrimitives
import Foundation
import TestSupport
import Testing
import VM
import VMTestSupport

/// The EVM guest's input codec, natively, and (opt-in: compiling the EVM for rv32im takes
/// minutes) the guest itself on the zkVM against the native EVM and the fixture's root.
struct EVMGuestTests {
    static var fixtures: String {
        PackagePaths.fixture("eest/state_tests")
            .standardized.path
    }

    /// A few small Prague vectors.
    static func sampleVectors() throws -> [StateTestVector] {
        let dir = fixtures + "/prague/eip7623_increase_calldata_cost"
        guard let files = FileManager.default.enumerator(atPath: dir) else { return [] }
        var out: [StateTestVector] = []
        for case let f as String in files where f.hasSuffix(".json") {
            out += try StateTestVector.load(path: dir + "/" + f, forks: ["Prague"]).prefix(2)
            if out.count >= 6 { break }
        }
        return out
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: fixtures), "EEST fixtures not found"))
    func codecRoundTripsAndMatchesFixtureRoots() throws {
        let vectors = try Self.sampleVectors()
        #expect(!vectors.isEmpty)
        for v in vectors {
            let decoded = try EVMGuestInput.decode(v.input.encode())
            #expect(decoded.encode() == v.input.encode())
            let outcome = decoded.execute()
            #expect(outcome == v.input.execute())
            #expect(outcome.stateRoot == v.expectedRoot, "\(v.id)")
        }
    }

    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment["ZKPROVER_EVM_GUEST_TEST"] != nil,
            "set ZKPROVER_EVM_GUEST_TEST=1 to build the EVM guest (several minutes) and run it"
        ),
        .enabled(if: (try? GuestBuilder()) != nil, "guest toolchain absent")
    )
    func guestMatchesNativeEVM() throws {
        let builder = try GuestBuilder()
        let elf = try builder.build(
            directory: builder.guestsDirectory.appendingPathComponent("examples/evm"),
            output: GuestCache.buildDirectory(guests: builder.guestsDirectory).appendingPathComponent("evm.elf")
        )
        let program = try ELFLoader.load([UInt8](try Data(contentsOf: elf)))
        for v in try Self.sampleVectors() {
            let m = try Machine(program: program, input: v.input.encode())
            try m.run()
            #expect(m.publicOutput == v.input.execute().encoded, "\(v.id)")
            #expect(m.publicOutput.prefix(32).elementsEqual(v.expectedRoot.bytes), "\(v.id)")
        }
    }
}
