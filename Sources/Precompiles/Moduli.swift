/// Six 64-bit limbs, little-endian; fields of up to 384 bits use the first `limbCount`.
struct Limbs {
    var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    @inline(__always)
    init(_ a0: UInt64, _ a1: UInt64, _ a2: UInt64, _ a3: UInt64, _ a4: UInt64, _ a5: UInt64) {
        storage = (a0, a1, a2, a3, a4, a5)
    }

    @inline(__always)
    init(repeating v: UInt64) { storage = (v, v, v, v, v, v) }

    @inline(__always)
    subscript(i: Int) -> UInt64 {
        get { withUnsafeBytes(of: storage) { $0.load(fromByteOffset: i &* 8, as: UInt64.self) } }
        set {
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: newValue, toByteOffset: i &* 8, as: UInt64.self) }
        }
    }
}

/// Eight limbs: the accumulator of a Montgomery product.
struct WideLimbs {
    var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)

    @inline(__always)
    subscript(i: Int) -> UInt64 {
        get { withUnsafeBytes(of: storage) { $0.load(fromByteOffset: i &* 8, as: UInt64.self) } }
        set {
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: newValue, toByteOffset: i &* 8, as: UInt64.self) }
        }
    }
}

/// A prime modulus with its Montgomery constants (R = 2^(64·limbCount)).
protocol MontgomeryModulus {
    /// Limbs in use: 4 (256-bit) or 6 (384-bit).
    static var limbCount: Int { get }
    /// The prime p.
    static var modulus: Limbs { get }
    /// −p⁻¹ mod 2⁶⁴.
    static var inverse: UInt64 { get }
    /// R² mod p.
    static var rSquared: Limbs { get }
    /// R mod p (Montgomery form of 1).
    static var one: Limbs { get }
    /// Bytes in the big-endian encoding of a field element.
    static var byteCount: Int { get }
    /// R⁻¹ mod p for the 256-bit moduli (python: pow(2**256, -1, p)), with which the zkVM guests
    /// turn a Montgomery product into two `uint256_mulmod` syscalls; unused for 384-bit moduli.
    static var rInverse: Limbs { get }
}

extension MontgomeryModulus {
    static var rInverse: Limbs { Limbs(repeating: 0) }
}

// Constants below are derived from each prime (python: R % p, R*R % p, -pow(p, -1, 2**64)).

/// Modulus BN254P.
enum BN254P: MontgomeryModulus {
    static var limbCount: Int { 4 }
    static var modulus: Limbs {
        Limbs(
            0x3c20_8c16_d87c_fd47,
            0x9781_6a91_6871_ca8d,
            0xb850_45b6_8181_585d,
            0x3064_4e72_e131_a029,
            0x0000_0000_0000_0000,
            0x0000_0000_0000_0000,
        )
    }
    static var inverse: UInt64 { 0x87d2_0782_e486_6389 }
    static var rSquared: Limbs {
        Limbs(
            0xf32c_fc5b_538a_fa89,
            0xb5e7_1911_d445_01fb,
            0x47ab_1eff_0a41_7ff6,
            0x06d8_9f71_cab8_351f,
            0x0000_0000_0000_0000,
            0x0000_0000_0000_0000,
        )
    }
    static var one: Limbs {
        Limbs(
            0xd35d_438d_c58f_0d9d,
            0x0a78_eb28_f5c7_0b3d,
            0x666e_a36f_7879_462c,
            0x0e0a_77c1_9a07_df2f,
            0x0000_0000_0000_0000,
            0x0000_0000_0000_0000,
        )
    }
    static var rInverse: Limbs {
        Limbs(
            0xed84_884a_014a_fa37,
            0xeb20_2285_0278_edf8,
            0xcf63_e9cf_b744_92d9,
            0x2e67_1571_59e5_c639,
            0x0000_0000_0000_0000,
            0x0000_0000_0000_0000,
        )
    }
    static var byteCount: Int { 32 }
}

/// Modulus BN254R.
enum BN254R: MontgomeryModulus {
    static var limbCount: Int { 4 }
    static var modulus: Limbs {
        Limbs(
            0x43e1_f593_f000_0001,
            0x2833_e848_79b9_7091,
            0xb850_45b6_8181_585d,
            0x3064_4e72_e131_a029,
            0x0000_0000_0000_0000,
            0x0000_0000_0000_0000,
        )
    }
    static var inverse: UInt64 { 0xc2e1_f593_efff_ffff }
    static var rSquared: Limbs {
        Limbs(
            0x1bb8_e645_ae21_6da7,
            0x53fe_3ab1_e35c_59e3,
            0x8c49_833d_53bb_8085,
            0x0216_d0b1_7f4e_44a5,
            0x0000_0000_0000_0000,
            0x0000_0000_0000_0000,
        )
    }
    static var one: Limbs {
        Limbs(
            0xac96_341c_4fff_fffb,
            0x36fc_7695_9f60_cd29,
            0x666e_a36f_7879_462e,
            0x0e0a_77c1_9a07_df2f,
            0x0000_0000_0000_0000,
            0x0000_0000_0000_0000,
        )
    }
    static var rInverse: Limbs {
        Limbs(
            0xdc5b_a005_6db1_194e,
            0x090e_f5a9_e111_ec87,
            0xc826_0de4_aeb8_5d5d,
            0x15eb_f951_82c5_551c,
            0x0000_0000_0000_0000,
            0x0000_0000_0000_0000,
        )
    }
    static var byteCount: Int { 32 }
}

/// Modulus BLS12P.
enum BLS12P: MontgomeryModulus {
    static var limbCount: Int { 6 }
    static var modulus: Limbs {
        Limbs(
            0xb9fe_ffff_ffff_aaab,
            0x1eab_fffe_b153_ffff,
            0x6730_d2a0_f6b0_f624,
            0x6477_4b84_f385_12bf,
            0x4b1b_a7b6_434b_acd7,
            0x1a01_11ea_397f_e69a,
        )
    }
    static var inverse: UInt64 { 0x89f3_fffc_fffc_fffd }
    static var rSquared: Limbs {
        Limbs(
            0xf4df_1f34_1c34_1746,
            0x0a76_e6a6_09d1_04f1,
            0x8de5_476c_4c95_b6d5,
            0x67eb_88a9_939d_83c0,
            0x9a79_3e85_b519_952d,
            0x1198_8fe5_92ca_e3aa,
        )
    }
    static var one: Limbs {
        Limbs(
            0x7609_0000_0002_fffd,
            0xebf4_000b_c40c_0002,
            0x5f48_9857_53c7_58ba,
            0x77ce_5853_7052_5745,
            0x5c07_1a97_a256_ec6d,
            0x15f6_5ec3_fa80_e493,
        )
    }
    static var byteCount: Int { 48 }
}

/// Modulus BLS12R.
enum BLS12R: MontgomeryModulus {
    static var limbCount: Int { 4 }
    static var modulus: Limbs {
        Limbs(
            0xffff_ffff_0000_0001,
            0x53bd_a402_fffe_5bfe,
            0x3339_d808_09a1_d805,
            0x73ed_a753_299d_7d48,
            0x0000_0000_0000_0000,
            0x0000_0000_0000_0000,
        )
    }
    static var inverse: UInt64 { 0xffff_fffe_ffff_ffff }
    static var rSquared: Limbs {
        Limbs(
            0xc999_e990_f3f2_9c6d,
            0x2b6c_edcb_8792_5c23,
            0x05d3_1496_7254_398f,
            0x0748_d9d9_9f59_ff11,
            0x0000_0000_0000_0000,
            0x0000_0000_0000_0000,
        )
    }
    static var one: Limbs {
        Limbs(
            0x0000_0001_ffff_fffe,
            0x5884_b7fa_0003_4802,
            0x998c_4fef_ecbc_4ff5,
            0x1824_b159_acc5_056f,
            0x0000_0000_0000_0000,
            0x0000_0000_0000_0000,
        )
    }
    static var byteCount: Int { 32 }
}

/// Modulus P256P.
enum P256P: MontgomeryModulus {
    static var limbCount: Int { 4 }
    static var modulus: Limbs {
        Limbs(
            0xffff_ffff_ffff_ffff,
            0x0000_0000_ffff_ffff,
            0x0000_0000_0000_0000,
            0xffff_ffff_0000_0001,
            0x0000_0000_0000_0000,
            0x0000_0000_0000_0000,
        )
    }
    static var inverse: UInt64 { 0x0000_0000_0000_0001 }
    static var rSquared: Limbs {
        Limbs(
            0x0000_0000_0000_0003,
            0xffff_fffb_ffff_ffff,
            0xffff_ffff_ffff_fffe,
            0x0000_0004_ffff_fffd,
            0x0000_0000_0000_0000,
            0x0000_0000_0000_0000,
        )
    }
    static var one: Limbs {
        Limbs(
            0x0000_0000_0000_0001,
            0xffff_ffff_0000_0000,
            0xffff_ffff_ffff_ffff,
            0x0000_0000_ffff_fffe,
            0x0000_0000_0000_0000,
            0x0000_0000_0000_0000,
        )
    }
    static var rInverse: Limbs {
        Limbs(
            0x0000_0003_0000_0000,
            0x0000_0001_ffff_fffe,
            0xffff_fffd_0000_0002,
            0xffff_fffe_0000_0003,
            0x0000_0000_0000_0000,
            0x0000_0000_0000_0000,
        )
    }
    static var byteCount: Int { 32 }
}

/// Modulus P256N.
enum P256N: MontgomeryModulus {
    static var limbCount: Int { 4 }
    static var modulus: Limbs {
        Limbs(
            0xf3b9_cac2_fc63_2551,
            0xbce6_faad_a717_9e84,
            0xffff_ffff_ffff_ffff,
            0xffff_ffff_0000_0000,
            0x0000_0000_0000_0000,
            0x0000_0000_0000_0000,
        )
    }
    static var inverse: UInt64 { 0xccd1_c8aa_ee00_bc4f }
    static var rSquared: Limbs {
        Limbs(
            0x8324_4c95_be79_eea2,
            0x4699_799c_49bd_6fa6,
            0x2845_b239_2b6b_ec59,
            0x66e1_2d94_f3d9_5620,
            0x0000_0000_0000_0000,
            0x0000_0000_0000_0000,
        )
    }
    static var one: Limbs {
        Limbs(
            0x0c46_353d_039c_daaf,
            0x4319_0552_58e8_617b,
            0x0000_0000_0000_0000,
            0x0000_0000_ffff_ffff,
            0x0000_0000_0000_0000,
            0x0000_0000_0000_0000,
        )
    }
    static var rInverse: Limbs {
        Limbs(
            0xce1b_c8f7_9c19_7c79,
            0xbade_f3e2_4356_6faf,
            0x07f8_b604_1e60_7725,
            0x60d0_6633_4905_c1e9,
            0x0000_0000_0000_0000,
            0x0000_0000_0000_0000,
        )
    }
    static var byteCount: Int { 32 }
}
