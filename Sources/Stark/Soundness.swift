import Foundation

/// Inputs of the soundness calculation for one proof configuration.
///
/// The analysis follows the Ethereum Foundation's soundcalc: FRI batching, commit-phase
/// and query-phase errors under a proximity-gaps regime (unique decoding or Johnson
/// bound), the DEEP-ALI errors of Haböck's Theorem 8 (ePrint 2022/1216), and the LogUp
/// error; the security level is the weakest of them.
public struct SoundnessParameters: Sendable, Equatable {
    /// `log2` of the base-field modulus (30.99 for KoalaBear).
    public var baseFieldBits: Double
    /// Degree of the challenge field over the base field.
    public var extensionDegree: Int
    /// `log2` of the (largest) trace length.
    public var logTraceLength: Int
    /// Largest constraint degree (LogUp constraints included).
    public var maxConstraintDegree: Int
    /// Total number of constraints (combined with powers of one challenge).
    public var numConstraints: Int
    /// `log2` of the blowup factor (rate `ρ = 2^-logBlowup`).
    public var logBlowup: Int
    /// Number of FRI queries.
    public var numQueries: Int
    /// Proof-of-work bits before the query phase.
    public var queryPowBits: Int
    /// Proof-of-work bits before each commit-phase challenge.
    public var commitPowBits: Int
    /// `log2` of the FRI folding arity.
    public var logFoldingArity: Int
    /// `log2` of the number of coefficients of the final polynomial.
    public var logFinalPolyLength: Int
    /// Number of committed columns batched into the DEEP quotient (independent random coefficients).
    public var numBatchedColumns: Int
    /// Number of opening points per column combined with powers of a challenge (`z`, `ωz`: 2).
    public var numOpeningPoints: Int
    /// Number of LogUp buses in use (0 without lookups).
    public var numLookups: Int
    /// Proof-of-work bits before each of the LogUp, DEEP (ζ) and batching challenges
    /// (``FriParameters/phasePowBits``): subtracted from those three error terms.
    public var phasePowBits: Int

    public init(
        baseFieldBits: Double,
        extensionDegree: Int,
        logTraceLength: Int,
        maxConstraintDegree: Int,
        numConstraints: Int,
        logBlowup: Int,
        numQueries: Int,
        queryPowBits: Int,
        commitPowBits: Int = 0,
        logFoldingArity: Int = 1,
        logFinalPolyLength: Int = 0,
        numBatchedColumns: Int,
        numOpeningPoints: Int = 2,
        numLookups: Int = 0,
        phasePowBits: Int = 0
    ) {
        self.baseFieldBits = baseFieldBits
        self.extensionDegree = extensionDegree
        self.logTraceLength = logTraceLength
        self.maxConstraintDegree = maxConstraintDegree
        self.numConstraints = numConstraints
        self.logBlowup = logBlowup
        self.numQueries = numQueries
        self.queryPowBits = queryPowBits
        self.commitPowBits = commitPowBits
        self.logFoldingArity = logFoldingArity
        self.logFinalPolyLength = logFinalPolyLength
        self.numBatchedColumns = numBatchedColumns
        self.numOpeningPoints = numOpeningPoints
        self.numLookups = numLookups
        self.phasePowBits = phasePowBits
    }
}

/// A proximity-gaps regime: how far from the code FRI is analysed to detect.
public enum SoundnessRegime: String, Sendable, CaseIterable {
    /// Unique decoding: `θ = (1 − ρ)/2`, list size 1 (BCIKS20 Theorem 1.2/1.4).
    case uniqueDecoding = "UDR"
    /// Up to the Johnson bound: `θ = 1 − √ρ − η` (BCHKS25 Theorem 4.2).
    case johnsonBound = "JBR"
}

/// The security of one configuration, component by component.
public struct SoundnessReport: Sendable {
    /// Bits of each error component (`⌊−log2 ε⌋`), in a stable order.
    public var components: [(name: String, bits: Int)]
    /// The weakest component: the proven security level in this regime.
    public var bits: Int
}

/// The soundness calculator (Ethereum Foundation soundcalc formulas).
public enum Soundness {
    /// `⌊−log2 ε⌋`, the largest `k` with `ε ≤ 2^-k`.
    static func bits(_ error: Double) -> Int {
        if error <= 0 { return 1024 }
        return Int((-log2(error)).rounded(.down))
    }

    /// `log2 |F|` of the challenge field.
    static func fieldLog(_ p: SoundnessParameters) -> Double { p.baseFieldBits * Double(p.extensionDegree) }

    /// The proximity parameter θ of `regime` at rate `rate`.
    static func proximity(_ regime: SoundnessRegime, rate: Double, fieldLog: Double) -> Double {
        switch regime {
        case .uniqueDecoding: return (1 - rate) / 2
        case .johnsonBound: return 1 - rate.squareRoot() - johnsonGap(rate: rate, fieldLog: fieldLog)
        }
    }

    /// The default distance η to the Johnson bound.
    static func johnsonGap(rate: Double, fieldLog: Double) -> Double {
        let s = rate.squareRoot()
        return fieldLog > 150 ? s / 100 : max(rate / 20, s / 100)
    }

    /// The list size bound `L` of the regime.
    static func listSize(_ regime: SoundnessRegime, rate: Double, fieldLog: Double) -> Double {
        switch regime {
        case .uniqueDecoding: return 1
        case .johnsonBound: return 1 / (2 * johnsonGap(rate: rate, fieldLog: fieldLog) * rate.squareRoot())
        }
    }

    /// Proximity-gap error for a random linear combination of two functions (ε_lin), at
    /// code dimension `dimension` and rate `rate`.
    static func linearError(_ regime: SoundnessRegime, rate: Double, dimension: Double, fieldLog: Double) -> Double {
        let n = dimension / rate
        let field = exp2(fieldLog)
        switch regime {
        case .uniqueDecoding:
            return n / field
        case .johnsonBound:
            let s = rate.squareRoot()
            let theta = proximity(regime, rate: rate, fieldLog: fieldLog)
            let gap = 1 - s - theta
            let m = max((s / gap).rounded(.up), 3) + 0.5
            let first = (2 * pow(m, 5) + 3 * m * (theta * rate)) * n / (3 * rate * s)
            return (first + m / s) / field
        }
    }

    /// Error of combining `count` functions with powers of one challenge.
    static func powersError(
        _ regime: SoundnessRegime,
        rate: Double,
        dimension: Double,
        count: Int,
        fieldLog: Double
    ) -> Double {
        linearError(regime, rate: rate, dimension: dimension, fieldLog: fieldLog) * Double(max(0, count - 1))
    }

    /// The proven security of `p` in `regime`.
    public static func report(_ p: SoundnessParameters, regime: SoundnessRegime) -> SoundnessReport {
        let fl = fieldLog(p)
        let field = exp2(fl)
        let rate = exp2(-Double(p.logBlowup))
        let n = exp2(Double(p.logTraceLength))
        let domain = n / rate
        var comps: [(String, Int)] = []

        // Batching: independent coefficients per column (affine batching, one ε_lin),
        // then powers of a challenge over the opening points.
        let phase = exp2(-Double(p.phasePowBits))
        let batching =
            (linearError(regime, rate: rate, dimension: n, fieldLog: fl)
                + powersError(regime, rate: rate, dimension: n, count: p.numOpeningPoints, fieldLog: fl)) * phase
        comps.append(("batching", bits(batching)))

        // Commit phase: one folding round per arity step down to the final polynomial.
        let arity = 1 << p.logFoldingArity
        let rounds = max(0, (p.logTraceLength - p.logFinalPolyLength) / p.logFoldingArity)
        var dim = n
        var worstCommit = 1024
        for _ in 0..<rounds {
            dim /= Double(arity)
            let e =
                powersError(regime, rate: rate, dimension: dim, count: arity, fieldLog: fl)
                * exp2(-Double(p.commitPowBits))
            worstCommit = min(worstCommit, bits(e))
        }
        comps.append(("FRI commit rounds (\(rounds))", worstCommit))

        // Query phase.
        let theta = proximity(regime, rate: rate, fieldLog: fl)
        let queryLog = Double(p.numQueries) * log2(1 - theta) - Double(p.queryPowBits)
        comps.append(("FRI queries", Int((-queryLog).rounded(.down))))

        // DEEP-ALI (Theorem 8 of ePrint 2022/1216), with L the list size of the regime.
        let list = listSize(regime, rate: rate, fieldLog: fl)
        let maxCombo = Double(p.numOpeningPoints)
        let ali = list * Double(max(1, p.numConstraints)) / field
        let deep =
            list * (Double(p.maxConstraintDegree) * (n + maxCombo - 1) + (n - 1)) / (field - n - domain) * phase
        comps.append(("ALI", bits(ali)))
        comps.append(("DEEP", bits(deep)))
        if !(n + maxCombo < (1 - theta) * domain) {
            comps.append(("multi-point condition violated", 0))
        }

        // LogUp: ℓ(H − 1)/(|F| − H) per lookup argument, ℓ = 1.
        if p.numLookups > 0 {
            let e = (n - 1) / (field - n) * Double(p.numLookups) * phase
            comps.append(("LogUp", bits(e)))
        }

        let total = comps.map(\.1).min() ?? 0
        return SoundnessReport(components: comps.map { (name: $0.0, bits: $0.1) }, bits: total)
    }

    /// Bits under the ethSTARK "toy problem" conjecture: `ε = 1/|F| + ρ^q · 2^-pow`.
    public static func conjecturedBits(_ p: SoundnessParameters) -> Int {
        let fl = fieldLog(p)
        let queryLog = -Double(p.numQueries * p.logBlowup) - Double(p.queryPowBits)
        let e = exp2(-fl) + exp2(queryLog)
        return bits(e)
    }

    /// A printable multi-line summary of all regimes.
    public static func describe(_ p: SoundnessParameters) -> String {
        var lines: [String] = []
        lines.append(
            "field 2^\(String(format: "%.2f", p.baseFieldBits))^\(p.extensionDegree), trace 2^\(p.logTraceLength), "
                + "max degree \(p.maxConstraintDegree), \(p.numConstraints) constraints, rate 1/\(1 << p.logBlowup), "
                + "\(p.numQueries) queries, \(p.queryPowBits) PoW bits (\(p.phasePowBits) per challenge phase), "
                + "\(p.numBatchedColumns) columns, "
                + "\(p.numLookups) lookups"
        )
        for regime in SoundnessRegime.allCases {
            let r = report(p, regime: regime)
            let detail = r.components.map { "\($0.name) \($0.bits)" }.joined(separator: ", ")
            lines.append("  \(regime.rawValue): \(r.bits) bits  (\(detail))")
        }
        lines.append("  conjectured (ethSTARK toy problem): \(conjecturedBits(p)) bits")
        return lines.joined(separator: "\n")
    }
}
