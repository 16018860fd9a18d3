import Algebra

/// The LogUp argument: each interaction `k` of a table has the fraction
/// `m_k / d_k`, `d_k = α + bus + Σ_j β^(j+1) v_j`; the interactions are packed into extension
/// columns (``AirShape/logUpColumns``), each holding the sum of its fractions, and a running-sum
/// column `s` accumulates the columns row by row. The last row's sum (the table's cumulative
/// sum) is sent in the proof; the sums of all tables must add up to zero, which happens (except
/// with negligible probability) exactly when every bus's sends and receives agree as multisets.
enum LogUp {
    /// Builds the aux trace (`4·(C+1)` base columns for `C` LogUp columns: the extension
    /// columns' coordinates) and returns it with the table's cumulative sum.
    @_specialize(where F == KoalaBear)
    @_specialize(where F == BabyBear)
    static func auxTrace<F: StarkPackedField>(
        air: any Air<F>,
        trace: RowMajorMatrix<F>,
        prep: RowMajorMatrix<F>?,
        publics: [F],
        columns: [Range<Int>],
        alpha: QuarticExtension<F>,
        betaPowers: [QuarticExtension<F>]
    ) -> (RowMajorMatrix<F>, QuarticExtension<F>) {
        typealias E = QuarticExtension<F>
        let n = trace.height
        let k = columns.last?.upperBound ?? 0
        // Fingerprints, zero where the multiplicity is zero: such a fraction adds nothing, and
        // the batch inversion skips zeros (padding rows and idle interactions cost no inversion).
        var fingerprints = [E](repeating: .zero, count: n * k)
        var multiplicities = [F](repeating: .zero, count: n * k)
        let prepValues = prep?.values ?? []
        let prepWidth = prep?.width ?? 0
        trace.values.withUnsafeBufferPointer { t in
            prepValues.withUnsafeBufferPointer { p in
                publics.withUnsafeBufferPointer { pub in
                    fingerprints.withUnsafeMutableBufferPointer { fp in
                        multiplicities.withUnsafeMutableBufferPointer { mu in
                            Parallel.forEachChunk(count: n, minChunk: 256) { range in
                                var b = RowBuilder(
                                    trace: t,
                                    width: trace.width,
                                    prep: p,
                                    prepWidth: prepWidth,
                                    publics: pub,
                                    height: n,
                                    row: range.lowerBound,
                                    collect: true
                                )
                                for row in range {
                                    b.reset(row: row)
                                    air.evalRow(&b)
                                    for j in 0..<min(k, b.interactionBuses.count) {
                                        let m = b.interactionMultiplicities[j]
                                        if m.isZero { continue }
                                        var d = alpha + E(F(b.interactionBuses[j]))
                                        for (c, v) in b.interactionValues(j).enumerated()
                                        where c + 1 < betaPowers.count {
                                            d += betaPowers[c + 1] * v
                                        }
                                        fp[row * k + j] = d
                                        mu[row * k + j] = m
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let inverses = parallelBatchInverse(fingerprints)
        let c = columns.count
        let width = 4 * (c + 1)
        var aux = [F](repeating: .zero, count: n * width)
        // Each row's column values and row sum in parallel, then the running sum.
        var rowSums = [E](repeating: .zero, count: n)
        inverses.withUnsafeBufferPointer { inv in
            multiplicities.withUnsafeBufferPointer { mu in
                aux.withUnsafeMutableBufferPointer { a in
                    rowSums.withUnsafeMutableBufferPointer { sums in
                        Parallel.forEachChunk(count: n, minChunk: 1024) { range in
                            for row in range {
                                var rowSum = E.zero
                                for (j, column) in columns.enumerated() {
                                    var h = E.zero
                                    for i in column where !mu[row * k + i].isZero {
                                        h += inv[row * k + i] * mu[row * k + i]
                                    }
                                    rowSum += h
                                    a[row * width + 4 * j] = h.c0
                                    a[row * width + 4 * j + 1] = h.c1
                                    a[row * width + 4 * j + 2] = h.c2
                                    a[row * width + 4 * j + 3] = h.c3
                                }
                                sums[row] = rowSum
                            }
                        }
                    }
                }
            }
        }
        var running = E.zero
        for row in 0..<n {
            running += rowSums[row]
            aux[row * width + 4 * c] = running.c0
            aux[row * width + 4 * c + 1] = running.c1
            aux[row * width + 4 * c + 2] = running.c2
            aux[row * width + 4 * c + 3] = running.c3
        }
        return (RowMajorMatrix(values: aux, width: width), running)
    }
}

/// Batch inversion split over threads (each chunk pays one field inversion).
@_specialize(where E == KoalaBear)
@_specialize(where E == BabyBear)
@_specialize(where E == QuarticExtension<KoalaBear>)
@_specialize(where E == QuarticExtension<BabyBear>)
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
