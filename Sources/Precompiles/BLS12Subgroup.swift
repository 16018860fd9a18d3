/// Fast subgroup membership tests for BLS12-381 (Scott, "A note on group membership tests for G1, G2
/// and GT on BLS pairing-friendly curves", 2021): P ∈ G1 ⇔ φ(P) = [−x²]P with φ(x, y) = (βx, y);
/// Q ∈ G2 ⇔ ψ(Q) = [x]Q with ψ the untwist-Frobenius-twist endomorphism; x = −0xd201000000010000.
extension BLS12 {
    /// |x|.
    static var absX: [UInt64] { [0xd201_0000_0001_0000] }

    /// The cube root of unity β with φ(P) = [−x²]P on G1 (derived from p: β = g^((p−1)/3)).
    static var beta: Fp<BLS12P> {
        Fp(
            canonical: Limbs(
                0x2e01_ffff_fffe_fffe,
                0xde17_d813_620a_0002,
                0xddb3_a93b_e6f8_9688,
                0xba69_c607_6a0f_77ea,
                0x5f19_672f_df76_ce51,
                0x0000_0000_0000_0000
            )
        )
    }

    /// ψ(x, y) = (x̄·c_x, ȳ·c_y) with c_x = ξ^(−(p−1)/3), c_y = ξ^(−(p−1)/2), ξ = 1 + u.
    static var psiX: Fp2<BLS12> {
        Fp2(
            Fp(
                canonical: Limbs(
                    0x0000_0000_0000_0000,
                    0x0000_0000_0000_0000,
                    0x0000_0000_0000_0000,
                    0x0000_0000_0000_0000,
                    0x0000_0000_0000_0000,
                    0x0000_0000_0000_0000
                )
            ),
            Fp(
                canonical: Limbs(
                    0x8bfd_0000_0000_aaad,
                    0x4094_27eb_4f49_fffd,
                    0x897d_2965_0fb8_5f9b,
                    0xaa0d_857d_8975_9ad4,
                    0xec02_4086_63d4_de85,
                    0x1a01_11ea_397f_e699
                )
            )
        )
    }
    static var psiY: Fp2<BLS12> {
        Fp2(
            Fp(
                canonical: Limbs(
                    0xf1ee_7b04_121b_dea2,
                    0x3044_66cf_3e67_fa0a,
                    0xef39_6489_f61e_b45e,
                    0x1c3d_edd9_30b1_cf60,
                    0xe2e9_c448_d77a_2cd9,
                    0x1352_03e6_0180_a68e
                )
            ),
            Fp(
                canonical: Limbs(
                    0xc810_84fb_ede3_cc09,
                    0xee67_992f_72ec_05f4,
                    0x77f7_6e17_0092_41c5,
                    0x4839_5dab_c2d3_435e,
                    0x6831_e36d_6bd1_7ffe,
                    0x06af_0e04_37ff_400b
                )
            )
        )
    }

    /// Whether an on-curve G1 point lies in the order-r subgroup.
    static func isInG1(_ p: G1Point) -> Bool {
        if p.isInfinity { return true }
        let phi = G1Point(x: p.x * beta, y: p.y)
        let xxP = p.jacobian.multiplied(byLimbs: absX).multiplied(byLimbs: absX)
        return xxP.negated.affine == phi
    }

    /// Whether an on-curve G2 point lies in the order-r subgroup.
    static func isInG2(_ q: G2Point) -> Bool {
        if q.isInfinity { return true }
        let psi = G2Point(x: q.x.conjugate * psiX, y: q.y.conjugate * psiY)
        let xQ = q.jacobian.multiplied(byLimbs: absX).negated
        return xQ.affine == psi
    }
}
