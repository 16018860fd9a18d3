import Algebra
import Hashing
import Stark

extension StarkVerifierCircuit {
    /// The DEEP batching of the opened values: one challenge per base column and per extension
    /// column (aux, quotient) and the coefficient of every committed column
    /// (``Stark/DeepCoefficients``), `γ`, and per LDE height the sums `Σ c·f(ζ)` (all columns)
    /// and `Σ c·f(ωζ)` (trace columns).
    struct Deep {
        var challenges: [Slot]
        var coefficients: [Slot]
        /// Per table, its first column's coefficient and its first group's challenge.
        var offsets: [Int]
        var challengeOffsets: [Int]
        var gamma: Slot
        var openedSums: [Int: (Slot, Slot)]

        /// `f + Σ c·v` over one matrix's opened row whose coefficients start at `c` and
        /// challenges at `g` (both advanced past it): an extension matrix's columns through their
        /// packs (one row each, `c_j` times the pack of its four coordinates), a base matrix's
        /// column by column.
        func combine(
            _ b: CircuitBuilder,
            _ row: OpenedRow,
            into f: Slot,
            coefficient c: inout Int,
            challenge g: inout Int
        ) -> Slot {
            var f = f
            if let packs = row.packs {
                precondition(packs.count * 4 == row.values.count)
                for (j, p) in packs.enumerated() { f = b.mulAdd(challenges[g + j], p, f) }
                g += packs.count
            } else {
                for (col, v) in row.values.enumerated() { f = b.mulAdd(coefficients[c + col], v, f) }
                g += row.values.count
            }
            c += row.values.count
            return f
        }
    }

    /// One matrix's opened row at a query: its base values (hashed into the leaf) and, for an
    /// extension matrix (aux, quotient), the packs of its columns' four coordinates.
    struct OpenedRow {
        var values: [Slot]
        var packs: [Slot]?
    }

    /// The query phase, as ``Stark/StarkVerifier``'s: the DEEP batching after the third
    /// phase proof of work, FRI's commit phase (a β per round root, the final polynomial), the
    /// query proof of work and indices, then per query the openings of every committed tree,
    /// the reduced openings at the query's point and the folding chain down to the final
    /// polynomial, with each layer's opening.
    func checkQueries(
        _ ch: inout CircuitChallenger,
        proof: StarkProof<RF>,
        layout: StarkVerifier<RF>.ProofLayout,
        trees: [StarkVerifier<RF>.InputTree],
        transcript t: Transcript,
        roots preprocessedRoots: [[Slot]]
    ) {
        let fri = config.fri
        let lb = fri.logBlowup
        let maxLog = layout.maxLog
        let deep = deepBatching(&ch, proof: proof, layout: layout, transcript: t)

        // FRI commit phase.
        var betas: [Slot] = []
        var friRoots: [[Slot]] = []
        for (r, w) in zip(proof.friRoots, proof.commitWitnesses) {
            let root = b.inputs(base: r.elements)
            friRoots.append(root)
            ch.observe(root)
            ch.checkWitness(bits: fri.commitPowBits, witness: b.input(base: w))
            betas.append(ch.sampleExtension())
        }
        var finalPoly: [Slot] = []
        for c in proof.finalPoly {
            let (coefficients, value) = b.inputExtension(c)
            ch.observe(coefficients)
            finalPoly.append(value)
        }
        ch.checkWitness(bits: fri.queryPowBits, witness: b.input(base: proof.powWitness))
        // Every index bit is a swap bit of the main tree's opening (all tables, the tallest
        // among them: `maxLog` levels), so the Poseidon2 table checks each boolean.
        let indexBits = (0..<proof.queries.count).map { _ in ch.sampleBits(maxLog, swapBits: maxLog) }

        // The roots of the trees each query opens, in commitment order.
        var treeRoots: [[Slot]] = []
        var k = 0
        for tree in trees {
            switch tree.kind {
            case .preprocessed:
                treeRoots.append(preprocessedRoots[k])
                k += 1
            case .main: treeRoots.append(t.mainRoot)
            case .aux: treeRoots.append(t.auxRoot!)
            case .quotient: treeRoots.append(t.quotientRoot)
            }
        }
        let betaSquares = betas.map { b.mul($0, $0) }
        let g = RF.generator
        let finalLog = fri.logFinalPolyLength + lb
        let schedule = fri.foldSchedule(codewordLogSizes: Set(layout.logHeights.map { $0 + lb }))
        // β, β², β⁴, … per round: the challenges of its binary folds.
        let betaPowers = zip(betas, schedule).map { beta, s in
            var powers = [beta]
            for _ in 1..<max(s, 1) { powers.append(b.mul(powers.last!, powers.last!)) }
            return powers
        }

        for (qi, query) in proof.queries.enumerated() {
            let bits = indexBits[qi]
            // Every tree's opening at the query's index (scaled to the tree's tallest matrix).
            // Per table, its opened rows (values and packs of four) in the batching's order.
            var traceRows = [[OpenedRow]](repeating: [], count: layout.shapes.count)
            var quotientRows = [[OpenedRow]](repeating: [], count: layout.shapes.count)
            for (bi, tree) in trees.enumerated() {
                let opening = query.inputs[bi]
                let extensionColumns = tree.kind == .aux || tree.kind == .quotient
                let packed = opening.rows.map { row in
                    guard extensionColumns else { return OpenedRow(values: b.inputs(base: row), packs: nil) }
                    let (values, packs) = b.packedInputs(base: row)
                    return OpenedRow(values: values, packs: packs)
                }
                let rows = packed.map(\.values)
                let heights = tree.members.map { layout.logHeights[$0] + lb }
                let batchMax = heights.max()!
                verifyOpening(
                    root: treeRoots[bi],
                    logHeights: heights,
                    rows: rows,
                    indexBits: Array(bits[(maxLog - batchMax)...]),
                    siblings: opening.path.map { b.inputs(base: $0.elements) },
                    reason: "query \(qi): tree \(bi) opening"
                )
                for (mi, table) in tree.members.enumerated() {
                    if tree.kind == .quotient {
                        quotientRows[table].append(packed[mi])
                    } else {
                        traceRows[table].append(packed[mi])
                    }
                }
            }
            let roots = pairRoots(bits: bits, maxLog: maxLog, finalLog: finalLog)
            // The point of the query's row in the codeword of size 2^h:
            // g·u_h·(−1)^(bit 0 of the row index) (see `pairRoots`), one row.
            func rowPoint(_ h: Int) -> Slot {
                b.arith(a: roots[h]!, b: bits[maxLog - h], cm: RF(2) * -g, ca: g)
            }
            // Reduced openings per height.
            var reducedAt: [Int: Slot] = [:]
            for (h, (y1, y2)) in deep.openedSums.sorted(by: { $0.key < $1.key }) {
                // x = g·ω_{2^h}^bitrev_h(idx), idx = index >> (maxLog − h).
                let x = rowPoint(h)
                let omega = RF.twoAdicGenerator(logOrder: h - lb)
                var f1 = RecursionCircuit.zero
                var f2 = RecursionCircuit.zero
                for table in 0..<layout.shapes.count where layout.logHeights[table] + lb == h {
                    var c = deep.offsets[table]
                    var g = deep.challengeOffsets[table]
                    for row in traceRows[table] { f2 = deep.combine(b, row, into: f2, coefficient: &c, challenge: &g) }
                    for row in quotientRows[table] {
                        f1 = deep.combine(b, row, into: f1, coefficient: &c, challenge: &g)
                    }
                }
                f1 = b.add(f1, f2)
                let i1 = b.inverse(b.sub(x, t.zeta), "query \(qi): x = ζ")
                let zetaNext = b.scale(t.zeta, by: omega)
                let i2 = b.inverse(b.sub(x, zetaNext), "query \(qi): x = ωζ")
                let part1 = b.mul(b.sub(f1, y1), i1)
                let part2 = b.mul(b.mul(deep.gamma, b.sub(f2, y2)), i2)
                reducedAt[h] = b.add(part1, part2)
            }

            // The folding chain: per round, the leaf (the 2^s rows that fold to one point) as
            // hints authenticated by the round's root, the chain's value at its place in it, and s
            // binary folds with β, β², β⁴, … inside it.
            var cur = reducedAt[maxLog]!
            var l = maxLog
            var off = 0
            for (r, s) in schedule.enumerated() {
                let layer = query.layers[r]
                // The leaf's values: the siblings with the chain's value at its place.
                var values = layer.siblings
                values.insert(b.value(cur), at: foldPosition(bits: bits, offset: off, count: s))
                let leaf = values.map { b.inputExtension($0) }
                verifyOpening(
                    root: friRoots[r],
                    logHeights: [l - s],
                    rows: [leaf.flatMap(\.coefficients)],
                    indexBits: Array(bits[(off + s)...]),
                    siblings: layer.path.map { b.inputs(base: $0.elements) },
                    reason: "query \(qi): FRI round \(r) opening"
                )
                // leaf[p] = cur, p = the index's bits off ..< off + s: a tree of selects.
                var level = leaf.map(\.value)
                for j in 0..<s {
                    level = (0..<(level.count / 2)).map {
                        b.select(bits[off + j], ifZero: level[2 * $0], ifOne: level[2 * $0 + 1])
                    }
                }
                b.assertEqual(level[0], cur, "query \(qi): FRI round \(r) leaf holds the chain's value")
                var folded = leaf.map(\.value)
                for j in 0..<s {
                    folded = foldLevel(
                        folded,
                        beta: betaPowers[r][j],
                        pairRoot: roots[l]!,
                        ownPair: Array(bits[(off + 1)..<(off + 1 + (s - j - 1))]),
                        size: l,
                        reason: "query \(qi): zero pair point"
                    )
                    l -= 1
                    off += 1
                }
                cur = folded[0]
                if let extra = reducedAt[l] { cur = b.mulAdd(betaSquares[r], extra, cur) }
            }
            // The final polynomial at the last point.
            let xFinal = rowPoint(finalLog)
            var acc = RecursionCircuit.zero
            for c in finalPoly.reversed() { acc = b.mulAdd(acc, xFinal, c) }
            b.assertEqual(cur, acc, "query \(qi): final polynomial")
        }
    }

    /// The place of the query's row in its round's leaf: the index's bits
    /// `offset ..< offset + count` as a number (from the bits' witness values).
    func foldPosition(bits: [Slot], offset: Int, count: Int) -> Int {
        (0..<count).reduce(0) { acc, j in acc | (b.value(bits[offset + j]).c0.isZero ? 0 : 1 << j) }
    }

    /// One binary fold of a leaf's values at codeword size `2^size`:
    /// `((e0 + e1) + β·(e0 − e1)/x) / 2` per pair. The leaf's pair t sits at
    /// `x_t = x_0·ω_{2^(m+1)}^bitrev_m(t)` (m = log₂ of the pairs): the query's own pair, whose
    /// `x = g·pairRoot`, is pair `t_own` (bits `ownPair`, least significant first), so
    /// `1/x_0 = (1/x_own)·ω_{2^(m+1)}^bitrev_m(t_own)` — one checked inverse, m factors, and a
    /// constant per pair.
    ///
    /// With `p_t = β/x_t = κ_t·p_0` (`p_0 = β·(1/x_0)`, `κ_t = ω^−bitrev(t)` a constant), a pair
    /// folds to `u − ½κ_t·p_0·e1` with `u = ½κ_t·p_0·e0 + ½·e0 + ½·e1`: two rows a pair (plus
    /// `p_0` once), where the difference, the quotient, the sum, the product and the halving
    /// took six.
    func foldLevel(
        _ values: [Slot],
        beta: Slot,
        pairRoot: Slot,
        ownPair: [Slot],
        size: Int,
        reason: @autoclosure () -> String
    ) -> [Slot] {
        let m = ownPair.count
        precondition(values.count == 2 << m)
        let g = RF.generator
        let half = RF(UInt32(2)).inverse()!
        let w = RF.twoAdicGenerator(logOrder: m + 1)
        var x0Inv = b.inverse(b.scale(pairRoot, by: g), reason())
        for (i, bit) in ownPair.enumerated() {
            // bit i of t_own is bit m − 1 − i of bitrev_m(t_own): x0Inv·(1 + bit·(ω^… − 1)), one row.
            x0Inv = b.arith(a: x0Inv, b: bit, cm: w.exp2(m - 1 - i) - .one, ca: .one)
        }
        let p0 = b.mul(beta, x0Inv)
        return (0..<(1 << m)).map { t in
            let e0 = values[2 * t]
            let e1 = values[2 * t + 1]
            // p_t = κ_t·p0 with the constant κ_t = ω^−bitrev(t), inside the coefficients.
            let kappa = w.inverse()!.power(UInt64(reverseBits(t, bits: m)))
            let u = b.arith(a: p0, b: e0, c: e1, cm: half * kappa, cb: half, cc: half)
            return b.arith(a: p0, b: e1, c: u, cm: -(half * kappa), cc: .one)
        }
    }

    /// The pair roots of a query, per codeword size `2^L` for `L` in `finalLog…maxLog`:
    /// `u_L = ω_{2^L}^bitrev_{L−1}(i_L >> 1)` with `i_L = index >> (maxLog − L)` the query's row
    /// at that size (`bits`: the index's bits, least significant first). The pair of rows
    /// `(2j, 2j+1)` of a codeword stored bit-reversed over `g·H` sits at `±g·u`, and the row
    /// `i_L` itself at `g·u_L·(−1)^(i_L & 1)`.
    ///
    /// Only the tallest is computed from the bits (one row per bit: `u·(1 + bit·(ω^(2^j) − 1))`); the others follow by
    /// `u_{L−1} = u_L²·(−1)^(bit 0 of i_{L−1})`: since `ω_{2^(L−1)} = ω_{2^L}²`,
    /// `u_L² = ω_{2^(L−1)}^bitrev_{L−1}(i_{L−1})`, and reversing `L − 1` bits puts bit 0 of
    /// `i_{L−1}` on `2^(L−2)`, where `ω_{2^(L−1)}^(2^(L−2)) = −1` — two rows per size.
    func pairRoots(bits: [Slot], maxLog: Int, finalLog: Int) -> [Int: Slot] {
        let n = maxLog - 1
        let w = RF.twoAdicGenerator(logOrder: maxLog)
        var u = b.constant(.one)
        for (i, bit) in bits[1..<maxLog].enumerated() {
            // bitrev over n bits: bit i of (index >> 1) ↦ exponent 2^(n−1−i); u·(1 + bit·(ω^… − 1))
            // in one row.
            u = b.arith(a: u, b: bit, cm: w.exp2(n - 1 - i) - .one, ca: .one)
        }
        var roots = [maxLog: u]
        for l in stride(from: maxLog, to: finalLog, by: -1) {
            // Bit 0 of i_{l−1} = index >> (maxLog − l + 1).
            let square = b.mul(u, u)
            u = b.arith(a: square, b: bits[maxLog - l + 1], cm: -RF(2), ca: .one)
            roots[l - 1] = u
        }
        return roots
    }

    /// One Merkle opening (``Hashing/MerkleTree/verifyBatch``'s walk): the rows of the
    /// tallest matrices hashed into the leaf, each level compressed with its sibling (swapped
    /// by the index bit), the rows of the matrices of the height reached injected, and the
    /// last compression checked against the root (its outputs read from the root's slots).
    func verifyOpening(
        root: [Slot],
        logHeights: [Int],
        rows: [[Slot]],
        indexBits: [Slot],
        siblings: [[Slot]],
        reason: @autoclosure () -> String
    ) {
        let maxLog = logHeights.max()!
        func rowsDigest(_ h: Int) -> [Slot] {
            b.hash(logHeights.indices.filter { logHeights[$0] == h }.flatMap { rows[$0] })
        }
        var node = rowsDigest(maxLog)
        var h = maxLog
        for level in 0..<maxLog {
            h -= 1
            let inject = logHeights.contains(h)
            if level == maxLog - 1 && !inject {
                b.compress(node, siblings[level], swap: indexBits[level], checking: root, reason())
                return
            }
            node = b.compress(node, siblings[level], swap: indexBits[level])
            if inject {
                let digest = rowsDigest(h)
                if level == maxLog - 1 {
                    b.compress(node, digest, checking: root, reason())
                    return
                }
                node = b.compress(node, digest)
            }
        }
        b.assertDigestsEqual(node, root, reason())
    }

    /// The DEEP batching coefficients (after the third phase proof of work), `γ`, and the
    /// opened sums per LDE height, as ``Stark/StarkVerifier``'s `deepBatching`.
    func deepBatching(
        _ ch: inout CircuitChallenger,
        proof: StarkProof<RF>,
        layout: StarkVerifier<RF>.ProofLayout,
        transcript t: Transcript
    ) -> Deep {
        let lb = config.fri.logBlowup
        let matrices = layout.shapes.map(\.deepMatrices)
        ch.checkWitness(bits: config.fri.phasePowBits, witness: b.input(base: proof.phaseWitnesses[2]))
        let all = matrices.flatMap { $0 }
        let challenges = (0..<DeepCoefficients.challengeCount(all)).map { _ in ch.sampleExtension() }
        let coefficients = DeepCoefficients.expand(challenges, all) { c, k in b.mul(c, constant: basis(k)) }
        let gamma = ch.sampleExtension()
        var offsets: [Int] = []
        var challengeOffsets: [Int] = []
        var acc = 0
        var groups = 0
        for m in matrices {
            offsets.append(acc)
            challengeOffsets.append(groups)
            acc += m.reduce(0) { $0 + $1.width }
            groups += DeepCoefficients.challengeCount(m)
        }
        var sums: [Int: (Slot, Slot)] = [:]
        for i in layout.shapes.indices {
            let o = t.openings[i]
            var k = offsets[i]
            var (y1, y2) = sums[layout.logHeights[i] + lb] ?? (RecursionCircuit.zero, RecursionCircuit.zero)
            for (local, next) in [(o.prepLocal, o.prepNext), (o.mainLocal, o.mainNext), (o.auxLocal, o.auxNext)] {
                for j in local.indices {
                    y1 = b.mulAdd(coefficients[k], local[j], y1)
                    y2 = b.mulAdd(coefficients[k], next[j], y2)
                    k += 1
                }
            }
            for v in o.quotient {
                y1 = b.mulAdd(coefficients[k], v, y1)
                k += 1
            }
            sums[layout.logHeights[i] + lb] = (y1, y2)
        }
        return Deep(
            challenges: challenges,
            coefficients: coefficients,
            offsets: offsets,
            challengeOffsets: challengeOffsets,
            gamma: gamma,
            openedSums: sums
        )
    }
}
