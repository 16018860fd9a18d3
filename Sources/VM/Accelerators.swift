import EVMPrimitives
import Keccak
import Secp256k1

/// The host side of the accelerated syscalls (`Guests/ABI.md`), on the shared `Keccak` and
/// `Secp256k1` modules: memory holds little-endian 32-bit words, these functions the arithmetic.
public enum Accelerators {
    /// `keccak_f`: Keccak-f[1600] in place on 50 words, the 25 little-endian 64-bit lanes.
    public static func keccakF(_ words: inout [UInt32]) {
        precondition(words.count == 50, "keccak_f permutes 50 words")
        var lanes = [UInt64](repeating: 0, count: 25)
        for i in 0..<25 { lanes[i] = UInt64(words[2 * i]) | UInt64(words[2 * i + 1]) << 32 }
        lanes.withUnsafeMutableBufferPointer { keccakF1600($0.baseAddress!) }
        for i in 0..<25 {
            words[2 * i] = UInt32(truncatingIfNeeded: lanes[i])
            words[2 * i + 1] = UInt32(truncatingIfNeeded: lanes[i] >> 32)
        }
    }

    /// `secp256k1_add`: p + q for affine points of 16 words each (x then y, each 8 little-endian
    /// words), coordinates reduced mod p first; `nil` when the x coordinates are equal.
    public static func secp256k1Add(_ p: [UInt32], _ q: [UInt32]) -> [UInt32]? {
        let (x1, y1) = coordinates(p)
        let (x2, y2) = coordinates(q)
        if x1 == x2 { return nil }
        let lambda = (y2 - y1) * (x2 - x1).inverse()
        let x3 = lambda.squared() - x1 - x2
        return words(x3, lambda * (x1 - x3) - y1)
    }

    /// `secp256k1_double`: 2p for an affine point of 16 words; `nil` when y is 0 mod p.
    public static func secp256k1Double(_ p: [UInt32]) -> [UInt32]? {
        let (x1, y1) = coordinates(p)
        if y1.isZero { return nil }
        let lambda = x1.squared().times(3) * y1.doubled().inverse()
        let x3 = lambda.squared() - x1.doubled()
        return words(x3, lambda * (x1 - x3) - y1)
    }

    /// `uint256_mulmod`: `x·y mod m` for 256-bit numbers of 8 little-endian words each; `nil` when
    /// m is 0.
    public static func uint256MulMod(_ x: [UInt32], _ y: [UInt32], _ m: [UInt32]) -> [UInt32]? {
        let (a, b, n) = (uint256(x), uint256(y), uint256(m))
        if n.isZero { return nil }
        return words(UInt256.mulMod(a, b, n))
    }

    /// `sha256_compress`: the SHA-256 compression of the 8 state words with the block held by 16
    /// memory words (little-endian words of the 64 message bytes, so `W[t]` is word t
    /// byte-swapped).
    public static func sha256Compress(_ state: [UInt32], _ block: [UInt32]) -> [UInt32] {
        precondition(state.count == 8 && block.count == 16, "sha256_compress takes 8 state and 16 block words")
        var h = state
        h.withUnsafeMutableBufferPointer { s in
            block.withUnsafeBytes { EVMPrimitives.sha256Compress(s.baseAddress!, $0.baseAddress!) }
        }
        return h
    }

    /// The 8 little-endian words of `v`.
    public static func words(_ v: UInt256) -> [UInt32] {
        [v.w0, v.w1, v.w2, v.w3].flatMap { [UInt32(truncatingIfNeeded: $0), UInt32(truncatingIfNeeded: $0 >> 32)] }
    }

    /// The number of 8 little-endian words.
    public static func uint256(_ w: [UInt32]) -> UInt256 {
        precondition(w.count == 8, "a 256-bit number is 8 words")
        let l = (0..<4).map { UInt64(w[2 * $0]) | UInt64(w[2 * $0 + 1]) << 32 }
        return UInt256(l[0], l[1], l[2], l[3])
    }

    /// The 16 words of an affine point: x then y, each 8 little-endian words.
    public static func words(_ point: AffinePoint) -> [UInt32] { words(point.x, point.y) }

    package static func words(_ x: FieldElement, _ y: FieldElement) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(16)
        for v in [x.value, y.value] {
            for limb in [v.w0, v.w1, v.w2, v.w3] {
                out.append(UInt32(truncatingIfNeeded: limb))
                out.append(UInt32(truncatingIfNeeded: limb >> 32))
            }
        }
        return out
    }

    /// The coordinates of 16 words, each reduced mod p.
    static func coordinates(_ w: [UInt32]) -> (FieldElement, FieldElement) {
        precondition(w.count == 16, "a point is 16 words")
        func element(_ base: Int) -> FieldElement {
            let l = (0..<4).map { UInt64(w[base + 2 * $0]) | UInt64(w[base + 2 * $0 + 1]) << 32 }
            return FieldElement(reducing: UInt256(l[0], l[1], l[2], l[3]))
        }
        return (element(0), element(8))
    }
}
