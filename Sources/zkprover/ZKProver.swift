import ArgumentParser

/// The `zkprover` command-line tool.
@main
struct ZKProverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zkprover",
        abstract: "A zero-knowledge prover for EVM rollups.",
        subcommands: [
            GuestCommand.self,
            RunCommand.self,
            VMCommand.self,
            AlgebraBenchCommand.self,
            EVMCommand.self,
            ProveCommand.self,
            VerifyCommand.self,
            SecurityCommand.self,
            BenchCommand.self,
            PrecompilesCommand.self,
            AlgebraProfileCommand.self,
        ]
    )
}
