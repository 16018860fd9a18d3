import Crypto
import CryptoExtras
import EVMPrimitives
import Secp256k1

/// Errors of key derivation.
public enum HDWalletError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The derivation path is not `m/…` with decimal indices (optionally hardened with `'`).
    case badPath(String)
    /// A derived key was zero or not below the curve order (probability about 2^-127).
    case invalidChildKey
    /// PBKDF2 failed in the crypto library.
    case kdf(String)

    public var description: String {
        switch self {
        case .badPath(let p): return "bad derivation path \(p)"
        case .invalidChildKey: return "derived key is invalid for this index"
        case .kdf(let m): return "PBKDF2 failed: \(m)"
        }
    }
}

/// BIP-39 seeds and BIP-32 secp256k1 key derivation, enough to derive the accounts of a
/// mnemonic along BIP-44 paths (`m/44'/60'/0'/0/i` for Ethereum).
public struct HDKey: Sendable {
    /// The private key.
    public var privateKey: UInt256
    /// The chain code.
    public var chainCode: [UInt8]

    /// The BIP-39 seed of `mnemonic` and `passphrase`: PBKDF2-HMAC-SHA512 with salt
    /// `"mnemonic" + passphrase`, 2048 rounds, 64 bytes. The words are used as given (the
    /// English list is ASCII, so NFKD normalisation changes nothing).
    public static func seed(mnemonic: String, passphrase: String = "") throws(HDWalletError) -> [UInt8] {
        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: Array(mnemonic.utf8),
                salt: Array(("mnemonic" + passphrase).utf8),
                using: .sha512,
                outputByteCount: 64,
                unsafeUncheckedRounds: 2048
            )
            return key.withUnsafeBytes { Array($0) }
        } catch {
            throw .kdf("\(error)")
        }
    }

    /// The BIP-32 master key of `seed`: HMAC-SHA512 keyed by `"Bitcoin seed"`.
    public static func master(seed: [UInt8]) throws(HDWalletError) -> HDKey {
        let i = hmac(key: Array("Bitcoin seed".utf8), data: seed)
        let k = UInt256(bigEndianBytes: Array(i[0..<32]))!
        if k.isZero || !(k < Scalar.n) { throw .invalidChildKey }
        return HDKey(privateKey: k, chainCode: Array(i[32..<64]))
    }

    /// The child key at `index` (hardened when `index ≥ 2^31`): private derivation of BIP-32.
    public func child(_ index: UInt32) throws(HDWalletError) -> HDKey {
        var data: [UInt8]
        if index >= 0x8000_0000 {
            data = [0] + privateKey.bigEndianBytes
        } else {
            guard let pub = try? ECDSA.publicKey(privateKey: privateKey) else { throw .invalidChildKey }
            data = pub.compressed
        }
        data += [
            UInt8(index >> 24), UInt8(truncatingIfNeeded: index >> 16), UInt8(truncatingIfNeeded: index >> 8),
            UInt8(truncatingIfNeeded: index),
        ]
        let i = HDKey.hmac(key: chainCode, data: data)
        let il = UInt256(bigEndianBytes: Array(i[0..<32]))!
        if !(il < Scalar.n) { throw .invalidChildKey }
        let k = (Scalar(unchecked: il) + Scalar(unchecked: privateKey)).value
        if k.isZero { throw .invalidChildKey }
        return HDKey(privateKey: k, chainCode: Array(i[32..<64]))
    }

    /// The key at `path`, e.g. `m/44'/60'/0'/0/3`.
    public func derive(path: String) throws(HDWalletError) -> HDKey {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.first == "m" else { throw .badPath(path) }
        parts.removeFirst()
        var key = self
        for p in parts {
            let hardened = p.hasSuffix("'") || p.hasSuffix("h")
            guard let n = UInt32(hardened ? p.dropLast() : p), n < 0x8000_0000 else { throw .badPath(path) }
            key = try key.child(hardened ? n | 0x8000_0000 : n)
        }
        return key
    }

    /// The Ethereum address of this key.
    public var address: Address {
        get throws(HDWalletError) {
            guard let pub = try? ECDSA.publicKey(privateKey: privateKey) else { throw .invalidChildKey }
            return pub.address
        }
    }

    static func hmac(key: [UInt8], data: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA512>.authenticationCode(for: data, using: SymmetricKey(data: key)))
    }
}

/// The development accounts: the standard mnemonic anvil and hardhat prefund, derived along
/// `m/44'/60'/0'/0/i`.
public enum DevAccounts {
    /// `test test test test test test test test test test test junk`.
    public static let mnemonic = "test test test test test test test test test test test junk"

    /// The first `count` (private key, address) pairs of ``mnemonic``.
    public static func derive(count: Int = 10) throws(HDWalletError) -> [(privateKey: UInt256, address: Address)] {
        let account = try HDKey.master(seed: try HDKey.seed(mnemonic: mnemonic)).derive(path: "m/44'/60'/0'/0")
        var out: [(privateKey: UInt256, address: Address)] = []
        for i in 0..<count {
            let k = try account.child(UInt32(i))
            out.append((k.privateKey, try k.address))
        }
        return out
    }
}
