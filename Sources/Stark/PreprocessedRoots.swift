import Algebra
import Hashing

// Verifying keys: the roots of preprocessed groups, computed from the AIRs' fixed columns once
// and passed to `StarkVerifier.verify(airs:proof:publicValues:preprocessedRoots:)`, or read from
// a proof.

extension StarkVerifier {
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
