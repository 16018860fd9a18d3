import EVMPrimitives
import Keccak

extension EVM {
  /// The signer of an EIP-7702 authorisation: ecrecover over keccak(0x05 ‖ rlp([chain_id, address, nonce])),
  /// or nil when the signature is invalid (y parity not 0/1, r or s out of range, s > n/2).
  public static func recoverAuthority(_ a: Authorization) -> Address? {
    // secp256k1 order n and n/2.
    let n = UInt256(0xbfd25e8cd0364141, 0xbaaedce6af48a03b, 0xffffffffffffffff, 0xffffffffffffffff)
    let halfN = UInt256(0xdfe92f46681b20a0, 0x5d576e7357a4501d, 0xffffffffffffffff, 0x7fffffffffffffff)
    guard a.yParity < UInt256(2), !a.r.isZero, a.r < n, !a.s.isZero, !(halfN < a.s) else { return nil }
    let payload = RLPBuild.list([RLPBuild.uint(a.chainId), RLPBuild.string(a.address.bytes), RLPBuild.uint(a.nonce)])
    let digest = Keccak256.digest([0x05] + payload)
    return SignatureRecovery.recover(hash: digest, r: a.r, s: a.s, yParity: Int(a.yParity.w0))
  }
}
