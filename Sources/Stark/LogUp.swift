import Algebra

/// The LogUp argument: each interaction `k` of a table gets an extension column
/// `h_k = m_k / (α + bus + Σ_j β^(j+1) v_j)`, and a running-sum column `s` accumulates
/// `Σ_k h_k` row by row. The last row's sum (the table's cumulative sum) is sent in the
/// proof; the sums of all tables must add up to zero, which happens (except with
/// negligible probability) exactly when every bus's sends and receives agree as multisets.
enum LogUp {
    /// Builds the aux trace (`4·(K+1)` base columns: the extension columns' coordinates)
    /// and returns it with the table's cumulative sum.
    static func auxTrace<F: StarkPackedField>(
        air: any Air<F>, trace: RowMajorMatrix<F>, prep: RowMajorMatrix<F>?, publics: [F], numInteractions k: Int,
        alpha: QuarticExtension<F>, betaPowers: [QuarticExtension<F>]
    ) -> (RowMajorMatrix<F>, QuarticExtension<F>) {
        typealias E = QuarticExtension<F>
        let n = trace.height
        var fingerprints = [E](repeating: .one, count: n * k)
        var multiplicities = [F](repeating: .zero, count: n * k)
        let prepValues = prep?.values ?? []
        let prepWidth = prep?.width ?? 0
        trace.values.withUnsafeBufferPointer { t in
            prepValues.withUnsafeBufferPointer { p in
                publics.withUnsafeBufferPointer { pub in
                    fingerprints.withUnsafeMutableBufferPointer { fp in
                        multiplicities.withUnsafeMutableBufferPointer { mu in
                            Parallel.forEachChunk(count: n, minChunk: 256) { range in
                                for row in range {
                                    var b = RowBuilder(
                                        trace: t, width: trace.width, prep: p, prepWidth: prepWidth, publics: pub,
                                        height: n, row: row, collect: true)
                                    air.evalRow(&b)
                                    for (j, i) in b.interactions.prefix(k).enumerated() {
                                        var d = alpha + E(F(i.bus.id))
                                        for (c, v) in i.values.enumerated() where c + 1 < betaPowers.count {
                                            d += betaPowers[c + 1] * v
                                        }
                                        fp[row * k + j] = d
                                        mu[row * k + j] = i.multiplicity
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let inverses = parallelBatchInverse(fingerprints)
        let width = 4 * (k + 1)
        var aux = [F](repeating: .zero, count: n * width)
        var running = E.zero
        for row in 0..<n {
            var rowSum = E.zero
            for j in 0..<k {
                let h = inverses[row * k + j] * multiplicities[row * k + j]
                rowSum += h
                aux[row * width + 4 * j] = h.c0
                aux[row * width + 4 * j + 1] = h.c1
                aux[row * width + 4 * j + 2] = h.c2
                aux[row * width + 4 * j + 3] = h.c3
            }
            running += rowSum
            aux[row * width + 4 * k] = running.c0
            aux[row * width + 4 * k + 1] = running.c1
            aux[row * width + 4 * k + 2] = running.c2
            aux[row * width + 4 * k + 3] = running.c3
        }
        return (RowMajorMatrix(values: aux, width: width), running)
    }
}

/// Batch inversion split over threads (each chunk pays one field inversion).
func parallelBatchInverse<E: Field>(_ values: [E]) -> [E] {
    var out = [E](repeating: .zero, count: values.count)
    values.withUnsafeBufferPointer { v in
        out.withUnsafeMutableBufferPointer { o in
            Parallel.forEachChunk(count: v.count, minChunk: 4096) { range in
                var acc = E.one
                for i in range {
                    o[i] = acc
                    if !v[i].isZero { acc *= v[i] }
                }
                var inv = acc.inverse() ?? .zero
                for i in range.reversed() {
                    if v[i].isZero {
                        o[i] = .zero
                    } else {
                        o[i] *= inv
                        inv *= v[i]
                    }
                }
            }
        }
    }
    return out
}
