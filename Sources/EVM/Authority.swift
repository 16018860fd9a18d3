import EVMPrimitives
import Keccak
import Secp256k1

extension EVM {
    /// The signer of an EIP-7702 authorisation: ecrecover over keccak(0x05 ‖ rlp([chain_id, address, nonce])),
    /// or nil when the signature is invalid (y parity not 0/1, r or s out of range, s > n/2).
    public static func recoverAuthority(_ a: Authorization) -> Address? {
        // r in 1…n−1 and s in 1…n/2 (EIP-7702, as EIP-2 for transactions), n the secp256k1 order.
        guard a.yParity < UInt256(2), !a.r.isZero, a.r < Scalar.n, !a.s.isZero, !(Scalar.halfN < a.s) else {
            return nil
        }
        var w = RLPWriter()
        w.bytes.append(0x05)
        w.appendList { w in
            w.append(a.chainId)
            w.append(a.address)
            w.append(a.nonce)
        }
        let digest = Keccak256.digest(w.bytes)
        return SignatureRecovery.recover(hash: digest, r: a.r, s: a.s, yParity: Int(a.yParity.w0))
    }
}
