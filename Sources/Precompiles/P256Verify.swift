/// secp256r1 (NIST P-256) ECDSA verification, precompile 0x100 (EIP-7951, Osaka).
enum P256 {
    enum Curve: CurveConfig {
        typealias F = Fp<P256P>
        static var a: F { -F(3) }
        static var b: F {
            F(
                canonical: Limbs(
                    0x3bce_3c3e_27d2_604b,
                    0x651d_06b0_cc53_b0f6,
                    0xb3eb_bd55_7698_86bc,
                    0x5ac6_35d8_aa3a_93e7,
                    0,
                    0,
                )
            )
        }
    }

    static var generator: AffinePoint<Curve> {
        AffinePoint(
            x: Fp(
                canonical: Limbs(
                    0xf4a1_3945_d898_c296,
                    0x7703_7d81_2deb_33a0,
                    0xf8bc_e6e5_63a4_40f2,
                    0x6b17_d1f2_e12c_4247,
                    0,
                    0,
                )
            ),
            y: Fp(
                canonical: Limbs(
                    0xcbb6_4068_37bf_51f5,
                    0x2bce_3357_6b31_5ece,
                    0x8ee7_eb4a_7c0f_9e16,
                    0x4fe3_42e2_fe1a_7f9b,
                    0,
                    0,
                )
            )
        )
    }

    /// Little-endian limbs of 32 big-endian bytes.
    static func limbs(_ b: ArraySlice<UInt8>) -> Limbs { Fp<P256N>.parseLimbs(b) ?? Limbs(repeating: 0) }

    static func isZero(_ l: Limbs) -> Bool { l[0] | l[1] | l[2] | l[3] == 0 }

    /// x − n when x ≥ n (x < 2²⁵⁶ < 2n), as limbs.
    static func reduceOnce(_ x: Limbs) -> Limbs {
        let n = P256N.modulus
        if Fp<P256N>.less(x, n) { return x }
        var r = x
        var borrow: UInt64 = 0
        for i in 0..<4 {
            let (d1, b1) = x[i].subtractingReportingOverflow(n[i])
            let (d2, b2) = d1.subtractingReportingOverflow(borrow)
            r[i] = d2
            borrow = (b1 || b2) ? 1 : 0
        }
        return r
    }

    /// Whether (r, s) is a valid signature of the 32-byte hash by the public key (qx, qy).
    static func verify(input: [UInt8]) -> Bool {
        guard input.count == 160 else { return false }
        let h = reduceOnce(limbs(input[0..<32]))
        let r = limbs(input[32..<64])
        let s = limbs(input[64..<96])
        guard !isZero(r), Fp<P256N>.less(r, P256N.modulus), !isZero(s), Fp<P256N>.less(s, P256N.modulus) else {
            return false
        }
        guard let qx = Fp<P256P>(bigEndian: input[96..<128]), let qy = Fp<P256P>(bigEndian: input[128..<160]) else {
            return false
        }
        if qx.isZero && qy.isZero { return false }
        let q = AffinePoint<Curve>(x: qx, y: qy)
        guard q.isOnCurve else { return false }
        let sInv = Fp<P256N>(canonical: s).inverse()
        let u1 = (Fp<P256N>(canonical: h) * sInv).bigEndianBytes
        let u2 = (Fp<P256N>(canonical: r) * sInv).bigEndianBytes
        let point = generator.jacobian.multiplied(byBigEndian: u1[...]) + q.jacobian.multiplied(byBigEndian: u2[...])
        if point.isInfinity { return false }
        let x = reduceOnce(point.affine.x.canonical)
        for i in 0..<4 where x[i] != r[i] { return false }
        return true
    }

    /// 6900 gas; returns 32 bytes ending in 1 for a valid signature, nothing otherwise.
    static func run(input: [UInt8], gasLimit: UInt64) -> Result<PrecompileOutput, PrecompileError> {
        let gas = PrecompileGas.p256Verify
        guard gas <= gasLimit else { return .failure(.outOfGas) }
        if verify(input: input) {
            var out = [UInt8](repeating: 0, count: 32)
            out[31] = 1
            return .success(PrecompileOutput(gasUsed: gas, output: out))
        }
        return .success(PrecompileOutput(gasUsed: gas, output: []))
    }
}
