/// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), portable.
///
/// Used by the `SHA256` precompile (0x02) and by RFC 6979 deterministic nonces.
public enum SHA256 {
    /// Incremental SHA-256.
    public struct Hasher: Sendable {
        @usableFromInline var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)
        @usableFromInline var block: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
        @usableFromInline var used: Int
        @usableFromInline var total: UInt64

        /// A hasher with the standard initial value.
        public init() {
            h = (0x6A09_E667, 0xBB67_AE85, 0x3C6E_F372, 0xA54F_F53A, 0x510E_527F, 0x9B05_688C, 0x1F83_D9AB, 0x5BE0_CD19)
            block = (0, 0, 0, 0, 0, 0, 0, 0)
            used = 0
            total = 0
        }

        /// Absorbs `bytes`.
        public mutating func update(_ bytes: UnsafeRawBufferPointer) {
            total &+= UInt64(bytes.count)
            var i = 0
            let n = bytes.count
            while i < n {
                if used == 0 && n &- i >= 64 {
                    SHA256.compress(&h, bytes.baseAddress! + i)
                    i &+= 64
                    continue
                }
                let take = Swift.min(64 &- used, n &- i)
                let u = used
                withUnsafeMutableBytes(of: &block) { b in
                    b.baseAddress!.advanced(by: u).copyMemory(from: bytes.baseAddress! + i, byteCount: take)
                }
                used &+= take
                i &+= take
                if used == 64 {
                    var blk = block
                    withUnsafeBytes(of: &blk) { SHA256.compress(&h, $0.baseAddress!) }
                    used = 0
                }
            }
        }

        /// Absorbs `bytes`.
        public mutating func update(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { update($0) }
        }

        /// Pads and returns the digest.
        public mutating func finalize() -> Bytes32 {
            let bitLength = total &* 8
            var pad:
                (
                    UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                    UInt64, UInt64, UInt64, UInt64
                ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let padLength = used < 56 ? 56 &- used : 120 &- used
            withUnsafeMutableBytes(of: &pad) { p in
                p[0] = 0x80
                p.storeBytes(of: bitLength.bigEndian, toByteOffset: padLength, as: UInt64.self)
                update(UnsafeRawBufferPointer(start: p.baseAddress!, count: padLength &+ 8))
            }
            var out = Bytes32()
            let hh = h
            out.withUnsafeMutableBytes { o in
                o.storeBytes(of: hh.0.bigEndian, toByteOffset: 0, as: UInt32.self)
                o.storeBytes(of: hh.1.bigEndian, toByteOffset: 4, as: UInt32.self)
                o.storeBytes(of: hh.2.bigEndian, toByteOffset: 8, as: UInt32.self)
                o.storeBytes(of: hh.3.bigEndian, toByteOffset: 12, as: UInt32.self)
                o.storeBytes(of: hh.4.bigEndian, toByteOffset: 16, as: UInt32.self)
                o.storeBytes(of: hh.5.bigEndian, toByteOffset: 20, as: UInt32.self)
                o.storeBytes(of: hh.6.bigEndian, toByteOffset: 24, as: UInt32.self)
                o.storeBytes(of: hh.7.bigEndian, toByteOffset: 28, as: UInt32.self)
            }
            return out
        }
    }

    /// The SHA-256 compression function on one 64-byte block at `p` (through
    /// ``sha256Compress(_:_:)``, the zkVM's `sha256_compress` syscall in the guests).
    @inlinable @inline(__always)
    public static func compress(
        _ h: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
        _ p: UnsafeRawPointer
    ) {
        withUnsafeMutableBytes(of: &h) { sha256Compress($0.baseAddress!.assumingMemoryBound(to: UInt32.self), p) }
    }

    /// The SHA-256 digest of `bytes`.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> Bytes32 {
        var s = Hasher()
        s.update(bytes)
        return s.finalize()
    }

    /// The SHA-256 digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> Bytes32 {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// HMAC-SHA256 of `message` under `key` (RFC 2104).
    public static func hmac(key: [UInt8], message: [UInt8]) -> Bytes32 {
        var k = key.count > 64 ? hash(key).bytes : key
        k.append(contentsOf: [UInt8](repeating: 0, count: 64 &- k.count))
        var inner = Hasher()
        inner.update(k.map { $0 ^ 0x36 })
        inner.update(message)
        let ih = inner.finalize()
        var outer = Hasher()
        outer.update(k.map { $0 ^ 0x5C })
        ih.withUnsafeBytes { outer.update($0) }
        return outer.finalize()
    }
}

@inline(__always)
@usableFromInline
func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 &- n)) }

/// The SHA-256 compression function (FIPS 180-4 §6.2.2): `state := compress(state, block)` for
/// the 8 state words `H0…H7` at `state` (native `UInt32`s) and the 64-byte message block at
/// `block` (the bytes as hashed: `W[t]` is the big-endian word at `block + 4t`; any alignment).
///
/// On the rv32im zkVM guests every SHA-256 block goes through this function (never inlined),
/// and the guest linker wraps its symbol (`ld.lld --wrap`, `Guests/runtime/sha256_accel.c`) to
/// make one `sha256_compress` syscall instead (`Guests/ABI.md`); under Linux (qemu-riscv32),
/// which has no such syscall, the wrapper calls this software body, which is also the native
/// path.
@inline(never)
public func sha256Compress(_ state: UnsafeMutablePointer<UInt32>, _ block: UnsafeRawPointer) {
    let k:
        (
            UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
            UInt32,
            UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
            UInt32,
            UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
            UInt32,
            UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
            UInt32,
            UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32
        ) = (
            0x428A_2F98, 0x7137_4491, 0xB5C0_FBCF, 0xE9B5_DBA5, 0x3956_C25B, 0x59F1_11F1, 0x923F_82A4, 0xAB1C_5ED5,
            0xD807_AA98, 0x1283_5B01, 0x2431_85BE, 0x550C_7DC3, 0x72BE_5D74, 0x80DE_B1FE, 0x9BDC_06A7, 0xC19B_F174,
            0xE49B_69C1, 0xEFBE_4786, 0x0FC1_9DC6, 0x240C_A1CC, 0x2DE9_2C6F, 0x4A74_84AA, 0x5CB0_A9DC, 0x76F9_88DA,
            0x983E_5152, 0xA831_C66D, 0xB003_27C8, 0xBF59_7FC7, 0xC6E0_0BF3, 0xD5A7_9147, 0x06CA_6351, 0x1429_2967,
            0x27B7_0A85, 0x2E1B_2138, 0x4D2C_6DFC, 0x5338_0D13, 0x650A_7354, 0x766A_0ABB, 0x81C2_C92E, 0x9272_2C85,
            0xA2BF_E8A1, 0xA81A_664B, 0xC24B_8B70, 0xC76C_51A3, 0xD192_E819, 0xD699_0624, 0xF40E_3585, 0x106A_A070,
            0x19A4_C116, 0x1E37_6C08, 0x2748_774C, 0x34B0_BCB5, 0x391C_0CB3, 0x4ED8_AA4A, 0x5B9C_CA4F, 0x682E_6FF3,
            0x748F_82EE, 0x78A5_636F, 0x84C8_7814, 0x8CC7_0208, 0x90BE_FFFA, 0xA450_6CEB, 0xBEF9_A3F7, 0xC671_78F2
        )
    var w:
        (
            UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
            UInt32,
            UInt32, UInt32
        ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var (a, b, c, d, e, f, g, hh) = (state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7])
    withUnsafeBytes(of: k) { kb in
        withUnsafeMutableBytes(of: &w) { wb in
            let kp = kb.baseAddress!.assumingMemoryBound(to: UInt32.self)
            let wp = wb.baseAddress!.assumingMemoryBound(to: UInt32.self)
            for i in 0..<16 {
                wp[i] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self))
            }
            for i in 0..<64 {
                let wi: UInt32
                if i < 16 {
                    wi = wp[i]
                } else {
                    let w15 = wp[(i &- 15) & 15]
                    let w2 = wp[(i &- 2) & 15]
                    let s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3)
                    let s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10)
                    wi = wp[i & 15] &+ s0 &+ wp[(i &- 7) & 15] &+ s1
                    wp[i & 15] = wi
                }
                let S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let ch = (e & f) ^ (~e & g)
                let t1 = hh &+ S1 &+ ch &+ kp[i] &+ wi
                let S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let maj = (a & b) ^ (a & c) ^ (b & c)
                let t2 = S0 &+ maj
                hh = g
                g = f
                f = e
                e = d &+ t1
                d = c
                c = b
                b = a
                a = t1 &+ t2
            }
        }
    }
    state[0] &+= a
    state[1] &+= b
    state[2] &+= c
    state[3] &+= d
    state[4] &+= e
    state[5] &+= f
    state[6] &+= g
    state[7] &+= hh
}
