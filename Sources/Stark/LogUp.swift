import Algebra

/// The LogUp argument: each interaction `k` of a table has the fraction
/// `m_k / d_k`, `d_k = α + bus + Σ_j β^(j+1) v_j`; the interactions are packed into extension
/// columns (``AirShape/logUpColumns``), each holding the sum of its fractions, and a running-sum
/// column `s` accumulates the columns row by row. The last row's sum (the table's cumulative
/// sum) is sent in the proof; the sums of all tables must add up to zero, which happens (except
/// with negligible probability) exactly when every bus's sends and receives agree as multisets.
enum LogUp {
    /// Builds the aux trace (`4·(C+1)` base columns for `C` LogUp columns: the extension
    /// columns' coordinates) straight into its low-degree extension (the trace itself is never
    /// stored: row `r` is written at row `reverseBits(r)` of the LDE's first block, see
    /// ``RowMajorMatrix/cosetLDEBitReversed(width:height:logBlowup:shift:writeRows:)``), and
    /// returns the LDE with the table's cumulative sum.
    @_specialize(where F == KoalaBear)
    @_specialize(where F == BabyBear)
    static func auxLDE<F: StarkPackedField>(
        air: any Air<F>,
        trace: RowMajorMatrix<F>,
        prep: RowMajorMatrix<F>?,
        publics: [F],
        columns: [Range<Int>],
        alpha: QuarticExtension<F>,
        betaPowers: [QuarticExtension<F>],
        logBlowup: Int
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
        let logN = log2Strict(n)
        let lde = RowMajorMatrix<F>.cosetLDEBitReversed(
            width: width,
            height: n,
            logBlowup: logBlowup,
            shift: F.generator
        ) { (a: UnsafeMutableBufferPointer<F>) in
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
                                // Full blocks (tables of at least `block` rows) take the packed
                                // path; it declines a block with a zero fingerprint.
                                var packed =
                                    n >= block
                                    ? PackedScratch<F>(
                                        groups: block / F.Packing.width,
                                        k: k,
                                        width: trace.width,
                                        prepWidth: prepWidth,
                                        auxWidth: width
                                    )
                                    : nil
                                for blockIndex in chunk {
                                    let rows = (blockIndex * block)..<min(n, (blockIndex + 1) * block)
                                    if packed != nil,
                                        let total = packedBlock(
                                            air: air,
                                            rows: rows,
                                            height: n,
                                            trace: t,
                                            traceWidth: trace.width,
                                            prep: p,
                                            prepWidth: prepWidth,
                                            publics: pub,
                                            columns: columns,
                                            alpha: alpha,
                                            betaPowers: betaPowers,
                                            scratch: &packed!,
                                            aux: a,
                                            width: width
                                        )
                                    {
                                        totals[blockIndex] = total
                                        continue
                                    }
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
                                        width: width,
                                        logHeight: logN
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
                            let at = reverseBits(row, bits: logN) * width + 4 * c
                            store(E(a[at], a[at + 1], a[at + 2], a[at + 3]) + o, into: a, at: at)
                        }
                    }
                }
            }
        }
        let total = blockTotals.reduce(E.zero, +)
        return (lde, total)
    }

    /// Per-thread scratch of the packed path: gathered rows, and per group of `W` rows and
    /// interaction the packed fingerprint (inverted in place), multiplicity and prefix product.
    struct PackedScratch<F: StarkPackedField> {
        var fingerprints: [PackedExt<F>]
        var multiplicities: [F.Packing]
        var prefix: [PackedExt<F>]
        /// main local, main next, prep local, prep next (column-major lanes), selectors, then
        /// one group's aux values (column-major lanes).
        var lanes: [F]
        let groups: Int
        let k: Int

        init(groups: Int, k: Int, width: Int, prepWidth: Int, auxWidth: Int) {
            let W = F.Packing.width
            self.groups = groups
            self.k = k
            fingerprints = [PackedExt<F>](repeating: .zero, count: groups * k)
            multiplicities = [F.Packing](repeating: .zero, count: groups * k)
            prefix = [PackedExt<F>](repeating: .zero, count: groups * k)
            lanes = [F](repeating: .zero, count: (2 * width + 2 * prepWidth + 3 + auxWidth) * W)
        }
    }

    /// The packed path for one full block: the AIR runs on `W` rows at once
    /// (``LogUpFolder``), and all fingerprints of the block are inverted in one lane-parallel
    /// batch. Writes the block's aux rows like ``fillBlock`` and returns its sum, or returns
    /// `nil` (writing nothing) when a fingerprint is zero, which an honest trace meets with
    /// negligible probability; ``fillBlock`` then handles the block.
    @inline(__always)
    static func packedBlock<F: StarkPackedField>(
        air: any Air<F>,
        rows: Range<Int>,
        height n: Int,
        trace t: UnsafeBufferPointer<F>,
        traceWidth w: Int,
        prep p: UnsafeBufferPointer<F>,
        prepWidth pw: Int,
        publics pub: UnsafeBufferPointer<F>,
        columns: [Range<Int>],
        alpha: QuarticExtension<F>,
        betaPowers: [QuarticExtension<F>],
        scratch s: inout PackedScratch<F>,
        aux a: UnsafeMutableBufferPointer<F>,
        width: Int
    ) -> QuarticExtension<F>? {
        typealias E = QuarticExtension<F>
        typealias Packed = F.Packing
        let W = Packed.width
        let logN = log2Strict(n)
        let k = s.k
        let groups = s.groups
        precondition(rows.count == groups * W, "a packed block is full")
        let c = columns.count
        return s.fingerprints.withUnsafeMutableBufferPointer { fp in
            s.multiplicities.withUnsafeMutableBufferPointer { mu in
                s.prefix.withUnsafeMutableBufferPointer { pre in
                    s.lanes.withUnsafeMutableBufferPointer { lanes in
                        betaPowers.withUnsafeBufferPointer { bp in
                            let local = lanes.baseAddress!
                            let next = local + w * W
                            let pLocal = next + w * W
                            let pNext = pLocal + pw * W
                            let sel = pNext + pw * W
                            let out = sel + 3 * W
                            let publics = pub.baseAddress ?? UnsafePointer(local)
                            // Each row's lane values: main and fixed columns of the row and of the
                            // next row (cyclically), and the row selectors.
                            func gather(
                                _ v: UnsafeBufferPointer<F>,
                                _ cw: Int,
                                _ first: Int,
                                _ dst: UnsafeMutablePointer<F>
                            ) {
                                guard cw > 0, let base = v.baseAddress else { return }
                                for l in 0..<W {
                                    let row = (first + l) & (n - 1)
                                    for col in 0..<cw { dst[col * W + l] = base[row * cw + col] }
                                }
                            }
                            for g in 0..<groups {
                                let r0 = rows.lowerBound + g * W
                                gather(t, w, r0, local)
                                gather(t, w, r0 + 1, next)
                                gather(p, pw, r0, pLocal)
                                gather(p, pw, r0 + 1, pNext)
                                for l in 0..<W {
                                    let row = r0 + l
                                    sel[l] = row == 0 ? .one : .zero
                                    sel[W + l] = row == n - 1 ? .one : .zero
                                    sel[2 * W + l] = row == n - 1 ? .zero : .one
                                }
                                var folder = LogUpFolder<F>(
                                    local: local,
                                    nextRow: next,
                                    prepLocal: pLocal,
                                    prepNext: pNext,
                                    publics: publics,
                                    first: Packed(loading: sel),
                                    last: Packed(loading: sel + W),
                                    transition: Packed(loading: sel + 2 * W),
                                    alpha: alpha,
                                    betaPowers: bp,
                                    fingerprints: fp.baseAddress! + g * k,
                                    multiplicities: mu.baseAddress! + g * k,
                                    capacity: k
                                )
                                air.evalLogUp(&folder)
                                for j in folder.interactionCount..<k {
                                    fp[g * k + j] = PackedExt(broadcast: .one)
                                    mu[g * k + j] = .zero
                                }
                            }
                            guard packedBatchInverseInPlace(packed: fp, scratch: pre) else { return nil }
                            // Column values (sums of their fractions) and the running sum, row by row.
                            var running = E.zero
                            for g in 0..<groups {
                                var rowSum = PackedExt<F>.zero
                                for (j, column) in columns.enumerated() {
                                    var h = PackedExt<F>.zero
                                    for i in column { h = h + fp[g * k + i] * mu[g * k + i] }
                                    rowSum = rowSum + h
                                    h.c0.store(to: out + (4 * j) * W)
                                    h.c1.store(to: out + (4 * j + 1) * W)
                                    h.c2.store(to: out + (4 * j + 2) * W)
                                    h.c3.store(to: out + (4 * j + 3) * W)
                                }
                                let r0 = rows.lowerBound + g * W
                                for l in 0..<W {
                                    running += rowSum[l]
                                    let base = reverseBits(r0 + l, bits: logN) * width
                                    for q in 0..<(4 * c) { a[base + q] = out[q * W + l] }
                                    store(running, into: a, at: base + 4 * c)
                                }
                            }
                            return running
                        }
                    }
                }
            }
        }
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
        width: Int,
        logHeight logN: Int
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
                        let base = reverseBits(row, bits: logN) * width
                        for (j, column) in columns.enumerated() {
                            var h = E.zero
                            for i in column where !mu[r * k + i].isZero {
                                h += fp[r * k + i] * mu[r * k + i]
                            }
                            running += h
                            store(h, into: a, at: base + 4 * j)
                        }
                        store(running, into: a, at: base + 4 * c)
                    }
                    return running
                }
            }
        }
    }

    /// Writes the four coordinates of `e` at `a[at ..< at + 4]` (one extension column of a row).
    @inline(__always)
    static func store<F: StarkPackedField>(_ e: QuarticExtension<F>, into a: UnsafeMutableBufferPointer<F>, at: Int) {
        a[at] = e.c0
        a[at + 1] = e.c1
        a[at + 2] = e.c2
        a[at + 3] = e.c3
    }
}
