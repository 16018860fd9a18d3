import EVM
import EVMPrimitives
import TestSupport
import Testing

@testable import Rollup

/// The head state's tries (`StateTries`) updated block by block give the roots of the full
/// rebuild (`StateRoot.compute`) on random changes, deletions included, and the changes
/// (`StateChanges.made`) they are derived from turn the state into the same state as the
/// changes applied directly.
@Suite struct StateTriesTests {
    static func same(_ a: [Address: Account], _ b: [Address: Account]) -> Bool {
        a.count == b.count
            && a.allSatisfy { (k, x) in
                guard let y = b[k] else { return false }
                return x.nonce == y.nonce && x.balance == y.balance && x.code.hash == y.code.hash
                    && x.storage == y.storage
            }
    }

    @Test func incrementalRootsEqualTheFullRebuild() throws {
        var rng = SplitMix64(seed: 13)
        func address(_ i: Int) -> Address { Address(truncating: UInt256(UInt64(0xa000 + i))) }
        func slot() -> UInt256 { UInt256(UInt64.random(in: 0..<24, using: &rng)) }
        var accounts: [Address: Account] = [:]
        for i in 0..<120 {
            var a = Account(nonce: UInt64.random(in: 0..<3, using: &rng), balance: UInt256(UInt64(i + 1)))
            if i % 4 == 0 {
                a.code = Code([0x60, UInt8(i), 0x00])
                for _ in 0..<Int.random(in: 1..<12, using: &rng) { a.storage[slot()] = UInt256(rng.next() | 1) }
            }
            accounts[address(i)] = a
        }
        let tries = StateTries(accounts: accounts)
        var root = try #require(StateRoot.compute(accounts))
        for round in 0..<40 {
            let backend = tries.backend(root: root, blockHashes: [:])
            let world = WorldState()
            world.backend = backend
            var expected = accounts
            for _ in 0..<Int.random(in: 1..<30, using: &rng) {
                let a = address(Int.random(in: 0..<160, using: &rng))
                switch Int.random(in: 0..<6, using: &rng) {
                case 0:
                    let v = UInt256(rng.next())
                    world.setBalance(a, v)
                    expected[a, default: Account()].balance = v
                case 1:
                    let n = world.nonce(a) &+ 1
                    world.setNonce(a, n)
                    expected[a, default: Account()].nonce = n
                case 2, 3:
                    // A slot written, or deleted with a zero.
                    guard world.exists(a) else { continue }
                    let k = slot()
                    let v = rng.next() % 3 == 0 ? UInt256.zero : UInt256(rng.next())
                    world.setStorage(a, k, v)
                    expected[a]!.storage[k] = v.isZero ? nil : v
                case 4:
                    world.destroyAccount(a)
                    expected[a] = nil
                default:
                    // A contract created where no account is.
                    guard !world.exists(a) else { continue }
                    world.setNonce(a, 1)
                    world.setCode(a, Code([0x60, UInt8(round), 0x00]))
                    world.setStorage(a, .one, UInt256(UInt64(round + 1)))
                    expected[a] = Account(
                        nonce: 1,
                        code: Code([0x60, UInt8(round), 0x00]),
                        storage: [.one: UInt256(UInt64(round + 1))]
                    )
                }
            }
            let incremental = try #require(world.stateRoot())
            #expect(backend.error == nil)
            let changes = StateChanges.made(by: world, backend: backend, on: accounts)
            changes.apply(to: &accounts)
            let same = Self.same(accounts, expected)
            #expect(same, "round \(round)")
            #expect(incremental == StateRoot.compute(expected), "round \(round)")
            _ = tries.witness(of: backend, number: 1, window: [])
            tries.advance(changes, accounts: accounts)
            if round == 20 { tries.rebuild(accounts) }
            root = incremental
            // The store answers for the new root: every account reads back.
            let reread = tries.backend(root: root, blockHashes: [:])
            let check = WorldState()
            check.backend = reread
            for (a, acct) in expected {
                #expect(check.balance(a) == acct.balance && check.nonce(a) == acct.nonce)
                for (k, v) in acct.storage { #expect(check.storage(a, k) == v) }
            }
            #expect(reread.error == nil)
            _ = tries.witness(of: reread, number: 1, window: [])
        }
    }

    /// A block built on the tries that reads `BLOCKHASH` carries the ancestor headers back to
    /// the one it read, and validates statelessly on its witness.
    @Test func witnessOfABlockReadingBlockHash() async throws {
        let dev = try DevChain()
        let chain = try await dev.open()
        // Creation code: SSTORE(0, BLOCKHASH(0)), STOP.
        let initcode: [UInt8] = [0x60, 0x00, 0x40, 0x60, 0x00, 0x55, 0x00]
        _ = try await chain.submit(
            try RollupBench.sign(key: dev.keys[0].privateKey, nonce: 0, to: nil, gas: 100_000, data: initcode)
        )
        let head = try #require(try await chain.produceBlock())
        let genesis = try #require(try await chain.block(number: 0))
        let created = EVM.createAddress(sender: dev.keys[0].address, nonce: 0)
        #expect(await chain.accounts[created]?.storage[.zero] == UInt256(genesis.header.hash))
        let witness = try #require(try await chain.witness(block: head.number))
        #expect(witness.headers == [genesis.header.encoded])
        let block = try #require(try await chain.block(number: head.number))
        let config = await chain.config
        let result = try block.validateStatelessly(parent: genesis.header, witness: witness, config: config)
        #expect(result.stateRoot == head.stateRoot)
    }
}
