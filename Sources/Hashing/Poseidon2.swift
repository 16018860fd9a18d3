import Algebra
import Poseidon2AVX512

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
    /// All round constants as Montgomery words: `4 * width` initial, `partialRounds`
    /// internal, `4 * width` final; then the internal diagonal `V` (`width` words) and
    /// `V * mu mod 2^32` (`width` words) for the single-state vector kernel; then the round
    /// constants again, minus `p` (wrapping), for the packed kernels.
    @usableFromInline let constants: [UInt32]

    /// The instance of the given width (16 or 24). Traps for another width.
    public init(width: Int) {
        guard let rp = F.Parameters.partialRounds(width: width) else {
            preconditionFailure("Poseidon2 has no instance of width \(width) over this field")
        }
        self.width = width
        self.fullRounds = 8
        self.partialRounds = rp
        let rc = Poseidon2RoundConstants(prime: F.modulus, width: width, fullRounds: 8, partialRounds: rp)
        var words = (rc.externalInitial.joined() + rc.internalRounds + rc.externalFinal.joined()).map {
            F($0).montgomery
        }
        // The diagonal, read off the "as written" internal layer: (1 + Diag(V)) e_j = e_j V_j + 1.
        let diagonal = (0..<width).map { j in
            var unit = [F](repeating: .zero, count: width)
            unit[j] = .one
            unit.withUnsafeMutableBufferPointer { F.Parameters.internalLayer($0.baseAddress!, width: width) }
            return (unit[j] - .one).montgomery
        }
        let roundCount = words.count
        words += diagonal
        words += diagonal.map { $0 &* F.Parameters.mu }
        // Round constants minus p (wrapping), for the packed kernel's signed S-box input.
        words += words[0..<roundCount].map { $0 &- F.Parameters.prime }
        self.constants = words
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
        state.withMemoryRebound(to: UInt32.self, capacity: width) { permute(words: $0) }
    }

    /// Permutes the `width` Montgomery words at `state` in place.
    @inlinable
    public func permute(words state: UnsafeMutablePointer<UInt32>) {
        constants.withUnsafeBufferPointer { rc in
            F.Parameters.permute(state: state, width: width, constants: rc.baseAddress!)
        }
    }
}

/// Lanes `[1, 2, 3, 0, 5, 6, 7, 4]`: each block of four rotated by one.
@inlinable @inline(__always)
func rotate1(_ v: SIMD8<UInt32>) -> SIMD8<UInt32> { SIMD8(v[1], v[2], v[3], v[0], v[5], v[6], v[7], v[4]) }

/// Lanes `[2, 3, 0, 1, 6, 7, 4, 5]`: each block of four rotated by two.
@inlinable @inline(__always)
func rotate2(_ v: SIMD8<UInt32>) -> SIMD8<UInt32> { SIMD8(v[2], v[3], v[0], v[1], v[6], v[7], v[4], v[5]) }

/// Lanes `[4, 5, 6, 7, 0, 1, 2, 3]`: the two 128-bit halves swapped.
@inlinable @inline(__always)
func swapHalves(_ v: SIMD8<UInt32>) -> SIMD8<UInt32> { SIMD8(v[4], v[5], v[6], v[7], v[0], v[1], v[2], v[3]) }

/// The round function, written once over `Poseidon2Arithmetic` and instantiated
/// for scalar elements and for packed lanes by each field's `Poseidon2Parameters`
/// conformance (so the hot code is always compiled for a concrete field).
public enum Poseidon2Kernel<P: Poseidon2Parameters> {
    public typealias F = MontyField31<P>

    /// One permutation of the `width` Montgomery words at `state`, with the state
    /// held in 256-bit vectors (`width / 8` of them): full rounds and linear layers
    /// work on 8 elements at once, the internal S-box on element 0 as a scalar.
    @inlinable @inline(__always)
    public static func permuteScalar(
        _ state: UnsafeMutablePointer<UInt32>,
        width: Int,
        constants: UnsafePointer<UInt32>
    ) {
        if width == 16 {
            permuteVectors(state, vectors: 2, partialRounds: P.partialRounds(width: 16)!, constants: constants)
        } else {
            permuteVectors(state, vectors: 3, partialRounds: P.partialRounds(width: 24)!, constants: constants)
        }
    }

    /// One permutation by plain field arithmetic, element by element: the reference
    /// the vector kernels are tested against.
    @inlinable
    public static func permuteReference(
        _ state: UnsafeMutablePointer<UInt32>,
        width: Int,
        constants: UnsafePointer<UInt32>
    ) {
        state.withMemoryRebound(to: F.self, capacity: width) { s in
            permute(s, width: width, partialRounds: P.partialRounds(width: width)!) { x, i in
                sbox(x + F(montgomery: constants[i]))
            }
        }
    }

    /// The single-state kernel over `vectors` vectors of 8 lanes (width `8 * vectors`).
    @inlinable @inline(__always)
    static func permuteVectors(
        _ state: UnsafeMutablePointer<UInt32>,
        vectors n: Int,
        partialRounds: Int,
        constants rc: UnsafePointer<UInt32>
    ) {
        typealias L = Poseidon2Lanes<F>
        let width = 8 * n
        let raw = UnsafeRawPointer(rc)
        let minusP = 8 * width + partialRounds + 2 * width
        func load(_ offset: Int) -> L {
            L(words: raw.loadUnaligned(fromByteOffset: 4 * offset, as: SIMD8<UInt32>.self))
        }
        withUnsafeTemporaryAllocation(of: L.self, capacity: 3) { buffer in
            let v = buffer.baseAddress!
            let stateRaw = UnsafeMutableRawPointer(state)
            for j in 0..<n {
                (v + j).initialize(to: L(words: stateRaw.loadUnaligned(fromByteOffset: 32 * j, as: SIMD8<UInt32>.self)))
            }
            externalLayerVectors(v, n)
            var c = 0
            for _ in 0..<4 {
                for j in 0..<n {
                    v[j] = v[j].sboxAdding(constantMinusPrime: load(minusP + c + 8 * j).words, degree: P.sboxDegree)
                }
                externalLayerVectors(v, n)
                c += width
            }
            let diagonal = 8 * width + partialRounds
            let diagonalMu = diagonal + width
            let d0 = F(montgomery: rc[diagonal])
            for r in 0..<partialRounds {
                // Element 0 goes through the S-box as a scalar while the other elements
                // are summed and scaled by the diagonal in vectors.
                var first = v[0].words
                let x = sbox(F(montgomery: first[0]) + F(montgomery: rc[c + r]))
                first[0] = 0
                var rest = L(words: first)
                for j in 1..<n { rest = rest + v[j] }
                let sum = F(montgomery: horizontalSum(rest).words[0]) + x
                let broadcastSum = L(words: SIMD8(repeating: sum.montgomery))
                for j in 0..<n {
                    v[j] =
                        v[j].multiplied(byConstant: load(diagonal + 8 * j), mu: load(diagonalMu + 8 * j)) + broadcastSum
                }
                v[0].words[0] = (x * d0 + sum).montgomery
            }
            c += partialRounds
            for _ in 0..<4 {
                for j in 0..<n {
                    v[j] = v[j].sboxAdding(constantMinusPrime: load(minusP + c + 8 * j).words, degree: P.sboxDegree)
                }
                externalLayerVectors(v, n)
                c += width
            }
            for j in 0..<n { stateRaw.storeBytes(of: v[j].words, toByteOffset: 32 * j, as: SIMD8<UInt32>.self) }
        }
    }

    /// Every lane gets the sum of all 8 lanes.
    @inlinable @inline(__always)
    static func horizontalSum(_ x: Poseidon2Lanes<F>) -> Poseidon2Lanes<F> {
        typealias L = Poseidon2Lanes<F>
        var t = x + L(words: swapHalves(x.words))
        t = t + L(words: rotate2(t.words))
        return t + L(words: rotate1(t.words))
    }

    /// The external layer on `n` vectors holding consecutive blocks of four:
    /// `M4 x = (x0 + x1 + x2 + x3) + x_i + 2 x_{i+1}` (M4 is circulant), then column sums.
    @inlinable @inline(__always)
    static func externalLayerVectors(_ v: UnsafeMutablePointer<Poseidon2Lanes<F>>, _ n: Int) {
        typealias L = Poseidon2Lanes<F>
        for j in 0..<n {
            let x = v[j]
            var blockSum = x + L(words: rotate2(x.words))
            blockSum = blockSum + L(words: rotate1(blockSum.words))
            v[j] = blockSum + x + L(words: rotate1(x.words)).doubled()
        }
        var columns = v[0]
        for j in 1..<n { columns = columns + v[j] }
        columns = columns + L(words: swapHalves(columns.words))
        for j in 0..<n { v[j] = v[j] + columns }
    }

    /// Eight permutations at once: vector `i` of `state` holds element `i` of each state.
    @inlinable @inline(__always)
    public static func permutePacked(
        _ state: UnsafeMutablePointer<SIMD8<UInt32>>,
        width: Int,
        constants: UnsafePointer<UInt32>
    ) {
        typealias L = Poseidon2Lanes<F>
        // Work on a stack copy, which the compiler may keep in registers.
        withUnsafeTemporaryAllocation(of: L.self, capacity: 24) { buffer in
            let s = buffer.baseAddress!
            if width == 16 {
                let rp = P.partialRounds(width: 16)!
                Poseidon2Packed16<P>.permute(state, partialRounds: rp, constants: constants + (8 * 16 + rp + 2 * 16))
            } else {
                let rp = P.partialRounds(width: 24)!
                let minusP = constants + (8 * 24 + rp + 2 * 24)
                for i in 0..<24 { (s + i).initialize(to: L(words: state[i])) }
                permute(s, width: 24, partialRounds: rp) { x, i in
                    x.sboxAdding(constantMinusPrime: SIMD8(repeating: minusP[i]), degree: P.sboxDegree)
                }
                for i in 0..<24 { state[i] = s[i].words }
            }
        }
    }

    /// The permutation on any `Poseidon2Arithmetic` (scalar elements or packed lanes);
    /// `sboxAdding(x, i)` is `(x + round constant i)^d`.
    @inlinable @inline(__always)
    static func permute<R: Poseidon2Arithmetic>(
        _ s: UnsafeMutablePointer<R>,
        width: Int,
        partialRounds: Int,
        sboxAdding: (R, Int) -> R
    ) {
        externalLayer(s, width: width)
        var c = 0
        for _ in 0..<4 {
            for i in 0..<width { s[i] = sboxAdding(s[i], c + i) }
            externalLayer(s, width: width)
            c += width
        }
        for r in 0..<partialRounds {
            s[0] = sboxAdding(s[0], c + r)
            P.internalLayer(s, width: width)
        }
        c += partialRounds
        for _ in 0..<4 {
            for i in 0..<width { s[i] = sboxAdding(s[i], c + i) }
            externalLayer(s, width: width)
            c += width
        }
    }

    /// `x^d` with `d` the S-box degree (3 or 7).
    @inlinable @inline(__always)
    static func sbox<R: Poseidon2Arithmetic>(_ x: R) -> R {
        switch P.sboxDegree {
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
            for _ in 1..<P.sboxDegree { r = r * x }
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
    /// The internal diagonal `V` (the internal layer is `1 + Diag(V)`), for AIRs and tests.
    public var internalDiagonal: [F] {
        let start = 8 * width + partialRounds
        return constants[start..<(start + width)].map { F(montgomery: $0) }
    }

    /// The round constants, for AIRs, inspection and tests.
    public var roundConstants: (externalInitial: [[F]], internalRounds: [F], externalFinal: [[F]]) {
        let w = width
        let constants = self.constants.map { F(montgomery: $0) }
        let initial = (0..<4).map { Array(constants[($0 * w)..<($0 * w + w)]) }
        let internalStart = 4 * w
        let internalRounds = Array(constants[internalStart..<(internalStart + partialRounds)])
        let finalStart = internalStart + partialRounds
        let final = (0..<4).map { Array(constants[(finalStart + $0 * w)..<(finalStart + $0 * w + w)]) }
        return (initial, internalRounds, final)
    }
}
