// ZKProver guest SDK: compiled together with every guest program (Embedded Swift, rv32im).
// Syscall numbers and conventions: Guests/ABI.md. Under qemu-riscv32 the zkVM-only calls
// return -ENOSYS and the SDK falls back to plain Linux calls (public output to fd 3, hints
// from fd 4), so the same ELF runs on both.

@_extern(c, "zk_syscall")
func zk_syscall(_ n: Int, _ a0: Int, _ a1: Int, _ a2: Int) -> Int

/// The guest's interface to the zkVM.
public enum Guest {
    /// -ENOSYS: what Linux returns for the zkVM-only calls.
    static var enosys: Int { -38 }

    /// Reads up to `count` bytes of private input into `buffer`; returns how many were read (0 at the end).
    public static func read(into buffer: UnsafeMutableRawPointer, count: Int) -> Int {
        zk_syscall(63, 0, Int(bitPattern: buffer), count)
    }

    /// The whole private input.
    ///
    /// Read straight into the array's storage, which doubles (one `memcpy` of what was read)
    /// while the input fills it: appending chunks copied every byte once more, one at a time.
    public static func readInput() -> [UInt8] {
        var data: [UInt8] = []
        var capacity = 1 << 14
        while true {
            var complete = false
            data = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                let base = UnsafeMutableRawPointer(buffer.baseAddress!)
                count = data.count
                data.withUnsafeBytes { old in
                    if let from = old.baseAddress { base.copyMemory(from: from, byteCount: old.count) }
                }
                while count < capacity {
                    let n = read(into: base + count, count: capacity &- count)
                    if n <= 0 {
                        complete = true
                        break
                    }
                    count &+= n
                }
            }
            if complete { return data }
            capacity &*= 2
        }
    }

    /// Appends `bytes` to the public output (what the proof attests to).
    public static func commit(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { b in
            let p = Int(bitPattern: b.baseAddress)
            if zk_syscall(0x1000, p, b.count, 0) == enosys { _ = zk_syscall(64, 3, p, b.count) }
        }
    }

    /// Commits an integer, little-endian.
    public static func commit<T: FixedWidthInteger>(_ value: T) {
        var bytes: [UInt8] = []
        for i in 0..<(T.bitWidth / 8) { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
        commit(bytes)
    }

    /// Writes `bytes` to the program output (fd 1).
    public static func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { b in _ = zk_syscall(64, 1, Int(bitPattern: b.baseAddress), b.count) }
    }

    /// Writes a debug line to fd 2.
    public static func debug(_ message: StaticString) {
        _ = zk_syscall(64, 2, Int(bitPattern: message.utf8Start), message.utf8CodeUnitCount)
        var nl: UInt8 = 10
        withUnsafeMutablePointer(to: &nl) { _ = zk_syscall(64, 2, Int(bitPattern: $0), 1) }
    }

    /// Reads up to `count` bytes of host advice. Hints are untrusted: the guest must check them.
    public static func readHint(into buffer: UnsafeMutableRawPointer, count: Int) -> Int {
        let p = Int(bitPattern: buffer)
        let n = zk_syscall(0x1001, p, count, 0)
        return n == enosys ? zk_syscall(63, 4, p, count) : n
    }

    /// Exactly `count` hint bytes, or nil if the host provided fewer.
    public static func hint(count: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = out.withUnsafeMutableBytes { readHint(into: $0.baseAddress! + got, count: count - got) }
            if n <= 0 { return nil }
            got += n
        }
        return out
    }

    /// Halts with `code`.
    public static func exit(_ code: Int32) -> Never {
        _ = zk_syscall(93, Int(code), 0, 0)
        while true {}
    }

    /// Keccak-f[1600] on 25 lanes, through the accelerated syscall (software under Linux).
    /// Guests built with `ZK_SOFTWARE_KECCAK` (``GuestBuilder``'s `accelerateKeccak: false`)
    /// always permute in software: their runs make no `keccak_f` call, so they are provable
    /// before the Keccak table exists.
    public static func keccakF(_ state: UnsafeMutablePointer<UInt64>) {
        #if ZK_SOFTWARE_KECCAK
        KeccakSoftware.permute(state)
        #else
        if zk_syscall(0x1010, Int(bitPattern: state), 0, 0) == enosys { KeccakSoftware.permute(state) }
        #endif
    }

    /// Keccak-256 of `data` (Ethereum's padding).
    public static func keccak256(_ data: [UInt8]) -> [UInt8] {
        var state = [UInt64](repeating: 0, count: 25)
        let rate = 136
        var offset = 0
        state.withUnsafeMutableBufferPointer { s in
            data.withUnsafeBufferPointer { d in
                while d.count - offset >= rate {
                    for i in 0..<(rate / 8) { s[i] ^= loadLane(d, offset + 8 * i, rate) }
                    keccakF(s.baseAddress!)
                    offset += rate
                }
                var block = [UInt8](repeating: 0, count: rate)
                for i in 0..<(d.count - offset) { block[i] = d[offset + i] }
                block[d.count - offset] ^= 0x01
                block[rate - 1] ^= 0x80
                block.withUnsafeBufferPointer { b in
                    for i in 0..<(rate / 8) { s[i] ^= loadLane(b, 8 * i, rate) }
                }
                keccakF(s.baseAddress!)
            }
        }
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 { out[i] = UInt8(truncatingIfNeeded: state[i / 8] >> (8 * UInt64(i % 8))) }
        return out
    }

    @inline(__always)
    static func loadLane(_ d: UnsafeBufferPointer<UInt8>, _ at: Int, _ rate: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(d[at + k]) << UInt64(8 * k) }
        return v
    }

    /// p := p + q on secp256k1 (16 little-endian words each: x then y, coordinates read mod P);
    /// false (p unchanged) when p.x ≡ q.x, which the syscall refuses. Through the `secp256k1_add`
    /// syscall, in software under Linux. p and q must not overlap.
    public static func secp256k1Add(_ p: UnsafeMutablePointer<UInt32>, _ q: UnsafePointer<UInt32>) -> Bool {
        if Secp256k1Software.equal(p, q) { return false }
        if zk_syscall(0x1011, Int(bitPattern: p), Int(bitPattern: q), 0) == 0 { return true }
        Secp256k1Software.step(p, q)
        return true
    }

    /// p := 2p on secp256k1; false (p unchanged) when p.y ≡ 0, which the syscall refuses. Through
    /// the `secp256k1_double` syscall, in software under Linux.
    public static func secp256k1Double(_ p: UnsafeMutablePointer<UInt32>) -> Bool {
        if Secp256k1Software.isZero(p + 8) { return false }
        if zk_syscall(0x1012, Int(bitPattern: p), 0, 0) == 0 { return true }
        Secp256k1Software.step(p, nil)
        return true
    }

    /// x := x·y mod m for 256-bit numbers of 8 little-endian words each (pairwise disjoint);
    /// false (x unchanged) when m is 0. Through the `uint256_mulmod` syscall, in software under
    /// Linux.
    public static func uint256MulMod(
        _ x: UnsafeMutablePointer<UInt32>,
        _ y: UnsafePointer<UInt32>,
        _ m: UnsafePointer<UInt32>
    ) -> Bool {
        var zero = true
        for i in 0..<8 where m[i] != 0 { zero = false }
        if zero { return false }
        if zk_syscall(0x1013, Int(bitPattern: x), Int(bitPattern: y), Int(bitPattern: m)) == 0 { return true }
        MulModSoftware.mulMod(x, y, m)
        return true
    }

    /// state := the SHA-256 compression of the 8 words `H0…H7` at `state` with the 64-byte
    /// message block at `block` (the bytes as hashed); both 4-byte aligned and not overlapping.
    /// Through the `sha256_compress` syscall, in software under Linux.
    /// Guests built with `ZK_SOFTWARE_SHA256` (``GuestBuilder``'s `accelerateSHA256: false`)
    /// always compress in software.
    public static func sha256Compress(_ state: UnsafeMutablePointer<UInt32>, _ block: UnsafeRawPointer) {
        #if ZK_SOFTWARE_SHA256
        SHA256Software.compress(state, block)
        #else
        if zk_syscall(0x1014, Int(bitPattern: state), Int(bitPattern: block), 0) == enosys {
            SHA256Software.compress(state, block)
        }
        #endif
    }

    /// SHA-256 of `data` (FIPS 180-4 padding), one ``sha256Compress(_:_:)`` per block.
    public static func sha256(_ data: [UInt8]) -> [UInt8] {
        var state: [UInt32] = [
            0x6A09_E667, 0xBB67_AE85, 0x3C6E_F372, 0xA54F_F53A, 0x510E_527F, 0x9B05_688C, 0x1F83_D9AB, 0x5BE0_CD19,
        ]
        var padded = data
        padded.append(0x80)
        while padded.count % 64 != 56 { padded.append(0) }
        let bits = UInt64(data.count) &* 8
        for k in 0..<8 { padded.append(UInt8(truncatingIfNeeded: bits >> UInt64(56 - 8 * k))) }
        var block = [UInt32](repeating: 0, count: 16)  // a 4-aligned copy of each block
        state.withUnsafeMutableBufferPointer { s in
            block.withUnsafeMutableBytes { b in
                var at = 0
                while at < padded.count {
                    for i in 0..<64 { b[i] = padded[at + i] }
                    sha256Compress(s.baseAddress!, UnsafeRawPointer(b.baseAddress!))
                    at += 64
                }
            }
        }
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 { out[i] = UInt8(truncatingIfNeeded: state[i / 4] >> UInt32(24 - 8 * (i % 4))) }
        return out
    }
}

/// Software SHA-256 compression (used when the accelerated call is absent), FIPS 180-4 §6.2.2.
enum SHA256Software {
    static let k: [UInt32] = [
        0x428A_2F98, 0x7137_4491, 0xB5C0_FBCF, 0xE9B5_DBA5, 0x3956_C25B, 0x59F1_11F1, 0x923F_82A4, 0xAB1C_5ED5,
        0xD807_AA98, 0x1283_5B01, 0x2431_85BE, 0x550C_7DC3, 0x72BE_5D74, 0x80DE_B1FE, 0x9BDC_06A7, 0xC19B_F174,
        0xE49B_69C1, 0xEFBE_4786, 0x0FC1_9DC6, 0x240C_A1CC, 0x2DE9_2C6F, 0x4A74_84AA, 0x5CB0_A9DC, 0x76F9_88DA,
        0x983E_5152, 0xA831_C66D, 0xB003_27C8, 0xBF59_7FC7, 0xC6E0_0BF3, 0xD5A7_9147, 0x06CA_6351, 0x1429_2967,
        0x27B7_0A85, 0x2E1B_2138, 0x4D2C_6DFC, 0x5338_0D13, 0x650A_7354, 0x766A_0ABB, 0x81C2_C92E, 0x9272_2C85,
        0xA2BF_E8A1, 0xA81A_664B, 0xC24B_8B70, 0xC76C_51A3, 0xD192_E819, 0xD699_0624, 0xF40E_3585, 0x106A_A070,
        0x19A4_C116, 0x1E37_6C08, 0x2748_774C, 0x34B0_BCB5, 0x391C_0CB3, 0x4ED8_AA4A, 0x5B9C_CA4F, 0x682E_6FF3,
        0x748F_82EE, 0x78A5_636F, 0x84C8_7814, 0x8CC7_0208, 0x90BE_FFFA, 0xA450_6CEB, 0xBEF9_A3F7, 0xC671_78F2,
    ]

    static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }

    static func compress(_ state: UnsafeMutablePointer<UInt32>, _ block: UnsafeRawPointer) {
        var w = [UInt32](repeating: 0, count: 64)
        for t in 0..<16 {
            var v: UInt32 = 0
            for j in 0..<4 { v = v << 8 | UInt32(block.load(fromByteOffset: 4 * t + j, as: UInt8.self)) }
            w[t] = v
        }
        for t in 16..<64 {
            let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ w[t - 15] >> 3
            let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ w[t - 2] >> 10
            w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
        }
        var v = (0..<8).map { state[$0] }
        for t in 0..<64 {
            let (a, e) = (v[0], v[4])
            let t1 = v[7] &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ (e & v[5] ^ ~e & v[6]) &+ k[t] &+ w[t]
            let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ (a & v[1] ^ a & v[2] ^ v[1] & v[2])
            v = [t1 &+ t2, a, v[1], v[2], v[3] &+ t1, e, v[5], v[6]]
        }
        for i in 0..<8 { state[i] &+= v[i] }
    }
}

/// Software 256-bit `x·y mod m` (used when the accelerated call is absent): double-and-add over
/// the bits of x, every intermediate kept below m.
enum MulModSoftware {
    static func mulMod(_ x: UnsafeMutablePointer<UInt32>, _ y: UnsafePointer<UInt32>, _ m: UnsafePointer<UInt32>) {
        var a = [UInt32](repeating: 0, count: 8)  // y mod m, by the same double-and-add on y's bits
        var r = [UInt32](repeating: 0, count: 8)
        func addMod(_ acc: inout [UInt32], _ v: [UInt32]) {
            // acc, v < m: acc + v < 2m, subtract m once if the sum reaches it.
            var carry: UInt64 = 0
            var sum = [UInt32](repeating: 0, count: 8)
            for i in 0..<8 {
                let s = UInt64(acc[i]) + UInt64(v[i]) + carry
                sum[i] = UInt32(truncatingIfNeeded: s)
                carry = s >> 32
            }
            var geq = carry != 0
            if !geq {
                geq = true
                for i in (0..<8).reversed() where sum[i] != m[i] {
                    geq = sum[i] > m[i]
                    break
                }
            }
            if geq {
                var borrow: Int64 = 0
                for i in 0..<8 {
                    let d = Int64(sum[i]) - Int64(m[i]) - borrow
                    sum[i] = UInt32(truncatingIfNeeded: d)
                    borrow = d < 0 ? 1 : 0
                }
            }
            acc = sum
        }
        func reduceBits(_ source: (Int) -> UInt32, into out: inout [UInt32], base: [UInt32]?) {
            for bit in (0..<256).reversed() {
                let doubled = out
                addMod(&out, doubled)
                if source(bit / 32) >> UInt32(bit % 32) & 1 == 1 {
                    if let base { addMod(&out, base) } else { addMod(&out, [1, 0, 0, 0, 0, 0, 0, 0]) }
                }
            }
        }
        // a = y mod m (y's bits added as 1s), then r = x·a mod m.
        reduceBits({ y[$0] }, into: &a, base: nil)
        reduceBits({ x[$0] }, into: &r, base: a)
        for i in 0..<8 { x[i] = r[i] }
    }
}

/// Software secp256k1 point steps (used when the accelerated calls are absent): the affine
/// formulas of `Guests/ABI.md` mod P = 2^256 − 2^32 − 977, products by ``MulModSoftware``,
/// the inverse as `v^(P−2)`.
enum Secp256k1Software {
    static let modulus: [UInt32] = [
        0xFFFF_FC2F, 0xFFFF_FFFE, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF,
    ]

    /// The 8 words at `w`, reduced mod P (one subtraction: 2^256 < 2P).
    static func load(_ w: UnsafePointer<UInt32>) -> [UInt32] {
        let v = (0..<8).map { w[$0] }
        return less(v, modulus) ? v : subtract(v, modulus)
    }

    static func less(_ a: [UInt32], _ b: [UInt32]) -> Bool {
        for i in (0..<8).reversed() where a[i] != b[i] { return a[i] < b[i] }
        return false
    }

    /// a − b mod 2^256.
    static func subtract(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        var out = a
        var borrow: Int64 = 0
        for i in 0..<8 {
            let d = Int64(a[i]) - Int64(b[i]) - borrow
            out[i] = UInt32(truncatingIfNeeded: d)
            borrow = d < 0 ? 1 : 0
        }
        return out
    }

    /// a − b mod P for a, b < P.
    static func sub(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        let d = subtract(a, b)
        return less(a, b) ? subtract(d, subtract([UInt32](repeating: 0, count: 8), modulus)) : d
    }

    static func mul(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        var x = a
        x.withUnsafeMutableBufferPointer { xp in
            b.withUnsafeBufferPointer { bp in
                modulus.withUnsafeBufferPointer { m in
                    MulModSoftware.mulMod(xp.baseAddress!, bp.baseAddress!, m.baseAddress!)
                }
            }
        }
        return x
    }

    /// `v^(P−2)`, the inverse of v ≠ 0.
    static func inverse(_ v: [UInt32]) -> [UInt32] {
        let e = subtract(modulus, [2, 0, 0, 0, 0, 0, 0, 0])
        var r: [UInt32] = [1, 0, 0, 0, 0, 0, 0, 0]
        for bit in (0..<256).reversed() {
            r = mul(r, r)
            if e[bit / 32] >> UInt32(bit % 32) & 1 == 1 { r = mul(r, v) }
        }
        return r
    }

    static func isZero(_ w: UnsafePointer<UInt32>) -> Bool { load(w).allSatisfy { $0 == 0 } }

    /// Whether the x coordinates at p and q are equal mod P.
    static func equal(_ p: UnsafePointer<UInt32>, _ q: UnsafePointer<UInt32>) -> Bool { load(p) == load(q) }

    /// p := p + q, or p := 2p when q is nil.
    static func step(_ p: UnsafeMutablePointer<UInt32>, _ q: UnsafePointer<UInt32>?) {
        let x1 = load(p)
        let y1 = load(p + 8)
        let x2 = q.map { load($0) } ?? x1
        let lambda: [UInt32]
        if let q {
            lambda = mul(sub(load(q + 8), y1), inverse(sub(x2, x1)))
        } else {
            let square = mul(x1, x1)
            lambda = mul(mul(square, [3, 0, 0, 0, 0, 0, 0, 0]), inverse(mul(y1, [2, 0, 0, 0, 0, 0, 0, 0])))
        }
        let x3 = sub(sub(mul(lambda, lambda), x1), x2)
        let y3 = sub(mul(lambda, sub(x1, x3)), y1)
        for i in 0..<8 {
            p[i] = x3[i]
            p[8 + i] = y3[i]
        }
    }
}

/// Software Keccak-f[1600] (used when the accelerated call is absent).
enum KeccakSoftware {
    static func permute(_ a: UnsafeMutablePointer<UInt64>) {
        let rc: [UInt64] = [
            0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
            0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
            0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
            0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
            0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
            0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
        ]
        let rot: [UInt64] = [
            0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
        ]
        var c = [UInt64](repeating: 0, count: 5)
        var b = [UInt64](repeating: 0, count: 25)
        for round in 0..<24 {
            for x in 0..<5 { c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] }
            for x in 0..<5 {
                let r = c[(x + 1) % 5]
                let d = c[(x + 4) % 5] ^ (r << 1 | r >> 63)
                for y in 0..<5 { a[x + 5 * y] ^= d }
            }
            for x in 0..<5 {
                for y in 0..<5 {
                    let v = a[x + 5 * y]
                    let n = rot[x + 5 * y]
                    b[y + 5 * ((2 * x + 3 * y) % 5)] = n == 0 ? v : (v << n | v >> (64 - n))
                }
            }
            for x in 0..<5 {
                for y in 0..<5 {
                    a[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y])
                }
            }
            a[0] ^= rc[round]
        }
    }
}
