import Algebra
import Hashing

/// Parameters of the FRI low-degree test.
public struct FriParameters: Sendable, Hashable, CustomStringConvertible {
    /// `log2` of the blowup factor (rate `2^-logBlowup`). Constraint degree may be at most `1 + 2^logBlowup`.
    public var logBlowup: Int
    /// Number of query repetitions.
    public var numQueries: Int
    /// Proof-of-work bits required before the query indices are drawn.
    public var queryPowBits: Int
    /// `log2` of the number of coefficients of the final polynomial sent in the clear.
    public var logFinalPolyLength: Int
    /// Proof-of-work bits required before each of three challenge phases whose error grows
    /// with the trace length: the LogUp challenges (α, β), the out-of-domain point ζ (DEEP) and
    /// the DEEP batching coefficients. Each bit adds one bit to those three terms of the
    /// soundness bound (OpenVM's remedy for long traces).
    public var phasePowBits: Int
    /// `log2` of FRI's folding arity: each commit round folds the codeword by `2^logFoldingArity`
    /// (fewer rounds, so fewer Merkle paths per query, each leaf holding the whole coset that
    /// folds to one point). Rounds are shortened where a shorter codeword joins the chain or
    /// the final polynomial is reached (``Fri/foldSchedule(maxLog:finalLog:heights:logArity:)``).
    /// 1 (folding by 2) through ``maxLogFoldingArity``.
    public var logFoldingArity: Int
    /// Proof-of-work bits required before each FRI commit round's folding challenge `β`: each
    /// bit adds one bit to every commit round's term of the soundness bound. Configurations
    /// analysed up to the Johnson bound need it, where a round's proximity-gap error is larger
    /// (``SoundnessRegime/johnsonBound``).
    public var commitPowBits: Int

    /// The largest supported ``logFoldingArity`` (folding by 16).
    public static var maxLogFoldingArity: Int { 4 }

    public init(
        logBlowup: Int,
        numQueries: Int,
        queryPowBits: Int,
        logFinalPolyLength: Int = 0,
        phasePowBits: Int = 0,
        logFoldingArity: Int = 1,
        commitPowBits: Int = 0
    ) {
        self.logBlowup = logBlowup
        self.numQueries = numQueries
        self.queryPowBits = queryPowBits
        self.logFinalPolyLength = logFinalPolyLength
        self.phasePowBits = phasePowBits
        self.logFoldingArity = logFoldingArity
        self.commitPowBits = commitPowBits
    }

    /// Rate 1/2, 193 queries, 20 bits of grinding before the queries and 8 before each of the
    /// LogUp, DEEP and batching challenges, FRI folding by 8 per round: ≥ 100 proven bits (UDR)
    /// with constraints of degree ≤ 3 for traces up to 2^22 rows with hundreds of columns and
    /// constraints (without the phase grinding the LogUp, DEEP and batching terms fall below
    /// 100 bits from 2^22 rows). Folding by 8 costs no proven bit against folding by 2 here
    /// and takes FRI's part of a proof to about half. A query is worth 0.415 bits at this rate,
    /// so the 4 grinding bits above Plonky3's and SP1's 16 (about a million packed
    /// permutations, a fraction of a second) replace 10 queries: every proof, and every
    /// recursion circuit that verifies one, is 5% smaller.
    public static var standard: FriParameters {
        FriParameters(
            logBlowup: 1,
            numQueries: 193,
            queryPowBits: 20,
            logFinalPolyLength: 0,
            phasePowBits: 8,
            logFoldingArity: 3
        )
    }

    /// Rate 1/4, 118 queries, 20 bits of grinding (SP1 v6 takes 124 queries and 16 bits), 8
    /// bits before each challenge phase, folding by 8: ≥ 100 proven bits (UDR), constraints of
    /// degree ≤ 5.
    public static var highDegree: FriParameters {
        FriParameters(
            logBlowup: 2,
            numQueries: 118,
            queryPowBits: 20,
            logFinalPolyLength: 0,
            phasePowBits: 8,
            logFoldingArity: 3
        )
    }

    /// A fast configuration for tests only (about 20 bits): rejected by the prover unless
    /// insecure configurations are allowed.
    public static var testing: FriParameters {
        FriParameters(logBlowup: 1, numQueries: 12, queryPowBits: 2, logFinalPolyLength: 0)
    }

    /// The commit rounds' folding exponents (a round folds by `2^s`) for codewords of the
    /// given `log2` sizes, the tallest first: see ``Fri``.
    public func foldSchedule(codewordLogSizes heights: Set<Int>) -> [Int] {
        guard let maxLog = heights.max() else { return [] }
        return Fri.foldSchedule(
            maxLog: maxLog,
            finalLog: logFinalPolyLength + logBlowup,
            heights: heights,
            logArity: logFoldingArity
        )
    }

    public var description: String {
        "rate 1/\(1 << logBlowup), \(numQueries) queries, \(queryPowBits) PoW bits (\(phasePowBits) per challenge phase), "
            + "final poly 2^\(logFinalPolyLength)"
            + (logFoldingArity == 1 ? "" : ", folding by \(1 << logFoldingArity)")
            + (commitPowBits == 0 ? "" : ", \(commitPowBits) PoW bits per commit round")
    }
}

/// Everything that fixes one instance of the proof system: field, hash, FRI parameters and
/// the security policy.
public struct StarkConfig<F: StarkField>: Sendable {
    /// The Poseidon2 width-16 permutation used by the transcript and the Merkle trees.
    public let permutation: Poseidon2<F>
    /// The FRI parameters.
    public var fri: FriParameters
    /// Smallest proven security (bits, in ``regime``) the prover and the verifier accept.
    public var securityFloor: Int
    /// The proximity-gaps regime the floor is proven in: unique decoding (the default) or up to
    /// the Johnson bound (fewer queries at low rates, with grinding in the commit rounds).
    public var regime: SoundnessRegime
    /// Prove even when the configuration is below `securityFloor`.
    public var allowInsecure: Bool

    public init(
        fri: FriParameters = .standard,
        securityFloor: Int = 100,
        regime: SoundnessRegime = .uniqueDecoding,
        allowInsecure: Bool = false
    ) {
        self.permutation = Poseidon2<F>(width: 16)
        self.fri = fri
        self.securityFloor = securityFloor
        self.regime = regime
        self.allowInsecure = allowInsecure
    }

    /// A configuration for fast tests (insecure, explicitly allowed).
    public static var testing: StarkConfig {
        StarkConfig(fri: .testing, securityFloor: 0, allowInsecure: true)
    }

    /// A fresh transcript.
    func challenger() -> DuplexChallenger<Poseidon2<F>> { DuplexChallenger(permutation: permutation, rate: 8) }
}

extension Poseidon2: CryptographicPermutation {}
