import Algebra
import Keccak

/// A 32-byte Keccak-256 output, as four little-endian 64-bit words.
@frozen
public struct KeccakDigest: Hashable, Sendable, CustomStringConvertible {
    /// Bytes `8i ..< 8i + 8` as a little-endian word.
    public var words: (UInt64, UInt64, UInt64, UInt64)

    /// The digest whose 32 bytes start at `pointer`.
    @inlinable
    public init(bytesAt pointer: UnsafeRawPointer) {
        words = (
            UInt64(littleEndian: pointer.loadUnaligned(as: UInt64.self)),
            UInt64(littleEndian: pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            UInt64(littleEndian: pointer.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
            UInt64(littleEndian: pointer.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        )
    }

    /// A digest from exactly 32 bytes.
    public init(_ bytes: [UInt8]) {
        precondition(bytes.count == 32, "a Keccak-256 digest has 32 bytes")
        self = bytes.withUnsafeBytes { KeccakDigest(bytesAt: $0.baseAddress!) }
    }

    /// The 32 bytes.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBytes { store(to: $0.baseAddress!) }
        return out
    }

    /// Writes the 32 bytes to `pointer`.
    @inlinable
    public func store(to pointer: UnsafeMutableRawPointer) {
        pointer.storeBytes(of: words.0.littleEndian, toByteOffset: 0, as: UInt64.self)
        pointer.storeBytes(of: words.1.littleEndian, toByteOffset: 8, as: UInt64.self)
        pointer.storeBytes(of: words.2.littleEndian, toByteOffset: 16, as: UInt64.self)
        pointer.storeBytes(of: words.3.littleEndian, toByteOffset: 24, as: UInt64.self)
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    public var description: String {
        let hex: [Character] = Array("0123456789abcdef")
        return String(bytes.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] })
    }
}

/// Merkle hashing with Keccak-256, for commitments an EVM contract checks cheaply;
/// Plonky3's `SerializingHasher32<Keccak256Hash>` leaves and
/// `CompressionFunctionFromHasher<Keccak256Hash, 2, 32>` nodes:
///
/// - a leaf is Keccak-256 of its elements' canonical values, each as 4 little-endian bytes;
/// - a node is Keccak-256 of the 64 bytes `left ‖ right`.
public struct KeccakMerkleHasher<F: PrimeField31>: MerkleHasher {
    public typealias Field = F
    public typealias Digest = KeccakDigest

    /// The (stateless) Keccak-256 Merkle hasher.
    public init() {}

    public func hash(slices: [UnsafeBufferPointer<F>]) -> KeccakDigest {
        var hasher = Keccak256.Hasher()
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { buffer in
            let block = buffer.baseAddress!
            for slice in slices {
                var i = 0
                while i < slice.count {
                    let n = min(64, slice.count - i)
                    for j in 0..<n { block[j] = slice[i + j].canonical.littleEndian }
                    hasher.update(UnsafeRawBufferPointer(start: block, count: 4 * n))
                    i += n
                }
            }
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { out in
            hasher.finalize(into: out.baseAddress!)
            return KeccakDigest(bytesAt: out.baseAddress!)
        }
    }

    public func compress(_ left: KeccakDigest, _ right: KeccakDigest) -> KeccakDigest {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 96) { buffer in
            let p = UnsafeMutableRawPointer(buffer.baseAddress!)
            left.store(to: p)
            right.store(to: p + 32)
            Keccak256.hash(UnsafeRawBufferPointer(start: p, count: 64), into: p + 64)
            return KeccakDigest(bytesAt: p + 64)
        }
    }
}

/// Merkle commitments with Keccak-256 leaves and nodes.
public typealias KeccakMerkleTreeMMCS<F: PrimeField31> = MerkleTreeMMCS<KeccakMerkleHasher<F>>
