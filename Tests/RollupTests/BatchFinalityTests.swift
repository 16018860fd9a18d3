import EVMPrimitives
import Foundation
import Logging
import NetworkCore
import ProverNetwork
import Testing

@testable import Rollup

/// End to end: a node whose batcher talks to a real coordinator (HTTP, SQLite) with one prover
/// node finalizes its blocks, and `finalized` / `safe` move over JSON-RPC.
@Suite struct BatchFinalityTests {
    // The time limit catches a hang, not slowness: in the whole suite on 2 cores a test's awaits
    // queue behind the proving tests for minutes (CI saw 6), so every limit here is 15 minutes.
    @Test(.timeLimit(.minutes(15))) func coordinatorProofsFinalizeBlocks() async throws {
        let dev = try DevChain()
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let kind = StarkFibonacciKind.testing
        let kinds = ProofKindRegistry([kind])
        let db = try await openDatabase("sqlite::memory:", logger: logger)
        var cc = CoordinatorConfig()
        cc.faucetLimit = 1_000_000
        let core = try await CoordinatorCore(db: db, kinds: kinds, config: cc, logger: logger)
        var sc = CoordinatorServerConfig()
        sc.port = 0
        let coordinator = try await CoordinatorServer(
            core: core,
            config: sc,
            metrics: CoordinatorMetrics(),
            logger: logger
        )
        .start()
        var nc = ProverNodeConfig(coordinator: coordinator.url, keyFile: dev.dir + "-node.key")
        nc.faucet = 10_000
        nc.stake = 1000
        nc.slots = 1
        nc.workPerSecond = 1000
        nc.pollInterval = .milliseconds(100)
        let prover = try ProverNode(config: nc, kinds: kinds, logger: logger)
        let proving = Task { try await prover.run() }

        let (chain, store) = try await RollupNode.open(genesis: dev.genesis, datadir: dev.dir, logger: logger)
        let to = Address(hex: "0x00000000000000000000000000000000000000dd")!
        for n in 0..<5 {
            _ = try await chain.submit(try dev.transfer(from: 1, to: to, value: 3, nonce: UInt64(n)))
            _ = try await chain.produceBlock()
        }
        var config = BatcherConfig(
            coordinator: coordinator.url,
            keyFile: dev.dir + "/batcher.key",
            proofs: BatchProofs(blocks: .standIn(kind), final: kind)
        )
        config.policy = BatchPolicy(maxBlocks: 2, maxGas: 1 << 40, maxAgeSeconds: 3600)
        config.faucet = 100_000
        let batcher = try Batcher(chain: chain, store: store, config: config, logger: logger)
        let rpc = JSONRPCServer(chain: chain, automine: false)
        func number(_ tag: String) async throws -> UInt64 {
            let body = #"{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["\#(tag)",false]}"#
            let reply = try #require(await rpc.handle(body: Data(body.utf8)))
            let o = try #require(try JSONSerialization.jsonObject(with: reply) as? [String: Any])
            let hex = try #require((o["result"] as? [String: Any])?["number"] as? String)
            return try #require(UInt64(hex.dropFirst(2), radix: 16))
        }
        #expect(try await number("finalized") == 0)
        #expect(try await number("safe") == 5)  // no batch yet: the head
        try await batcher.step()
        // Blocks 1-2 and 3-4 are batched and requested; block 5 waits.
        #expect(try await number("safe") == 4)
        while try await number("finalized") < 4 {
            try await Task.sleep(for: .milliseconds(100))
            try await batcher.step()
        }
        let batches = try await store.batches()
        #expect(batches.map(\.state) == [.finalized, .finalized])
        #expect(batches.allSatisfy { $0.blockJobs.count == 2 && $0.finalJob != nil })
        // Every job of the batches is proven, the final one last.
        for b in batches {
            let final = try await core.job(b.finalJob!)
            #expect(final.state.isProven && final.role == .final && final.dependsOn == b.blockJobs.sorted())
        }
        // State reads at `safe` and `finalized` follow the batches: block 4's state (4 transfers of
        // 3 wei), not the head's (5), served from the state history.
        for tag in ["safe", "finalized"] {
            let balance = #"{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["\#(to)","\#(tag)"]}"#
            let reply = try JSONSerialization.jsonObject(with: try #require(await rpc.handle(body: Data(balance.utf8))))
            #expect((reply as? [String: Any])?["result"] as? String == "0xc", "\(tag): \(reply)")
        }
        let latest = #"{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["\#(to)","latest"]}"#
        let head = try JSONSerialization.jsonObject(with: try #require(await rpc.handle(body: Data(latest.utf8))))
        #expect((head as? [String: Any])?["result"] as? String == "0xf")
        proving.cancel()
        _ = await proving.result
        await coordinator.stop()
        await db.close()
    }
}
