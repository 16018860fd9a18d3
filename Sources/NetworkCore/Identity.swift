import Foundation
import Keccak

/// Messages nodes sign, Ethereum addresses, and hex helpers. Signatures are Ethereum `personal_sign`
/// signatures (EIP-191: keccak256 of "\u{19}Ethereum Signed Message:\n" + length + message), 65 bytes
/// r ‖ s ‖ v with v ∈ {27, 28}, so any Ethereum wallet can act as a node or requester.
public enum Identity {
    /// Lower-case `0x`-prefixed 20-byte address; throws 400 for anything else.
    public static func normalize(_ address: String) throws -> String {
        let a = address.lowercased()
        guard a.hasPrefix("0x"), a.utf8.count == 42, a.utf8.dropFirst(2).allSatisfy({ isHexDigit($0) }) else {
            throw NetworkError.badRequest("not an Ethereum address: \(address.prefix(64))")
        }
        return a
    }

    /// The message a node signs to log in.
    public static func loginMessage(address: String, challenge: String) -> String {
        "ZKProver coordinator login\naddress: \(address)\nchallenge: \(challenge)"
    }

    /// The message signed for a request authenticated by signature instead of a session token.
    public static func requestMessage(method: String, path: String, nonce: Int64, body: [UInt8]) -> String {
        "ZKProver request\n\(method) \(path)\nnonce: \(nonce)\nbody: \(hex(Keccak256.hash(body)))"
    }

    /// EIP-191 digest of a text message.
    public static func personalDigest(_ message: String) -> [UInt8] {
        let m = Array(message.utf8)
        return Keccak256.hash(Array("\u{19}Ethereum Signed Message:\n\(m.count)".utf8) + m)
    }

    /// Random bytes as lower-case hex.
    public static func randomHex(bytes: Int) -> String {
        var g = SystemRandomNumberGenerator()
        return hex((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &g) })
    }

    /// Lower-case hex without prefix.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses hex (with or without `0x`); `nil` when malformed.
    public static func unhex(_ text: String) -> [UInt8]? {
        var s = Substring(text)
        if s.hasPrefix("0x") || s.hasPrefix("0X") { s = s.dropFirst(2) }
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = hexValue(u[i]), let lo = hexValue(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    static func isHexDigit(_ c: UInt8) -> Bool { hexValue(c) != nil }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}
