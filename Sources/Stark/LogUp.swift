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
        let c = columns.count
        let width = 4 * (c + 1)
        let prepValues = prep?.values ?? []
        let prepWidth = prep?.width ?? 0
        // Rows go in blocks of `block`: each block's fingerprints are computed, inverted in one
        // batch and summed into the aux row in cache-sized scratch, so no array of all the
        // table's fractions is ever built. Each block's running sum starts at zero; a second
        // pass adds the sum of all earlier blocks.
        let block = 512
        let blocks = (n + block - 1) / block
        var blockTotals = [E](repeating: .zero, count: blocks)
        let aux = makeLargeArray(count: n * width) { (a: UnsafeMutableBufferPointer<F>) in
            trace.values.withUnsafeBufferPointer { t in
                prepValues.withUnsafeBufferPointer { p in
                    publics.withUnsafeBufferPointer { pub in
                        blockTotals.withUnsafeMutableBufferPointer { totals in
                            Parallel.forEachChunk(count: blocks) { chunk in
                                var b = RowBuilder(
                                    trace: t,
                                    width: trace.width,
                                    prep: p,
                                    prepWidth: prepWidth,
                                    publics: pub,
                                    height: n,
                                    row: chunk.lowerBound * block,
                                    collect: true
                                )
                                var scratch = BlockScratch<F>(count: block * k)
                                for blockIndex in chunk {
                                    let rows = (blockIndex * block)..<min(n, (blockIndex + 1) * block)
                                    totals[blockIndex] = fillBlock(
                                        air: air,
                                        builder: &b,
                                        rows: rows,
                                        k: k,
                                        columns: columns,
                                        alpha: alpha,
                                        betaPowers: betaPowers,
                                        scratch: &scratch,
                                        aux: a,
                                        width: width
                                    )
                                }
                            }
                        }
                    }
                }
            }
            // Offsets: the sum of all earlier blocks, added to each block's running column.
            var offsets = [E](repeating: .zero, count: blocks)
            var acc = E.zero
            for i in 0..<blocks {
                offsets[i] = acc
                acc += blockTotals[i]
            }
            offsets.withUnsafeBufferPointer { off in
                Parallel.forEachChunk(count: blocks) { chunk in
                    for blockIndex in chunk where !off[blockIndex].isZero {
                        let o = off[blockIndex]
                        for row in (blockIndex * block)..<min(n, (blockIndex + 1) * block) {
                            let at = row * width + 4 * c
                            let s = E(a[at], a[at + 1], a[at + 2], a[at + 3]) + o
                            a[at] = s.c0
                            a[at + 1] = s.c1
                            a[at + 2] = s.c2
                            a[at + 3] = s.c3
                        }
                    }
                }
            }
        }
        let total = blockTotals.reduce(E.zero, +)
        return (RowMajorMatrix(values: aux, width: width), total)
    }

    /// Per-thread scratch of one block: fingerprints (inverted in place), multiplicities, and
    /// the prefix products of the batch inversion.
    struct BlockScratch<F: StarkPackedField> {
        var fingerprints: [QuarticExtension<F>]
        var multiplicities: [F]
        var prefix: [PackedExt<F>]

        init(count: Int) {
            fingerprints = [QuarticExtension<F>](repeating: .zero, count: count)
            multiplicities = [F](repeating: .zero, count: count)
            prefix = [PackedExt<F>](repeating: .zero, count: count / F.Packing.width + 1)
        }
    }

    /// Writes the LogUp columns and the block-local running sum of `rows` into `aux`; returns
    /// the block's sum.
    ///
    /// A fingerprint is left zero where the multiplicity is zero: such a fraction adds nothing,
    /// and the batch inversion skips zeros (padding rows and idle interactions cost no inversion).
    @inline(__always)
    static func fillBlock<F: StarkPackedField>(
        air: any Air<F>,
        builder b: inout RowBuilder<F>,
        rows: Range<Int>,
        k: Int,
        columns: [Range<Int>],
        alpha: QuarticExtension<F>,
        betaPowers: [QuarticExtension<F>],
        scratch: inout BlockScratch<F>,
        aux a: UnsafeMutableBufferPointer<F>,
        width: Int
    ) -> QuarticExtension<F> {
        typealias E = QuarticExtension<F>
        let used = rows.count * k
        return scratch.fingerprints.withUnsafeMutableBufferPointer { fp in
            scratch.multiplicities.withUnsafeMutableBufferPointer { mu in
                scratch.prefix.withUnsafeMutableBufferPointer { pre in
                    // Fingerprints and multiplicities of every interaction of every row.
                    for (r, row) in rows.enumerated() {
                        b.reset(row: row)
                        air.evalRow(&b)
                        let present = min(k, b.interactionBuses.count)
                        for j in 0..<k {
                            let m = j < present ? b.interactionMultiplicities[j] : F.zero
                            mu[r * k + j] = m
                            if m.isZero {
                                fp[r * k + j] = .zero
                                continue
                            }
                            var d = alpha + E(F(b.interactionBuses[j]))
                            for (c, v) in b.interactionValues(j).enumerated() where c + 1 < betaPowers.count {
                                d += betaPowers[c + 1] * v
                            }
                            fp[r * k + j] = d
                        }
                    }
                    // Batch inversion in place, zeros skipped (one field inversion per block).
                    packedBatchInverseInPlace(UnsafeMutableBufferPointer(rebasing: fp[0..<used]), scratch: pre)
                    // Column values (sums of their fractions) and the block's running sum.
                    let c = columns.count
                    var running = E.zero
                    for (r, row) in rows.enumerated() {
                        let base = row * width
                        for (j, column) in columns.enumerated() {
                            var h = E.zero
                            for i in column where !mu[r * k + i].isZero {
                                h += fp[r * k + i] * mu[r * k + i]
                            }
                            running += h
                            a[base + 4 * j] = h.c0
                            a[base + 4 * j + 1] = h.c1
                            a[base + 4 * j + 2] = h.c2
                            a[base + 4 * j + 3] = h.c3
                        }
                        a[base + 4 * c] = running.c0
                        a[base + 4 * c + 1] = running.c1
                        a[base + 4 * c + 2] = running.c2
                        a[base + 4 * c + 3] = running.c3
                    }
                    return running
                }
            }
        }
    }
}
