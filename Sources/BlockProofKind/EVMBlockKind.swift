import EVM
import EVMGuestInput
import NetworkCore
import Stark
import VM
import VMProver

/// Proofs of one L2 block: a zkVM run proof of the block guest (`Guests/examples/block`) on the
/// block's `StatelessBlockInput` (chain rules, parent header, block, execution witness).
///
/// Input: the `StatelessBlockInput` encoding, the bytes the guest reads. Proof: the zkVM's run
/// proof encoding (`ZKVM`: one STARK per shard). The verifier checks the run proof against the
/// guest's program key, that the guest exited with 0, and that its committed outcome is the one
/// a valid block claims: the parent header's hash, the block's hash, the header's post-state
/// root and gas used, and the validity flag set. The witness itself is not bound by the proof
/// and need not be: the guest checks every node against the parent's state root, so no witness
/// can make it commit a wrong root.
public struct EVMBlockKind: ProofKind {
    /// The kind's name in job requests.
    public static let kindName = "evm-block"
    /// The kind's name with insecure test parameters (about 20 bits).
    public static let testingKindName = "evm-block-testing"
    /// Cycles per shard.
    public static let defaultShardSize = 1 << 20

    public let name: String
    let key: VMProgramKey
    let config: StarkConfig<VMField>
    let shardSize: Int

    /// The kind for the block guest `program` (built with software Keccak until the Keccak table
    /// exists), production parameters unless `insecure`.
    public init(program: Program, insecure: Bool = false, shardSize: Int = defaultShardSize) throws {
        name = insecure ? Self.testingKindName : Self.kindName
        config = .vm(insecure: insecure)
        key = try VMProgramKey(program: program, config: config)
        self.shardSize = shardSize
    }

    /// The outcome a proof of `input` must commit: the block's, as valid.
    public static func expectedOutcome(_ input: [UInt8]) throws(ProofKindError) -> StatelessBlockInput.Outcome {
        let decoded: StatelessBlockInput
        do { decoded = try StatelessBlockInput.decode(input) } catch {
            throw ProofKindError("input is not a StatelessBlockInput encoding: \(error)")
        }
        do {
            let parent = try BlockHeader.decode(decoded.parent)
            let block = try Block.decode(decoded.block)
            guard block.header.parentHash == parent.hash else {
                throw ProofKindError("the block's parent hash is not the parent header's hash")
            }
            return StatelessBlockInput.Outcome(validBlock: block, parent: parent)
        } catch let e as ProofKindError {
            throw e
        } catch {
            throw ProofKindError("undecodable parent header or block: \(error)")
        }
    }

    /// Work: one unit per millisecond of proving on one reference core. The guest's cycles grow
    /// with the input (every witness node is hashed with software Keccak, every signature
    /// recovered in software): about 1.5 M cycles of fixed cost plus 150 per input byte, proven
    /// at about 20 k cycles per second per core (a one-transfer dev block: ~3 M cycles, minutes
    /// on two cores). A rough model until the accelerator tables land.
    public func estimateWork(input: [UInt8]) throws(ProofKindError) -> Double {
        _ = try Self.expectedOutcome(input)
        let cycles = 1_500_000 + 150 * Double(input.count)
        return cycles / 20
    }

    public func prove(input: [UInt8]) throws(ProofKindError) -> [UInt8] {
        _ = try Self.expectedOutcome(input)
        do {
            return try RunProver(key: key, config: config).prove(input: input, shardSize: shardSize).encoded()
        } catch {
            throw ProofKindError("zkVM prover: \(error)")
        }
    }

    public func verify(input: [UInt8], proof: [UInt8]) throws(ProofKindError) {
        let expected = try Self.expectedOutcome(input)
        let run: VerifiedRun
        do { run = try RunVerifier(key: key, config: config).verify(bytes: proof) } catch {
            throw ProofKindError("zkVM proof does not verify: \(error)")
        }
        guard run.exitCode == 0 else { throw ProofKindError("the guest exited with \(run.exitCode)") }
        guard let outcome = StatelessBlockInput.Outcome(encoded: run.output) else {
            throw ProofKindError("the guest's output is not a block outcome (\(run.output.count) bytes)")
        }
        guard outcome == expected else {
            throw ProofKindError(
                "the proven outcome (valid \(outcome.valid), root \(outcome.stateRoot)) is not the block's (root \(expected.stateRoot))"
            )
        }
    }

    /// Block inputs come from a chain, not from a seed: the smallest valid input there is, a
    /// block proof of an empty block, cannot be made without a chain, so this returns an empty
    /// input, which ``estimateWork(input:)`` refuses. (Nodes benchmark with the other kinds they
    /// serve, or are given their speed.)
    public func sampleInput(size: Int, seed: UInt64) -> [UInt8] { [] }
}
