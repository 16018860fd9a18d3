import ArgumentParser
import EVMFixtures
import EVMGuestInput
import Foundation

/// `zkprover vm block-prove FIXTURE`: proves the block guest's stateless validation of an EEST
/// blockchain-test block end to end: the witness is recorded from the parent's full state, the
/// guest (software Keccak) validates the block from it, the run is proven and verified, and
/// the proven outcome (parent hash, block hash, post-state root, gas used, valid) is compared
/// with the fixture's block.
struct VMBlockProve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "block-prove",
        abstract:
            "Prove the block guest's stateless validation of an EEST blockchain-test block; check the proven outcome against the fixture."
    )

    @Argument(help: "A blockchain-test JSON file.") var fixture: String
    @Option(help: "Index of the block to prove among the file's valid blocks.") var index: Int = 0
    @OptionGroup var proving: GuestProvingOptions
    @Option(help: "Write the proof here.") var output: String?
    @Flag(help: "Print one JSON object.") var json = false
    @Flag(help: "Build the guest with the software Keccak-f instead of the keccak_f syscall.") var softwareKeccak =
        false

    func run() throws {
        var found: (StatelessBlockCase, StatelessBlockInput)?
        var seen = 0
        var failure: (any Error)?
        try StatelessBlockchainRunner.validBlocks(file: fixture) { c in
            defer { seen += 1 }
            guard seen == index else { return }
            do {
                let w = try c.recordWitness()
                found = (c, StatelessBlockInput(config: c.config, parent: c.parent.encoded, block: c.raw, witness: w))
            } catch {
                failure = error
            }
        }
        if let failure { throw ValidationError("recording the witness: \(failure)") }
        guard let (c, input) = found else { throw ValidationError("the fixture has \(seen) valid blocks") }
        let session = try GuestProving(
            guest: "block",
            name: "block-prove",
            options: proving,
            softwareKeccak: softwareKeccak
        )
        var (summary, matches) = try session.proveBlock(
            input: input.encode(),
            expected: StatelessBlockInput.Outcome(validBlock: c.block, parent: c.parent),
            shardSize: proving.shardSize,
            output: output
        )
        summary["block"] = c.id
        summary["outcomeMatchesFixture"] = matches
        VMCommandSupport.report(summary, json: json)
        if !matches { throw ExitCode(1) }
    }
}

extension GuestProving {
    /// Proves the block guest on `input` (a `StatelessBlockInput` encoding) and verifies the
    /// proof (``proveAndVerify(input:shardSize:output:aggregate:)``); returns its figures with
    /// the block's gas used, the input's size and the proven post-state root, and whether the
    /// committed outcome is `expected`.
    func proveBlock(
        input: [UInt8],
        expected: StatelessBlockInput.Outcome,
        shardSize: Int,
        output: String?
    ) throws -> (figures: [String: Any], matches: Bool) {
        var summary = try proveAndVerify(input: input, shardSize: shardSize, output: output)
        let proven = StatelessBlockInput.Outcome(encoded: summary["outputBytes"] as? [UInt8] ?? [])
        summary["outputBytes"] = nil
        summary["gasUsed"] = expected.gasUsed
        summary["witnessBytes"] = input.count
        summary["postStateRoot"] = proven.map { VMCommandSupport.hexString($0.stateRoot.bytes) } ?? "none"
        return (summary, proven == expected)
    }
}
