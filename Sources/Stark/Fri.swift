import Algebra
import Hashing

/// The FRI polynomial commitment: DEEP batching of the committed columns, folding by
/// `2^s` per round (``FriParameters/logFoldingArity``), final polynomial in the clear, query
/// phase with grinding.
///
/// Conventions: every codeword of size `2^L` is stored bit-reversed over the coset `g·H_{2^L}`
/// (row `i` ↔ `g·ω^bitrev(i)`), so the pair at rows `2i, 2i+1` is `{x, −x}` and folds to row `i`.
/// After a fold the values are read again over `g·H` (a shift of the domain keeps degrees).
///
/// A round that folds by `2^s` commits the codeword in leaves of `2^s` consecutive rows (the
/// rows that fold to one row after `s` binary folds) and, after its challenge `β`, applies `s`
/// binary folds with `β, β², β⁴, …`: together `Σ_j β^j f_j`, the fold by `2^s` with one
/// challenge. A shorter codeword joins the chain (`+ β²·ro`, `β` the round's challenge) only at a
/// round boundary: rounds stop at every height present.
enum Fri {
    /// The rounds' folding exponents `s` (round folds by `2^s`) from a codeword of `2^maxLog`
    /// down to the final one of `2^finalLog`: at most `logArity` each, ending at every height
    /// in `heights` (where a shorter codeword joins the chain) and at `finalLog`.
    static func foldSchedule(maxLog: Int, finalLog: Int, heights: Set<Int>, logArity: Int) -> [Int] {
        var out: [Int] = []
        var L = maxLog
        while L > finalLog {
            var s = min(max(1, logArity), L - finalLog)
            if let h = heights.filter({ $0 < L && $0 > L - s }).max() { s = L - h }
            out.append(s)
            L -= s
        }
        return out
    }

    /// One table's low-degree extensions and opened values, as the DEEP batching sees them.
    struct TableColumns<F: StarkField> {
        /// `log2` of the LDE height.
        var logLDE: Int
        /// `log2` of the trace height.
        var logTrace: Int
        /// Trace matrices opened at ζ and ωζ: preprocessed, main, aux (those present).
        var trace: [RowMajorMatrix<F>]
        /// Every matrix of the table in the DEEP batching's order, the quotient's included
        /// (``AirShape/deepMatrices``: absent ones with width 0).
        var deepMatrices: [DeepMatrix]
        var quotient: RowMajorMatrix<F>
        var openings: TableOpenings<F>

        var traceWidth: Int { trace.reduce(0) { $0 + $1.width } }
        var totalWidth: Int { traceWidth + quotient.width }
    }

    /// `Σ c·f(ζ)` over all columns and `Σ c·f(ωζ)` over the trace columns.
    @_specialize(where F == KoalaBear)
    @_specialize(where F == BabyBear)
    static func openedSums<F: StarkField>(
        _ o: TableOpenings<F>,
        coefficients c: ArraySlice<QuarticExtension<F>>
    ) -> (QuarticExtension<F>, QuarticExtension<F>) {
        typealias E = QuarticExtension<F>
        var y1 = E.zero
        var y2 = E.zero
        var k = c.startIndex
        for (local, next) in [(o.prepLocal, o.prepNext), (o.mainLocal, o.mainNext), (o.auxLocal, o.auxNext)] {
            for j in 0..<local.count {
                y1 += c[k] * local[j]
                y2 += c[k] * next[j]
                k += 1
            }
        }
        for v in o.quotient {
            y1 += c[k] * v
            k += 1
        }
        return (y1, y2)
    }

    /// Samples the batching coefficients and computes the reduced codeword of every LDE height:
    /// `ro(x) = (F₁(x) − F₁(ζ))/(x − ζ) + γ·(F₂(x) − F₂(ωζ))/(x − ωζ)`, with `F₁` the random
    /// combination of all columns and `F₂` that of the trace columns.
    @_specialize(where F == KoalaBear)
    @_specialize(where F == BabyBear)
    static func reducedOpenings<F: StarkField>(
        tables: [TableColumns<F>],
        zeta: QuarticExtension<F>,
        challenger ch: inout DuplexChallenger<Poseidon2<F>>
    ) -> [Int: [QuarticExtension<F>]] {
        typealias E = QuarticExtension<F>
        for t in tables {
            precondition(t.deepMatrices.reduce(0) { $0 + $1.width } == t.totalWidth, "DEEP matrices of the wrong width")
        }
        let coeffs = DeepCoefficients.sample(tables.flatMap(\.deepMatrices), challenger: &ch)
        let gamma: E = ch.sampleExtension()

        var result: [Int: [E]] = [:]
        var offset = 0
        var offsets: [Int] = []
        for t in tables {
            offsets.append(offset)
            offset += t.totalWidth
        }
        let heights = Set(tables.map(\.logLDE)).sorted()
        for h in heights {
            let members = tables.indices.filter { tables[$0].logLDE == h }
            let size = 1 << h
            let logTrace = tables[members[0]].logTrace
            let omega = F.twoAdicGenerator(logOrder: logTrace)
            let zetaNext = zeta * omega
            var y1 = E.zero
            var y2 = E.zero
            for i in members {
                let (a, b) = openedSums(
                    tables[i].openings,
                    coefficients: coeffs[offsets[i]..<(offsets[i] + tables[i].totalWidth)]
                )
                y1 += a
                y2 += b
            }
            // Points in storage order (bit-reversed), from which each block forms its two
            // denominators and inverts them in one batch: no codeword-sized scratch.
            let omegaN = F.twoAdicGenerator(logOrder: h)
            let natural = Domain.powers(of: omegaN, count: size, start: F.generator)
            // Packed coefficient rows per member matrix.
            var traceMats: [(UncheckedSendableBox<UnsafePointer<F>>, PackedCoefficients<F>)] = []
            var quotMats: [(UncheckedSendableBox<UnsafePointer<F>>, PackedCoefficients<F>)] = []
            var keep: [RowMajorMatrix<F>] = []
            for m in members {
                let t = tables[m]
                var k = offsets[m]
                for mat in t.trace {
                    // (The padded packs' reads past a row rely on every matrix being size × width.)
                    precondition(mat.values.count == size * mat.width, "DEEP input of the wrong height")
                    traceMats.append(
                        (storage(mat.values), PackedCoefficients(coeffs[k..<(k + mat.width)], height: size))
                    )
                    keep.append(mat)
                    k += mat.width
                }
                precondition(t.quotient.values.count == size * t.quotient.width, "DEEP input of the wrong height")
                quotMats.append(
                    (
                        storage(t.quotient.values),
                        PackedCoefficients(coeffs[k..<(k + t.quotient.width)], height: size)
                    )
                )
                keep.append(t.quotient)
            }
            let block = 1024
            let blocks = (size + block - 1) / block
            let ro = makeLargeArray(count: size) { (out: UnsafeMutableBufferPointer<E>) in
                withExtendedLifetime(keep) {
                    natural.withUnsafeBufferPointer { nat in
                        let outBox = UncheckedSendableBox(out)
                        Parallel.forEachChunk(count: blocks) { chunk in
                            // Both denominators of a block side by side, inverted in one batch.
                            var inverses = [E](repeating: .zero, count: 2 * block)
                            var prefix = [PackedExt<F>](repeating: .zero, count: 2 * block / F.Packing.width + 1)
                            prefix.withUnsafeMutableBufferPointer { scratch in
                                inverses.withUnsafeMutableBufferPointer { buf in
                                    for blockIndex in chunk {
                                        let lo = blockIndex * block
                                        let count = min(size, lo + block) - lo
                                        for r in 0..<count {
                                            let x = E(nat[reverseBits(lo + r, bits: h)])
                                            buf[r] = x - zeta
                                            buf[count + r] = x - zetaNext
                                        }
                                        packedBatchInverseInPlace(
                                            UnsafeMutableBufferPointer(rebasing: buf[0..<(2 * count)]),
                                            scratch: scratch
                                        )
                                        let inv1 = UnsafeMutableBufferPointer(rebasing: buf[0..<count])
                                        let inv2 = UnsafeMutableBufferPointer(rebasing: buf[count..<(2 * count)])
                                        for r in 0..<count {
                                            let i = lo + r
                                            var acc2 = PackedExt<F>.zero
                                            var s2 = E.zero
                                            for (p, c) in traceMats {
                                                c.accumulate(p.value + i * c.width, index: i, into: &acc2, scalar: &s2)
                                            }
                                            var acc1 = PackedExt<F>.zero
                                            var s1 = E.zero
                                            for (p, c) in quotMats {
                                                c.accumulate(p.value + i * c.width, index: i, into: &acc1, scalar: &s1)
                                            }
                                            let f2 = acc2.horizontalSum() + s2
                                            let f1 = acc1.horizontalSum() + s1 + f2
                                            outBox.value[i] = (f1 - y1) * inv1[r] + gamma * (f2 - y2) * inv2[r]
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            result[h] = ro
        }
        return result
    }

    /// `1/x` for the fold of a codeword of size `2^logSize`: `(g·ω^bitrev_{L−1}(i))⁻¹` for `i < 2^(L−1)`.
    @_specialize(where F == KoalaBear)
    @_specialize(where F == BabyBear)
    static func foldInverses<F: StarkField>(logSize: Int) -> [F] {
        let half = 1 << (logSize - 1)
        let wInv = F.twoAdicGenerator(logOrder: logSize).inverse()!
        let natural = Domain.powers(of: wInv, count: half, start: F.generator.inverse()!)
        var out = [F](repeating: .zero, count: half)
        for i in 0..<half { out[i] = natural[reverseBits(i, bits: logSize - 1)] }
        return out
    }

    /// One fold: `(e0 + e1)/2 + β·(e0 − e1)/(2x)`.
    @inline(__always)
    @_specialize(where F == KoalaBear)
    @_specialize(where F == BabyBear)
    static func foldPair<F: StarkField>(
        _ e0: QuarticExtension<F>,
        _ e1: QuarticExtension<F>,
        beta: QuarticExtension<F>,
        xInv: F,
        half: F
    ) -> QuarticExtension<F> {
        ((e0 + e1) + beta * ((e0 - e1) * xInv)) * half
    }

    /// Coefficients (lowest first) of the polynomial whose values over `g·H_S` are `values`
    /// (stored bit-reversed). Naive: the final codeword is tiny.
    @_specialize(where F == KoalaBear)
    @_specialize(where F == BabyBear)
    static func interpolateFinal<F: StarkField>(_ values: [QuarticExtension<F>]) -> [QuarticExtension<F>] {
        typealias E = QuarticExtension<F>
        let s = values.count
        let logS = log2Strict(s)
        let wInv = F.twoAdicGenerator(logOrder: logS).inverse()!
        let gInv = F.generator.inverse()!
        let sInv = F(UInt32(s)).inverse()!
        var out = [E](repeating: .zero, count: s)
        var gPow = F.one
        for k in 0..<s {
            var acc = E.zero
            for j in 0..<s {
                let u = values[reverseBits(j, bits: logS)]
                acc += u * wInv.power(UInt64((j * k) % s))
            }
            out[k] = acc * (sInv * gPow)
            gPow *= gInv
        }
        return out
    }

    /// Horner evaluation of `coefficients` at `x`.
    @_specialize(where F == KoalaBear)
    @_specialize(where F == BabyBear)
    static func evaluate<F: StarkField>(_ coefficients: [QuarticExtension<F>], at x: F) -> QuarticExtension<F> {
        var acc = QuarticExtension<F>.zero
        for c in coefficients.reversed() { acc = acc * x + c }
        return acc
    }

    struct Proof<F: StarkField> {
        var roots: [StarkDigest<F>]
        /// One proof-of-work witness per round, found after its root is observed and before its
        /// `β` is drawn (``FriParameters/commitPowBits``; zero when that is 0).
        var commitWitnesses: [F]
        var finalPoly: [QuarticExtension<F>]
        var witness: F
        var queries: [QueryProof<F>]
    }

    /// Commit phase, grinding and query phase. `inputs` are the trace trees to open at each query.
    @_specialize(where F == KoalaBear)
    @_specialize(where F == BabyBear)
    static func prove<F: StarkField>(
        reduced: [Int: [QuarticExtension<F>]],
        inputs: [CommittedBatch<F>],
        fri: FriParameters,
        config: StarkConfig<F>,
        challenger ch: inout DuplexChallenger<Poseidon2<F>>
    ) -> Proof<F> {
        typealias E = QuarticExtension<F>
        let maxLog = reduced.keys.max()!
        let finalLog = fri.logFinalPolyLength + fri.logBlowup
        let schedule = foldSchedule(
            maxLog: maxLog,
            finalLog: finalLog,
            heights: Set(reduced.keys),
            logArity: fri.logFoldingArity
        )
        var L = maxLog
        var cur = reduced[L]!
        var layers: [CommittedBatch<F>] = []
        var commitWitnesses: [F] = []
        let half = F(UInt32(2)).inverse()!
        for s in schedule {
            // Leaves of 2^s consecutive rows, each value as its four coordinates.
            let leaves = [F](unsafeUninitializedCapacity: 4 * cur.count) { buf, count in
                for (i, e) in cur.enumerated() {
                    buf[4 * i] = e.c0
                    buf[4 * i + 1] = e.c1
                    buf[4 * i + 2] = e.c2
                    buf[4 * i + 3] = e.c3
                }
                count = 4 * cur.count
            }
            let layer = Backend.commit([RowMajorMatrix(values: leaves, width: 4 << s)], config: config)
            ch.observe(layer.root.elements)
            layers.append(layer)
            commitWitnesses.append(ch.grind(bits: fri.commitPowBits))
            var beta: E = ch.sampleExtension()
            let betaSq = beta * beta
            for j in 0..<s {
                let rows = cur.count / 2
                let xInv: [F] = foldInverses(logSize: L)
                var next = [E](repeating: .zero, count: rows)
                let b = beta
                // A shorter codeword joins at the round's end, in its last fold's pass.
                let extra = j == s - 1 ? reduced[L - 1] : nil
                cur.withUnsafeBufferPointer { c in
                    next.withUnsafeMutableBufferPointer { nx in
                        let box = UncheckedSendableBox(nx)
                        Parallel.forEachChunk(count: rows, minChunk: 4096) { range in
                            for i in range {
                                var v = foldPair(c[2 * i], c[2 * i + 1], beta: b, xInv: xInv[i], half: half)
                                if let extra { v += betaSq * extra[i] }
                                box.value[i] = v
                            }
                        }
                    }
                }
                cur = next
                L -= 1
                beta = beta * beta
            }
        }
        let coefficients = interpolateFinal(cur)
        let finalPoly = Array(coefficients.prefix(1 << fri.logFinalPolyLength))
        for c in finalPoly { ch.observe(extension: c) }
        let witness = ch.grind(bits: fri.queryPowBits)

        var queries: [QueryProof<F>] = []
        queries.reserveCapacity(fri.numQueries)
        for _ in 0..<fri.numQueries {
            let index = ch.sampleBits(maxLog)
            let opened = inputs.map { $0.open(index >> (maxLog - $0.maxLogHeight)) }
            var fl: [FriLayerOpening<F>] = []
            var idx = index
            for (layer, s) in zip(layers, schedule) {
                let o = layer.open(idx >> s)
                let row = o.rows[0]
                let own = idx & ((1 << s) - 1)
                let siblings = (0..<(1 << s)).filter { $0 != own }.map { j in
                    E(row[4 * j], row[4 * j + 1], row[4 * j + 2], row[4 * j + 3])
                }
                fl.append(FriLayerOpening(siblings: siblings, path: o.path))
                idx >>= s
            }
            queries.append(QueryProof(inputs: opened, layers: fl))
        }
        return Proof(
            roots: layers.map(\.root),
            commitWitnesses: commitWitnesses,
            finalPoly: finalPoly,
            witness: witness,
            queries: queries
        )
    }

    /// The verifier's side of ``prove(reduced:inputs:fri:config:challenger:)``: replays the
    /// commit phase (one folding challenge `β` per round root, after the round's proof of work,
    /// then the final polynomial),
    /// checks the query proof of work (`.proofOfWork`), samples the query indices (the
    /// transcript's last use) and checks every query:
    ///
    /// 1. `checkInputs(indices)`: the caller checks the openings of its committed trees at the
    ///    sampled indices (of the tallest codeword, `2^maxLog`), all queries at once, before
    ///    anything is computed from them;
    /// 2. per query, in order: `reducedOpenings(query, index)` gives the reduced openings at
    ///    the query's point, keyed by codeword height (`log2`, at most `maxLog`, which must be
    ///    present); the folding chain starts from the tallest, folds with each round's sibling
    ///    and `β`, adds `β²·` the reduced opening of every height it reaches, and must end at
    ///    the final polynomial's value (`.finalPolynomial`);
    /// 3. the layers' Merkle openings of all queries, one batch per round (`.friFolding`).
    ///
    /// `proof.queries` supply the layers only (their inputs are the caller's). The caller has
    /// checked the proof's shape; it is checked again here (`.shape`), so that nothing traps:
    /// `maxLog − logFinalPolyLength − logBlowup` rounds, that many roots, commit witnesses and
    /// layers per query,
    /// `2^logFinalPolyLength` final coefficients and `numQueries` queries.
    @_specialize(where F == KoalaBear)
    @_specialize(where F == BabyBear)
    static func verify<F: StarkField>(
        _ proof: Proof<F>,
        maxLog: Int,
        heights: Set<Int>,
        fri: FriParameters,
        config: StarkConfig<F>,
        challenger ch: inout DuplexChallenger<Poseidon2<F>>,
        checkInputs: (_ indices: [Int]) throws(VerificationError) -> Void,
        reducedOpenings: (_ query: Int, _ index: Int) throws(VerificationError) -> [Int: QuarticExtension<F>]
    ) throws(VerificationError) {
        typealias E = QuarticExtension<F>
        let g = F.generator
        let finalLog = fri.logFinalPolyLength + fri.logBlowup
        guard finalLog <= maxLog, maxLog < 31, (1...FriParameters.maxLogFoldingArity).contains(fri.logFoldingArity)
        else { throw .shape("FRI commitments") }
        let schedule = foldSchedule(maxLog: maxLog, finalLog: finalLog, heights: heights, logArity: fri.logFoldingArity)
        let rounds = schedule.count
        guard proof.roots.count == rounds, proof.commitWitnesses.count == rounds,
            proof.finalPoly.count == 1 << fri.logFinalPolyLength, proof.queries.count == fri.numQueries,
            proof.queries.allSatisfy({ q in
                q.layers.count == rounds
                    && zip(q.layers, schedule).allSatisfy { $0.siblings.count == (1 << $1) - 1 }
            })
        else { throw .shape("FRI commitments") }

        // Commit phase.
        var betas: [E] = []
        for (r, w) in zip(proof.roots, proof.commitWitnesses) {
            ch.observe(r.elements)
            guard ch.checkWitness(bits: fri.commitPowBits, witness: w) else { throw .proofOfWork }
            betas.append(ch.sampleExtension())
        }
        for c in proof.finalPoly { ch.observe(extension: c) }
        guard ch.checkWitness(bits: fri.queryPowBits, witness: proof.witness) else { throw .proofOfWork }
        let half = F(UInt32(2)).inverse()!

        // Query indices, then the inputs' openings for all queries at once.
        let indices = (0..<proof.queries.count).map { _ in ch.sampleBits(maxLog) }
        try checkInputs(indices)

        // Per query: the reduced openings and the folding chain. The FRI leaves met on the way are
        // checked against their commitments afterwards, one batch per round.
        var friLeaves = [[RowOpening<F>]](repeating: [], count: rounds)
        var friIndices = [[Int]](repeating: [], count: rounds)
        for r in 0..<rounds {
            friLeaves[r].reserveCapacity(proof.queries.count)
            friIndices[r].reserveCapacity(proof.queries.count)
        }
        // ω_{2^L} for every size met.
        let generators = (0...maxLog).map { F.twoAdicGenerator(logOrder: $0) }
        for (qi, query) in proof.queries.enumerated() {
            let index = indices[qi]
            let reducedAt = try reducedOpenings(qi, index)
            guard var cur = reducedAt[maxLog] else { throw .shape("reduced openings of query \(qi)") }
            var idx = index
            var L = maxLog
            for (r, s) in schedule.enumerated() {
                let layer = query.layers[r]
                // The leaf: the round's coset, the chain's value at its place among the siblings.
                var values = layer.siblings
                values.insert(cur, at: idx & ((1 << s) - 1))
                var leaf: [F] = []
                leaf.reserveCapacity(4 << s)
                for e in values { leaf += [e.c0, e.c1, e.c2, e.c3] }
                friLeaves[r].append(RowOpening(rows: [leaf], path: layer.path))
                idx >>= s
                friIndices[r].append(idx)
                // s binary folds with β, β², β⁴, … inside the leaf. At size 2^L the leaf's pair t
                // is the codeword's pair idx·2^(m) + t (m = log of the pairs per leaf), whose x is
                // g·ω_{2^L}^bitrev_{L−1}(idx·2^m + t) = x₀ · ω_{2^(m+1)}^bitrev_m(t), with x₀ that of t = 0.
                var beta = betas[r]
                for j in 0..<s {
                    let m = s - j - 1
                    let x0 = g * generators[L].power(UInt64(reverseBits(idx << m, bits: L - 1)))
                    let x0Inv = x0.inverse()!
                    let wInv = generators[m + 1].inverse()!
                    var folded: [E] = []
                    folded.reserveCapacity(1 << m)
                    for t in 0..<(1 << m) {
                        let xInv = x0Inv * wInv.power(UInt64(reverseBits(t, bits: m)))
                        folded.append(foldPair(values[2 * t], values[2 * t + 1], beta: beta, xInv: xInv, half: half))
                    }
                    values = folded
                    beta = beta * beta
                    L -= 1
                }
                cur = values[0]
                if let extra = reducedAt[L] { cur += betas[r] * betas[r] * extra }
            }
            let xFinal = Domain.point(shift: g, logSize: finalLog, index: idx)
            guard evaluate(proof.finalPoly, at: xFinal) == cur else { throw .finalPolynomial(query: qi) }
        }

        // The layers' openings, one batch per round.
        var L = maxLog
        for (r, s) in schedule.enumerated() {
            if let qi = Backend.firstFailure(
                root: proof.roots[r],
                dimensions: [MatrixDimensions(width: 4 << s, height: 1 << (L - s))],
                indices: friIndices[r],
                openings: friLeaves[r],
                config: config
            ) {
                throw .friFolding(query: qi, round: r)
            }
            L -= s
        }
    }
}

/// `array`'s storage, shareable with worker threads; the caller keeps `array` alive and
/// unmodified while the pointer is in use (``Fri/reducedOpenings`` keeps every matrix in `keep`).
func storage<F>(_ array: [F]) -> UncheckedSendableBox<UnsafePointer<F>> {
    UncheckedSendableBox(array.withUnsafeBufferPointer { $0.baseAddress! })
}
