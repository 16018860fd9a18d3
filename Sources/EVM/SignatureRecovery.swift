import EVMPrimitives
import Secp256k1

/// Public-key recovery for signatures, routed to the `Secp256k1` module.
enum SignatureRecovery {
    /// The address that signed `hash`, or nil when the signature does not recover.
    static func recover(hash: Bytes32, r: UInt256, s: UInt256, yParity: Int) -> Address? {
        do {
            return try ECDSA.recoverAddress(messageHash: hash, r: r, s: s, recoveryId: yParity)
        } catch {
            return nil
        }
    }
}
