import Algebra
import Foundation
import Hashing

/// One table to prove: its AIR, its trace and its public values.
public struct TableInput<F: StarkPackedField>: Sendable {
    public var air: any Air<F>
    public var trace: RowMajorMatrix<F>
    public var publicValues: [F]

    public init(air: any Air<F>, trace: RowMajorMatrix<F>, publicValues: [F] = []) {
        self.air = air
        self.trace = trace
        self.publicValues = publicValues
    }
}

/// Why the prover refused or failed.
public enum ProverError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration proves fewer bits than the floor (and insecure proving is not allowed).
    case insecureConfiguration(bits: Int, floor: Int)
    /// A trace or its public values do not match the AIR's shape.
    case shape(String)
    /// The AIR's constraints are of higher degree than the blowup allows.
    case degreeTooHigh(table: String, degree: Int, maxDegree: Int)
    /// A constraint fails on the trace (only when trace checking is on).
    case constraintFailure(ConstraintFailure)
    /// The multisets sent and received on the buses differ.
    case unbalancedBuses

    public var description: String {
        switch self {
        case .insecureConfiguration(let b, let f):
            return "configuration proves \(b) bits (UDR), below the floor of \(f)"
        case .shape(let s): return "shape mismatch: \(s)"
        case .degreeTooHigh(let t, let d, let m): return "\(t): constraint degree \(d) exceeds \(m) for this blowup"
        case .constraintFailure(let c): return c.description
        case .unbalancedBuses: return "the tuples sent and received on the buses differ"
        }
    }
}

/// Options of one proving run.
public struct ProvingOptions: Sendable {
    /// Check every constraint on the trace before proving (slow; for development).
    public var checkConstraints: Bool = false
    /// Refuse to prove when the buses do not balance (turn off only to test the verifier).
    public var checkBuses: Bool = true
    /// Receives a line for each proving phase.
    public var progress: (@Sendable (String) -> Void)? = nil

    public init(checkConstraints: Bool = false, checkBuses: Bool = true, progress: (@Sendable (String) -> Void)? = nil)
    {
        self.checkConstraints = checkConstraints
        self.checkBuses = checkBuses
        self.progress = progress
    }
}

/// Soundness parameters of a statement (tables, shapes) under `fri`.
public func soundnessParameters<F: PrimeField31>(
    shapes: [AirShape],
    logHeights: [Int],
    fri: FriParameters,
    fieldType: F.Type = F.self
) -> SoundnessParameters {
    var columns = 0
    var constraints = 0
    var degree = 2
    var buses = Set<UInt32>()
    for s in shapes {
        let qd = 1 << s.logQuotientDegree
        columns += s.width + s.preprocessedWidth + 4 * s.auxExtensionColumns + 4 * qd
        constraints += s.numConstraints + s.numLogUpConstraints
        degree = max(degree, s.maxConstraintDegree)
        for i in s.interactions { buses.insert(i.bus.id) }
    }
    return SoundnessParameters(
        baseFieldBits: Foundation.log2(Double(F.modulus)),
        extensionDegree: 4,
        logTraceLength: logHeights.max() ?? 0,
        maxConstraintDegree: degree,
        numConstraints: constraints,
        logBlowup: fri.logBlowup,
        numQueries: fri.numQueries,
        queryPowBits: fri.queryPowBits,
        commitPowBits: fri.commitPowBits,
        logFoldingArity: fri.logFoldingArity,
        logFinalPolyLength: fri.logFinalPolyLength,
        numBatchedColumns: columns,
        numOpeningPoints: 2,
        numLookups: buses.count,
        phasePowBits: fri.phasePowBits
    )
}

/// The multi-table STARK prover.
public struct StarkProver<F: StarkField> {
    public typealias E = QuarticExtension<F>

    public let config: StarkConfig<F>

    public init(config: StarkConfig<F>) { self.config = config }

    /// Proves that every table's trace satisfies its AIR and that the buses balance.
    public func prove(
        _ tables: [TableInput<F>],
        options: ProvingOptions = ProvingOptions()
    ) throws(ProverError)
        -> StarkProof<F>
    {
        let fri = config.fri
        let b = fri.logBlowup
        let g = F.generator
        let report = options.progress ?? { _ in }

        // 0. Shapes and policy.
        guard !tables.isEmpty else { throw .shape("no tables") }
        var shapes: [AirShape] = []
        var logHeights: [Int] = []
        var preps: [RowMajorMatrix<F>?] = []
        for t in tables {
            let s = AirShape(of: t.air)
            let h = t.trace.height
            guard t.trace.width == s.width else {
                throw .shape("\(t.air.name): trace width \(t.trace.width), AIR width \(s.width)")
            }
            guard h >= 2, h & (h - 1) == 0 else { throw .shape("\(t.air.name): height \(h) is not a power of two ≥ 2") }
            let lh = log2Strict(h)
            guard lh + b <= F.twoAdicity, lh <= ProofLimits.maxLogHeight, lh >= fri.logFinalPolyLength else {
                throw .shape("\(t.air.name): height 2^\(lh) out of range")
            }
            guard t.publicValues.count == s.numPublicValues else {
                throw .shape("\(t.air.name): \(t.publicValues.count) public values, expected \(s.numPublicValues)")
            }
            guard (0..<ProofLimits.maxPreprocessedGroups).contains(s.preprocessedGroup) else {
                let limit = ProofLimits.maxPreprocessedGroups
                throw .shape("\(t.air.name): preprocessed group \(s.preprocessedGroup) is not in 0..<\(limit)")
            }
            if let k = s.interactions.firstIndex(where: \.usesSelector) {
                throw .shape(
                    "\(t.air.name): interaction \(k) reads a row selector; interactions may not (use a column)"
                )
            }
            guard s.logQuotientDegree <= b else {
                throw .degreeTooHigh(table: t.air.name, degree: s.maxConstraintDegree, maxDegree: 1 + (1 << b))
            }
            let prep = t.air.preprocessedTrace()
            if s.preprocessedWidth > 0 {
                guard let p = prep, p.width == s.preprocessedWidth, p.height == h else {
                    throw .shape("\(t.air.name): preprocessed trace missing or of the wrong shape")
                }
            }
            if options.checkConstraints,
                let failure = checkConstraints(air: t.air, trace: t.trace, publicValues: t.publicValues)
            {
                throw .constraintFailure(failure)
            }
            shapes.append(s)
            logHeights.append(lh)
            preps.append(s.preprocessedWidth > 0 ? prep : nil)
        }
        let sp = soundnessParameters(shapes: shapes, logHeights: logHeights, fri: fri, fieldType: F.self)
        let bits = Soundness.report(sp, regime: config.regime).bits
        if bits < config.securityFloor && !config.allowInsecure {
            throw .insecureConfiguration(bits: bits, floor: config.securityFloor)
        }

        var ch = config.challenger()
        observeStatement(&ch, fri: fri, shapes: shapes, logHeights: logHeights, publics: tables.map(\.publicValues))

        // 1. Preprocessed commitments (one tree per group, ascending) and the main commitment
        // (one tree over all tables).
        report("committing to \(tables.count) trace(s)")
        // (Fixed tables repeat across proofs — every shard of a program, a shared range table —
        // so their commitments come from a small cache when the very same traces were committed.)
        var prepLDEs = [RowMajorMatrix<F>?](repeating: nil, count: tables.count)
        let prepBatches = preprocessedGroups(shapes).map { group in
            let batch = PreprocessedCache.batch(group.members.map { preps[$0]! }, config: config)
            for (k, i) in group.members.enumerated() { prepLDEs[i] = batch.matrices[k] }
            return batch
        }
        for batch in prepBatches { ch.observe(batch.root.elements) }
        let mainLDEs = tables.map { Backend.lde($0.trace, logBlowup: b) }
        let mainBatch = Backend.commit(mainLDEs, config: config)
        ch.observe(mainBatch.root.elements)

        // 2. LogUp (after the phase proof of work).
        let logupWitness = ch.grind(bits: fri.phasePowBits)
        let logupAlpha: E = ch.sampleExtension()
        let logupBeta: E = ch.sampleExtension()
        let maxArity = shapes.flatMap(\.interactions).map(\.arity).max() ?? 0
        let betaPowers = Domain.powers(of: logupBeta, count: maxArity + 2)
        var auxLDEs: [RowMajorMatrix<F>?] = []
        var cumulativeSums: [E?] = []
        for (i, t) in tables.enumerated() {
            if shapes[i].interactions.isEmpty {
                auxLDEs.append(nil)
                cumulativeSums.append(nil)
                continue
            }
            report("LogUp trace for \(t.air.name)")
            // (The aux trace goes straight into its extension: it is opened from there.)
            let (auxLDE, sum) = LogUp.auxLDE(
                air: t.air,
                trace: t.trace,
                prep: preps[i],
                publics: t.publicValues,
                columns: shapes[i].logUpColumns,
                alpha: logupAlpha,
                betaPowers: betaPowers,
                logBlowup: b
            )
            auxLDEs.append(auxLDE)
            cumulativeSums.append(sum)
        }
        report("committing to the LogUp columns")
        let presentAux = auxLDEs.compactMap { $0 }
        let auxBatch = presentAux.isEmpty ? nil : Backend.commit(presentAux, config: config)
        if let auxBatch { ch.observe(auxBatch.root.elements) }
        for c in cumulativeSums { if let c { ch.observe(extension: c) } }
        if options.checkBuses {
            let total = cumulativeSums.compactMap { $0 }.reduce(E.zero, +)
            if !total.isZero { throw .unbalancedBuses }
        }

        // 3. Quotients.
        let lambda: E = ch.sampleExtension()
        var quotientLDEs: [RowMajorMatrix<F>] = []
        var quotientCoeffs: [RowMajorMatrix<F>] = []
        for (i, t) in tables.enumerated() {
            report("quotient of \(t.air.name) (2^\(logHeights[i]) rows)")
            let q = Quotient.compute(
                air: t.air,
                shape: shapes[i],
                logHeight: logHeights[i],
                logBlowup: b,
                main: mainLDEs[i],
                prep: prepLDEs[i],
                aux: auxLDEs[i],
                publics: t.publicValues,
                lambda: lambda,
                logupAlpha: logupAlpha,
                betaPowers: betaPowers,
                cumulativeSum: cumulativeSums[i] ?? .zero
            )
            quotientLDEs.append(Backend.evaluateCoefficients(q, logSize: logHeights[i] + b, shift: g))
            quotientCoeffs.append(q)
        }
        report("committing to the quotients")
        let quotientBatch = Backend.commit(quotientLDEs, config: config)
        ch.observe(quotientBatch.root.elements)

        // 4. Out-of-domain openings.
        report("opening at the out-of-domain point")
        let deepWitness = ch.grind(bits: fri.phasePowBits)
        let zeta: E = ch.sampleExtension()
        var tableProofs: [TableProof<F>] = []
        // Barycentric weights per height: over H for the traces, over g·H for the aux columns
        // (opened from their extensions' first rows).
        var weightsByHeight: [Int: [E]] = [:]
        var cosetWeightsByHeight: [Int: [E]] = [:]
        let zetaOverG = zeta * g.inverse()!
        for (i, t) in tables.enumerated() {
            let n = logHeights[i]
            let weights = weightsByHeight[n] ?? Opening.barycentricWeights(logHeight: n, at: zeta)
            weightsByHeight[n] = weights
            let (mL, mN) = Opening.evaluateTrace(t.trace, weights: weights)
            var pL: [E] = []
            var pN: [E] = []
            if let p = preps[i] { (pL, pN) = Opening.evaluateTrace(p, weights: weights) }
            var aL: [E] = []
            var aN: [E] = []
            if let a = auxLDEs[i] {
                let cosetWeights =
                    cosetWeightsByHeight[n] ?? Opening.barycentricWeights(logHeight: n, at: zetaOverG)
                cosetWeightsByHeight[n] = cosetWeights
                (aL, aN) = Opening.evaluateTrace(a, weights: cosetWeights, bitReversed: true)
            }
            let qv = Opening.evaluateCoefficients(quotientCoeffs[i], at: zeta)
            let o = TableOpenings(
                mainLocal: mL,
                mainNext: mN,
                prepLocal: pL,
                prepNext: pN,
                auxLocal: aL,
                auxNext: aN,
                quotient: qv
            )
            observeOpenings(&ch, o)
            tableProofs.append(
                TableProof(logHeight: n, publicValues: t.publicValues, cumulativeSum: cumulativeSums[i], openings: o)
            )
        }

        // 5. DEEP batching into one reduced codeword per height.
        report("DEEP quotients")
        var columns: [Fri.TableColumns<F>] = []
        for i in 0..<tables.count {
            columns.append(
                Fri.TableColumns(
                    logLDE: logHeights[i] + b,
                    logTrace: logHeights[i],
                    trace: [prepLDEs[i], mainLDEs[i], auxLDEs[i]].compactMap { $0 },
                    deepMatrices: shapes[i].deepMatrices,
                    quotient: quotientLDEs[i],
                    openings: tableProofs[i].openings
                )
            )
        }
        let batchingWitness = ch.grind(bits: fri.phasePowBits)
        let reduced = Fri.reducedOpenings(tables: columns, zeta: zeta, challenger: &ch)

        // 6. FRI.
        report("FRI")
        let inputs = prepBatches + [mainBatch, auxBatch, quotientBatch].compactMap { $0 }
        let friProof = Fri.prove(reduced: reduced, inputs: inputs, fri: fri, config: config, challenger: &ch)

        return StarkProof(
            fri: fri,
            tables: tableProofs,
            preprocessedRoots: prepBatches.map(\.root),
            mainRoots: [mainBatch.root],
            auxRoots: auxBatch.map { [$0.root] } ?? [],
            quotientRoots: [quotientBatch.root],
            friRoots: friProof.roots,
            commitWitnesses: friProof.commitWitnesses,
            finalPoly: friProof.finalPoly,
            phaseWitnesses: [logupWitness, deepWitness, batchingWitness],
            powWitness: friProof.witness,
            queries: friProof.queries
        )
    }
}

/// The preprocessed commitment groups of a statement, in ascending group order: each group
/// with at least one table with fixed columns, and those tables' indices in statement order.
func preprocessedGroups(_ shapes: [AirShape]) -> [(group: Int, members: [Int])] {
    var byGroup: [Int: [Int]] = [:]
    for (i, s) in shapes.enumerated() where s.preprocessedWidth > 0 {
        byGroup[s.preprocessedGroup, default: []].append(i)
    }
    return byGroup.keys.sorted().map { ($0, byGroup[$0]!) }
}

/// Absorbs all opened values of a table.
func observeOpenings<F: StarkField>(_ ch: inout DuplexChallenger<Poseidon2<F>>, _ o: TableOpenings<F>) {
    for list in [o.mainLocal, o.mainNext, o.prepLocal, o.prepNext, o.auxLocal, o.auxNext, o.quotient] {
        for v in list { ch.observe(extension: v) }
    }
}

/// Absorbs the statement: protocol version, parameters, table shapes (with preprocessed
/// groups) and heights, public values.
func observeStatement<F: StarkField>(
    _ ch: inout DuplexChallenger<Poseidon2<F>>,
    fri: FriParameters,
    shapes: [AirShape],
    logHeights: [Int],
    publics: [[F]]
) {
    ch.observe(F(UInt32(7)))  // protocol version (7: one DEEP challenge per extension column)
    ch.observe(F(UInt32(fri.logBlowup)))
    ch.observe(F(UInt32(fri.numQueries)))
    ch.observe(F(UInt32(fri.queryPowBits)))
    ch.observe(F(UInt32(fri.phasePowBits)))
    ch.observe(F(UInt32(fri.logFinalPolyLength)))
    ch.observe(F(UInt32(fri.logFoldingArity)))
    ch.observe(F(UInt32(fri.commitPowBits)))
    ch.observe(F(UInt32(shapes.count)))
    for (i, s) in shapes.enumerated() {
        ch.observe(F(UInt32(logHeights[i])))
        ch.observe(F(UInt32(s.width)))
        ch.observe(F(UInt32(s.preprocessedWidth)))
        ch.observe(F(UInt32(s.preprocessedWidth > 0 ? s.preprocessedGroup : 0)))
        ch.observe(F(UInt32(s.interactions.count)))
        ch.observe(F(UInt32(s.logUpColumns.count)))
        ch.observe(F(UInt32(publics[i].count)))
        ch.observe(publics[i])
    }
}
