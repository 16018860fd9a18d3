import ArgumentParser

/// The `zkprover` command-line tool.
@main
struct ZKProverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zkprover",
        abstract: "A zero-knowledge prover for EVM rollups.",
        subcommands: [AlgebraBenchCommand.self, AlgebraProfileCommand.self] + NetworkCommands.all
    )
}
