import ArgumentParser
import BlockProofKind
import Foundation
import NetworkCore
import Rollup
import VM
import VMProofKinds

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
        vm: VMKindOptions? = nil,
        buildDirectory: String = ".build/guests"
    ) throws
        -> ProofKindRegistry
    {
        var registry = StandardProofKinds.registry()
        if let vm, !vm.guests.isEmpty || !vm.elfs.isEmpty {
            var programs: [Program] = []
            for name in vm.guests {
                FileHandle.standardError.write(Data("building the \(name) guest (minutes on a cold cache)...\n".utf8))
                programs.append(
                    try VMCommandSupport.buildExampleGuest(name, buildDirectory: buildDirectory, softwareKeccak: false)
                        .program
                )
            }
            for path in vm.elfs { programs.append(try ELFLoader.load(try VMCommandSupport.readFile(path))) }
            let kinds = try VMProofKinds(
                programs: programs,
                insecure: insecure,
                maxLogShardHeight: vm.maxLogShardHeight
            )
            for k in kinds.all { registry.register(k) }
            for id in kinds.programIds {
                FileHandle.standardError.write(Data("\(kinds.shardName): program \(id)\n".utf8))
            }
        }
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

/// The programs whose runs a coordinator or node trades as `vm-shard`, `vm-aggregate` and
/// `vm-final` jobs (the `-testing` kinds with `--insecure-test-parameters`). A coordinator and
/// its nodes must name the same programs and shard-height bound: the recursion keys depend on it.
struct VMKindOptions: ParsableArguments {
    @Option(
        name: .customLong("vm-guest"),
        help: "Serve zkVM jobs of this example guest (Guests/examples/NAME; repeatable)."
    )
    var guests: [String] = []
    @Option(name: .customLong("vm-elf"), help: "Serve zkVM jobs of this RV32IM ELF (repeatable).") var elfs: [String] =
        []
    @Option(
        name: .customLong("vm-max-log-shard-height"),
        help: "The tallest shard table (log2 rows) the zkVM kinds' recursion holds (default: 23, or 16 when insecure)."
    )
    var maxLogShardHeight: Int?
}
