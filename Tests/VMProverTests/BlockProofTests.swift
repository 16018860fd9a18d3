import EVMFixtures
import EVMGuestInput
import Foundation
import Stark
import TestSupport
import Testing
import VM
import VMProver
import VMTestSupport

/// An Ethereum block's stateless validation proven end to end with every accelerator table: the
/// block guest validates an EEST blockchain-test block from its recorded witness, the run is
/// proven with the fast test parameters, and the verified public output is the fixture's outcome
/// (parent hash, block hash, post-state root, gas used, valid). The block is the Osaka variant of
/// `test_modexp_used_in_transaction_entry_points` (`exact_gas`): one signed transaction whose
/// entry point is the modexp precompile, in an Osaka block. Its proof exercises Keccak-f (trie
/// nodes, hashes: `keccak_f`), the sender's signature recovery (the ecrecover precompile's code:
/// `secp256k1_add`/`secp256k1_double` point steps and `uint256_mulmod` field products), modexp
/// (a 320-bit modulus: the software `BigNat` path, proven instruction by instruction) and
/// SHA-256 (the EIP-7685 requests hash: `sha256_compress`).
@Suite(.serialized, .oneProofAtATime)
struct BlockProofTests {
    static let file = PackagePaths.fixture(
        "eest/blockchain_tests/osaka/eip7883_modexp_gas_increase/test_modexp_used_in_transaction_entry_points.json"
    )

    @Test(
        .enabled(if: FileManager.default.fileExists(atPath: file.path), "EEST fixtures not found"),
        .enabled(if: GuestCache.toolchainPresent, "guest toolchain absent")
    )
    func statelessBlockValidationProves() async throws {
        var found: (StatelessBlockInput, StatelessBlockInput.Outcome)?
        var failure: (any Error)?
        try StatelessBlockchainRunner.validBlocks(file: Self.file.path) { c in
            guard found == nil, failure == nil, c.id.contains("fork_Osaka"), c.id.contains("exact_gas") else { return }
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
        let used = proof.shards.reduce(into: ShardAccelerators()) { $0.formUnion($1.accelerators) }
        #expect(used == .all, "accelerator tables in the proof: \(used)")
        let run = try RunVerifier(key: key, config: config).verify(bytes: proof.encoded())
        #expect(run.exitCode == 0)
        #expect(StatelessBlockInput.Outcome(encoded: run.output) == expected)
        // The proof binds the output: the same shards under another claimed output are rejected.
        var forged = proof
        forged.shards.removeLast()
        #expect(throws: RunVerificationError.self) { try RunVerifier(key: key, config: config).verify(forged) }
    }
}
