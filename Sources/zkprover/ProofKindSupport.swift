import ArgumentParser
import BlockProofKind
import Foundation
import NetworkCore
import Rollup

/// How an L2 node's batches are proven, as the command line names it.
enum BlockProofsOption: String, ExpressibleByArgument, CaseIterable {
    /// The block guest's zkVM proof of each block (`evm-block`): minutes per block on two cores.
    case zkvm
    /// A seeded STARK example proof per block, standing in for the block proof.
    case standIn = "stand-in"
}

/// The proof kinds a command serves: the standard ones, plus `evm-block` (or its insecure
/// variant) when asked, which builds the block guest first.
enum CommandProofKinds {
    static func registry(
        evmBlock: Bool,
        insecure: Bool,
        buildDirectory: String = ".build/guests"
    ) throws
        -> ProofKindRegistry
    {
        var registry = StandardProofKinds.registry()
        if evmBlock {
            FileHandle.standardError.write(Data("building the block guest (minutes on a cold cache)...\n".utf8))
            let guest = try VMCommandSupport.buildExampleGuest(
                "block",
                buildDirectory: buildDirectory,
                softwareKeccak: true
            )
            registry.register(try EVMBlockKind(program: guest.program, insecure: insecure))
        }
        return registry
    }

    /// What the batches' jobs prove: zkVM block proofs (`evm-block`, or `evm-block-testing` when
    /// `insecure`), or the stand-in kind `standIn` per block; the final job is `final`.
    static func batchProofs(
        _ option: BlockProofsOption,
        insecure: Bool,
        standIn: String,
        final: String,
        registry: ProofKindRegistry
    ) throws -> BatchProofs {
        guard let finalKind = registry[final] else { throw ValidationError("unknown proof kind \(final)") }
        switch option {
        case .zkvm:
            return BatchProofs(
                blocks: .zkvm(kind: insecure ? EVMBlockKind.testingKindName : EVMBlockKind.kindName),
                final: finalKind
            )
        case .standIn:
            guard let kind = registry[standIn] else { throw ValidationError("unknown proof kind \(standIn)") }
            return BatchProofs(blocks: .standIn(kind), final: finalKind)
        }
    }
}
