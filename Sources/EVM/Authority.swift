import EVMPrimitives
import Keccak

extension EVM {
    /// The signer of an EIP-7702 authorisation: ecrecover over keccak(0x05 ‖ rlp([chain_id, address, nonce])),
    /// or nil when the signature is invalid (y parity not 0/1, r or s out of range, s > n/2).
    public static func recoverAuthority(_ a: Authorization) -> Address? {
        // secp256k1 order n and n/2.
        let n = UInt256(0xbfd2_5e8c_d036_4141, 0xbaae_dce6_af48_a03b, 0xffff_ffff_ffff_ffff, 0xffff_ffff_ffff_ffff)
        let halfN = UInt256(0xdfe9_2f46_681b_20a0, 0x5d57_6e73_57a4_501d, 0xffff_ffff_ffff_ffff, 0x7fff_ffff_ffff_ffff)
        guard a.yParity < UInt256(2), !a.r.isZero, a.r < n, !a.s.isZero, !(halfN < a.s) else { return nil }
        let payload = RLPBuild.list([
            RLPBuild.uint(a.chainId), RLPBuild.string(a.address.bytes), RLPBuild.uint(a.nonce),
        ])
        let digest = Keccak256.digest([0x05] + payload)
        return SignatureRecovery.recover(hash: digest, r: a.r, s: a.s, yParity: Int(a.yParity.w0))
    }
}
