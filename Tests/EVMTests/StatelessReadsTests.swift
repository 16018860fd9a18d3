import EVM
import EVMPrimitives
import Keccak
import Testing

/// Every read of an account in stateless execution goes through the witness: an account the
/// transaction has not touched before is loaded from the parent's trie when `EXTCODEHASH` or
/// a creation's collision check reads it, so the stateless run agrees with the full-state run.
struct StatelessReadsTests {
    static let caller = Address(hex: "0x1000000000000000000000000000000000000001")!
    static let contract = Address(hex: "0x2000000000000000000000000000000000000002")!
    static let target = Address(hex: "0x3000000000000000000000000000000000000003")!

    /// A world state backed by a witness of every node of `accounts`' tries.
    static func statelessState(_ accounts: [Address: Account]) -> WorldState {
        let store = TrieNodeStore()
        var codes: [Bytes32: [UInt8]] = [:]
        for acct in accounts.values where !acct.code.isEmpty { codes[Bytes32(acct.code.hash)] = acct.code.bytes }
        let root = StateRoot.persistTries(accounts, into: store).root
        let state = WorldState()
        state.backend = WitnessBackend(root: root, store: store, codes: codes)
        return state
    }

    /// Runs `code` in `contract` on the full state and on the witness-backed one; returns both
    /// post-states' slot 0 of `contract` and post-state roots.
    static func both(_ code: [UInt8], fork: Fork) throws -> [(slot: UInt256, root: Bytes32?)] {
        let pre: [Address: Account] = [
            caller: Account(balance: UInt256(1) << 100),
            contract: Account(nonce: 1, code: Code(code)),
            target: Account(nonce: 1, code: Code([Opcode.STOP, 0x01, 0x02])),
            EVM.createAddress(sender: contract, nonce: 1): Account(nonce: 1),
        ]
        var out: [(slot: UInt256, root: Bytes32?)] = []
        for state in [WorldState(accounts: pre), statelessState(pre)] {
            let evm = EVM(fork: fork, state: state, block: BlockEnv(number: 1, gasLimit: 30_000_000))
            var t = Transaction()
            t.gasLimit = UInt256(3_000_000 as UInt64)  // a failed CREATE keeps 1/64 of it
            t.to = contract
            let r = try evm.execute(t, sender: caller)
            #expect(r.success)
            out.append((state.storage(contract, .zero), state.stateRoot()))
        }
        #expect(state(out[1].root) == state(out[0].root))
        return out
    }

    static func state(_ root: Bytes32?) -> Bytes32 { root ?? .zero }

    /// PUSH20 target EXTCODEHASH PUSH1 0 SSTORE: the hash of an account not touched before.
    /// Before Berlin no access list warms (and so loads) the account first.
    @Test(arguments: [Fork.istanbul, .cancun])
    func extcodehashOfAnUntouchedAccount(fork: Fork) throws {
        let code = [Opcode.PUSH20] + Self.target.bytes + [Opcode.EXTCODEHASH, Opcode.PUSH1, 0, Opcode.SSTORE]
        let r = try Self.both(code, fork: fork)
        #expect(r[0].slot == Code([Opcode.STOP, 0x01, 0x02]).hash)
        #expect(r[1].slot == r[0].slot)
    }

    /// CREATE onto an untouched address that has a nonce fails (EIP-684): slot 0 stays zero
    /// in both runs, and the creator's nonce is bumped in both.
    @Test(arguments: [Fork.istanbul, .cancun])
    func createCollisionWithAnUntouchedAccount(fork: Fork) throws {
        // PUSH1 0 PUSH1 0 PUSH1 0 CREATE PUSH1 0 SSTORE PUSH1 1 PUSH1 1 SSTORE
        let code: [UInt8] = [
            Opcode.PUSH1, 0, Opcode.PUSH1, 0, Opcode.PUSH1, 0, Opcode.CREATE, Opcode.PUSH1, 0, Opcode.SSTORE,
            Opcode.PUSH1, 1, Opcode.PUSH1, 1, Opcode.SSTORE,
        ]
        let r = try Self.both(code, fork: fork)
        #expect(r[0].slot == .zero)
        #expect(r[1].slot == .zero)
    }
}
