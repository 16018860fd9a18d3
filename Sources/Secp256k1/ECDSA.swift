import EVMPrimitives
import Keccak

/// Why a secp256k1 operation was refused.
public enum Secp256k1Error: Error, Equatable, Sendable {
    /// r or s is zero or not below the group order n.
    case signatureOutOfRange
    /// The recovery id is not 0…3.
    case invalidRecoveryId
    /// No curve point has the abscissa the signature implies (or r + n ≥ p).
    case noCurvePoint
    /// Recovery produced the point at infinity.
    case recoveredInfinity
    /// The private key is zero or not below n.
    case invalidPrivateKey
    /// The public key is not a point on the curve, or is malformed.
    case invalidPublicKey
}

/// A secp256k1 public key (a finite curve point).
@frozen
public struct PublicKey: Hashable, Sendable {
    /// The curve point.
    public var point: AffinePoint

    /// The key for a point already known to be on the curve.
    @inlinable
    public init(point: AffinePoint) { self.point = point }

    /// The key (x, y), checked to lie on the curve.
    @inlinable
    public init(x: UInt256, y: UInt256) throws(Secp256k1Error) {
        guard let p = AffinePoint(x: x, y: y) else { throw .invalidPublicKey }
        point = p
    }

    /// Parses 65 bytes `0x04 ‖ x ‖ y`, 64 bytes `x ‖ y`, or 33 compressed bytes `0x02/0x03 ‖ x`.
    public init(bytes: [UInt8]) throws(Secp256k1Error) {
        switch bytes.count {
        case 65 where bytes[0] == 0x04, 64:
            let off = bytes.count - 64
            let (x, y) = bytes.withUnsafeBytes {
                (
                    UInt256(loadingBigEndian: $0.baseAddress! + off),
                    UInt256(loadingBigEndian: $0.baseAddress! + off + 32)
                )
            }
            try self.init(x: x, y: y)
        case 33 where bytes[0] == 0x02 || bytes[0] == 0x03:
            let x = bytes.withUnsafeBytes { UInt256(loadingBigEndian: $0.baseAddress! + 1) }
            guard let fx = FieldElement(exactly: x), let p = AffinePoint(x: fx, oddY: bytes[0] == 0x03) else {
                throw .invalidPublicKey
            }
            self.init(point: p)
        default:
            throw .invalidPublicKey
        }
    }

    /// x as an integer.
    @inlinable public var x: UInt256 { point.x.value }
    /// y as an integer.
    @inlinable public var y: UInt256 { point.y.value }

    /// The 64 bytes `x ‖ y` (big-endian), as Ethereum hashes them for addresses.
    public var rawBytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 64) { buf, n in
            x.storeBigEndian(to: UnsafeMutableRawPointer(buf.baseAddress!))
            y.storeBigEndian(to: UnsafeMutableRawPointer(buf.baseAddress! + 32))
            n = 64
        }
    }

    /// The 65-byte uncompressed encoding `0x04 ‖ x ‖ y`.
    public var uncompressed: [UInt8] { [0x04] + rawBytes }

    /// The 33-byte compressed encoding `0x02/0x03 ‖ x`.
    public var compressed: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 33) { buf, n in
            buf[0] = point.y.isOdd ? 0x03 : 0x02
            x.storeBigEndian(to: UnsafeMutableRawPointer(buf.baseAddress! + 1))
            n = 33
        }
    }

    /// The Ethereum address: the last 20 bytes of `keccak256(x ‖ y)`.
    public var address: Address {
        var buf = (UInt256.zero, UInt256.zero)
        return withUnsafeMutableBytes(of: &buf) { raw in
            x.storeBigEndian(to: raw.baseAddress!)
            y.storeBigEndian(to: raw.baseAddress! + 32)
            return Address(lastBytesOf: Keccak256.digest(UnsafeRawBufferPointer(start: raw.baseAddress!, count: 64)))
        }
    }
}

/// A recoverable ECDSA signature: (r, s) and the recovery id (0…3; bit 0 is the parity of R.y,
/// bit 1 says R.x = r + n).
@frozen
public struct Signature: Hashable, Sendable {
    /// R.x modulo n, in 1…n−1.
    public var r: UInt256
    /// The proof scalar, in 1…n−1 (≤ n/2 when produced by `ECDSA.sign`).
    public var s: UInt256
    /// 0…3: bit 0 is the parity of R.y, bit 1 says R.x = r + n. Ethereum's v is 27 + id (legacy) or
    /// 35 + 2·chainId + id (EIP-155).
    public var recoveryId: UInt8

    @inlinable
    public init(r: UInt256, s: UInt256, recoveryId: UInt8) {
        self.r = r
        self.s = s
        self.recoveryId = recoveryId
    }
}

/// ECDSA over secp256k1 as Ethereum uses it: recovery (`ecrecover`), signing with RFC 6979
/// nonces and low-s normalisation, and key derivation.
public enum ECDSA {
    /// Recovers the public key that signed `messageHash` with (r, s) and `recoveryId` (0…3).
    ///
    /// This is `ecrecover`: r and s must lie in 1…n−1 (high s is accepted; transaction rules that
    /// demand low s are checked by the caller).
    public static func recoverPublicKey(
        messageHash: Bytes32,
        r: UInt256,
        s: UInt256,
        recoveryId: Int
    ) throws(Secp256k1Error) -> PublicKey {
        guard recoveryId >= 0 && recoveryId <= 3 else { throw .invalidRecoveryId }
        guard let rs = Scalar(exactly: r), !rs.isZero, let ss = Scalar(exactly: s), !ss.isZero else {
            throw .signatureOutOfRange
        }
        // R.x = r (+ n when bit 1 is set), which must stay below p.
        var rx = r
        if recoveryId & 2 != 0 {
            let (sum, o) = r.addingReportingOverflow(Scalar.n)
            guard !o else { throw .noCurvePoint }
            rx = sum
        }
        guard let fx = FieldElement(exactly: rx), let bigR = AffinePoint(x: fx, oddY: recoveryId & 1 == 1) else {
            throw .noCurvePoint
        }
        // Q = r⁻¹ (s·R − e·G) = (−e·r⁻¹)·G + (s·r⁻¹)·R
        let e = Scalar(reducing: UInt256(messageHash))
        let rInv = rs.inverseVartime()
        let u1 = -(e * rInv)
        let u2 = ss * rInv
        guard let qa = linearCombination(u1, u2, bigR) else { throw .recoveredInfinity }
        return PublicKey(point: qa)
    }

    /// The address that signed `messageHash` (see ``recoverPublicKey(messageHash:r:s:recoveryId:)``).
    public static func recoverAddress(
        messageHash: Bytes32,
        r: UInt256,
        s: UInt256,
        recoveryId: Int
    ) throws(Secp256k1Error) -> Address {
        try recoverPublicKey(messageHash: messageHash, r: r, s: s, recoveryId: recoveryId).address
    }

    /// The public key d·G of a private key d in 1…n−1.
    public static func publicKey(privateKey: UInt256) throws(Secp256k1Error) -> PublicKey {
        guard let d = Scalar(exactly: privateKey), !d.isZero else { throw .invalidPrivateKey }
        guard let p = JacobianPoint.multiplyGenerator(d).affine else { throw .invalidPrivateKey }
        return PublicKey(point: p)
    }

    /// The public key of a 32-byte private key.
    public static func publicKey(privateKey: Bytes32) throws(Secp256k1Error) -> PublicKey {
        try publicKey(privateKey: UInt256(privateKey))
    }

    /// Signs `messageHash` deterministically (RFC 6979 with HMAC-SHA256, as libsecp256k1 does),
    /// returning a low-s signature with its recovery id.
    public static func sign(messageHash: Bytes32, privateKey: UInt256) throws(Secp256k1Error) -> Signature {
        guard let d = Scalar(exactly: privateKey), !d.isZero else { throw .invalidPrivateKey }
        let z = Scalar(reducing: UInt256(messageHash))
        var nonces = RFC6979(privateKey: privateKey, messageHash: z.value)
        while true {
            let kv = nonces.next()
            guard let k = Scalar(exactly: kv), !k.isZero else { continue }
            guard let bigR = JacobianPoint.multiplyGenerator(k).affine else { continue }
            let rx = bigR.x.value
            let r = Scalar(reducing: rx)
            if r.isZero { continue }
            var s = k.inverse() * (z + r * d)
            if s.isZero { continue }
            var recid: UInt8 = (bigR.y.isOdd ? 1 : 0) | (rx >= Scalar.n ? 2 : 0)
            if s.isHigh {
                s = -s
                recid ^= 1
            }
            return Signature(r: r.value, s: s.value, recoveryId: recid)
        }
    }

    /// Signs with a 32-byte private key.
    public static func sign(messageHash: Bytes32, privateKey: Bytes32) throws(Secp256k1Error) -> Signature {
        try sign(messageHash: messageHash, privateKey: UInt256(privateKey))
    }

    /// Checks an (r, s) signature of `messageHash` by `publicKey` (high s accepted).
    public static func verify(messageHash: Bytes32, r: UInt256, s: UInt256, publicKey: PublicKey) -> Bool {
        guard let rs = Scalar(exactly: r), !rs.isZero, let ss = Scalar(exactly: s), !ss.isZero else { return false }
        let e = Scalar(reducing: UInt256(messageHash))
        let w = ss.inverseVartime()
        guard let pa = linearCombination(e * w, rs * w, publicKey.point) else { return false }
        return Scalar(reducing: pa.x.value) == rs
    }
}

/// RFC 6979 §3.2 nonce generation with HMAC-SHA256 for a 256-bit order.
struct RFC6979 {
    var k: [UInt8]
    var v: [UInt8]
    var first = true

    init(privateKey: UInt256, messageHash: UInt256) {
        let x = privateKey.bigEndianBytes
        let h = messageHash.bigEndianBytes
        v = [UInt8](repeating: 0x01, count: 32)
        k = [UInt8](repeating: 0x00, count: 32)
        k = SHA256.hmac(key: k, message: v + [0x00] + x + h).bytes
        v = SHA256.hmac(key: k, message: v).bytes
        k = SHA256.hmac(key: k, message: v + [0x01] + x + h).bytes
        v = SHA256.hmac(key: k, message: v).bytes
    }

    /// The next candidate nonce (callers reject values outside 1…n−1 and ask again).
    mutating func next() -> UInt256 {
        if !first {
            k = SHA256.hmac(key: k, message: v + [0x00]).bytes
            v = SHA256.hmac(key: k, message: v).bytes
        }
        first = false
        v = SHA256.hmac(key: k, message: v).bytes
        return UInt256(bigEndianBytes: v)!
    }
}
