import Algebra

/// The Poseidon2 permutation over a 31-bit Montgomery field, width 16 or 24,
/// bit-compatible with Plonky3's `default_{koalabear,babybear}_poseidon2_{16,24}`.
///
/// Structure: the external linear layer once; `fullRounds / 2` external rounds
/// (add a constant to every element, S-box on every element, external layer);
/// `partialRounds` internal rounds (add a constant to element 0, S-box on
/// element 0, internal layer); `fullRounds / 2` external rounds.
///
/// The external layer multiplies each block of four by
/// `M4 = [[2,3,1,1],[1,2,3,1],[1,1,2,3],[3,1,1,2]]`, then adds to every element
/// the sum of the elements at the same position in all blocks. The internal
/// layer is `1 + Diag(V)` with `V` from ``Poseidon2Parameters``.
///
/// Round constants are derived at initialisation from the Grain LFSR (see
/// `Poseidon2RoundConstants`), which reproduces Plonky3's published constants.
public struct Poseidon2<F: Poseidon2Field>: Sendable {
    /// Number of field elements in the state (16 or 24).
    public let width: Int
    /// Number of full (external) rounds, always 8.
    public let fullRounds: Int
    /// Number of partial (internal) rounds.
    public let partialRounds: Int
    /// All round constants in Montgomery form: `4 * width` initial, `partialRounds`
    /// internal, `4 * width` final.
    @usableFromInline let constants: [F]

    /// The instance of the given width (16 or 24). Traps for another width.
    public init(width: Int) {
        guard let rp = F.Parameters.partialRounds(width: width) else {
            preconditionFailure("Poseidon2 has no instance of width \(width) over this field")
        }
        self.width = width
        self.fullRounds = 8
        self.partialRounds = rp
        let rc = Poseidon2RoundConstants(prime: F.modulus, width: width, fullRounds: 8, partialRounds: rp)
        self.constants = (rc.externalInitial.joined() + rc.internalRounds + rc.externalFinal.joined()).map { F($0) }
    }

    /// The S-box exponent.
    @inlinable public static var sboxDegree: Int { F.Parameters.sboxDegree }

    /// Permutes `state` (exactly `width` elements) in place.
    @inlinable
    public func permute(_ state: inout [F]) {
        precondition(state.count == width, "Poseidon2 state must have \(width) elements")
        state.withUnsafeMutableBufferPointer { permute($0.baseAddress!) }
    }

    /// Permutes the `width` elements at `state` in place.
    @inlinable
    public func permute(_ state: UnsafeMutablePointer<F>) {
        constants.withUnsafeBufferPointer { rc in
            Self.permute(state, width: width, partialRounds: partialRounds, constants: rc.baseAddress!) { $0 }
        }
    }

    /// The permutation on any `Poseidon2Arithmetic` (scalar elements or packed lanes);
    /// `broadcast` turns a round constant into an `R`.
    @inlinable @inline(__always)
    static func permute<R: Poseidon2Arithmetic>(
        _ s: UnsafeMutablePointer<R>,
        width: Int,
        partialRounds: Int,
        constants rc: UnsafePointer<F>,
        broadcast: (F) -> R
    ) {
        externalLayer(s, width: width)
        var c = rc
        for _ in 0..<4 {
            for i in 0..<width { s[i] = sbox(s[i] + broadcast(c[i])) }
            externalLayer(s, width: width)
            c += width
        }
        for r in 0..<partialRounds {
            s[0] = sbox(s[0] + broadcast(c[r]))
            F.Parameters.internalLayer(s, width: width)
        }
        c += partialRounds
        for _ in 0..<4 {
            for i in 0..<width { s[i] = sbox(s[i] + broadcast(c[i])) }
            externalLayer(s, width: width)
            c += width
        }
    }

    /// `x^d` with `d` the S-box degree (3 or 7).
    @inlinable @inline(__always)
    static func sbox<R: Poseidon2Arithmetic>(_ x: R) -> R {
        switch F.Parameters.sboxDegree {
        case 3:
            return x * x * x
        case 5:
            let x2 = x * x
            return x2 * x2 * x
        case 7:
            let x2 = x * x
            let x3 = x2 * x
            return x3 * x3 * x
        default:
            var r = x
            for _ in 1..<F.Parameters.sboxDegree { r = r * x }
            return r
        }
    }

    /// `y = M4 x` on one block of four, with
    /// `M4 = [[2,3,1,1],[1,2,3,1],[1,1,2,3],[3,1,1,2]]`.
    @inlinable @inline(__always)
    static func mat4<R: Poseidon2Arithmetic>(_ x: UnsafeMutablePointer<R>) {
        let t01 = x[0] + x[1]
        let t23 = x[2] + x[3]
        let t0123 = t01 + t23
        let t01123 = t0123 + x[1]
        let t01233 = t0123 + x[3]
        let y3 = t01233 + x[0].doubled()
        let y1 = t01123 + x[2].doubled()
        x[0] = t01123 + t01
        x[2] = t01233 + t23
        x[1] = y1
        x[3] = y3
    }

    /// The external linear layer: `M4` on every block, then add the column sums.
    @inlinable @inline(__always)
    static func externalLayer<R: Poseidon2Arithmetic>(_ s: UnsafeMutablePointer<R>, width: Int) {
        for b in stride(from: 0, to: width, by: 4) { mat4(s + b) }
        var t0 = s[0]
        var t1 = s[1]
        var t2 = s[2]
        var t3 = s[3]
        for b in stride(from: 4, to: width, by: 4) {
            t0 = t0 + s[b]
            t1 = t1 + s[b + 1]
            t2 = t2 + s[b + 2]
            t3 = t3 + s[b + 3]
        }
        for b in stride(from: 0, to: width, by: 4) {
            s[b] = s[b] + t0
            s[b + 1] = s[b + 1] + t1
            s[b + 2] = s[b + 2] + t2
            s[b + 3] = s[b + 3] + t3
        }
    }
}

extension Poseidon2 {
    /// The canonical round constants, for inspection and tests.
    public var roundConstants: (externalInitial: [[F]], internalRounds: [F], externalFinal: [[F]]) {
        let w = width
        let initial = (0..<4).map { Array(constants[($0 * w)..<($0 * w + w)]) }
        let internalStart = 4 * w
        let internalRounds = Array(constants[internalStart..<(internalStart + partialRounds)])
        let finalStart = internalStart + partialRounds
        let final = (0..<4).map { Array(constants[(finalStart + $0 * w)..<(finalStart + $0 * w + w)]) }
        return (initial, internalRounds, final)
    }
}
