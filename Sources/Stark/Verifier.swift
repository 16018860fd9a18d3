import Algebra
import Hashing

/// The multi-table STARK verifier.
public struct StarkVerifier<F: StarkField> {
    public typealias E = QuarticExtension<F>
    public let config: StarkConfig<F>

    public init(config: StarkConfig<F>) { self.config = config }

    /// Decodes and verifies `bytes` against `airs`; `publicValues`, when given, must match the
    /// proof's. `preprocessedRoots` as in ``verify(airs:proof:publicValues:preprocessedRoots:)``.
    public func verify(
        airs: [any Air<F>],
        bytes: [UInt8],
        publicValues: [[F]]? = nil,
        preprocessedRoots: [Int: StarkDigest<F>] = [:]
    ) throws(VerificationError) {
        let proof: StarkProof<F>
        do { proof = try StarkProof<F>(decoding: bytes) } catch { throw .decoding(error) }
        try verify(airs: airs, proof: proof, publicValues: publicValues, preprocessedRoots: preprocessedRoots)
    }

    /// Verifies `proof` against `airs`; `publicValues`, when given, must match the proof's.
    ///
    /// The fixed columns of each preprocessed group present (``Air/preprocessedGroup``; a group
    /// is present when one of its tables has fixed columns) are checked against the proof's root
    /// of that group:
    /// - when `preprocessedRoots[group]` is given, the proof's root must equal it (a verifying
    ///   key computed once with ``preprocessedRoot(airs:group:)`` or
    ///   ``preprocessedRoot(airs:config:)``, or a root taken from another
    ///   proof); the AIRs of that group are not asked for their fixed columns (they may return
    ///   `nil`);
    /// - otherwise every AIR of the group must return its fixed columns, and the root computed
    ///   from them must equal the proof's.
    ///
    /// A caller that accepts fixed columns chosen by the prover (the final memory image of a
    /// shard) passes the proof's own root, `proof.preprocessedRoots[k]`: the root is then bound
    /// by the transcript (the proof is about the columns it commits to), and the caller compares
    /// it with other proofs' roots (the next shard's start image) or with a root it computes.
    /// A given root for a group that is not present is an error (`.shape`).
    public func verify(
        airs: [any Air<F>],
        proof: StarkProof<F>,
        publicValues: [[F]]? = nil,
        preprocessedRoots: [Int: StarkDigest<F>] = [:]
    ) throws(VerificationError) {
        // The steps, each a method below: shapes, preprocessed roots, the transcript up to ζ,
        // the out-of-domain constraint check, and the query checks (DEEP batching, then FRI).
        guard proof.fri == config.fri else { throw .parameterMismatch }
        let layout = try checkShape(airs: airs, proof: proof, publicValues: publicValues, given: preprocessedRoots)
        try checkPreprocessedRoots(airs: airs, proof: proof, layout: layout, given: preprocessedRoots)
        var ch = config.challenger()
        let challenges = try replayTranscript(&ch, proof: proof, layout: layout)
        try checkConstraintsAtZeta(airs: airs, proof: proof, layout: layout, challenges: challenges)
        try checkQueries(proof: proof, layout: layout, zeta: challenges.zeta, challenger: &ch)
    }
}

// MARK: - The steps of `verify`

extension StarkVerifier {
    /// What the shape checks establish about a proof: the statement's table shapes and heights,
    /// and the commitments the proof must carry.
    package struct ProofLayout {
        /// The symbolic shape of each table's AIR.
        package var shapes: [AirShape]
        /// `log2` of each table's height.
        package var logHeights: [Int]
        /// The preprocessed groups present (with a table with fixed columns), ascending, with
        /// their tables in statement order.
        package var groups: [(group: Int, members: [Int])]
        /// Whether some table has interactions (then the proof has an aux tree).
        package var anyAux: Bool
        /// `log2` of the tallest low-degree extension: the size of FRI's first codeword.
        package var maxLog: Int
    }

    /// The challenges drawn before the openings at ζ, as the out-of-domain check uses them.
    struct Challenges {
        /// LogUp's fingerprint offset `α`.
        var logupAlpha: E
        /// Powers `β⁰ … β^(maxArity+1)` of LogUp's fingerprint challenge.
        var betaPowers: [E]
        /// The constraint-combining challenge `λ`.
        var lambda: E
        /// The out-of-domain point `ζ`.
        var zeta: E
    }

    /// Step 1, shape checks: the table count, the public values (`.publicValuesMismatch` when
    /// they differ from `publicValues`), each table's height, preprocessed group, degree and
    /// opened values against its AIR, the security floor of the proof's parameters, the given
    /// roots' groups, and the numbers of commitments, queries and openings per query. Nothing
    /// later indexes the proof out of these bounds (the number of phase witnesses is checked
    /// in ``replayTranscript(_:proof:layout:)``, just before the first is used).
    package func checkShape(
        airs: [any Air<F>],
        proof: StarkProof<F>,
        publicValues: [[F]]?,
        given preprocessedRoots: [Int: StarkDigest<F>]
    ) throws(VerificationError) -> ProofLayout {
        let fri = config.fri
        let b = fri.logBlowup
        guard airs.count == proof.tables.count, !airs.isEmpty else { throw .shape("number of tables") }
        if let publicValues {
            guard publicValues.count == airs.count else { throw .shape("number of public value lists") }
            for (i, pv) in publicValues.enumerated() where pv != proof.tables[i].publicValues {
                throw .publicValuesMismatch(table: i)
            }
        }

        var shapes: [AirShape] = []
        var logHeights: [Int] = []
        for (i, air) in airs.enumerated() {
            let s = AirShape(of: air)
            let t = proof.tables[i]
            let lh = t.logHeight
            // The bound on `lh` comes first: a proof built in memory may claim any `Int`, and `lh + b`
            // must not overflow.
            guard lh >= 1, lh <= ProofLimits.maxLogHeight, lh >= fri.logFinalPolyLength, lh + b <= F.twoAdicity else {
                throw .shape("table \(i): height 2^\(lh)")
            }
            guard (0..<ProofLimits.maxPreprocessedGroups).contains(s.preprocessedGroup) else {
                throw .shape("table \(i): preprocessed group \(s.preprocessedGroup)")
            }
            guard s.logQuotientDegree <= b else { throw .shape("table \(i): degree too high for the blowup") }
            guard t.publicValues.count == s.numPublicValues else { throw .shape("table \(i): public values") }
            let k = s.interactions.count
            let o = t.openings
            let auxWidth = 4 * s.auxExtensionColumns
            guard o.mainLocal.count == s.width, o.mainNext.count == s.width,
                o.prepLocal.count == s.preprocessedWidth, o.prepNext.count == s.preprocessedWidth,
                o.auxLocal.count == auxWidth, o.auxNext.count == auxWidth,
                o.quotient.count == 4 << s.logQuotientDegree, (t.cumulativeSum != nil) == (k > 0)
            else { throw .shape("table \(i): opened values") }
            shapes.append(s)
            logHeights.append(lh)
        }
        let sp = soundnessParameters(shapes: shapes, logHeights: logHeights, fri: fri, fieldType: F.self)
        let bits = Soundness.report(sp, regime: config.regime).bits
        if bits < config.securityFloor && !config.allowInsecure {
            throw .insecureConfiguration(bits: bits, floor: config.securityFloor)
        }
        let anyAux = shapes.contains { !$0.interactions.isEmpty }
        let groups = preprocessedGroups(shapes)
        for g in preprocessedRoots.keys.sorted() where !groups.contains(where: { $0.group == g }) {
            throw .shape("a root is expected for preprocessed group \(g), which has no table with fixed columns")
        }
        let maxLog = logHeights.max()! + b
        let finalLog = fri.logFinalPolyLength + b
        guard finalLog <= maxLog, (1...FriParameters.maxLogFoldingArity).contains(fri.logFoldingArity) else {
            throw .shape("FRI parameters")
        }
        let rounds = Fri.foldSchedule(
            maxLog: maxLog,
            finalLog: finalLog,
            heights: Set(logHeights.map { $0 + b }),
            logArity: fri.logFoldingArity
        ).count
        guard proof.mainRoots.count == 1, proof.quotientRoots.count == 1, proof.auxRoots.count == (anyAux ? 1 : 0),
            proof.friRoots.count == rounds, proof.commitWitnesses.count == rounds,
            proof.finalPoly.count == 1 << fri.logFinalPolyLength,
            proof.queries.count == fri.numQueries, proof.preprocessedRoots.count == groups.count
        else { throw .shape("commitments") }
        let numInputs = 2 + (anyAux ? 1 : 0) + groups.count
        for q in proof.queries {
            guard q.inputs.count == numInputs, q.layers.count == rounds else { throw .shape("query") }
        }
        return ProofLayout(
            shapes: shapes,
            logHeights: logHeights,
            groups: groups,
            anyAux: anyAux,
            maxLog: maxLog
        )
    }

    /// Step 2: each preprocessed group's root in the proof equals the given one, or the one
    /// computed from the AIRs' fixed columns (`.preprocessedRootMismatch`).
    func checkPreprocessedRoots(
        airs: [any Air<F>],
        proof: StarkProof<F>,
        layout: ProofLayout,
        given preprocessedRoots: [Int: StarkDigest<F>]
    ) throws(VerificationError) {
        for (k, group) in layout.groups.enumerated() {
            let expected: StarkDigest<F>
            if let given = preprocessedRoots[group.group] {
                expected = given
            } else {
                var traces: [RowMajorMatrix<F>] = []
                for i in group.members {
                    guard let p = airs[i].preprocessedTrace(), p.width == layout.shapes[i].preprocessedWidth,
                        p.height == 1 << layout.logHeights[i]
                    else { throw .shape("table \(i): preprocessed trace") }
                    traces.append(p)
                }
                expected = groupRoot(traces)
            }
            guard proof.preprocessedRoots[k] == expected else { throw .preprocessedRootMismatch(group: group.group) }
        }
    }

    /// Step 3, the transcript up to the openings at ζ, as the prover wrote it: the statement,
    /// the trace roots, the LogUp challenges (after the first phase proof of work), the
    /// cumulative sums, which must add up to zero (`.unbalancedBuses`), `λ`, the quotient root,
    /// `ζ` (after the second phase proof of work) and every table's opened values.
    func replayTranscript(
        _ ch: inout DuplexChallenger<Poseidon2<F>>,
        proof: StarkProof<F>,
        layout: ProofLayout
    ) throws(VerificationError) -> Challenges {
        let fri = config.fri
        observeStatement(
            &ch,
            fri: fri,
            shapes: layout.shapes,
            logHeights: layout.logHeights,
            publics: proof.tables.map(\.publicValues)
        )
        for root in proof.preprocessedRoots { ch.observe(root.elements) }
        ch.observe(proof.mainRoots[0].elements)
        guard proof.phaseWitnesses.count == 3 else { throw .shape("phase witnesses") }
        guard ch.checkWitness(bits: fri.phasePowBits, witness: proof.phaseWitnesses[0]) else { throw .proofOfWork }
        let logupAlpha: E = ch.sampleExtension()
        let logupBeta: E = ch.sampleExtension()
        let maxArity = layout.shapes.flatMap(\.interactions).map(\.arity).max() ?? 0
        let betaPowers = Domain.powers(of: logupBeta, count: maxArity + 2)
        if layout.anyAux { ch.observe(proof.auxRoots[0].elements) }
        var total = E.zero
        for t in proof.tables {
            if let c = t.cumulativeSum {
                ch.observe(extension: c)
                total += c
            }
        }
        guard total.isZero else { throw .unbalancedBuses }
        let lambda: E = ch.sampleExtension()
        ch.observe(proof.quotientRoots[0].elements)
        guard ch.checkWitness(bits: fri.phasePowBits, witness: proof.phaseWitnesses[1]) else { throw .proofOfWork }
        let zeta: E = ch.sampleExtension()
        for t in proof.tables { observeOpenings(&ch, t.openings) }
        return Challenges(logupAlpha: logupAlpha, betaPowers: betaPowers, lambda: lambda, zeta: zeta)
    }

    /// Step 4, the out-of-domain constraint check: per table, the AIR's constraints (and the
    /// LogUp constraints) evaluated on the opened values and combined with `λ` equal the
    /// opened quotient times the vanishing polynomial at ζ (`.constraintMismatch`).
    func checkConstraintsAtZeta(
        airs: [any Air<F>],
        proof: StarkProof<F>,
        layout: ProofLayout,
        challenges: Challenges
    ) throws(VerificationError) {
        let zeta = challenges.zeta
        for (i, air) in airs.enumerated() {
            let t = proof.tables[i]
            let o = t.openings
            let lh = t.logHeight
            let shape = layout.shapes[i]
            guard let sel = Domain.selectors(at: zeta, logN: lh) else { throw .constraintMismatch(table: i) }
            let k = shape.interactions.count
            let auxL = (0..<(o.auxLocal.count / 4)).map { Domain.recombine(o.auxLocal[(4 * $0)..<(4 * $0 + 4)]) }
            let auxN = (0..<(o.auxNext.count / 4)).map { Domain.recombine(o.auxNext[(4 * $0)..<(4 * $0 + 4)]) }
            typealias X = ExtExpr<F>
            var folder = VerifierFolder<F>(
                mainLocal: o.mainLocal.map(X.init(ext:)),
                mainNext: o.mainNext.map(X.init(ext:)),
                prepLocal: o.prepLocal.map(X.init(ext:)),
                prepNext: o.prepNext.map(X.init(ext:)),
                auxLocal: auxL.map(X.init(ext:)),
                auxNext: auxN.map(X.init(ext:)),
                publics: t.publicValues.map(X.init),
                selectors: (X(ext: sel.first), X(ext: sel.last), X(ext: sel.transition)),
                lambda: X(ext: challenges.lambda),
                logupAlpha: X(ext: challenges.logupAlpha),
                betaPowers: challenges.betaPowers.map(X.init(ext:)),
                cumulativeSum: X(ext: t.cumulativeSum ?? .zero),
                closesColumn: shape.closesLogUpColumn
            )
            air.eval(&folder)
            folder.finish(numColumns: shape.logUpColumns.count)
            guard !folder.outOfRange, folder.interactionIndex == k else { throw .constraintMismatch(table: i) }
            let zetaN = zeta.exp2(lh)
            var q = E.zero
            var zPow = E.one
            for c in 0..<(o.quotient.count / 4) {
                q += zPow * Domain.recombine(o.quotient[(4 * c)..<(4 * c + 4)])
                zPow *= zetaN
            }
            guard folder.acc.v == q * sel.zh else { throw .constraintMismatch(table: i) }
        }
    }

    /// Step 5, the query checks: the DEEP batching (``deepBatching(proof:layout:challenger:)``),
    /// then FRI's commit and query phases
    /// (``Fri/verify(_:maxLog:fri:config:challenger:checkInputs:reducedOpenings:)``) with this
    /// statement's trees: their openings at the query indices (`.merkle`), and the reduced
    /// openings each query's folding chain starts from.
    func checkQueries(
        proof: StarkProof<F>,
        layout: ProofLayout,
        zeta: E,
        challenger ch: inout DuplexChallenger<Poseidon2<F>>
    ) throws(VerificationError) {
        let deep = try deepBatching(proof: proof, layout: layout, challenger: &ch)
        let trees = inputTrees(proof: proof, layout: layout)
        // ω_{2^h} for the LDE heights and ω_{2^(h−b)} for the trace heights.
        let generators = (0...layout.maxLog).map { F.twoAdicGenerator(logOrder: $0) }

        try Fri.verify(
            Fri.Proof(
                roots: proof.friRoots,
                commitWitnesses: proof.commitWitnesses,
                finalPoly: proof.finalPoly,
                witness: proof.powWitness,
                queries: proof.queries
            ),
            maxLog: layout.maxLog,
            heights: Set(layout.logHeights.map { $0 + config.fri.logBlowup }),
            fri: config.fri,
            config: config,
            challenger: &ch,
            checkInputs: { (indices: [Int]) throws(VerificationError) in
                try checkInputOpenings(trees: trees, proof: proof, layout: layout, indices: indices)
            },
            reducedOpenings: { (qi: Int, index: Int) throws(VerificationError) -> [Int: E] in
                try reducedOpenings(
                    query: qi,
                    index: index,
                    trees: trees,
                    proof: proof,
                    layout: layout,
                    deep: deep,
                    zeta: zeta,
                    generators: generators
                )
            }
        )
    }

    /// The DEEP batching coefficients, sampled after the third phase proof of work
    /// (`.proofOfWork`), and the opened sums per height.
    func deepBatching(
        proof: StarkProof<F>,
        layout: ProofLayout,
        challenger ch: inout DuplexChallenger<Poseidon2<F>>
    ) throws(VerificationError) -> DeepBatching {
        let fri = config.fri
        let b = fri.logBlowup
        let shapes = layout.shapes
        let matrices = shapes.map(\.deepMatrices)
        let widths = matrices.map { $0.reduce(0) { $0 + $1.width } }
        guard ch.checkWitness(bits: fri.phasePowBits, witness: proof.phaseWitnesses[2]) else { throw .proofOfWork }
        let coeffs = DeepCoefficients.sample(matrices.flatMap { $0 }, challenger: &ch)
        let gamma: E = ch.sampleExtension()
        var offsets: [Int] = []
        var acc = 0
        for w in widths {
            offsets.append(acc)
            acc += w
        }
        var ySums: [Int: (E, E)] = [:]
        for i in 0..<shapes.count {
            let (a, c) = Fri.openedSums(
                proof.tables[i].openings,
                coefficients: coeffs[offsets[i]..<(offsets[i] + widths[i])]
            )
            let h = layout.logHeights[i] + b
            let prev = ySums[h] ?? (.zero, .zero)
            ySums[h] = (prev.0 + a, prev.1 + c)
        }
        return DeepBatching(coefficients: coeffs, offsets: offsets, gamma: gamma, openedSums: ySums)
    }

    /// The DEEP batching of a proof's opened values: one coefficient per committed column
    /// (``DeepCoefficients``: a challenge per base column and per extension column) (tables in statement order, each table's columns from `offsets[table]`: preprocessed,
    /// main, aux, quotient), `γ` for the `ωζ` part, and per LDE height (`log2`) the sums
    /// `Σ c·f(ζ)` over all columns and `Σ c·f(ωζ)` over the trace columns of its tables.
    struct DeepBatching {
        var coefficients: [E]
        var offsets: [Int]
        var gamma: E
        var openedSums: [Int: (E, E)]
    }

    /// One tree the queries open: its root, the tables with a matrix in it (statement order)
    /// and what it commits to.
    package struct InputTree {
        package var root: StarkDigest<F>
        package var members: [Int]
        package var kind: CommitmentKind
    }

    /// The trees each query opens, in commitment order (``QueryProof/inputs``).
    package func inputTrees(proof: StarkProof<F>, layout: ProofLayout) -> [InputTree] {
        let all = Array(layout.shapes.indices)
        var trees: [InputTree] = []
        for (k, group) in layout.groups.enumerated() {
            trees.append(InputTree(root: proof.preprocessedRoots[k], members: group.members, kind: .preprocessed))
        }
        trees.append(InputTree(root: proof.mainRoots[0], members: all, kind: .main))
        if layout.anyAux {
            let members = all.filter { !layout.shapes[$0].interactions.isEmpty }
            trees.append(InputTree(root: proof.auxRoots[0], members: members, kind: .aux))
        }
        trees.append(InputTree(root: proof.quotientRoots[0], members: all, kind: .quotient))
        return trees
    }

    /// Every tree's openings checked for all queries at once (`.merkle(query:tree:)`): one
    /// opened row per member table, under the tree's root at the query's index (scaled down to
    /// the tree's tallest matrix).
    func checkInputOpenings(
        trees: [InputTree],
        proof: StarkProof<F>,
        layout: ProofLayout,
        indices: [Int]
    ) throws(VerificationError) {
        let b = config.fri.logBlowup
        let maxLog = layout.maxLog
        for (bi, tree) in trees.enumerated() {
            let dims = tree.members.map {
                MatrixDimensions(
                    width: tree.kind.width(of: layout.shapes[$0]),
                    height: 1 << (layout.logHeights[$0] + b)
                )
            }
            let batchMax = tree.members.map { layout.logHeights[$0] + b }.max()!
            for (qi, query) in proof.queries.enumerated() where query.inputs[bi].rows.count != tree.members.count {
                throw .merkle(query: qi, tree: bi)
            }
            if let qi = Backend.firstFailure(
                root: tree.root,
                dimensions: dims,
                indices: indices.map { $0 >> (maxLog - batchMax) },
                openings: proof.queries.map { $0.inputs[bi] },
                config: config
            ) {
                throw .merkle(query: qi, tree: bi)
            }
        }
    }

    /// The reduced openings of query `qi` at `index`, one per LDE height `h` (`log2`):
    /// `(F₁(x) − F₁(ζ))/(x − ζ) + γ·(F₂(x) − F₂(ωζ))/(x − ωζ)` at the query's point `x` of that
    /// height, from the rows the query opened (``Fri/reducedOpenings(tables:zeta:challenger:)``
    /// computes the same over whole codewords). The openings are checked
    /// (``checkInputOpenings(trees:proof:layout:indices:)``) before this is asked for.
    func reducedOpenings(
        query qi: Int,
        index: Int,
        trees: [InputTree],
        proof: StarkProof<F>,
        layout: ProofLayout,
        deep: DeepBatching,
        zeta: E,
        generators: [F]
    ) throws(VerificationError) -> [Int: E] {
        let b = config.fri.logBlowup
        let maxLog = layout.maxLog
        let g = F.generator
        let query = proof.queries[qi]
        let tableCount = layout.shapes.count
        // Rows per table: trace values and quotient values.
        var traceRows = [[F]](repeating: [], count: tableCount)
        var quotientRows = [[F]](repeating: [], count: tableCount)
        for (bi, tree) in trees.enumerated() {
            let opening = query.inputs[bi]
            for (mi, t) in tree.members.enumerated() {
                if tree.kind == .quotient {
                    quotientRows[t] = opening.rows[mi]
                } else {
                    traceRows[t].append(contentsOf: opening.rows[mi])
                }
            }
        }
        // Reduced openings per height at this query.
        var reducedAt: [Int: E] = [:]
        for (h, (y1, y2)) in deep.openedSums {
            let idx = index >> (maxLog - h)
            let x = g * generators[h].power(UInt64(reverseBits(idx, bits: h)))
            let omega = generators[h - b]
            var f1 = E.zero
            var f2 = E.zero
            for t in 0..<tableCount where layout.logHeights[t] + b == h {
                var k = deep.offsets[t]
                for v in traceRows[t] {
                    f2 += deep.coefficients[k] * v
                    k += 1
                }
                for v in quotientRows[t] {
                    f1 += deep.coefficients[k] * v
                    k += 1
                }
            }
            f1 += f2
            guard let i1 = (E(x) - zeta).inverse(), let i2 = (E(x) - zeta * omega).inverse() else {
                throw .friFolding(query: qi, round: 0)
            }
            reducedAt[h] = (f1 - y1) * i1 + deep.gamma * (f2 - y2) * i2
        }
        return reducedAt
    }
}

/// What a tree opened at each query commits to. Queries open the trees in this order
/// (``QueryProof/inputs``): one ``preprocessed`` tree per preprocessed group present
/// (ascending), then ``main``, ``aux`` (when some table has interactions) and ``quotient``;
/// the raw values follow that order.
package enum CommitmentKind: UInt8 {
    /// The fixed columns of one preprocessed group's tables.
    case preprocessed = 0
    /// Every table's main trace.
    case main = 1
    /// The LogUp (aux) traces of the tables with interactions, 4 base columns per extension column.
    case aux = 2
    /// Every table's quotient chunks, 4 base columns per chunk.
    case quotient = 3

    /// The width of the matrix of a table of shape `s` in a tree of this kind.
    package func width(of s: AirShape) -> Int {
        switch self {
        case .preprocessed: return s.preprocessedWidth
        case .main: return s.width
        case .aux: return 4 * s.auxExtensionColumns
        case .quotient: return 4 << s.logQuotientDegree
        }
    }
}
