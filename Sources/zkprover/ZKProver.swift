import ArgumentParser

/// The `zkprover` command-line tool.
@main
struct ZKProverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zkprover",
        abstract: "A zero-knowledge prover for EVM rollups.",
        subcommands: [
            // STARK core
            ProveCommand.self,
            VerifyCommand.self,
            SecurityCommand.self,
            BenchCommand.self,
            // EVM
            EVMCommand.self,
            PrecompilesCommand.self,
            // zkVM
            GuestCommand.self,
            RunCommand.self,
            VMCommand.self,
            RecursionCommand.self,
            // L2 node
            RollupCommand.self,
            // hidden developer benchmarks
            AlgebraBenchCommand.self,
            HashingBenchCommand.self,
        ] + NetworkCommands.all
    )
}
