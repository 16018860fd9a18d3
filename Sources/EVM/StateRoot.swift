import EVMPrimitives

/// The Merkle-Patricia state root of a set of accounts.
public enum StateRoot {
  /// The state root, or nil until a trie implementation is available.
  public static func compute(_ accounts: [Address: Account]) -> Bytes32? {
    nil
  }
}
