import EVMPrimitives

extension BLS12 {
    /// The standard G1 generator.
    static var g1Generator: G1Point {
        AffinePoint(
            x: Fp(
                canonical: Limbs(
                    0xfb3a_f00a_db22_c6bb,
                    0x6c55_e83f_f97a_1aef,
                    0xa14e_3a3f_171b_ac58,
                    0xc368_8c4f_9774_b905,
                    0x2695_638c_4fa9_ac0f,
                    0x17f1_d3a7_3197_d794,
                )
            ),
            y: Fp(
                canonical: Limbs(
                    0x0caa_2329_46c5_e7e1,
                    0xd03c_c744_a288_8ae4,
                    0x00db_18cb_2c04_b3ed,
                    0xfcf5_e095_d5d0_0af6,
                    0xa09e_30ed_741d_8ae4,
                    0x08b3_f481_e3aa_a0f1,
                )
            )
        )
    }
    /// The standard G2 generator.
    static var g2Generator: G2Point {
        AffinePoint(
            x: Fp2(
                Fp(
                    canonical: Limbs(
                        0xd480_56c8_c121_bdb8,
                        0x0bac_0326_a805_bbef,
                        0xb451_0b64_7ae3_d177,
                        0xc6e4_7ad4_fa40_3b02,
                        0x2608_0527_2dc5_1051,
                        0x024a_a2b2_f08f_0a91,
                    )
                ),
                Fp(
                    canonical: Limbs(
                        0xe5ac_7d05_5d04_2b7e,
                        0x334c_f112_1394_5d57,
                        0xb5da_61bb_dc7f_5049,
                        0x596b_d0d0_9920_b61a,
                        0x7dac_d3a0_8827_4f65,
                        0x13e0_2b60_5271_9f60,
                    )
                )
            ),
            y: Fp2(
                Fp(
                    canonical: Limbs(
                        0xe193_5486_08b8_2801,
                        0x923a_c9cc_3bac_a289,
                        0x6d42_9a69_5160_d12c,
                        0xadfd_9baa_8cbd_d3a7,
                        0x8cc9_cdc6_da2e_351a,
                        0x0ce5_d527_727d_6e11,
                    )
                ),
                Fp(
                    canonical: Limbs(
                        0xaaa9_075f_f05f_79be,
                        0x3f37_0d27_5cec_1da1,
                        0x2674_92ab_572e_99ab,
                        0xcb3e_287e_85a7_63af,
                        0x32ac_d2b0_2bc2_8b99,
                        0x0606_c4a0_2ea7_34cc,
                    )
                )
            )
        )
    }
    /// [τ]₂ of the KZG ceremony: the decompression of `KZG_SETUP_G2_MONOMIAL_1` =
    /// 0xb5bfd7dd8cdeb128843bc287230af38926187075cbfbefa81009a2ce615ac53d2914e5870cb452d2afaaab24f3499f72
    ///   185cbfee53492714734429b7b38608e23926c911cceceac9a36851477ba4c60b087041de621000edc98edada20c1def2
    /// (consensus specs / EIP-4844 trusted setup).
    static var kzgSetupG2Tau: G2Point {
        AffinePoint(
            x: Fp2(
                Fp(
                    canonical: Limbs(
                        0xc98e_dada_20c1_def2,
                        0x0870_41de_6210_00ed,
                        0xa368_5147_7ba4_c60b,
                        0x3926_c911_ccec_eac9,
                        0x7344_29b7_b386_08e2,
                        0x185c_bfee_5349_2714,
                    )
                ),
                Fp(
                    canonical: Limbs(
                        0xafaa_ab24_f349_9f72,
                        0x2914_e587_0cb4_52d2,
                        0x1009_a2ce_615a_c53d,
                        0x2618_7075_cbfb_efa8,
                        0x843b_c287_230a_f389,
                        0x15bf_d7dd_8cde_b128,
                    )
                )
            ),
            y: Fp2(
                Fp(
                    canonical: Limbs(
                        0xee68_9bfb_bb83_2a99,
                        0x4ce2_6d10_5941_f383,
                        0xe824_51a4_96a9_c979,
                        0x1315_6949_0e28_de18,
                        0xd7d5_ee85_99d1_fca2,
                        0x0143_53bd_b96b_626d,
                    )
                ),
                Fp(
                    canonical: Limbs(
                        0x2304_8ef3_0d0a_154f,
                        0x9495_346f_3d7a_c9cd,
                        0xda5e_d1ba_9bfa_0789,
                        0xef79_de09_fc63_671f,
                        0x0343_2fca_e018_1b4b,
                        0x1666_c54b_0a32_5295,
                    )
                )
            )
        )
    }

    /// Decodes a compressed G1 point (ZCash encoding, 48 bytes) that must lie in the r-torsion subgroup;
    /// the point at infinity is 0xc0 followed by zeros.
    static func decompressG1(_ bytes: ArraySlice<UInt8>) -> G1Point? {
        guard bytes.count == 48 else { return nil }
        let b0 = bytes[bytes.startIndex]
        guard b0 & 0x80 != 0 else { return nil }
        if b0 & 0x40 != 0 {
            guard b0 == 0xc0, bytes.dropFirst().allSatisfy({ $0 == 0 }) else { return nil }
            return .infinity
        }
        var raw = Array(bytes)
        raw[0] &= 0x1f
        guard let x = Fp<BLS12P>(bigEndian: raw[...]) else { return nil }
        guard var y = (x.squared() * x + G1.b).squareRoot() else { return nil }
        if y.isLexicographicallyLargest != (b0 & 0x20 != 0) { y = -y }
        let p = G1Point(x: x, y: y)
        guard isInG1(p) else { return nil }
        return p
    }
}

/// 0x0a KZG point evaluation (EIP-4844, Cancun): checks that the blob polynomial committed to by C
/// evaluates to y at z, given a proof π: e(C − [y]₁, −[1]₂) · e(π, [τ]₂ − [z]₂) = 1.
enum PointEvaluation {
    /// 4096 as 32 bytes, then the BLS12-381 scalar field modulus r as 32 bytes.
    static var successOutput: [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        out[30] = 0x10
        let r: [UInt8] = [
            0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
            0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
        ]
        for i in 0..<32 { out[32 + i] = r[i] }
        return out
    }

    static func run(input: [UInt8], gasLimit: UInt64) -> Result<PrecompileOutput, PrecompileError> {
        guard input.count == 192 else { return .failure(.invalidInput) }
        guard PrecompileGas.pointEvaluation <= gasLimit else { return .failure(.outOfGas) }
        let commitment = Array(input[96..<144])
        // Versioned hash: 0x01 ‖ sha256(commitment)[1...].
        var expected = SHA256.hash(commitment).bytes
        expected[0] = 0x01
        for i in 0..<32 where input[i] != expected[i] { return .failure(.invalidInput) }
        // z and y must be canonical scalars (< r).
        guard let zLimbs = Fp<BLS12R>.parseLimbs(input[32..<64]), Fp<BLS12R>.less(zLimbs, BLS12R.modulus),
            let yLimbs = Fp<BLS12R>.parseLimbs(input[64..<96]), Fp<BLS12R>.less(yLimbs, BLS12R.modulus)
        else { return .failure(.invalidInput) }
        guard let c = BLS12.decompressG1(input[96..<144]), let proof = BLS12.decompressG1(input[144..<192]) else {
            return .failure(.invalidInput)
        }
        let g1 = BLS12.g1Generator.jacobian
        let g2 = BLS12.g2Generator.jacobian
        let pMinusY = (c.jacobian + g1.multiplied(byBigEndian: input[64..<96]).negated).affine
        let xMinusZ = (BLS12.kzgSetupG2Tau.jacobian + g2.multiplied(byBigEndian: input[32..<64]).negated).affine
        let ok = Pairing<BLS12>.check([(pMinusY, BLS12.g2Generator.negated), (proof, xMinusZ)])
        guard ok else { return .failure(.invalidInput) }
        return .success(PrecompileOutput(gasUsed: PrecompileGas.pointEvaluation, output: successOutput))
    }
}
