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
