import EVMPrimitives
import Foundation
import Secp256k1

/// A node's (or requester's) secp256k1 key. Its Ethereum address identifies it on the network and
/// receives its rewards. Signing uses the `Secp256k1` module (RFC 6979 nonces, low s).
public struct NodeKey: Sendable {
    let privateKey: Bytes32
    /// Lower-case `0x` address.
    public let address: String

    /// A key from 32 bytes of hex (with or without `0x`).
    public init(privateKeyHex: String) throws {
        guard let bytes = Identity.unhex(privateKeyHex.trimmingCharacters(in: .whitespacesAndNewlines)),
            bytes.count == 32, let key = Bytes32(bytes)
        else { throw NetworkError.badRequest("a private key is 32 bytes of hex") }
        let publicKey: PublicKey
        do { publicKey = try ECDSA.publicKey(privateKey: key) } catch {
            throw NetworkError.badRequest("invalid secp256k1 private key")
        }
        privateKey = key
        address = "0x" + Identity.hex(publicKey.address.bytes)
    }

    /// A fresh random key.
    public static func generate() throws -> NodeKey {
        var g = SystemRandomNumberGenerator()
        while true {
            let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) }
            if let key = try? NodeKey(privateKeyHex: Identity.hex(bytes)) { return key }
        }
    }

    /// Loads the key in `path`, or creates it there (mode 0600) when missing.
    public static func loadOrCreate(path: String) throws -> NodeKey {
        if let data = FileManager.default.contents(atPath: path) {
            return try NodeKey(privateKeyHex: String(decoding: data, as: UTF8.self))
        }
        let key = try generate()
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        guard
            FileManager.default.createFile(
                atPath: path,
                contents: Data(("0x" + Identity.hex(key.privateKey.bytes) + "\n").utf8),
                attributes: [.posixPermissions: 0o600]
            )
        else { throw NetworkError(.internal, "cannot write key file \(path)") }
        return key
    }

    /// EIP-191 `personal_sign` of a text message: 65 bytes r ‖ s ‖ v (v = 27 + recovery id) as `0x` hex.
    public func sign(message: String) -> String {
        let digest = Bytes32(Identity.personalDigest(message))!
        // The key was validated at construction, so signing cannot fail.
        let sig = try! ECDSA.sign(messageHash: digest, privateKey: privateKey)
        return "0x" + Identity.hex(Bytes32(sig.r).bytes + Bytes32(sig.s).bytes + [27 + sig.recoveryId])
    }
}

extension Identity {
    /// The address that signed `message` (EIP-191), or `nil` for a malformed or invalid signature.
    public static func recoverAddress(message: String, signatureHex: String) -> String? {
        guard signatureHex.utf8.count <= 140, let sig = unhex(signatureHex), sig.count == 65 else { return nil }
        let v = sig[64]
        let recoveryId: Int
        switch v {
        case 27, 28: recoveryId = Int(v - 27)
        case 0, 1: recoveryId = Int(v)
        default: return nil
        }
        guard let r = Bytes32(Array(sig[0..<32])), let s = Bytes32(Array(sig[32..<64])),
            let digest = Bytes32(personalDigest(message))
        else { return nil }
        guard
            let address = try? ECDSA.recoverAddress(
                messageHash: digest,
                r: UInt256(r),
                s: UInt256(s),
                recoveryId: recoveryId
            )
        else { return nil }
        return "0x" + hex(address.bytes)
    }
}
