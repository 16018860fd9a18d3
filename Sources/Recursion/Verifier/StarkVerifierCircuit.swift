import Algebra
import Hashing
import Stark

/// What a verifier circuit established about the proof it verified: the slots that hold the
/// proof's statement, for the caller to bind (compare with constants, other proofs'
/// statements, or make public).
public struct VerifiedStatement: Sendable {
    /// Each table's public values, in statement order.
    public var publicValues: [[Slot]]
    /// Each preprocessed group's root present (8 slots each), ascending group order: the
    /// verifying key of the fixed columns (a program's id, a circuit's key).
    public var preprocessedRoots: [[Slot]]
}

/// Emits the multi-table STARK verifier (``Stark/StarkVerifier``) as circuit ops: the same
/// transcript, out-of-domain check, DEEP batching, Merkle openings and FRI folding, step for
/// step, on a proof of a known shape.
///
/// The shape (tables, heights, widths, FRI parameters, query and path lengths) is checked
/// natively first and fixes the circuit; every value of the proof becomes an input slot. A
/// proof that fails a check still yields the same circuit (the failure is recorded in
/// ``CircuitBuilder/failures`` and the witness does not satisfy the circuit), so that a
/// verifier circuit built from any valid proof of that shape is the verifying key.
public struct StarkVerifierCircuit {
    public let config: StarkConfig<RF>
    let b: CircuitBuilder

    public init(config: StarkConfig<RF>, builder: CircuitBuilder) {
        self.config = config
        self.b = builder
    }

    /// Writes the verification of `proof` against `airs` into the builder and returns the
    /// proof's statement. Throws when the proof's shape does not match `airs` and the
    /// configuration (nothing is written then).
    public func verify(airs: [any Air<RF>], proof: StarkProof<RF>) throws(VerificationError) -> VerifiedStatement {
        guard proof.fri == config.fri else { throw .parameterMismatch }
        // The FRI chain needs at least one fold below the final polynomial's codeword.
        guard config.fri.logBlowup + config.fri.logFinalPolyLength >= 1 else { throw .parameterMismatch }
        guard proof.phaseWitnesses.count == 3 else { throw .shape("phase witnesses") }
        let native = StarkVerifier(config: config)
        let layout = try native.checkShape(airs: airs, proof: proof, publicValues: nil, given: [:])
        let trees = native.inputTrees(proof: proof, layout: layout)
        try checkQueryShapes(proof: proof, layout: layout, trees: trees)

        var ch = CircuitChallenger(b)
        let publics = proof.tables.map { b.inputs(base: $0.publicValues) }
        let preprocessedRoots = proof.preprocessedRoots.map { b.inputs(base: $0.elements) }
        let transcript = replayTranscript(&ch, proof: proof, layout: layout, publics: publics, roots: preprocessedRoots)
        try checkConstraintsAtZeta(airs: airs, proof: proof, layout: layout, transcript: transcript, publics: publics)
        checkQueries(&ch, proof: proof, layout: layout, trees: trees, transcript: transcript, roots: preprocessedRoots)
        return VerifiedStatement(publicValues: publics, preprocessedRoots: preprocessedRoots)
    }

    /// The query openings' shapes, which the native verifier checks while hashing: rows per
    /// tree and their widths, path lengths, FRI layers. Checked before any slot is read.
    func checkQueryShapes(
        proof: StarkProof<RF>,
        layout: StarkVerifier<RF>.ProofLayout,
        trees: [StarkVerifier<RF>.InputTree]
    ) throws(VerificationError) {
        let lb = config.fri.logBlowup
        let schedule = config.fri.foldSchedule(codewordLogSizes: Set(layout.logHeights.map { $0 + lb }))
        for (qi, q) in proof.queries.enumerated() {
            for (bi, tree) in trees.enumerated() {
                let o = q.inputs[bi]
                let batchMax = tree.members.map { layout.logHeights[$0] + lb }.max()!
                guard o.rows.count == tree.members.count, o.path.count == batchMax else {
                    throw .merkle(query: qi, tree: bi)
                }
                for (mi, t) in tree.members.enumerated()
                where o.rows[mi].count != tree.kind.width(of: layout.shapes[t]) {
                    throw .merkle(query: qi, tree: bi)
                }
            }
            var l = layout.maxLog
            for (r, layer) in q.layers.enumerated() {
                guard r < schedule.count, layer.path.count == l - schedule[r],
                    layer.siblings.count == (1 << schedule[r]) - 1
                else {
                    throw .friFolding(query: qi, round: r)
                }
                l -= schedule[r]
            }
        }
    }

    /// The challenges and opened values the later steps use (all slots).
    struct Transcript {
        var alpha: Slot
        var betaPowers: [Slot]
        var lambda: Slot
        var zeta: Slot
        /// Per table: cumulative sum (zero slot when the table has none).
        var cumulativeSums: [Slot]
        /// Per table, the opened values (extension slots) in the proof's order.
        var openings: [OpenedValues]
        /// The main, aux (when present) and quotient roots (8 slots each).
        var mainRoot: [Slot]
        var auxRoot: [Slot]?
        var quotientRoot: [Slot]
    }

    struct OpenedValues {
        var mainLocal: [Slot]
        var mainNext: [Slot]
        var prepLocal: [Slot]
        var prepNext: [Slot]
        var auxLocal: [Slot]
        var auxNext: [Slot]
        var quotient: [Slot]
    }

    /// As ``Stark/StarkVerifier``'s transcript replay: statement, roots, the LogUp challenges
    /// after the first phase proof of work, the cumulative sums (which must add to zero), λ,
    /// the quotient root, ζ after the second phase proof of work, and the opened values.
    func replayTranscript(
        _ ch: inout CircuitChallenger,
        proof: StarkProof<RF>,
        layout: StarkVerifier<RF>.ProofLayout,
        publics: [[Slot]],
        roots: [[Slot]]
    ) -> Transcript {
        let fri = config.fri
        for c in [
            7, fri.logBlowup, fri.numQueries, fri.queryPowBits, fri.phasePowBits, fri.logFinalPolyLength,
            fri.logFoldingArity, fri.commitPowBits,
        ] {
            ch.observe(constant: RF(UInt32(c)))
        }
        ch.observe(constant: RF(UInt32(layout.shapes.count)))
        for (i, s) in layout.shapes.enumerated() {
            for c in [
                layout.logHeights[i], s.width, s.preprocessedWidth, s.preprocessedWidth > 0 ? s.preprocessedGroup : 0,
                s.interactions.count, s.logUpColumns.count, publics[i].count,
            ] {
                ch.observe(constant: RF(UInt32(c)))
            }
            ch.observe(publics[i])
        }
        for r in roots { ch.observe(r) }
        let mainRoot = b.inputs(base: proof.mainRoots[0].elements)
        ch.observe(mainRoot)
        ch.checkWitness(bits: fri.phasePowBits, witness: b.input(base: proof.phaseWitnesses[0]))
        let alpha = ch.sampleExtension()
        let beta = ch.sampleExtension()
        let maxArity = layout.shapes.flatMap(\.interactions).map(\.arity).max() ?? 0
        var betaPowers = [b.constant(.one)]
        for _ in 0..<(maxArity + 1) { betaPowers.append(b.mul(betaPowers.last!, beta)) }
        let auxRoot = layout.anyAux ? b.inputs(base: proof.auxRoots[0].elements) : nil
        if let auxRoot { ch.observe(auxRoot) }
        var total = RecursionCircuit.zero
        var sums: [Slot] = []
        for t in proof.tables {
            if let c = t.cumulativeSum {
                let (coefficients, value) = b.inputExtension(c)
                ch.observe(coefficients)
                total = b.add(total, value)
                sums.append(value)
            } else {
                sums.append(RecursionCircuit.zero)
            }
        }
        b.assertZero(total, "unbalanced buses")
        let lambda = ch.sampleExtension()
        let quotientRoot = b.inputs(base: proof.quotientRoots[0].elements)
        ch.observe(quotientRoot)
        ch.checkWitness(bits: fri.phasePowBits, witness: b.input(base: proof.phaseWitnesses[1]))
        let zeta = ch.sampleExtension()
        var openings: [OpenedValues] = []
        for t in proof.tables {
            let o = t.openings
            func read(_ list: [RE]) -> [Slot] {
                list.map { v in
                    let (c, s) = b.inputExtension(v)
                    ch.observe(c)
                    return s
                }
            }
            // The transcript's order: main, preprocessed, aux (local then next), quotient.
            let mainLocal = read(o.mainLocal)
            let mainNext = read(o.mainNext)
            let prepLocal = read(o.prepLocal)
            let prepNext = read(o.prepNext)
            let auxLocal = read(o.auxLocal)
            let auxNext = read(o.auxNext)
            let quotient = read(o.quotient)
            openings.append(
                OpenedValues(
                    mainLocal: mainLocal,
                    mainNext: mainNext,
                    prepLocal: prepLocal,
                    prepNext: prepNext,
                    auxLocal: auxLocal,
                    auxNext: auxNext,
                    quotient: quotient
                )
            )
        }
        return Transcript(
            alpha: alpha,
            betaPowers: betaPowers,
            lambda: lambda,
            zeta: zeta,
            cumulativeSums: sums,
            openings: openings,
            mainRoot: mainRoot,
            auxRoot: auxRoot,
            quotientRoot: quotientRoot
        )
    }

    /// The out-of-domain check, per table: the AIR's constraints and LogUp relations folded
    /// with λ (``Stark/OutOfDomainFolder``, the native verifier's own code, on circuit values)
    /// equal the opened quotient times the vanishing polynomial at ζ.
    func checkConstraintsAtZeta(
        airs: [any Air<RF>],
        proof: StarkProof<RF>,
        layout: StarkVerifier<RF>.ProofLayout,
        transcript t: Transcript,
        publics: [[Slot]]
    ) throws(VerificationError) {
        typealias X = CircuitExpr
        func x(_ s: Slot) -> X { X(s, in: b) }
        let zeta = t.zeta
        // ζ^(2^k) for every k needed.
        var zetaPow2 = [zeta]
        for _ in 0..<(layout.logHeights.max()!) { zetaPow2.append(b.mul(zetaPow2.last!, zetaPow2.last!)) }
        for (i, air) in airs.enumerated() {
            let o = t.openings[i]
            let lh = layout.logHeights[i]
            let shape = layout.shapes[i]
            // Selectors: Z_H(ζ)/(ζ − 1), Z_H(ζ)/(ζ − ω⁻¹), ζ − ω⁻¹, with Z_H(ζ) = ζ^N − 1.
            let omegaInv = RF.twoAdicGenerator(logOrder: lh).inverse()!
            let zetaN = zetaPow2[lh]
            let zh = b.add(zetaN, constant: -.one)
            let first = b.mul(zh, b.inverse(b.add(zeta, constant: -.one), "ζ in the trace domain"))
            let transition = b.add(zeta, constant: -RE(omegaInv))
            let last = b.mul(zh, b.inverse(transition, "ζ in the trace domain"))
            let auxL = stride(from: 0, to: o.auxLocal.count, by: 4).map {
                b.recombineExtensions(o.auxLocal[$0..<($0 + 4)])
            }
            let auxN = stride(from: 0, to: o.auxNext.count, by: 4).map {
                b.recombineExtensions(o.auxNext[$0..<($0 + 4)])
            }
            var folder = OutOfDomainFolder<X>(
                mainLocal: o.mainLocal.map(x),
                mainNext: o.mainNext.map(x),
                prepLocal: o.prepLocal.map(x),
                prepNext: o.prepNext.map(x),
                auxLocal: auxL.map(x),
                auxNext: auxN.map(x),
                publics: publics[i].map(x),
                selectors: (x(first), x(last), x(transition)),
                lambda: x(t.lambda),
                logupAlpha: x(t.alpha),
                betaPowers: t.betaPowers.map(x),
                cumulativeSum: x(t.cumulativeSums[i]),
                closesColumn: shape.closesLogUpColumn
            )
            air.eval(&folder)
            folder.finish(numColumns: shape.logUpColumns.count)
            guard !folder.outOfRange, folder.interactionIndex == shape.interactions.count else {
                throw .constraintMismatch(table: i)
            }
            // Σ_c ζ^(N·c) · q_c(ζ), each chunk recombined from its four coordinates.
            var q = RecursionCircuit.zero
            var zPow: Slot? = nil
            for c in stride(from: 0, to: o.quotient.count, by: 4) {
                let chunk = b.recombineExtensions(o.quotient[c..<(c + 4)])
                if let p = zPow {
                    q = b.mulAdd(p, chunk, q)
                    zPow = b.mul(p, zetaN)
                } else {
                    q = b.add(q, chunk)
                    zPow = zetaN
                }
            }
            b.assertEqual(folder.acc.slot(in: b), b.mul(q, zh), "table \(i): constraints at ζ")
        }
    }
}
