import EVMPrimitives

/// BLS12-381: y² = x³ + 4 over Fp, twist y² = x³ + 4(1 + u) over Fp2 (M-type), x = −0xd201000000010000.
enum BLS12: PairingConfig {
    typealias M = BLS12P
    static var xiReal: UInt64 { 1 }

    enum G1: CurveConfig {
        typealias F = Fp<BLS12P>
        static var a: F { .zero }
        static var b: F { F(4) }
    }

    enum G2: CurveConfig {
        typealias F = Fp2<BLS12>
        static var a: F { .zero }
        static var b: F { F(Fp(4), Fp(4)) }
    }

    static var isMTypeTwist: Bool { true }
    static var loopCount: [UInt64] { [0xd201_0000_0001_0000] }
    static var loopIsNegative: Bool { true }
    static var isBN: Bool { false }
    /// (p⁴ − p² + 1) / r written in base p (digits e0…e3).
    static var hardExponentDigits: [[UInt64]] {
        [
            [
                0xaaaa_0000_aaaa_aaac, 0x3381_3d52_06aa_1800, 0x665a_045e_22ec_661f, 0xf7a3_4148_de09_bf34,
                0x2b68_8550_f8ce_bd66, 0x1a01_11ea_397f_e69a,
            ],
            [0x73ff_ffff_ffff_5554, 0x9d58_6d58_4eac_aaaa, 0xc49f_25e1_a737_f5e2, 0x26a4_8d1b_b889_d46d],
            [
                0x1ea8_ffff_5554_aaab, 0xb27c_92a7_df51_e7fe, 0x3815_8e5c_24af_f488, 0x6477_4b84_f385_12bf,
                0x4b1b_a7b6_434b_acd7, 0x1a01_11ea_397f_e69a,
            ],
            [0x8c00_aaab_0000_aaaa, 0x396c_8c00_5555_e156],
        ]
    }
    /// The group order r, little-endian.
    static var order: [UInt64] {
        [0xffff_ffff_0000_0001, 0x53bd_a402_fffe_5bfe, 0x3339_d808_09a1_d805, 0x73ed_a753_299d_7d48]
    }

    /// EIP-2537 MSM discounts (per mille) for k = 1…128 pairs.
    static let g1Discounts: [UInt64] = [
        1000, 949, 848, 797, 764, 750, 738, 728, 719, 712, 705, 698, 692, 687, 682, 677, 673, 669, 665, 661, 658, 654,
        651, 648, 645, 642, 640, 637, 635, 632, 630, 627, 625, 623, 621, 619, 617, 615, 613, 611, 609, 608, 606, 604,
        603, 601, 599, 598, 596, 595, 593, 592, 591, 589, 588, 586, 585, 584, 582, 581, 580, 579, 577, 576, 575, 574,
        573, 572, 570, 569, 568, 567, 566, 565, 564, 563, 562, 561, 560, 559, 558, 557, 556, 555, 554, 553, 552, 551,
        550, 549, 548, 547, 547, 546, 545, 544, 543, 542, 541, 540, 540, 539, 538, 537, 536, 536, 535, 534, 533, 532,
        532, 531, 530, 529, 528, 528, 527, 526, 525, 525, 524, 523, 522, 522, 521, 520, 520, 519,
    ]
    static let g2Discounts: [UInt64] = [
        1000, 1000, 923, 884, 855, 832, 812, 796, 782, 770, 759, 749, 740, 732, 724, 717, 711, 704, 699, 693, 688, 683,
        679, 674, 670, 666, 663, 659, 655, 652, 649, 646, 643, 640, 637, 634, 632, 629, 627, 624, 622, 620, 618, 615,
        613, 611, 609, 607, 606, 604, 602, 600, 598, 597, 595, 593, 592, 590, 589, 587, 586, 584, 583, 582, 580, 579,
        578, 576, 575, 574, 573, 571, 570, 569, 568, 567, 566, 565, 563, 562, 561, 560, 559, 558, 557, 556, 555, 554,
        553, 552, 552, 551, 550, 549, 548, 547, 546, 545, 545, 544, 543, 542, 541, 541, 540, 539, 538, 537, 537, 536,
        535, 535, 534, 533, 532, 532, 531, 530, 530, 529, 528, 528, 527, 526, 526, 525, 524, 524,
    ]
}

/// The EIP-2537 precompiles (0x0b–0x11, Prague).
extension BLS12 {
    typealias G1Point = AffinePoint<G1>
    typealias G2Point = AffinePoint<G2>

    /// A 64-byte field element: 16 zero bytes then 48 big-endian bytes, < p.
    static func readFp(_ input: [UInt8], _ offset: Int) -> Fp<BLS12P>? {
        for i in 0..<16 where input[offset + i] != 0 { return nil }
        return Fp<BLS12P>(bigEndian: input[offset + 16..<offset + 64])
    }

    static func readG1(_ input: [UInt8], _ offset: Int, subgroupCheck: Bool) -> G1Point? {
        guard let x = readFp(input, offset), let y = readFp(input, offset + 64) else { return nil }
        if x.isZero && y.isZero { return .infinity }
        let p = G1Point(x: x, y: y)
        guard p.isOnCurve else { return nil }
        if subgroupCheck && !isInG1(p) { return nil }
        return p
    }

    static func readG2(_ input: [UInt8], _ offset: Int, subgroupCheck: Bool) -> G2Point? {
        guard let x0 = readFp(input, offset), let x1 = readFp(input, offset + 64), let y0 = readFp(input, offset + 128),
            let y1 = readFp(input, offset + 192)
        else { return nil }
        let x = Fp2<BLS12>(x0, x1)
        let y = Fp2<BLS12>(y0, y1)
        if x.isZero && y.isZero { return .infinity }
        let p = G2Point(x: x, y: y)
        guard p.isOnCurve else { return nil }
        if subgroupCheck && !isInG2(p) { return nil }
        return p
    }

    static func encodeFp(_ x: Fp<BLS12P>) -> [UInt8] { [UInt8](repeating: 0, count: 16) + x.bigEndianBytes }

    static func encode(_ p: JacobianPoint<G1>) -> [UInt8] {
        let a = p.affine
        if a.isInfinity { return [UInt8](repeating: 0, count: 128) }
        return encodeFp(a.x) + encodeFp(a.y)
    }

    static func encode(_ p: JacobianPoint<G2>) -> [UInt8] {
        let a = p.affine
        if a.isInfinity { return [UInt8](repeating: 0, count: 256) }
        return encodeFp(a.x.c0) + encodeFp(a.x.c1) + encodeFp(a.y.c0) + encodeFp(a.y.c1)
    }

    typealias Outcome = Result<PrecompileOutput, PrecompileError>

    /// 0x0b G1ADD: 256 bytes, 375 gas, no subgroup check.
    static func g1Add(input: [UInt8], gasLimit: UInt64) -> Outcome {
        guard input.count == 256 else { return .failure(.invalidInput) }
        guard PrecompileGas.blsG1Add <= gasLimit else { return .failure(.outOfGas) }
        guard let p = readG1(input, 0, subgroupCheck: false), let q = readG1(input, 128, subgroupCheck: false) else {
            return .failure(.invalidInput)
        }
        return .success(PrecompileOutput(gasUsed: PrecompileGas.blsG1Add, output: encode(p.jacobian + q.jacobian)))
    }

    /// 0x0d G2ADD: 512 bytes, 600 gas, no subgroup check.
    static func g2Add(input: [UInt8], gasLimit: UInt64) -> Outcome {
        guard input.count == 512 else { return .failure(.invalidInput) }
        guard PrecompileGas.blsG2Add <= gasLimit else { return .failure(.outOfGas) }
        guard let p = readG2(input, 0, subgroupCheck: false), let q = readG2(input, 256, subgroupCheck: false) else {
            return .failure(.invalidInput)
        }
        return .success(PrecompileOutput(gasUsed: PrecompileGas.blsG2Add, output: encode(p.jacobian + q.jacobian)))
    }

    /// MSM price: k · base · discount(k) / 1000.
    static func msmGas(k: Int, base: UInt64, discounts: [UInt64], maxDiscount: UInt64) -> UInt64 {
        let discount = k <= discounts.count ? discounts[k - 1] : maxDiscount
        return UInt64(k) * base * discount / PrecompileGas.blsMSMDiscountMultiplier
    }

    /// 0x0c G1MSM: k·160 bytes (k ≥ 1), points subgroup-checked.
    static func g1MSM(input: [UInt8], gasLimit: UInt64) -> Outcome {
        guard !input.isEmpty, input.count % 160 == 0 else { return .failure(.invalidInput) }
        let k = input.count / 160
        let gas = msmGas(
            k: k,
            base: PrecompileGas.blsG1MSMBase,
            discounts: g1Discounts,
            maxDiscount: PrecompileGas.blsG1MSMMaxDiscount
        )
        guard gas <= gasLimit else { return .failure(.outOfGas) }
        var points: [JacobianPoint<G1>] = []
        var scalars: [[UInt8]] = []
        for i in 0..<k {
            guard let p = readG1(input, 160 * i, subgroupCheck: true) else { return .failure(.invalidInput) }
            points.append(p.jacobian)
            scalars.append(Array(input[160 * i + 128..<160 * i + 160]))
        }
        return .success(PrecompileOutput(gasUsed: gas, output: encode(multiScalarMultiply(points, scalars))))
    }

    /// 0x0e G2MSM: k·288 bytes (k ≥ 1), points subgroup-checked.
    static func g2MSM(input: [UInt8], gasLimit: UInt64) -> Outcome {
        guard !input.isEmpty, input.count % 288 == 0 else { return .failure(.invalidInput) }
        let k = input.count / 288
        let gas = msmGas(
            k: k,
            base: PrecompileGas.blsG2MSMBase,
            discounts: g2Discounts,
            maxDiscount: PrecompileGas.blsG2MSMMaxDiscount
        )
        guard gas <= gasLimit else { return .failure(.outOfGas) }
        var points: [JacobianPoint<G2>] = []
        var scalars: [[UInt8]] = []
        for i in 0..<k {
            guard let p = readG2(input, 288 * i, subgroupCheck: true) else { return .failure(.invalidInput) }
            points.append(p.jacobian)
            scalars.append(Array(input[288 * i + 256..<288 * i + 288]))
        }
        return .success(PrecompileOutput(gasUsed: gas, output: encode(multiScalarMultiply(points, scalars))))
    }

    /// 0x0f PAIRING_CHECK: k·384 bytes (k ≥ 1), 32600·k + 37700 gas.
    static func pairingCheck(input: [UInt8], gasLimit: UInt64) -> Outcome {
        guard !input.isEmpty, input.count % 384 == 0 else { return .failure(.invalidInput) }
        let k = input.count / 384
        let gas = PrecompileGas.blsPairingPerPair * UInt64(k) + PrecompileGas.blsPairingBase
        guard gas <= gasLimit else { return .failure(.outOfGas) }
        var pairs: [(G1Point, G2Point)] = []
        for i in 0..<k {
            guard let p = readG1(input, 384 * i, subgroupCheck: true),
                let q = readG2(input, 384 * i + 128, subgroupCheck: true)
            else { return .failure(.invalidInput) }
            pairs.append((p, q))
        }
        var out = [UInt8](repeating: 0, count: 32)
        if Pairing<BLS12>.check(pairs) { out[31] = 1 }
        return .success(PrecompileOutput(gasUsed: gas, output: out))
    }

    /// 0x10 MAP_FP_TO_G1: 64 bytes, 5500 gas.
    static func mapFpToG1(input: [UInt8], gasLimit: UInt64) -> Outcome {
        guard input.count == 64 else { return .failure(.invalidInput) }
        guard PrecompileGas.blsMapFpToG1 <= gasLimit else { return .failure(.outOfGas) }
        guard let u = readFp(input, 0) else { return .failure(.invalidInput) }
        return .success(PrecompileOutput(gasUsed: PrecompileGas.blsMapFpToG1, output: encode(HashToCurve.mapToG1(u))))
    }

    /// 0x11 MAP_FP2_TO_G2: 128 bytes, 23800 gas.
    static func mapFp2ToG2(input: [UInt8], gasLimit: UInt64) -> Outcome {
        guard input.count == 128 else { return .failure(.invalidInput) }
        guard PrecompileGas.blsMapFp2ToG2 <= gasLimit else { return .failure(.outOfGas) }
        guard let u0 = readFp(input, 0), let u1 = readFp(input, 64) else { return .failure(.invalidInput) }
        return .success(
            PrecompileOutput(gasUsed: PrecompileGas.blsMapFp2ToG2, output: encode(HashToCurve.mapToG2(Fp2(u0, u1))))
        )
    }
}
