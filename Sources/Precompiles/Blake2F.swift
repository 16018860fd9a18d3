/// The BLAKE2b compression function F (RFC 7693 §3.2), exposed by precompile 0x09 (EIP-152).
enum Blake2F {
    private static let iv: [UInt64] = [
        0x6a09_e667_f3bc_c908, 0xbb67_ae85_84ca_a73b, 0x3c6e_f372_fe94_f82b, 0xa54f_f53a_5f1d_36f1,
        0x510e_527f_ade6_82d1, 0x9b05_688c_2b3e_6c1f, 0x1f83_d9ab_fb41_bd6b, 0x5be0_cd19_137e_2179,
    ]
    private static let sigma: [UInt8] = [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
        11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4,
        7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
        9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13,
        2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
        12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11,
        13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
        6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5,
        10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
    ]

    @inline(__always)
    private static func rotr(_ x: UInt64, _ n: UInt64) -> UInt64 { (x >> n) | (x << (64 &- n)) }

    /// F(h, m, t, f) with `rounds` rounds; updates `h` in place.
    static func compress(
        rounds: UInt32,
        h: inout [UInt64],
        m: [UInt64],
        t0: UInt64,
        t1: UInt64,
        final: Bool
    ) {
        var v = [UInt64](repeating: 0, count: 16)
        for i in 0..<8 {
            v[i] = h[i]
            v[i + 8] = iv[i]
        }
        v[12] ^= t0
        v[13] ^= t1
        if final { v[14] = ~v[14] }
        v.withUnsafeMutableBufferPointer { v in
            m.withUnsafeBufferPointer { m in
                sigma.withUnsafeBufferPointer { sigma in
                    @inline(__always)
                    func g(_ a: Int, _ b: Int, _ c: Int, _ d: Int, _ x: UInt64, _ y: UInt64) {
                        v[a] = v[a] &+ v[b] &+ x
                        v[d] = rotr(v[d] ^ v[a], 32)
                        v[c] = v[c] &+ v[d]
                        v[b] = rotr(v[b] ^ v[c], 24)
                        v[a] = v[a] &+ v[b] &+ y
                        v[d] = rotr(v[d] ^ v[a], 16)
                        v[c] = v[c] &+ v[d]
                        v[b] = rotr(v[b] ^ v[c], 63)
                    }
                    var round: UInt32 = 0
                    var row = 0
                    while round < rounds {
                        let s = row &* 16
                        g(0, 4, 8, 12, m[Int(sigma[s])], m[Int(sigma[s + 1])])
                        g(1, 5, 9, 13, m[Int(sigma[s + 2])], m[Int(sigma[s + 3])])
                        g(2, 6, 10, 14, m[Int(sigma[s + 4])], m[Int(sigma[s + 5])])
                        g(3, 7, 11, 15, m[Int(sigma[s + 6])], m[Int(sigma[s + 7])])
                        g(0, 5, 10, 15, m[Int(sigma[s + 8])], m[Int(sigma[s + 9])])
                        g(1, 6, 11, 12, m[Int(sigma[s + 10])], m[Int(sigma[s + 11])])
                        g(2, 7, 8, 13, m[Int(sigma[s + 12])], m[Int(sigma[s + 13])])
                        g(3, 4, 9, 14, m[Int(sigma[s + 14])], m[Int(sigma[s + 15])])
                        round &+= 1
                        row = row == 9 ? 0 : row &+ 1
                    }
                }
            }
        }
        for i in 0..<8 { h[i] ^= v[i] ^ v[i + 8] }
    }

    @inline(__always)
    private static func le64(_ b: [UInt8], _ o: Int) -> UInt64 {
        var x: UInt64 = 0
        for i in 0..<8 { x |= UInt64(b[o + i]) << (8 * UInt64(i)) }
        return x
    }

    /// Precompile 0x09: input is exactly 213 bytes (rounds u32 BE, h 8×u64 LE, m 16×u64 LE, t 2×u64 LE,
    /// f one byte 0 or 1); gas is one per round.
    static func run(input: [UInt8], gasLimit: UInt64) -> Result<PrecompileOutput, PrecompileError> {
        guard input.count == 213 else { return .failure(.invalidInput) }
        let rounds =
            (UInt32(input[0]) << 24) | (UInt32(input[1]) << 16) | (UInt32(input[2]) << 8) | UInt32(input[3])
        let gas = UInt64(rounds) * PrecompileGas.blake2fRound
        guard gas <= gasLimit else { return .failure(.outOfGas) }
        let flag = input[212]
        guard flag <= 1 else { return .failure(.invalidInput) }
        var h = [UInt64](repeating: 0, count: 8)
        for i in 0..<8 { h[i] = le64(input, 4 + 8 * i) }
        var m = [UInt64](repeating: 0, count: 16)
        for i in 0..<16 { m[i] = le64(input, 68 + 8 * i) }
        compress(rounds: rounds, h: &h, m: m, t0: le64(input, 196), t1: le64(input, 204), final: flag == 1)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for w in h { for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: w >> (8 * UInt64(i)))) } }
        return .success(PrecompileOutput(gasUsed: gas, output: out))
    }
}
