import Algebra
import Hashing
import Stark

/// The four tables that prove a ``RecursionCircuit``, in statement order: ``ArithAir``,
/// ``Poseidon2CircuitAir``, ``InputAir``, ``PublicAir``. Every table is always present (a
/// circuit without inputs or Poseidon2 ops gets an all-padding table of two rows), so the
/// statement's shape depends only on the circuit's op counts.
///
/// The AIRs hold the circuit's fixed columns, all in one preprocessed group: the circuit is
/// the verifying key (``RecursionVerifyingKey``).
public struct RecursionTableSet: Sendable {
    public let arith: ArithAir
    public let poseidon2: Poseidon2CircuitAir
    public let input: InputAir
    public let publics: PublicAir

    /// The tables of `circuit` (which should be well formed: ``RecursionCircuit/structuralError()``).
    public init(circuit: RecursionCircuit) {
        let reads = circuit.readCounts()
        arith = ArithAir(circuit: circuit, readCounts: reads)
        poseidon2 = Poseidon2CircuitAir(circuit: circuit, readCounts: reads)
        input = InputAir(circuit: circuit, readCounts: reads)
        publics = PublicAir(circuit: circuit)
    }

    /// The AIRs, in statement order.
    public var airs: [any Air<RF>] { [arith, poseidon2, input, publics] }

    /// The tables to prove: each AIR with its trace on `witness` (which must have one value
    /// per slot; it need not satisfy the circuit — a forged witness gives a proof that fails).
    public func tableInputs(circuit: RecursionCircuit, witness: CircuitWitness) -> [TableInput<RF>] {
        precondition(witness.values.count == circuit.slotCount, "one witness value per slot")
        return [
            TableInput(air: arith, trace: arith.trace(circuit: circuit, witness: witness)),
            TableInput(air: poseidon2, trace: poseidon2.trace(circuit: circuit, witness: witness)),
            TableInput(air: input, trace: input.trace(circuit: circuit, witness: witness)),
            TableInput(air: publics, trace: publics.trace(), publicValues: witness.publicValues(of: circuit)),
        ]
    }
}

/// What a verifier needs to check proofs of one circuit without rebuilding its fixed columns:
/// the root of the tables' preprocessed group, the tables' heights and the number of public
/// values, under one set of FRI parameters (the root depends on the blowup).
public struct RecursionVerifyingKey: Hashable, Sendable {
    /// The FRI parameters the root was computed under.
    public let fri: FriParameters
    /// The root of the fixed columns of all four tables (preprocessed group 0).
    public let root: StarkDigest<RF>
    /// Heights of ``ArithAir``, ``Poseidon2CircuitAir`` and ``InputAir`` (``PublicAir``'s follows
    /// from the number of public values).
    public let arithHeight: Int
    public let poseidon2Height: Int
    public let inputHeight: Int
    /// The number of public values of the circuit.
    public let publicCount: Int

    /// The key of `circuit` under `config`; throws `.shape` when the circuit is malformed (a slot
    /// written twice or never, out of range: ``RecursionCircuit/structuralError()``), since the
    /// witness bus is sound only when every slot has exactly one writer.
    public init(circuit: RecursionCircuit, config: StarkConfig<RF> = StarkConfig()) throws(VerificationError) {
        if let e = circuit.structuralError() { throw .shape("malformed circuit: \(e)") }
        let tables = RecursionTableSet(circuit: circuit)
        guard let root = try StarkVerifier(config: config).preprocessedRoot(airs: tables.airs, group: 0) else {
            throw .shape("recursion tables without fixed columns")
        }
        fri = config.fri
        self.root = root
        arithHeight = tables.arith.height
        poseidon2Height = tables.poseidon2.height
        inputHeight = tables.input.height
        publicCount = tables.publics.count
    }

    /// The AIRs of the statement, without their fixed columns (the root stands for them).
    public var airs: [any Air<RF>] { Self.airs(shape: shape, publicCount: publicCount) }

    /// The AIRs of a proof of any circuit of `shape` with `publicCount` public values, without
    /// fixed columns: what a recursion circuit needs to verify such a proof, whose key it
    /// takes from the proof.
    public static func airs(shape: RecursionShape, publicCount: Int) -> [any Air<RF>] {
        [
            ArithAir(height: shape.arith), Poseidon2CircuitAir(height: shape.poseidon2),
            InputAir(height: shape.input), PublicAir(count: publicCount),
        ]
    }

    /// The tables' heights, in statement order.
    public var heights: [Int] { Self.heights(shape: shape, publicCount: publicCount) }

    /// The tables' heights of a proof of any circuit of `shape` with `publicCount` public
    /// values, in statement order.
    public static func heights(shape: RecursionShape, publicCount: Int) -> [Int] {
        [shape.arith, shape.poseidon2, shape.input, PublicAir.height(count: publicCount)]
    }

    /// The heights of the arithmetic, Poseidon2 and input tables.
    public var shape: RecursionShape {
        RecursionShape(arith: arithHeight, poseidon2: poseidon2Height, input: inputHeight)
    }
}

/// Why a recursion proof was not made.
public enum RecursionProverError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The circuit is not well formed (``RecursionCircuit/structuralError()``).
    case malformedCircuit(String)
    /// The witness does not satisfy the circuit (``RecursionCircuit/check(_:)``).
    case unsatisfied(String)
    /// The STARK prover refused.
    case prover(ProverError)

    public var description: String {
        switch self {
        case .malformedCircuit(let s): return "malformed circuit: \(s)"
        case .unsatisfied(let s): return "the witness does not satisfy the circuit: \(s)"
        case .prover(let e): return e.description
        }
    }
}

/// Proves and verifies that a witness satisfies a ``RecursionCircuit``, with the tables of
/// ``RecursionTableSet`` over one STARK.
///
/// The proof's public values are the circuit's (``CircuitWitness/publicValues(of:)``); its
/// verifying key is the circuit (``RecursionVerifyingKey``).
public enum RecursionProver {
    /// Proves that `witness` satisfies `circuit`. The witness is checked natively first
    /// (``RecursionCircuit/check(_:)``): an unsatisfied one is refused, not proven.
    public static func prove(
        circuit: RecursionCircuit,
        witness: CircuitWitness,
        config: StarkConfig<RF> = StarkConfig(),
        options: ProvingOptions = ProvingOptions()
    ) throws(RecursionProverError) -> StarkProof<RF> {
        if let e = circuit.structuralError() { throw .malformedCircuit(e) }
        if let e = circuit.witnessError(witness) { throw .unsatisfied(e) }
        let tables = RecursionTableSet(circuit: circuit)
        do {
            return try StarkProver(config: config).prove(
                tables.tableInputs(circuit: circuit, witness: witness),
                options: options
            )
        } catch {
            throw .prover(error)
        }
    }

    /// Verifies `proof` of `circuit` with the public values `publicValues` (computes the
    /// circuit's verifying key; to verify many proofs, make the key once and use
    /// ``verify(key:proof:publicValues:config:)``).
    public static func verify(
        circuit: RecursionCircuit,
        proof: StarkProof<RF>,
        publicValues: [RF],
        config: StarkConfig<RF> = StarkConfig()
    ) throws(VerificationError) {
        let key = try RecursionVerifyingKey(circuit: circuit, config: config)
        try verify(key: key, proof: proof, publicValues: publicValues, config: config)
    }

    /// Verifies `proof` against the verifying key `key` with the public values `publicValues`.
    public static func verify(
        key: RecursionVerifyingKey,
        proof: StarkProof<RF>,
        publicValues: [RF],
        config: StarkConfig<RF> = StarkConfig()
    ) throws(VerificationError) {
        guard key.fri == config.fri else { throw .parameterMismatch }
        guard publicValues.count == key.publicCount else { throw .shape("\(publicValues.count) public values") }
        guard proof.tables.count == 4 else { throw .shape("number of tables") }
        for (i, h) in key.heights.enumerated() where proof.tables[i].logHeight != log2Strict(h) {
            throw .shape("table \(i): height 2^\(proof.tables[i].logHeight), the key's is \(h)")
        }
        try StarkVerifier(config: config).verify(
            airs: key.airs,
            proof: proof,
            publicValues: [[], [], [], publicValues],
            preprocessedRoots: [RecursionTables.preprocessedGroup: key.root]
        )
    }
}
