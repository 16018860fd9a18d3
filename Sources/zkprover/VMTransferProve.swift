import ArgumentParser
import EVM
import EVMGuestInput
import EVMPrimitives
import Foundation
import Logging
import Rollup

/// `zkprover vm transfer-prove [--token]`: one L2 transfer, from pre-state root to post-state
/// root, proven by the block guest.
struct VMTransferProve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer-prove",
        abstract: "Prove an L2 block of one ETH transfer (--token: one ERC-20 transfer) with the block guest.",
        discussion: """
            Opens a fresh dev chain (the node's genesis, a temporary data directory), produces a \
            block with one signed EIP-1559 ETH transfer between two dev accounts, or, with \
            --token, a block deploying BenchToken (an ERC-20-style token: balances in a \
            Solidity-layout mapping, a Transfer event) and then a block with one \
            transfer(to, amount) call. The last block's stateless input (chain rules, parent \
            header, block, the execution witness the node recorded) is proven by the block \
            guest from the parent's state root to the block's, verified, and its committed \
            outcome compared with the block's header. Prints cycles, shards, seconds to prove \
            and verify, proof bytes and the post-state root.
            """
    )

    @Flag(help: "An ERC-20-style token transfer instead of an ETH transfer.") var token = false
    @OptionGroup var proving: GuestProvingOptions
    @Option(help: "Write the proof here.") var output: String?
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        let dir = NSTemporaryDirectory() + "transfer-prove-\(UInt64.random(in: 0...UInt64.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var logger = Logger(label: "transfer-prove")
        logger.logLevel = .warning
        let chain = try await RollupNode.openChain(genesis: try Genesis.dev(), datadir: dir, logger: logger)
        let accounts = try DevAccounts.derive(count: 2)
        let (sender, recipient) = (accounts[0], accounts[1])
        let transaction: [UInt8]
        if token {
            let deploy = try RollupBench.sign(
                key: sender.privateKey,
                nonce: 0,
                to: nil,
                gas: 1_000_000,
                data: BenchToken.initcode(supply: UInt256(1_000_000))
            )
            _ = try await chain.submit(deploy)
            guard try await chain.produceBlock() != nil else { throw ValidationError("the token was not deployed") }
            transaction = try RollupBench.sign(
                key: sender.privateKey,
                nonce: 1,
                to: EVM.createAddress(sender: sender.address, nonce: 0),
                gas: 100_000,
                data: BenchToken.transferCall(to: recipient.address, amount: UInt256(300))
            )
        } else {
            transaction = try RollupBench.sign(
                key: sender.privateKey,
                nonce: 0,
                to: recipient.address,
                value: UInt256(1_000_000_000_000_000 as UInt64),
                gas: 21_000
            )
        }
        _ = try await chain.submit(transaction)
        guard let header = try await chain.produceBlock(), header.gasUsed > 0 else {
            throw ValidationError("the transfer was not included")
        }
        let n = header.number
        guard let input = try await chain.statelessInput(block: n),
            let block = try await chain.block(number: n),
            let parent = try await chain.block(number: n - 1)?.header
        else { throw ValidationError("block \(n) has no recorded stateless input") }

        let session = try GuestProving(
            guest: "block",
            name: "transfer-prove",
            options: proving,
            softwareKeccak: false
        )
        var (summary, matches) = try session.proveBlock(
            input: input,
            expected: StatelessBlockInput.Outcome(validBlock: block, parent: parent),
            shardSize: proving.shardSize,
            output: output
        )
        summary["transfer"] = token ? "ERC-20 (BenchToken.transfer)" : "ETH"
        summary["block"] = Int(n)
        summary["preStateRoot"] = VMCommandSupport.hexString(parent.stateRoot.bytes)
        summary["outcomeMatchesBlock"] = matches
        VMCommandSupport.report(summary, json: json)
        if !matches { throw ExitCode(1) }
    }
}
