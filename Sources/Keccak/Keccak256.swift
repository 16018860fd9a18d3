/// Ethereum's Keccak-256 (rate 136 bytes, original Keccak padding `0x01 … 0x80`).
///
/// ```
/// let digest = Keccak256.hash([UInt8]("abc".utf8))   // 32 bytes
/// ```
///
/// For streaming input use ``Keccak256/Hasher``. The lanes are little-endian, as on every
/// target this project builds for (x86_64, arm64, riscv32).
public enum Keccak256 {
    /// Bytes absorbed per permutation.
    public static var rate: Int { 136 }

    /// Incremental Keccak-256: `update` any number of times, then `finalize` once.
    @frozen
    public struct Hasher {
        @usableFromInline var state: KeccakLanes
        @usableFromInline var offset: Int

        /// A hasher with the all-zero state.
        @inlinable
        public init() {
            state = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            offset = 0
        }

        /// Absorbs `bytes`.
        @inlinable
        public mutating func update(_ bytes: UnsafeRawBufferPointer) {
            guard var src = bytes.baseAddress else { return }
            var remaining = bytes.count
            var off = offset
            withUnsafeMutableBytes(of: &state) { raw in
                let lanes = raw.baseAddress!.assumingMemoryBound(to: UInt64.self)
                let st = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
                // Finish a partially filled block byte by byte.
                if off != 0 {
                    while remaining > 0 && off < 136 {
                        st[off] ^= src.load(as: UInt8.self)
                        src += 1
                        off &+= 1
                        remaining &-= 1
                    }
                    if off == 136 {
                        keccakF1600(lanes)
                        off = 0
                    }
                }
                // Whole blocks, 8 bytes at a time.
                while remaining >= 136 {
                    for i in 0..<17 {
                        lanes[i] ^= UInt64(littleEndian: src.loadUnaligned(fromByteOffset: i &* 8, as: UInt64.self))
                    }
                    keccakF1600(lanes)
                    src += 136
                    remaining &-= 136
                }
                while remaining > 0 {
                    st[off] ^= src.load(as: UInt8.self)
                    src += 1
                    off &+= 1
                    remaining &-= 1
                }
            }
            offset = off
        }

        /// Absorbs `bytes`.
        @inlinable
        public mutating func update(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { update($0) }
        }

        /// Pads, permutes and writes the 32-byte digest to `output`.
        @inlinable
        public mutating func finalize(into output: UnsafeMutableRawPointer) {
            let off = offset
            withUnsafeMutableBytes(of: &state) { raw in
                let st = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
                st[off] ^= 0x01
                st[135] ^= 0x80
                keccakF1600(raw.baseAddress!.assumingMemoryBound(to: UInt64.self))
                output.copyMemory(from: raw.baseAddress!, byteCount: 32)
            }
            offset = 0
        }

        /// Pads, permutes and returns the 32-byte digest.
        @inlinable
        public mutating func finalize() -> [UInt8] {
            [UInt8](unsafeUninitializedCapacity: 32) { buf, n in
                finalize(into: UnsafeMutableRawPointer(buf.baseAddress!))
                n = 32
            }
        }
    }

    /// Writes the Keccak-256 digest of `bytes` (32 bytes) to `output`.
    @inlinable
    public static func hash(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableRawPointer) {
        var h = Hasher()
        h.update(bytes)
        h.finalize(into: output)
    }

    /// The Keccak-256 digest of `bytes` (32 bytes).
    @inlinable
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var h = Hasher()
        h.update(bytes)
        return h.finalize()
    }

    /// The Keccak-256 digest of `bytes` (32 bytes).
    @inlinable
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }
}
