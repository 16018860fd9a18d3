import Algebra
import Stark

/// Proofs of the `Stark` module's Fibonacci AIR over KoalaBear: "starting from (x, y), the
/// sequence a' = b, b' = a + b over 2^logRows rows ends with b = result".
///
/// Input (10 bytes): version 1, `logRows` (1...22), `x` and `y` as little-endian `UInt32`s below
/// the KoalaBear modulus. Proof: the `Stark` module's binary proof encoding. The verifier checks the
/// STARK, that the proof is for exactly one table of `2^logRows` rows, and that its public values
/// start with the input's `(x, y)`; the result is the proof's third public value.
public struct StarkFibonacciKind: ProofKind {
    public typealias F = KoalaBear
    /// Name of the production kind (≥ 100 proven bits: rate 1/2, 193 queries, 20 bits of grinding).
    public static let kindName = "stark-fibonacci"
    /// Name of the fast kind for tests (about 20 bits; real proofs, insecure parameters).
    public static let testingKindName = "stark-fibonacci-testing"
    /// `sampleInput` size used by tests that need a proof to take a while (2^16 rows: about a
    /// second on the testing parameters in a debug build, so a node can be killed mid-proof
    /// even on a fast machine; 2^11 rows took 50 ms and let the proof finish before the kill).
    public static let slowTestSize = 13
    /// Largest accepted `logRows` (bounds the work a request can demand).
    public static let maxLogRows = 22

    public let name: String
    let config: StarkConfig<F>

    /// The production kind.
    public init() {
        name = Self.kindName
        config = StarkConfig<F>(fri: .standard)
    }

    /// The fast, insecure variant (for tests and development only).
    public static var testing: StarkFibonacciKind { StarkFibonacciKind(name: testingKindName, config: .testing) }

    init(name: String, config: StarkConfig<F>) {
        self.name = name
        self.config = config
    }

    /// The statement of an input.
    public struct Statement: Sendable, Equatable {
        public var logRows: Int
        public var x: UInt32
        public var y: UInt32
        public init(logRows: Int, x: UInt32, y: UInt32) {
            self.logRows = logRows
            self.x = x
            self.y = y
        }
        /// The 10-byte input encoding.
        public var encoded: [UInt8] {
            var out: [UInt8] = [1, UInt8(logRows)]
            for v in [x, y] { for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
            return out
        }
    }

    /// Decodes and checks an input.
    public static func statement(_ input: [UInt8]) throws(ProofKindError) -> Statement {
        guard input.count == 10, input[0] == 1 else { throw ProofKindError("input must be 10 bytes, version 1") }
        let logRows = Int(input[1])
        guard (1...maxLogRows).contains(logRows) else { throw ProofKindError("logRows must be in 1...\(maxLogRows)") }
        func u32(_ at: Int) -> UInt32 {
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(input[at + $1]) << (8 * UInt32($1)) }
        }
        let x = u32(2)
        let y = u32(6)
        guard x < F.modulus, y < F.modulus else { throw ProofKindError("x and y must be below the field modulus") }
        return Statement(logRows: logRows, x: x, y: y)
    }

    /// Work: about one unit per millisecond of proving on one reference core (measured: a proof of
    /// 2^k rows costs roughly a fixed query/grinding part plus a part linear in the rows).
    public func estimateWork(input: [UInt8]) throws(ProofKindError) -> Double {
        let s = try Self.statement(input)
        let rows = Double(1 << s.logRows)
        return (config.fri.numQueries > 100 ? 40 : 2) + rows / 400
    }

    public func prove(input: [UInt8]) throws(ProofKindError) -> [UInt8] {
        let s = try Self.statement(input)
        let (trace, publics) = FibonacciAir<F>.trace(logRows: s.logRows, x: F(s.x), y: F(s.y))
        do {
            let proof = try StarkProver(config: config).prove([
                TableInput(air: FibonacciAir<F>(), trace: trace, publicValues: publics)
            ])
            return proof.encoded()
        } catch {
            throw ProofKindError("prover: \(error)")
        }
    }

    public func verify(input: [UInt8], proof bytes: [UInt8]) throws(ProofKindError) {
        let s = try Self.statement(input)
        let proof: StarkProof<F>
        do { proof = try StarkProof<F>(decoding: bytes) } catch { throw ProofKindError("undecodable proof: \(error)") }
        guard proof.tables.count == 1 else { throw ProofKindError("expected one table") }
        guard proof.tables[0].logHeight == s.logRows else {
            throw ProofKindError("proof is for 2^\(proof.tables[0].logHeight) rows, not 2^\(s.logRows)")
        }
        let publics = proof.tables[0].publicValues
        guard publics.count == 3, publics[0] == F(s.x), publics[1] == F(s.y) else {
            throw ProofKindError("proof's public values are not this input's (x, y)")
        }
        do {
            try StarkVerifier(config: config).verify(airs: [FibonacciAir<F>()], proof: proof, publicValues: [publics])
        } catch {
            throw ProofKindError("verification failed: \(error)")
        }
    }

    /// `logRows = 3 + size` (capped), `(x, y)` derived from the seed.
    public func sampleInput(size: Int, seed: UInt64) -> [UInt8] {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let x = UInt32(truncatingIfNeeded: z) % F.modulus
        let y = UInt32(truncatingIfNeeded: z >> 32) % F.modulus
        return Statement(logRows: min(Self.maxLogRows, max(1, 3 + size)), x: x, y: y).encoded
    }
}

/// The proof kinds this build knows.
public enum StandardProofKinds {
    /// `stark-fibonacci` (production parameters) and `stark-fibonacci-testing` (fast, insecure).
    public static func registry() -> ProofKindRegistry {
        ProofKindRegistry([StarkFibonacciKind(), StarkFibonacciKind.testing])
    }
}
