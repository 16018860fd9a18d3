import Algebra

/// The quotient `Q = (Σ_k λ^(K-1-k) C_k) / Z_H` of one table, computed on the quotient
/// domain `g·H_M` (`M = n · 2^logQuotientDegree`, the first `M` rows of the bit-reversed
/// LDE) and returned as coefficients split into `2^logQuotientDegree` chunks of `n`:
/// `Q(x) = Σ_i x^(i·n) Q_i(x)`, chunk `i` in base columns `4i ..< 4i + 4`.
enum Quotient {
    @_specialize(where F == KoalaBear)
    @_specialize(where F == BabyBear)
    static func compute<F: StarkPackedField>(
        air: any Air<F>,
        shape: AirShape,
        logHeight: Int,
        logBlowup: Int,
        main: RowMajorMatrix<F>,
        prep: RowMajorMatrix<F>?,
        aux: RowMajorMatrix<F>?,
        publics: [F],
        lambda: QuarticExtension<F>,
        logupAlpha: QuarticExtension<F>,
        betaPowers: [QuarticExtension<F>],
        cumulativeSum: QuarticExtension<F>
    ) -> RowMajorMatrix<F> {
        typealias E = QuarticExtension<F>
        typealias Packed = F.Packing
        let W = Packed.width
        let n = 1 << logHeight
        let lq = shape.logQuotientDegree
        let qd = 1 << lq
        let logM = logHeight + lq
        let M = 1 << logM
        let g = F.generator
        let numK = shape.numConstraints + shape.numLogUpConstraints

        // λ powers, highest first.
        var lambdaPowers = [E](repeating: .one, count: max(1, numK))
        if numK > 0 {
            for k in stride(from: numK - 2, through: 0, by: -1) { lambdaPowers[k] = lambdaPowers[k + 1] * lambda }
        }

        // Points x_r = g·ω_M^r in natural order, and the selector denominators.
        let omegaM = F.twoAdicGenerator(logOrder: logM)
        let omegaInv = F.twoAdicGenerator(logOrder: logHeight).inverse()!
        let xs = Domain.powers(of: omegaM, count: M, start: g)
        let invXm1 = parallelBatchInverse(xs.map { $0 - .one })
        let invXmw = parallelBatchInverse(xs.map { $0 - omegaInv })
        // Z_H(x_r) = g^n ω_qd^(r mod qd) − 1.
        let gn = g.exp2(logHeight)
        let omegaQ = F.twoAdicGenerator(logOrder: lq)
        let zs = Domain.powers(of: omegaQ, count: qd, start: gn).map { $0 - .one }
        let zInv = zs.map { $0.inverse()! }

        let w = main.width
        let pw = prep?.width ?? 0
        let aw = aux?.width ?? 0
        let numColumns = shape.logUpColumns.count
        // Per interaction: whether it closes its LogUp column (a buffer the folders can share).
        let closesList = shape.closesLogUpColumn
        let closes = UnsafeMutablePointer<Bool>.allocate(capacity: max(1, closesList.count))
        closes.initialize(repeating: false, count: max(1, closesList.count))
        for (i, c) in closesList.enumerated() { closes[i] = c }
        defer { closes.deallocate() }
        var out = [F](repeating: .zero, count: M * 4)
        let prepValues = prep?.values ?? []
        let auxValues = aux?.values ?? []
        let chunks = (M + W - 1) / W

        main.values.withUnsafeBufferPointer { mainV in
            prepValues.withUnsafeBufferPointer { prepV in
                auxValues.withUnsafeBufferPointer { auxV in
                    publics.withUnsafeBufferPointer { pub in
                        lambdaPowers.withUnsafeBufferPointer { lp in
                            betaPowers.withUnsafeBufferPointer { bp in
                                out.withUnsafeMutableBufferPointer { outV in
                                    Parallel.forEachChunk(count: chunks, minChunk: 16) { range in
                                        let scratchCount = 2 * (w + pw + aw) * W + 4 * W + W
                                        let scratch = UnsafeMutablePointer<F>.allocate(capacity: max(1, scratchCount))
                                        defer { scratch.deallocate() }
                                        let local = scratch
                                        let next = local + w * W
                                        let pLocal = next + w * W
                                        let pNext = pLocal + pw * W
                                        let aLocal = pNext + pw * W
                                        let aNext = aLocal + aw * W
                                        let sel = aNext + aw * W
                                        for chunk in range {
                                            let r0 = chunk * W
                                            if W == 8 && M >= 8 {
                                                // Eight rows at once: 8 × 8 word transposes.
                                                var s8 = SIMD8<Int>()
                                                var n8 = SIMD8<Int>()
                                                for l in 0..<8 {
                                                    let r = (r0 + l) & (M - 1)
                                                    s8[l] = reverseBits(r, bits: logM)
                                                    n8[l] = reverseBits((r + qd) & (M - 1), bits: logM)
                                                }
                                                func gather(
                                                    _ v: UnsafeBufferPointer<F>,
                                                    _ cw: Int,
                                                    _ idx: SIMD8<Int>,
                                                    _ dst: UnsafeMutablePointer<F>
                                                ) {
                                                    guard cw > 0, let b = v.baseAddress else { return }
                                                    gatherRows8(
                                                        (
                                                            b + idx[0] &* cw, b + idx[1] &* cw, b + idx[2] &* cw,
                                                            b + idx[3] &* cw,
                                                            b + idx[4] &* cw, b + idx[5] &* cw, b + idx[6] &* cw,
                                                            b + idx[7] &* cw
                                                        ),
                                                        width: cw,
                                                        into: dst
                                                    )
                                                }
                                                gather(mainV, w, s8, local)
                                                gather(mainV, w, n8, next)
                                                gather(prepV, pw, s8, pLocal)
                                                gather(prepV, pw, n8, pNext)
                                                gather(auxV, aw, s8, aLocal)
                                                gather(auxV, aw, n8, aNext)
                                            }
                                            for l in 0..<W {
                                                let r = (r0 + l) & (M - 1)
                                                if W != 8 || M < 8 {
                                                    let s = reverseBits(r, bits: logM)
                                                    let sn = reverseBits((r + qd) & (M - 1), bits: logM)
                                                    for c in 0..<w {
                                                        local[c * W + l] = mainV[s * w + c]
                                                        next[c * W + l] = mainV[sn * w + c]
                                                    }
                                                    for c in 0..<pw {
                                                        pLocal[c * W + l] = prepV[s * pw + c]
                                                        pNext[c * W + l] = prepV[sn * pw + c]
                                                    }
                                                    for c in 0..<aw {
                                                        aLocal[c * W + l] = auxV[s * aw + c]
                                                        aNext[c * W + l] = auxV[sn * aw + c]
                                                    }
                                                }
                                                let z = zs[r & (qd - 1)]
                                                sel[l] = z * invXm1[r]
                                                sel[W + l] = z * invXmw[r]
                                                sel[2 * W + l] = xs[r] - omegaInv
                                            }
                                            var folder = ProverFolder<F>(
                                                local: local,
                                                nextRow: next,
                                                prepLocal: pLocal,
                                                prepNext: pNext,
                                                auxLocal: aLocal,
                                                auxNext: aNext,
                                                publics: pub.baseAddress ?? UnsafePointer(local),
                                                first: Packed(loading: sel),
                                                last: Packed(loading: sel + W),
                                                transition: Packed(loading: sel + 2 * W),
                                                lambdaPowers: lp.baseAddress!,
                                                logupAlpha: logupAlpha,
                                                betaPowers: bp.baseAddress!,
                                                cumulativeSum: cumulativeSum,
                                                closesColumn: closes
                                            )
                                            air.evalProver(&folder)
                                            folder.finish(numColumns: numColumns)
                                            for l in 0..<W where r0 + l < M {
                                                let r = r0 + l
                                                let q = folder.acc[l] * zInv[r & (qd - 1)]
                                                outV[4 * r] = q.c0
                                                outV[4 * r + 1] = q.c1
                                                outV[4 * r + 2] = q.c2
                                                outV[4 * r + 3] = q.c3
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        // Coefficients of Q on the coset, then split into chunks of n.
        let coeffs = Backend.interpolateCoset(RowMajorMatrix(values: out, width: 4), shift: g)
        var split = [F](repeating: .zero, count: n * 4 * qd)
        let qw = 4 * qd
        for i in 0..<qd {
            for j in 0..<n {
                let dst: Int = j * qw + 4 * i
                let src: Int = (i * n + j) * 4
                for k in 0..<4 { split[dst + k] = coeffs.values[src + k] }
            }
        }
        return RowMajorMatrix(values: split, width: 4 * qd)
    }
}
