import Algebra

/// Evaluations of committed polynomials at the out-of-domain point.
enum Opening {
    /// The barycentric weights over `H` (`|H| = 2^logHeight`) for the point `ζ`:
    /// `w_i = (ζ^n − 1)/n · ω^i / (ζ − ω^i)`, so that `f(ζ) = Σ_i w_i f(ω^i)` for `deg f < n`.
    /// Computed once per height and shared by every matrix of that height.
    @_specialize(where F == KoalaBear)
    @_specialize(where F == BabyBear)
    static func barycentricWeights<F: StarkPackedField>(
        logHeight: Int,
        at zeta: QuarticExtension<F>
    ) -> [QuarticExtension<F>] {
        typealias E = QuarticExtension<F>
        let n = 1 << logHeight
        let omega = F.twoAdicGenerator(logOrder: logHeight)
        let scale = (zeta.exp2(logHeight) - .one) * E(F(UInt32(n)).inverse()!)
        let block = 1024
        let blocks = (n + block - 1) / block
        return makeLargeArray(count: n) { (out: UnsafeMutableBufferPointer<E>) in
            let box = UncheckedSendableBox(out)
            Parallel.forEachChunk(count: blocks) { chunk in
                var prefix = [PackedExt<F>](repeating: .zero, count: block / F.Packing.width + 1)
                prefix.withUnsafeMutableBufferPointer { scratch in
                    for b in chunk {
                        let lo = b * block
                        let hi = min(n, lo + block)
                        let slice = UnsafeMutableBufferPointer(rebasing: box.value[lo..<hi])
                        var x = omega.power(UInt64(lo))
                        for i in 0..<slice.count {
                            slice[i] = zeta - E(x)
                            x *= omega
                        }
                        packedBatchInverseInPlace(slice, scratch: scratch)
                        x = omega.power(UInt64(lo))
                        for i in 0..<slice.count {
                            slice[i] = slice[i] * x * scale
                            x *= omega
                        }
                    }
                }
            }
        }
    }

    /// The trace's columns at `ζ` and `ωζ`, by barycentric interpolation over `H`:
    /// `f(ζ) = Σ_i w_i f(ω^i)` with ``barycentricWeights(logHeight:at:)``; `f(ωζ)` uses the
    /// same weights on the rows shifted by one.
    ///
    /// With `bitReversed`, `m` is a low-degree extension and its first `n` rows are read: row
    /// `j` holds the values at `g·ω^reverseBits(j)`, the coset `g·H` (pass the weights of
    /// `ζ/g`: `f(ζ) = p(ζ/g)` for `p(x) = f(g·x)`, whose values on `H` those rows are).
    @_specialize(where F == KoalaBear)
    @_specialize(where F == BabyBear)
    static func evaluateTrace<F: StarkPackedField>(
        _ m: RowMajorMatrix<F>,
        weights: [QuarticExtension<F>],
        bitReversed: Bool = false
    )
        -> ([QuarticExtension<F>], [QuarticExtension<F>])
    {
        typealias E = QuarticExtension<F>
        let n = weights.count
        let logN = log2Strict(n)
        precondition(bitReversed ? m.height >= n : m.height == n, "weights of another height")
        let w = m.width
        // Packed over the columns: 8 columns per PackedExt accumulator, tail columns scalar.
        let W = F.Packing.width
        let full = w / W
        let threads = max(1, Parallel.maxThreads)
        let chunkCount = min(threads * 2, max(1, n / 64))
        var partialLocal = [[E]](repeating: [E](repeating: .zero, count: w), count: chunkCount)
        var partialNext = partialLocal
        m.values.withUnsafeBufferPointer { v in
            weights.withUnsafeBufferPointer { wt in
                partialLocal.withUnsafeMutableBufferPointer { pl in
                    partialNext.withUnsafeMutableBufferPointer { pn in
                        let plBox = UncheckedSendableBox(pl)
                        let pnBox = UncheckedSendableBox(pn)
                        let vBox = UncheckedSendableBox(v.baseAddress!)
                        Parallel.forEach(count: chunkCount) { c in
                            let lo = n * c / chunkCount
                            let hi = n * (c + 1) / chunkCount
                            var accL = [PackedExt<F>](repeating: .zero, count: full)
                            var accN = [PackedExt<F>](repeating: .zero, count: full)
                            var tailL = [E](repeating: .zero, count: w - full * W)
                            var tailN = tailL
                            accL.withUnsafeMutableBufferPointer { aL in
                                accN.withUnsafeMutableBufferPointer { aN in
                                    for i in lo..<hi {
                                        let x = bitReversed ? reverseBits(i, bits: logN) : i
                                        let wl = wt[x]
                                        let wn = wt[(x + n - 1) & (n - 1)]
                                        let pl = PackedExt<F>(broadcast: wl)
                                        let pn = PackedExt<F>(broadcast: wn)
                                        let row = vBox.value + i * w
                                        for k in 0..<full {
                                            let x = F.Packing(loading: row + k &* W)
                                            aL[k] = aL[k] + pl * x
                                            aN[k] = aN[k] + pn * x
                                        }
                                        for j in 0..<(w - full * W) {
                                            let x = row[full * W + j]
                                            tailL[j] += wl * x
                                            tailN[j] += wn * x
                                        }
                                    }
                                }
                            }
                            var outL = [E](repeating: .zero, count: w)
                            var outN = [E](repeating: .zero, count: w)
                            for k in 0..<full {
                                for l in 0..<W {
                                    outL[k * W + l] = accL[k][l]
                                    outN[k * W + l] = accN[k][l]
                                }
                            }
                            for j in 0..<(w - full * W) {
                                outL[full * W + j] = tailL[j]
                                outN[full * W + j] = tailN[j]
                            }
                            plBox.value[c] = outL
                            pnBox.value[c] = outN
                        }
                    }
                }
            }
        }
        var local = [E](repeating: .zero, count: w)
        var next = [E](repeating: .zero, count: w)
        for c in 0..<chunkCount {
            for col in 0..<w {
                local[col] += partialLocal[c][col]
                next[col] += partialNext[c][col]
            }
        }
        return (local, next)
    }

    /// Each column of a coefficient matrix (row `j` = coefficient of `x^j`) evaluated at `ζ`:
    /// Horner's rule on contiguous row ranges in parallel (range `[lo, hi)` scaled by `ζ^lo`),
    /// eight columns per packed accumulator.
    @_specialize(where F == KoalaBear)
    @_specialize(where F == BabyBear)
    static func evaluateCoefficients<F: StarkPackedField>(
        _ m: RowMajorMatrix<F>,
        at zeta: QuarticExtension<F>
    )
        -> [QuarticExtension<F>]
    {
        typealias E = QuarticExtension<F>
        let W = F.Packing.width
        let w = m.width
        let full = w / W
        let h = m.height
        let chunks = max(1, min(2 * Parallel.maxThreads, h / 4096))
        var partial = [[E]](repeating: [], count: chunks)
        m.values.withUnsafeBufferPointer { v in
            partial.withUnsafeMutableBufferPointer { out in
                let box = UncheckedSendableBox(out)
                let base = UncheckedSendableBox(v.baseAddress!)
                Parallel.forEach(count: chunks) { c in
                    let lo = h * c / chunks
                    let hi = h * (c + 1) / chunks
                    let z = PackedExt<F>(broadcast: zeta)
                    var packed = [PackedExt<F>](repeating: .zero, count: full)
                    var tail = [E](repeating: .zero, count: w - full * W)
                    for j in stride(from: hi - 1, through: lo, by: -1) {
                        let row = base.value + j * w
                        for k in 0..<full { packed[k] = packed[k] * z + F.Packing(loading: row + k * W) }
                        for t in 0..<tail.count { tail[t] = tail[t] * zeta + row[full * W + t] }
                    }
                    let shift = zeta.power(UInt64(lo))
                    var acc = [E](repeating: .zero, count: w)
                    for k in 0..<full {
                        for l in 0..<W { acc[k * W + l] = packed[k][l] * shift }
                    }
                    for t in 0..<tail.count { acc[full * W + t] = tail[t] * shift }
                    box.value[c] = acc
                }
            }
        }
        var acc = [E](repeating: .zero, count: w)
        for p in partial {
            for c in 0..<w { acc[c] += p[c] }
        }
        return acc
    }
}
