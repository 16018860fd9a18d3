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
                // Whole blocks, a lane (or on 32-bit targets a word) at a time.
                while remaining >= 136 {
                    Hasher.absorbWords(lanes, src, 136)
                    keccakF1600(lanes)
                    src += 136
                    remaining &-= 136
                }
                // The tail starts a block (off is 0 unless it was all taken above).
                if remaining >= 8 && off == 0 {
                    let whole = remaining & ~7
                    Hasher.absorbWords(lanes, src, whole)
                    src += whole
                    off = whole
                    remaining &-= whole
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

        /// XORs `count` bytes (a multiple of 8) at `src` into the first lanes. On 32-bit targets
        /// (the zkVM guests) it moves 32-bit words, with plain loads when `src` is 4-aligned (as
        /// array storage is), since a 64-bit unaligned load there is eight byte loads.
        @inlinable @inline(__always)
        static func absorbWords(_ lanes: UnsafeMutablePointer<UInt64>, _ src: UnsafeRawPointer, _ count: Int) {
            #if _pointerBitWidth(_32)
            let words = UnsafeMutableRawPointer(lanes)
            if UInt(bitPattern: src) & 3 == 0 {
                for i in stride(from: 0, to: count, by: 4) {
                    let x =
                        src.load(fromByteOffset: i, as: UInt32.self) ^ words.load(fromByteOffset: i, as: UInt32.self)
                    words.storeBytes(of: x, toByteOffset: i, as: UInt32.self)
                }
            } else {
                for i in stride(from: 0, to: count, by: 4) {
                    let x =
                        src.loadUnaligned(fromByteOffset: i, as: UInt32.self)
                        ^ words.load(fromByteOffset: i, as: UInt32.self)
                    words.storeBytes(of: x, toByteOffset: i, as: UInt32.self)
                }
            }
            #else
            for i in 0..<(count >> 3) {
                lanes[i] ^= UInt64(littleEndian: src.loadUnaligned(fromByteOffset: i &* 8, as: UInt64.self))
            }
            #endif
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
