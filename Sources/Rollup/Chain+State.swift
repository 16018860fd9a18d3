import EVM
import EVMGuestInput
import EVMPrimitives
import Keccak

extension StateTries {
    /// The nodes on the path of `key` in the trie with `root`, root first: a proof of the key's
    /// value, or of its absence.
    func proof(root: Bytes32, key: [UInt8]) -> [[UInt8]] {
        store.visited = []
        defer { store.visited = nil }
        _ = try? PartialTrie(root: root, store: store).value(for: key)
        var byHash: [Bytes32: [UInt8]] = [:]
        for n in store.visitedEncodings { byHash[Keccak256.digest(n)] = n }
        // Each node on the path references the next by hash: chain them from the root.
        var path: [[UInt8]] = []
        var next: Bytes32? = root
        while let h = next, let node = byHash.removeValue(forKey: h) {
            path.append(node)
            next = byHash.keys.first { node.contains(subsequence: [0xA0] + $0.bytes) }
        }
        return path
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence s: [UInt8]) -> Bool {
        guard s.count <= count else { return false }
        for i in 0...(count - s.count) where self[i] == s[0] && self[i..<(i + s.count)].elementsEqual(s) {
            return true
        }
        return false
    }
}

/// An EIP-1186 account proof (`eth_getProof`).
public struct AccountProof: Sendable {
    /// The account's fields (zero for an absent account).
    public var account: Account
    /// Its storage root.
    public var storageRoot: Bytes32
    /// The account-trie nodes from the root to the account (or to where its absence shows).
    public var accountProof: [[UInt8]]
    /// Per requested slot: its value and the storage-trie nodes proving it.
    public var storageProofs: [(slot: UInt256, value: UInt256, proof: [[UInt8]])]
}

extension Chain {
    /// The execution witness of block `number` (recorded when the block was built): the trie
    /// nodes, codes and ancestor headers that validate it statelessly on its parent.
    public func witness(block number: UInt64) async throws -> ExecutionWitness? {
        if number > head.number { return nil }
        return try await store.witness(block: number)
    }

    /// The block guest's input for block `number` (`StatelessBlockInput` encoding): the chain
    /// rules, the parent header, the block and its recorded execution witness; nil when the
    /// block, its parent or its witness is missing (block 0 has no parent).
    public func statelessInput(block number: UInt64) async throws -> [UInt8]? {
        guard number > 0, let raw = try await store.block(number: number),
            let parentRaw = try await store.block(number: number - 1),
            let witness = try await witness(block: number)
        else { return nil }
        let parent = try Block.decode(parentRaw).header
        return StatelessBlockInput(config: config, parent: parent.encoded, block: raw, witness: witness).encode()
    }

    /// The EIP-1186 proof of `address` and its `slots` in the head state.
    public func proof(_ address: Address, slots: [UInt256]) -> AccountProof {
        let account = accounts[address] ?? Account()
        let root = head.stateRoot
        let storageRoot = tries.storageRoot(of: address, root: root)
        return AccountProof(
            account: account,
            storageRoot: storageRoot,
            accountProof: tries.proof(root: root, key: Keccak256.hash(address.bytes)),
            storageProofs: slots.map { slot in
                (
                    slot, account.storage[slot] ?? .zero,
                    tries.proof(root: storageRoot, key: Keccak256.hash(slot.bigEndianBytes))
                )
            }
        )
    }
}
