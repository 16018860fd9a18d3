import EVMPrimitives

/// Public-key recovery for signatures, routed to the `Secp256k1` module.
enum SignatureRecovery {
  static func recover(hash: Bytes32, r: UInt256, s: UInt256, yParity: Int) -> Address? {
    nil
  }
}
