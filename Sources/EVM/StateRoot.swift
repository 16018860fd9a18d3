import EVMPrimitives

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

    /// The state root of `accounts`.
    public static func compute(_ accounts: [Address: Account]) -> Bytes32? {
        var t = SecureTrie()
        for (a, acct) in accounts {
            var w = RLPWriter()
            w.appendList { w in
                w.append(uint: acct.nonce)
                w.append(acct.balance)
                w.append(storageRoot(acct.storage))
                w.append(bytes: acct.code.hash.bigEndianBytes)
            }
            t.insert(a.bytes, w.bytes)
        }
        return t.rootHash
    }
}
