import EVMFixtures
import EVMGuestInput
import Foundation
import Stark
import TestSupport
import Testing
import VM
import VMProver
import VMTestSupport

/// An Ethereum block's stateless validation proven end to end: the block guest (Keccak-f through
/// the `keccak_f` syscall and its table; secp256k1 in software) validates an EEST blockchain-test
/// block from its recorded witness, the run is proven with the fast test parameters, and the
/// verified public output is the fixture's outcome (parent hash, block hash, post-state root,
/// gas used, valid).
@Suite(.serialized, .oneProofAtATime)
struct BlockProofTests {
    static let file = PackagePaths.fixture("eest/blockchain_tests/shanghai/eip4895_withdrawals/test_zero_amount.json")

    @Test(
        .enabled(if: FileManager.default.fileExists(atPath: file.path), "EEST fixtures not found"),
        .enabled(if: GuestCache.toolchainPresent, "guest toolchain absent")
    )
    func statelessBlockValidationProves() async throws {
        var found: (StatelessBlockInput, StatelessBlockInput.Outcome)?
        var failure: (any Error)?
        try StatelessBlockchainRunner.validBlocks(file: Self.file.path) { c in
            guard found == nil, failure == nil else { return }
            do {
                let w = try c.recordWitness()
                let input = StatelessBlockInput(config: c.config, parent: c.parent.encoded, block: c.raw, witness: w)
                let expected = StatelessBlockInput.Outcome(validBlock: c.block, parent: c.parent)
                found = (input, expected)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        let (input, expected) = try #require(found)
        #expect(!input.witness.state.isEmpty)
        let program = try ELFLoader.load(try await GuestCache.shared.elf("block"))
        let config = StarkConfig<VMField>.testing
        let key = try VMProgramKey(program: program, config: config)
        let proof = try RunProver(key: key, config: config).prove(input: input.encode(), shardSize: 1 << 18)
        #expect(proof.shards.count >= 2)
        #expect(proof.shards.contains { $0.accelerators.contains(.keccak) })
        let run = try RunVerifier(key: key, config: config).verify(bytes: proof.encoded())
        #expect(run.exitCode == 0)
        #expect(StatelessBlockInput.Outcome(encoded: run.output) == expected)
        // The proof binds the output: the same shards under another claimed output are rejected.
        var forged = proof
        forged.shards.removeLast()
        #expect(throws: RunVerificationError.self) { try RunVerifier(key: key, config: config).verify(forged) }
    }
}
