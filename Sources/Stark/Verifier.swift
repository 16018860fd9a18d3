import Algebra
import Hashing

/// Why a proof was rejected.
public enum VerificationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not a well-formed proof.
    case decoding(DecodingError)
    /// The proof was made with other FRI parameters than the verifier's.
    case parameterMismatch
    /// The proof's parameters give fewer proven bits than the verifier's floor.
    case insecureConfiguration(bits: Int, floor: Int)
    /// The proof does not have the shape the AIRs require (counts, widths, heights).
    case shape(String)
    /// The public values differ from the expected ones.
    case publicValuesMismatch(table: Int)
    /// The proof's root of preprocessed group `group` differs from the expected one (given by
    /// the caller, or computed from the AIRs' fixed columns).
    case preprocessedRootMismatch(group: Int)
    /// The constraints do not match the quotient at the out-of-domain point.
    case constraintMismatch(table: Int)
    /// The LogUp cumulative sums do not add up to zero: the buses are unbalanced.
    case unbalancedBuses
    /// The proof-of-work witness is wrong.
    case proofOfWork
    /// A Merkle opening does not verify.
    case merkle(query: Int, tree: Int)
    /// A FRI folding step is inconsistent.
    case friFolding(query: Int, round: Int)
    /// The last folded value does not match the final polynomial.
    case finalPolynomial(query: Int)

    public var description: String {
        switch self {
        case .decoding(let e): return "malformed proof: \(e)"
        case .parameterMismatch: return "the proof uses other FRI parameters"
        case .insecureConfiguration(let b, let f): return "proof parameters give \(b) bits, below \(f)"
        case .shape(let s): return "proof shape: \(s)"
        case .publicValuesMismatch(let t): return "public values of table \(t) differ"
        case .preprocessedRootMismatch(let g):
            return "the root of preprocessed group \(g) differs from the expected one"
        case .constraintMismatch(let t): return "constraints of table \(t) do not hold at the out-of-domain point"
        case .unbalancedBuses: return "bus sums do not cancel"
        case .proofOfWork: return "invalid proof of work"
        case .merkle(let q, let t): return "Merkle opening \(t) of query \(q) does not verify"
        case .friFolding(let q, let r): return "FRI folding inconsistent at query \(q), round \(r)"
        case .finalPolynomial(let q): return "final polynomial mismatch at query \(q)"
        }
    }
}

/// The multi-table STARK verifier.
public struct StarkVerifier<F: StarkField> {
    public typealias E = QuarticExtension<F>
    public let config: StarkConfig<F>

    public init(config: StarkConfig<F>) { self.config = config }

    /// The root of preprocessed group `group` (a verifying key): exactly the root the prover puts
    /// in ``StarkProof/preprocessedRoots`` for that group, under this verifier's configuration.
    ///
    /// `airs` may be the whole statement, in statement order: the AIRs whose
    /// ``Air/preprocessedGroup`` is `group` and that have fixed columns are committed in the order
    /// given, each at the height of its ``Air/preprocessedTrace()`` (the table's height); the
    /// others are skipped. Pass the result in `preprocessedRoots` of
    /// ``verify(airs:proof:publicValues:preprocessedRoots:)`` so that later verifications need
    /// not rebuild those columns. Returns `nil` when no AIR of `group` has fixed columns; throws
    /// `.shape` when one returns no fixed columns, columns of another width, or a height that is
    /// not a power of two in `2...2^ProofLimits.maxLogHeight` (within the field's two-adicity).
    public func preprocessedRoot(airs: [any Air<F>], group: Int) throws(VerificationError) -> StarkDigest<F>? {
        var traces: [RowMajorMatrix<F>] = []
        for (i, air) in airs.enumerated() where air.preprocessedGroup == group && air.preprocessedWidth > 0 {
            guard let p = air.preprocessedTrace(), p.width == air.preprocessedWidth else {
                throw .shape("table \(i): preprocessed trace")
            }
            guard Self.validPreprocessedHeight(p.height, config: config) else {
                throw .shape("table \(i): preprocessed height \(p.height)")
            }
            traces.append(p)
        }
        return traces.isEmpty ? nil : groupRoot(traces)
    }

    /// The root of one preprocessed group's tree over `airs`, all of which are taken to be in the
    /// same group: their ``Air/preprocessedTrace()`` in the given order (the order in which the
    /// tables appear in the proof), under `config`. This is exactly the root the prover puts in
    /// ``StarkProof/preprocessedRoots`` for that group when `airs` are that group's tables with
    /// fixed columns, in statement order. (The tree commits tables tallest first, so only the
    /// relative order of tables of the same height changes the root.)
    ///
    /// Returns `nil` when `airs` is empty, or when some AIR has no fixed columns
    /// (`preprocessedWidth == 0`), returns no trace, returns a trace of another width, or a height
    /// that is not a power of two in `2...2^ProofLimits.maxLogHeight` (within the field's
    /// two-adicity at `config`'s blowup). Unlike ``preprocessedRoot(airs:group:)`` it does not
    /// filter by ``Air/preprocessedGroup``.
    public static func preprocessedRoot(airs: [any Air<F>], config: StarkConfig<F>) -> StarkDigest<F>? {
        guard !airs.isEmpty else { return nil }
        var traces: [RowMajorMatrix<F>] = []
        traces.reserveCapacity(airs.count)
        for air in airs {
            guard air.preprocessedWidth > 0, let p = air.preprocessedTrace(), p.width == air.preprocessedWidth,
                Self.validPreprocessedHeight(p.height, config: config)
            else { return nil }
            traces.append(p)
        }
        return groupRoot(traces, config: config)
    }

    /// Whether `h` is a power of two in `2...2^ProofLimits.maxLogHeight` whose LDE fits the
    /// field's two-adicity under `config`.
    static func validPreprocessedHeight(_ h: Int, config: StarkConfig<F>) -> Bool {
        h >= 2 && h & (h - 1) == 0 && h <= 1 << ProofLimits.maxLogHeight
            && log2Strict(h) + config.fri.logBlowup <= F.twoAdicity
    }

    /// The root of the tree over the low-degree extensions of `traces` (one preprocessed group).
    func groupRoot(_ traces: [RowMajorMatrix<F>]) -> StarkDigest<F> {
        Self.groupRoot(traces, config: config)
    }

    static func groupRoot(_ traces: [RowMajorMatrix<F>], config: StarkConfig<F>) -> StarkDigest<F> {
        PreprocessedCache.root(traces, config: config)
    }

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
        let fri = config.fri
        guard proof.fri == fri else { throw .parameterMismatch }
        let b = fri.logBlowup
        let g = F.generator
        guard airs.count == proof.tables.count, !airs.isEmpty else { throw .shape("number of tables") }
        if let publicValues {
            guard publicValues.count == airs.count else { throw .shape("number of public value lists") }
            for (i, pv) in publicValues.enumerated() where pv != proof.tables[i].publicValues {
                throw .publicValuesMismatch(table: i)
            }
        }

        // Shapes.
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
        let bits = Soundness.report(sp, regime: .uniqueDecoding).bits
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
        let rounds = maxLog - finalLog
        guard proof.mainRoots.count == 1, proof.quotientRoots.count == 1, proof.auxRoots.count == (anyAux ? 1 : 0),
            proof.friRoots.count == rounds, proof.finalPoly.count == 1 << fri.logFinalPolyLength,
            proof.queries.count == fri.numQueries, proof.preprocessedRoots.count == groups.count
        else { throw .shape("commitments") }
        let numInputs = 2 + (anyAux ? 1 : 0) + groups.count
        for q in proof.queries {
            guard q.inputs.count == numInputs, q.layers.count == rounds else { throw .shape("query") }
        }

        // Preprocessed roots: given, or computed from the AIRs' fixed columns.
        for (k, group) in groups.enumerated() {
            let expected: StarkDigest<F>
            if let given = preprocessedRoots[group.group] {
                expected = given
            } else {
                var traces: [RowMajorMatrix<F>] = []
                for i in group.members {
                    guard let p = airs[i].preprocessedTrace(), p.width == shapes[i].preprocessedWidth,
                        p.height == 1 << logHeights[i]
                    else { throw .shape("table \(i): preprocessed trace") }
                    traces.append(p)
                }
                expected = groupRoot(traces)
            }
            guard proof.preprocessedRoots[k] == expected else { throw .preprocessedRootMismatch(group: group.group) }
        }

        // Transcript.
        var ch = config.challenger()
        observeStatement(
            &ch,
            fri: fri,
            shapes: shapes,
            logHeights: logHeights,
            publics: proof.tables.map(\.publicValues)
        )
        for root in proof.preprocessedRoots { ch.observe(root.elements) }
        ch.observe(proof.mainRoots[0].elements)
        guard proof.phaseWitnesses.count == 3 else { throw .shape("phase witnesses") }
        guard ch.checkWitness(bits: fri.phasePowBits, witness: proof.phaseWitnesses[0]) else { throw .proofOfWork }
        let logupAlpha: E = ch.sampleExtension()
        let logupBeta: E = ch.sampleExtension()
        let maxArity = shapes.flatMap(\.interactions).map(\.arity).max() ?? 0
        let betaPowers = Domain.powers(of: logupBeta, count: maxArity + 2)
        if anyAux { ch.observe(proof.auxRoots[0].elements) }
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

        // Constraints at ζ.
        for (i, air) in airs.enumerated() {
            let t = proof.tables[i]
            let o = t.openings
            let lh = t.logHeight
            guard let sel = Domain.selectors(at: zeta, logN: lh) else { throw .constraintMismatch(table: i) }
            let k = shapes[i].interactions.count
            let auxL = (0..<(o.auxLocal.count / 4)).map { Domain.recombine(o.auxLocal[(4 * $0)..<(4 * $0 + 4)]) }
            let auxN = (0..<(o.auxNext.count / 4)).map { Domain.recombine(o.auxNext[(4 * $0)..<(4 * $0 + 4)]) }
            var folder = VerifierFolder<F>(
                mainLocal: o.mainLocal,
                mainNext: o.mainNext,
                prepLocal: o.prepLocal,
                prepNext: o.prepNext,
                auxLocal: auxL,
                auxNext: auxN,
                publics: t.publicValues,
                selectors: (sel.first, sel.last, sel.transition),
                lambda: lambda,
                logupAlpha: logupAlpha,
                betaPowers: betaPowers,
                cumulativeSum: t.cumulativeSum ?? .zero,
                closesColumn: shapes[i].closesLogUpColumn
            )
            air.eval(&folder)
            folder.finish(numColumns: shapes[i].logUpColumns.count)
            guard !folder.outOfRange, folder.interactionIndex == k else { throw .constraintMismatch(table: i) }
            let zetaN = zeta.exp2(lh)
            var q = E.zero
            var zPow = E.one
            for c in 0..<(o.quotient.count / 4) {
                q += zPow * Domain.recombine(o.quotient[(4 * c)..<(4 * c + 4)])
                zPow *= zetaN
            }
            guard folder.acc == q * sel.zh else { throw .constraintMismatch(table: i) }
        }

        // DEEP batching coefficients and opened sums per height.
        let widths = shapes.map { s in
            s.preprocessedWidth + s.width + 4 * s.auxExtensionColumns
                + (4 << s.logQuotientDegree)
        }
        var coeffs: [E] = []
        let totalCols = widths.reduce(0, +)
        coeffs.reserveCapacity(totalCols)
        guard ch.checkWitness(bits: fri.phasePowBits, witness: proof.phaseWitnesses[2]) else { throw .proofOfWork }
        for _ in 0..<totalCols { coeffs.append(ch.sampleExtension()) }
        let gamma: E = ch.sampleExtension()
        var offsets: [Int] = []
        var acc = 0
        for w in widths {
            offsets.append(acc)
            acc += w
        }
        var ySums: [Int: (E, E)] = [:]
        for i in 0..<airs.count {
            let (a, c) = Fri.openedSums(
                proof.tables[i].openings,
                coefficients: coeffs[offsets[i]..<(offsets[i] + widths[i])]
            )
            let h = logHeights[i] + b
            let prev = ySums[h] ?? (.zero, .zero)
            ySums[h] = (prev.0 + a, prev.1 + c)
        }

        // FRI transcript.
        var betas: [E] = []
        for r in proof.friRoots {
            ch.observe(r.elements)
            betas.append(ch.sampleExtension())
        }
        for c in proof.finalPoly { ch.observe(extension: c) }
        guard ch.checkWitness(bits: fri.queryPowBits, witness: proof.powWitness) else { throw .proofOfWork }

        // Batches in commitment order: (root, table indices).
        var batches: [(StarkDigest<F>, [Int])] = []
        for (k, group) in groups.enumerated() { batches.append((proof.preprocessedRoots[k], group.members)) }
        batches.append((proof.mainRoots[0], Array(airs.indices)))
        if anyAux { batches.append((proof.auxRoots[0], airs.indices.filter { !shapes[$0].interactions.isEmpty })) }
        batches.append((proof.quotientRoots[0], Array(airs.indices)))
        let batchWidth: [(Int) -> Int] = [
            { shapes[$0].preprocessedWidth },
            { shapes[$0].width },
            { 4 * shapes[$0].auxExtensionColumns },
            { 4 << shapes[$0].logQuotientDegree },
        ]
        let kinds = [Int](repeating: 0, count: groups.count) + [1] + (anyAux ? [2] : []) + [3]
        let half = F(UInt32(2)).inverse()!

        // Query indices (the transcript's last use), then every tree's openings checked for all
        // queries at once.
        let indices = (0..<proof.queries.count).map { _ in ch.sampleBits(maxLog) }
        for (bi, (root, members)) in batches.enumerated() {
            let kind = kinds[bi]
            let dims = members.map {
                MatrixDimensions(width: batchWidth[kind]($0), height: 1 << (logHeights[$0] + b))
            }
            let batchMax = members.map { logHeights[$0] + b }.max()!
            for (qi, query) in proof.queries.enumerated() where query.inputs[bi].rows.count != members.count {
                throw .merkle(query: qi, tree: bi)
            }
            if let qi = Backend.firstFailure(
                root: root,
                dimensions: dims,
                indices: indices.map { $0 >> (maxLog - batchMax) },
                openings: proof.queries.map { $0.inputs[bi] },
                config: config
            ) {
                throw .merkle(query: qi, tree: bi)
            }
        }

        // Per query: the reduced openings and the folding chain. The FRI leaves met on the way are
        // checked against their commitments afterwards, one batch per round.
        var friLeaves = [[RowOpening<F>]](repeating: [], count: rounds)
        var friIndices = [[Int]](repeating: [], count: rounds)
        for r in 0..<rounds {
            friLeaves[r].reserveCapacity(proof.queries.count)
            friIndices[r].reserveCapacity(proof.queries.count)
        }
        // ω_{2^L} for every size met, and ω_{2^(h−b)} for the trace heights.
        let generators = (0...maxLog).map { F.twoAdicGenerator(logOrder: $0) }
        for (qi, query) in proof.queries.enumerated() {
            let index = indices[qi]
            // Rows per table: trace values and quotient values.
            var traceRows = [[F]](repeating: [], count: airs.count)
            var quotientRows = [[F]](repeating: [], count: airs.count)
            for (bi, (_, members)) in batches.enumerated() {
                let opening = query.inputs[bi]
                for (mi, t) in members.enumerated() {
                    if kinds[bi] == 3 {
                        quotientRows[t] = opening.rows[mi]
                    } else {
                        traceRows[t].append(contentsOf: opening.rows[mi])
                    }
                }
            }
            // Reduced openings per height at this query.
            var reducedAt: [Int: E] = [:]
            for (h, (y1, y2)) in ySums {
                let idx = index >> (maxLog - h)
                let x = g * generators[h].power(UInt64(reverseBits(idx, bits: h)))
                let omega = generators[h - b]
                var f1 = E.zero
                var f2 = E.zero
                for t in airs.indices where logHeights[t] + b == h {
                    var k = offsets[t]
                    for v in traceRows[t] {
                        f2 += coeffs[k] * v
                        k += 1
                    }
                    for v in quotientRows[t] {
                        f1 += coeffs[k] * v
                        k += 1
                    }
                }
                f1 += f2
                guard let i1 = (E(x) - zeta).inverse(), let i2 = (E(x) - zeta * omega).inverse() else {
                    throw .friFolding(query: qi, round: 0)
                }
                reducedAt[h] = (f1 - y1) * i1 + gamma * (f2 - y2) * i2
            }
            var cur = reducedAt[maxLog]!
            var idx = index
            var L = maxLog
            for r in 0..<rounds {
                let layer = query.layers[r]
                let (e0, e1) = idx & 1 == 0 ? (cur, layer.sibling) : (layer.sibling, cur)
                friLeaves[r].append(
                    RowOpening(rows: [[e0.c0, e0.c1, e0.c2, e0.c3, e1.c0, e1.c1, e1.c2, e1.c3]], path: layer.path)
                )
                friIndices[r].append(idx >> 1)
                // The pair's x is g·ω_{2^L}^bitrev_{L−1}(i): ω_{2^L} to the (L−1)-bit reversal.
                let xPair = g * generators[L].power(UInt64(reverseBits(idx >> 1, bits: L - 1)))
                cur = Fri.foldPair(e0, e1, beta: betas[r], xInv: xPair.inverse()!, half: half)
                idx >>= 1
                L -= 1
                if let extra = reducedAt[L] { cur += betas[r] * betas[r] * extra }
            }
            let xFinal = Domain.point(shift: g, logSize: finalLog, index: idx)
            guard Fri.evaluate(proof.finalPoly, at: xFinal) == cur else { throw .finalPolynomial(query: qi) }
        }
        var L = maxLog
        for r in 0..<rounds {
            if let qi = Backend.firstFailure(
                root: proof.friRoots[r],
                dimensions: [MatrixDimensions(width: 8, height: 1 << (L - 1))],
                indices: friIndices[r],
                openings: friLeaves[r],
                config: config
            ) {
                throw .friFolding(query: qi, round: r)
            }
            L -= 1
        }
    }
}

extension StarkProof {
    /// The proof's ``preprocessedRoots`` keyed by group, for the statement `airs`: the groups of
    /// the AIRs with fixed columns, in ascending order, take the roots in turn. `nil` when the
    /// proof carries another number of roots. Use it to read a prover-chosen root (then pass it,
    /// or a root it was compared with, in `preprocessedRoots` of
    /// ``StarkVerifier/verify(airs:proof:publicValues:preprocessedRoots:)``).
    public func preprocessedRootsByGroup(airs: [any Air<F>]) -> [Int: StarkDigest<F>]? {
        let groups = Set(airs.filter { $0.preprocessedWidth > 0 }.map(\.preprocessedGroup)).sorted()
        guard groups.count == preprocessedRoots.count else { return nil }
        return Dictionary(uniqueKeysWithValues: zip(groups, preprocessedRoots))
    }
}
