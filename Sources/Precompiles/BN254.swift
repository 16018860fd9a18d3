import EVMPrimitives

/// BN254 (alt_bn128): y² = x³ + 3 over Fp, twist y² = x³ + 3/(9 + u) over Fp2.
enum BN254: PairingConfig {
    typealias M = BN254P
    static var xiReal: UInt64 { 9 }

    enum G1: CurveConfig {
        typealias F = Fp<BN254P>
        static var a: F { .zero }
        static var b: F { F(3) }
    }

    enum G2: CurveConfig {
        typealias F = Fp2<BN254>
        static var a: F { .zero }
        /// 3 / (9 + u).
        static var b: F {
            F(
                Fp(
                    canonical: Limbs(
                        0x3267_e6dc_24a1_38e5,
                        0xb5b4_c5e5_59db_efa3,
                        0x81be_1899_1be0_6ac3,
                        0x2b14_9d40_ceb8_aaae,
                        0,
                        0,
                    )
                ),
                Fp(
                    canonical: Limbs(
                        0xe4a2_bd06_85c3_15d2,
                        0xa74f_a084_e52d_1852,
                        0xcd2c_afad_eed8_fdf4,
                        0x0097_13b0_3af0_fed4,
                        0,
                        0,
                    )
                )
            )
        }
    }

    static var isMTypeTwist: Bool { false }
    /// 6x + 2 with x = 4965661367192848881.
    static var loopCount: [UInt64] { [0x9d79_7039_be76_3ba8, 0x1] }
    static var loopIsNegative: Bool { false }
    static var isBN: Bool { true }
    /// (p⁴ − p² + 1) / r written in base p (digits e0…e3).
    static var hardExponentDigits: [[UInt64]] {
        [
            [0x8598_9436_d0f9_fa91, 0x5cea_24f6_fd73_6bea, 0x048b_6e19_3fd8_4104, 0x3064_4e72_e131_a029],
            [0x138f_3176_606a_30c5, 0x3b85_2988_dae4_1fe4, 0x048b_6e19_3fd8_4105, 0x3064_4e72_e131_a029],
            [0xf83e_9682_e87c_fd46, 0x6f4d_8248_eeb8_59fb],
            [0x0000_0000_0000_0001],
        ]
    }
    /// The group order r, little-endian.
    static var order: [UInt64] {
        [0x43e1_f593_f000_0001, 0x2833_e848_79b9_7091, 0xb850_45b6_8181_585d, 0x3064_4e72_e131_a029]
    }

    /// 32 bytes of `input` at `offset`, zero-padded past its end.
    static func word(_ input: [UInt8], _ offset: Int) -> ArraySlice<UInt8> {
        if offset + 32 <= input.count { return input[offset..<offset + 32] }
        var w = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 where offset + i < input.count { w[i] = input[offset + i] }
        return w[...]
    }

    static func readG1(_ input: [UInt8], _ offset: Int) -> AffinePoint<G1>? {
        guard let x = Fp<BN254P>(bigEndian: word(input, offset)),
            let y = Fp<BN254P>(bigEndian: word(input, offset + 32))
        else { return nil }
        if x.isZero && y.isZero { return .infinity }
        let p = AffinePoint<G1>(x: x, y: y)
        return p.isOnCurve ? p : nil
    }

    /// A G2 point: x = (x_im, x_re), y = (y_im, y_re), imaginary part first (EIP-197).
    static func readG2(_ input: [UInt8], _ offset: Int) -> AffinePoint<G2>? {
        guard let xi = Fp<BN254P>(bigEndian: word(input, offset)),
            let xr = Fp<BN254P>(bigEndian: word(input, offset + 32)),
            let yi = Fp<BN254P>(bigEndian: word(input, offset + 64)),
            let yr = Fp<BN254P>(bigEndian: word(input, offset + 96))
        else { return nil }
        let x = Fp2<BN254>(xr, xi)
        let y = Fp2<BN254>(yr, yi)
        if x.isZero && y.isZero { return .infinity }
        let p = AffinePoint<G2>(x: x, y: y)
        guard p.isOnCurve else { return nil }
        // Subgroup check: r·Q = O.
        guard p.jacobian.multiplied(byLimbs: order).isInfinity else { return nil }
        return p
    }

    static func encode(_ p: JacobianPoint<G1>) -> [UInt8] {
        let a = p.affine
        if a.isInfinity { return [UInt8](repeating: 0, count: 64) }
        return a.x.bigEndianBytes + a.y.bigEndianBytes
    }

    /// 0x06: 500 gas before Istanbul, 150 after (EIP-1108).
    static func add(input: [UInt8], gasLimit: UInt64, fork: Fork) -> Result<PrecompileOutput, PrecompileError> {
        let gas = fork >= .istanbul ? PrecompileGas.bn254AddIstanbul : PrecompileGas.bn254AddByzantium
        guard gas <= gasLimit else { return .failure(.outOfGas) }
        guard let p = readG1(input, 0), let q = readG1(input, 64) else { return .failure(.invalidInput) }
        return .success(PrecompileOutput(gasUsed: gas, output: encode(p.jacobian + q.jacobian)))
    }

    /// 0x07: 40000 gas before Istanbul, 6000 after.
    static func mul(input: [UInt8], gasLimit: UInt64, fork: Fork) -> Result<PrecompileOutput, PrecompileError> {
        let gas = fork >= .istanbul ? PrecompileGas.bn254MulIstanbul : PrecompileGas.bn254MulByzantium
        guard gas <= gasLimit else { return .failure(.outOfGas) }
        guard let p = readG1(input, 0) else { return .failure(.invalidInput) }
        return .success(
            PrecompileOutput(gasUsed: gas, output: encode(p.jacobian.multiplied(byBigEndian: word(input, 64))))
        )
    }

    /// 0x08: 100000 + 80000·k before Istanbul, 45000 + 34000·k after.
    static func pairing(input: [UInt8], gasLimit: UInt64, fork: Fork) -> Result<PrecompileOutput, PrecompileError> {
        let k = UInt64(input.count / 192)
        let gas =
            fork >= .istanbul
            ? PrecompileGas.bn254PairingBaseIstanbul + PrecompileGas.bn254PairingPerPairIstanbul * k
            : PrecompileGas.bn254PairingBaseByzantium + PrecompileGas.bn254PairingPerPairByzantium * k
        guard gas <= gasLimit else { return .failure(.outOfGas) }
        guard input.count % 192 == 0 else { return .failure(.invalidInput) }
        var pairs: [(AffinePoint<G1>, AffinePoint<G2>)] = []
        for i in 0..<Int(k) {
            guard let p = readG1(input, 192 * i), let q = readG2(input, 192 * i + 64) else {
                return .failure(.invalidInput)
            }
            pairs.append((p, q))
        }
        var out = [UInt8](repeating: 0, count: 32)
        if Pairing<BN254>.check(pairs) { out[31] = 1 }
        return .success(PrecompileOutput(gasUsed: gas, output: out))
    }
}
