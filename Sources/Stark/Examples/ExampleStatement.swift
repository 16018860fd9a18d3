import Algebra

/// The example statements built from the AIRs in this folder, at a size of `2^logRows` rows:
/// the one definition the CLI (`zkprover prove --example NAME`) proves and verifies and
/// the verifier's fuzz target seeds from. The raw value is the statement's name on the command
/// line.
///
/// ```swift
/// let example = ExampleStatement.rangeCheck
/// let input = example.input(logRows: 8, field: KoalaBear.self)
/// let proof = try StarkProver(config: config).prove(input.tables)
/// try StarkVerifier(config: config).verify(airs: example.airs(logRows: 8, field: KoalaBear.self), proof: proof)
/// ```
public enum ExampleStatement: String, CaseIterable, Sendable {
    /// The Fibonacci sequence from `(0, 1)` reaches the public result after `2^logRows` steps
    /// (``FibonacciAir``, public values `[0, 1, result]`).
    case fibonacci
    /// `2^logRows · permutationsPerRow` Poseidon2 permutations computed correctly
    /// (``Poseidon2Air``; S-box degree 3, so KoalaBear).
    case poseidon2
    /// `2^logRows` values are below 2^16: a ``U16ValuesAir`` table joined by ``Bus/bytes`` (LogUp)
    /// to a ``ByteTableAir``.
    case rangeCheck = "range-check"
    /// The same check of `2^logRows` values committed as a fixed column in preprocessed group 2
    /// (``CommittedValuesAir``, root recomputed by the verifier from the values) next to the byte
    /// table's group 0: a proof with two preprocessed roots.
    case committedRange = "committed-range"

    /// The preprocessed group ``committedRange`` commits its values in.
    public static let committedGroup = 2

    /// The size the CLI proves when none is given.
    public var defaultLogRows: Int {
        switch self {
        case .fibonacci: return 16
        case .poseidon2, .rangeCheck, .committedRange: return 12
        }
    }

    /// The values the range-check statements prove below 2^16: `(40503·i + 17) mod 2^16` for
    /// `i < count`, spread over the range (any 256 in a row have distinct low bytes).
    public static func values(count: Int) -> [UInt32] {
        (0..<count).map { UInt32(($0 &* 40_503 &+ 17) & 0xffff) }
    }

    /// The AIRs of the statement, in table order: what a verifier needs (``committedRange``
    /// rebuilds its committed values from `logRows`; the other statements do not depend on it).
    public func airs<F: StarkField>(
        logRows: Int,
        permutationsPerRow: Int = 1,
        field: F.Type = F.self
    ) -> [any Air<F>] {
        switch self {
        case .fibonacci:
            return [FibonacciAir<F>()]
        case .poseidon2:
            return [Poseidon2Air<F>(permutationsPerRow: permutationsPerRow)]
        case .rangeCheck:
            return [U16ValuesAir<F>(), ByteTableAir<F>()]
        case .committedRange:
            let values = Self.values(count: 1 << logRows)
            return [CommittedValuesAir<F>(values: values, group: Self.committedGroup), ByteTableAir<F>()]
        }
    }

    /// What the prover needs for the statement at `2^logRows` rows.
    public struct Input<F: StarkField>: Sendable {
        /// The tables to prove: the AIRs of ``ExampleStatement/airs(logRows:permutationsPerRow:field:)``
        /// with their traces and public values.
        public var tables: [TableInput<F>]
        /// One sentence saying what a proof of the tables shows (no final period).
        public var summary: String
    }

    /// The tables (traces and public values) of the statement at `2^logRows` rows, with the
    /// sentence that says what their proof shows (`logRows` ≥ 1).
    public func input<F: StarkField>(
        logRows: Int,
        permutationsPerRow: Int = 1,
        field: F.Type = F.self
    ) -> Input<F> {
        precondition(logRows >= 1, "an example needs logRows ≥ 1")
        let n = 1 << logRows
        switch self {
        case .fibonacci:
            let (trace, publics) = FibonacciAir<F>.trace(logRows: logRows)
            return Input(
                tables: [TableInput(air: FibonacciAir<F>(), trace: trace, publicValues: publics)],
                summary: "the Fibonacci sequence from (0, 1) reaches \(publics[2]) (mod p) after \(n) steps"
            )
        case .poseidon2:
            let air = Poseidon2Air<F>(permutationsPerRow: permutationsPerRow)
            return Input(
                tables: [TableInput(air: air, trace: air.trace(logRows: logRows))],
                summary:
                    "\(n * permutationsPerRow) Poseidon2 (KoalaBear, width 16) permutations were computed correctly"
            )
        case .rangeCheck:
            return Input(
                tables: rangeCheckTables(values: Self.values(count: n), field: F.self),
                summary: "\(n) values are below 2^16 (two tables joined by a LogUp bus to a byte table)"
            )
        case .committedRange:
            let values = Self.values(count: n)
            let air = CommittedValuesAir<F>(values: values, group: Self.committedGroup)
            return Input(
                tables: [
                    TableInput(air: air, trace: CommittedValuesAir<F>.trace(values: values)),
                    TableInput(air: ByteTableAir<F>(), trace: ByteTableAir<F>.trace(values: values)),
                ],
                summary: "\(n) values committed as a fixed column in preprocessed group \(Self.committedGroup) "
                    + "are below 2^16 (joined by a LogUp bus to a byte table)"
            )
        }
    }
}
