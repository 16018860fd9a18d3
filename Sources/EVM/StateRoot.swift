import EVMPrimitives
import Keccak

/// The Merkle-Patricia state root of a set of accounts (Ethereum's secure trie of
/// `rlp([nonce, balance, storageRoot, codeHash])` keyed by keccak(address)).
public enum StateRoot {
    /// The storage root of one account's storage.
    public static func storageRoot(_ storage: [UInt256: UInt256]) -> Bytes32 {
        if storage.isEmpty { return MerklePatriciaTrie.emptyRoot }
        var t = SecureTrie()
        for (k, v) in storage where !v.isZero {
            t.insert(k.bigEndianBytes, RLP.encode(v))
        }
        return t.rootHash
    }

    /// An account's leaf in the state trie: `rlp([nonce, balance, storageRoot, codeHash])`.
    public static func accountLeaf(_ acct: Account, storageRoot: Bytes32) -> [UInt8] {
        var w = RLPWriter(capacity: 112)
        w.appendList { w in
            w.append(uint: acct.nonce)
            w.append(acct.balance)
            w.append(storageRoot)
            w.append(bytes: acct.code.hash.bigEndianBytes)
        }
        return w.bytes
    }

    /// Writes every node of `accounts`' state trie and storage tries into `store` (nodes by
    /// hash, as witnesses and proofs read them); returns the state root and each account's
    /// storage root.
    public static func persistTries(
        _ accounts: [Address: Account],
        into store: TrieNodeStore
    ) -> (root: Bytes32, storageRoots: [Address: Bytes32]) {
        var trie = PartialTrie(root: MerklePatriciaTrie.emptyRoot, store: store)
        var storageRoots: [Address: Bytes32] = [:]
        for (a, acct) in accounts {
            var storage = PartialTrie(root: MerklePatriciaTrie.emptyRoot, store: store)
            for (k, v) in acct.storage where !v.isZero {
                // Inserting into a trie built in memory looks nothing up, so it cannot fail.
                try? storage.insert(Keccak256.hash(k.bigEndianBytes), RLP.encode(v))
            }
            storage.persist()
            storageRoots[a] = storage.rootHash
            try? trie.insert(Keccak256.hash(a.bytes), accountLeaf(acct, storageRoot: storage.rootHash))
        }
        trie.persist()
        return (trie.rootHash, storageRoots)
    }

    /// The state root of `accounts`.
    public static func compute(_ accounts: [Address: Account]) -> Bytes32? {
        var t = SecureTrie()
        for (a, acct) in accounts {
            t.insert(a.bytes, accountLeaf(acct, storageRoot: storageRoot(acct.storage)))
        }
        return t.rootHash
    }
}
