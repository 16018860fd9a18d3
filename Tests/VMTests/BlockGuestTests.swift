import EVM
import EVMFixtures
import EVMGuestInput
import EVMPrimitives
import Foundation
import TestSupport
import Testing
import VM
import VMTestSupport

/// Stateless block validation as the block guest runs it: the input codec and the outcome
/// natively (against the EEST fixture's own hashes, root and gas), refusals of forged blocks
/// and incomplete witnesses, and the guest itself on the zkVM against the native validator.
struct BlockGuestTests {
    static var fixtures: URL { PackagePaths.fixture("eest/blockchain_tests") }
    static var available: Bool { FileManager.default.fileExists(atPath: fixtures.path) }

    /// Blocks with transactions, withdrawals, system calls and `BLOCKHASH` reads over ancestors.
    static let files = [
        "shanghai/eip4895_withdrawals/test_zero_amount.json",
        "prague/eip2935_historical_block_hashes_from_state/test_block_hashes_history.json",
        "cancun/eip1153_tstore/test_gas_usage.json",
    ]

    /// Up to `perFile` valid blocks of each file, with their recorded witnesses.
    static func cases(perFile: Int) throws -> [(StatelessBlockCase, StatelessBlockInput)] {
        var out: [(StatelessBlockCase, StatelessBlockInput)] = []
        for f in files {
            var n = 0
            var failure: (any Error)?
            try StatelessBlockchainRunner.validBlocks(file: fixtures.appendingPathComponent(f).path) { c in
                guard n < perFile, failure == nil else { return }
                n += 1
                do {
                    let w = try c.recordWitness()
                    out.append(
                        (c, StatelessBlockInput(config: c.config, parent: c.parent.encoded, block: c.raw, witness: w))
                    )
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
        }
        return out
    }

    /// The block RLP `raw` with its header replaced by `header`.
    static func replacingHeader(of raw: [UInt8], with header: BlockHeader) throws -> [UInt8] {
        var outer = RLPReader(raw)
        var list = try outer.readList()
        _ = try list.readRaw()
        var payload = header.encoded
        while !list.isAtEnd { payload += try list.readRaw() }
        var w = RLPWriter()
        w.appendHeader(length: payload.count, offset: 0xC0)
        w.bytes += payload
        return w.bytes
    }

    static func expected(_ c: StatelessBlockCase) -> StatelessBlockInput.Outcome {
        .init(validBlock: c.block, parent: c.parent)
    }

    @Test(.enabled(if: available, "EEST fixtures not found"))
    func codecRoundTripsAndOutcomesMatchTheFixture() throws {
        let cases = try Self.cases(perFile: 4)
        #expect(cases.count >= 8)
        #expect(cases.contains { !$0.1.witness.headers.isEmpty }, "no block reads BLOCKHASH")
        #expect(cases.contains { $0.0.block.header.gasUsed > 0 })
        for (c, input) in cases {
            let encoded = input.encode()
            #expect(try StatelessBlockInput.decode(encoded) == input, "\(c.id)")
            #expect(try input.validate() == Self.expected(c), "\(c.id)")
            #expect(throws: RLPError.self) { try StatelessBlockInput.decode(encoded + [0]) }
            #expect(throws: RLPError.self) { try StatelessBlockInput.decode(Array(encoded.dropLast())) }
            let out = Self.expected(c).encoded
            #expect(out.count == 105)
            #expect(StatelessBlockInput.Outcome(encoded: out) == Self.expected(c))
        }
    }

    /// A block that breaks a rule is an outcome (invalid, state unchanged); a witness that
    /// cannot answer is no outcome at all.
    @Test(.enabled(if: available, "EEST fixtures not found"))
    func forgedBlocksAreInvalidAndIncompleteWitnessesGiveNoOutcome() throws {
        for (c, input) in try Self.cases(perFile: 2) {
            var forged = c.block
            forged.header.stateRoot = .zero
            var f = input
            f.block = try Self.replacingHeader(of: input.block, with: forged.header)
            #expect(
                try f.validate()
                    == .init(
                        parentHash: c.parent.hash,
                        blockHash: forged.header.hash,
                        stateRoot: c.parent.stateRoot,
                        gasUsed: 0,
                        valid: false
                    ),
                "\(c.id)"
            )
            var missing = input
            missing.witness.state.removeFirst()
            #expect(throws: StatelessBlockInput.Failure.self) { try missing.validate() }
            var noHeaders = input
            if !noHeaders.witness.headers.isEmpty {
                noHeaders.witness.headers.removeFirst()
                #expect(throws: StatelessBlockInput.Failure.self) { try noHeaders.validate() }
            }
            var garbled = input
            garbled.block = Array(garbled.block.dropLast())
            #expect(throws: StatelessBlockInput.Failure.self) { try garbled.validate() }
        }
    }

    @Test(
        .enabled(if: available, "EEST fixtures not found"),
        .enabled(if: GuestCache.toolchainPresent, "guest toolchain absent")
    )
    func guestCommitsTheNativeOutcome() async throws {
        // The build the block proofs use (software Keccak), shared with VMProverTests.
        let program = try ELFLoader.load(try await GuestCache.shared.elf("block", softwareKeccak: true))
        func run(_ input: StatelessBlockInput) throws -> Machine {
            let m = try Machine(program: program, input: input.encode())
            try m.run()
            return m
        }
        for (c, input) in try Self.cases(perFile: 2) {
            let m = try run(input)
            #expect(m.exitCode == 0, "\(c.id)")
            #expect(m.publicOutput == Self.expected(c).encoded, "\(c.id)")
            #expect(m.markedSpans(prefix: "phase:").map(\.name) == VMBlockPhases.names, "\(c.id)")
            // A Prague block's EIP-7685 requests hash is SHA-256: EVMPrimitives' compression is
            // linked through `sha256_compress` (one call per block of the hashed requests).
            let compressions = m.syscallCounts[Syscall.sha256Compress.rawValue, default: 0]
            #expect((compressions > 0) == (c.block.header.requestsHash != nil), "\(c.id): \(compressions)")
            var forged = c.block
            forged.header.gasUsed &+= 1
            var f = input
            f.block = try Self.replacingHeader(of: input.block, with: forged.header)
            #expect(try run(f).publicOutput == (try f.validate()).encoded, "\(c.id)")
            var missing = input
            missing.witness.state.removeLast()
            let refused = try run(missing)
            #expect(refused.exitCode == 2 && refused.publicOutput.isEmpty, "\(c.id)")
            let garbled = try Machine(program: program, input: Array(input.encode().dropLast()))
            try garbled.run()
            #expect(garbled.exitCode == 1 && garbled.publicOutput.isEmpty)
        }
    }
}

/// The steps the block guest marks, in order.
enum VMBlockPhases {
    static let names = ["start", "witness", "header", "signatures", "execution", "stateRoot", "commit"]
}
