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
    /// In the Johnson-bound regime, the multiplicity `m` of the analysis (the gap to the
    /// Johnson radius is `√ρ/(2m)`); `nil` in unique decoding.
    public var johnsonMultiplicity: Int? = nil
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

    /// The Johnson-bound multiplicities ``report(_:regime:)`` tries (see ``Decoding``).
    static var johnsonMultiplicities: ClosedRange<Int> { 3...16 }

    /// One analysis point: unique decoding, or the Johnson-bound regime at multiplicity `m`
    /// (BCHKS25 Theorem 4.2 with the authors' correction `m = max(⌈√ρ/(2η)⌉, 3)`, as the EF's
    /// soundcalc applies it), that is at the gap `η = √ρ/(2m)` to the Johnson radius. The
    /// theorem holds for every `m ≥ 3`, so a configuration is as secure as its best `m`: a
    /// larger `m` moves θ towards `1 − √ρ` (more bits per query) at the price of a proximity-gap
    /// error growing as `m⁵` (the batching and commit rounds, which grinding buys back).
    enum Decoding {
        case unique
        case johnson(m: Int)

        /// The proximity parameter θ at rate `rate`.
        func proximity(rate: Double) -> Double {
            switch self {
            case .unique: return (1 - rate) / 2
            case .johnson(let m): return 1 - rate.squareRoot() - gap(rate: rate, m: m)
            }
        }

        /// The gap `η = √ρ/(2m)` to the Johnson radius.
        func gap(rate: Double, m: Int) -> Double { rate.squareRoot() / Double(2 * m) }

        /// The list size bound `L`: 1, or `1/(2η√ρ)` (RS codes are `(1 − √ρ − η, 1/(2η√ρ))`
        /// list-decodable).
        func listSize(rate: Double) -> Double {
            switch self {
            case .unique: return 1
            case .johnson(let m): return 1 / (2 * gap(rate: rate, m: m) * rate.squareRoot())
            }
        }

        /// Proximity-gap error for a random linear combination of two functions (ε_lin), at
        /// code dimension `dimension` and rate `rate` (BCIKS20 Theorem 1.4; BCHKS25 Theorem 4.2).
        func linearError(rate: Double, dimension: Double, fieldLog: Double) -> Double {
            let n = dimension / rate
            let field = exp2(fieldLog)
            switch self {
            case .unique:
                return n / field
            case .johnson(let m):
                let s = rate.squareRoot()
                let theta = proximity(rate: rate)
                let shifted = Double(m) + 0.5
                let first = (2 * pow(shifted, 5) + 3 * shifted * (theta * rate)) * n / (3 * rate * s)
                return (first + shifted / s) / field
            }
        }

        /// Error of combining `count` functions with powers of one challenge.
        func powersError(rate: Double, dimension: Double, count: Int, fieldLog: Double) -> Double {
            linearError(rate: rate, dimension: dimension, fieldLog: fieldLog) * Double(max(0, count - 1))
        }
    }

    /// The proven security of `p` in `regime`: in the Johnson-bound regime, at the best
    /// multiplicity of ``johnsonMultiplicities`` (reported in
    /// ``SoundnessReport/johnsonMultiplicity``).
    public static func report(_ p: SoundnessParameters, regime: SoundnessRegime) -> SoundnessReport {
        switch regime {
        case .uniqueDecoding:
            return report(p, decoding: .unique)
        case .johnsonBound:
            var best = report(p, decoding: .johnson(m: johnsonMultiplicities.lowerBound))
            for m in johnsonMultiplicities.dropFirst() {
                let r = report(p, decoding: .johnson(m: m))
                if r.bits > best.bits { best = r }
            }
            return best
        }
    }

    /// The security of `p` at one analysis point.
    static func report(_ p: SoundnessParameters, decoding: Decoding) -> SoundnessReport {
        let fl = fieldLog(p)
        let field = exp2(fl)
        let rate = exp2(-Double(p.logBlowup))
        let n = exp2(Double(p.logTraceLength))
        let domain = n / rate
        var comps: [(String, Int)] = []

        // Batching: independent coefficients per base column and per extension column (whose
        // four coordinates are batched as the one column they are: `DeepCoefficients`): affine
        // batching, one ε_lin,
        // then powers of a challenge over the opening points.
        let phase = exp2(-Double(p.phasePowBits))
        let batching =
            (decoding.linearError(rate: rate, dimension: n, fieldLog: fl)
                + decoding.powersError(rate: rate, dimension: n, count: p.numOpeningPoints, fieldLog: fl)) * phase
        comps.append(("batching", bits(batching)))

        // Commit phase: one folding round per arity step down to the final polynomial.
        let arity = 1 << p.logFoldingArity
        let rounds = max(0, (p.logTraceLength - p.logFinalPolyLength) / p.logFoldingArity)
        var dim = n
        var worstCommit = 1024
        for _ in 0..<rounds {
            dim /= Double(arity)
            let e =
                decoding.powersError(rate: rate, dimension: dim, count: arity, fieldLog: fl)
                * exp2(-Double(p.commitPowBits))
            worstCommit = min(worstCommit, bits(e))
        }
        comps.append(("FRI commit rounds (\(rounds))", worstCommit))

        // Query phase.
        let theta = decoding.proximity(rate: rate)
        let queryLog = Double(p.numQueries) * log2(1 - theta) - Double(p.queryPowBits)
        comps.append(("FRI queries", Int((-queryLog).rounded(.down))))

        // DEEP-ALI (Theorem 8 of ePrint 2022/1216), with L the list size of the regime.
        let list = decoding.listSize(rate: rate)
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
        var m: Int? = nil
        if case .johnson(let jm) = decoding { m = jm }
        return SoundnessReport(
            components: comps.map { (name: $0.0, bits: $0.1) },
            bits: total,
            johnsonMultiplicity: m
        )
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
                + "\(p.numQueries) queries, \(p.queryPowBits) PoW bits (\(p.phasePowBits) per challenge phase, "
                + "\(p.commitPowBits) per commit round), "
                + "\(p.numBatchedColumns) columns, "
                + "\(p.numLookups) lookups"
        )
        for regime in SoundnessRegime.allCases {
            let r = report(p, regime: regime)
            let detail = r.components.map { "\($0.name) \($0.bits)" }.joined(separator: ", ")
            let m = r.johnsonMultiplicity.map { ", m = \($0)" } ?? ""
            lines.append("  \(regime.rawValue): \(r.bits) bits  (\(detail)\(m))")
        }
        lines.append("  conjectured (ethSTARK toy problem): \(conjecturedBits(p)) bits")
        return lines.joined(separator: "\n")
    }
}
