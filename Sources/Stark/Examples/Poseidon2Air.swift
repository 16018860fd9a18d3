import Algebra
import Hashing

/// The Poseidon2 permutation (width 16, S-box `x³`: KoalaBear) as an AIR, with
/// `permutationsPerRow` independent permutations side by side on each row — the shape of
/// Plonky3's `poseidon2-air` benchmark.
///
/// Columns of one permutation (164): the 16 inputs, the 16 S-box outputs of each of the 4
/// initial full rounds, the S-box output of each of the 20 partial rounds, and the 16 S-box
/// outputs of each of the 4 final full rounds. Every S-box output is constrained by one
/// degree-3 constraint; linear layers are applied to expressions.
public struct Poseidon2Air<F: StarkField>: Air {
    public let permutationsPerRow: Int
    @usableFromInline let initialConstants: [F]  // 4 × 16
    @usableFromInline let partialConstants: [F]  // partialRounds
    @usableFromInline let finalConstants: [F]  // 4 × 16
    @usableFromInline let diagonal: [F]  // internal layer: out_j = s_j · V_j + Σ s
    @usableFromInline let partialRounds: Int

    /// The AIR for the default Poseidon2 width-16 instance of `F` (S-box degree 3 only).
    public init(permutationsPerRow: Int = 1) {
        precondition(F.Parameters.sboxDegree == 3, "Poseidon2Air supports S-box degree 3 (KoalaBear)")
        let p = Poseidon2<F>(width: 16)
        let rc = p.roundConstants
        self.permutationsPerRow = permutationsPerRow
        initialConstants = Array(rc.externalInitial.joined())
        partialConstants = rc.internalRounds
        finalConstants = Array(rc.externalFinal.joined())
        partialRounds = p.partialRounds
        // Recover V from the internal layer applied to unit vectors: e_j ↦ V_j + 1 at j.
        var diag: [F] = []
        for j in 0..<16 {
            var s = [F](repeating: .zero, count: 16)
            s[j] = .one
            s.withUnsafeMutableBufferPointer { F.Parameters.internalLayer($0.baseAddress!, width: 16) }
            diag.append(s[j] - .one)
        }
        diagonal = diag
    }

    public var name: String { "Poseidon2" }
    /// Columns of one permutation.
    public var columnsPerPermutation: Int { 16 + 4 * 16 + partialRounds + 4 * 16 }
    public var width: Int { permutationsPerRow * columnsPerPermutation }

    /// `y = M4 x` on each block of four, then add the column sums of the blocks.
    @inlinable
    static func externalLayer<X: AirExpression>(_ s: inout [X]) {
        s.withUnsafeMutableBufferPointer { externalLayer(at: $0.baseAddress!) }
    }

    /// ``externalLayer(_:)`` on the 16 elements at `s`.
    @inlinable @inline(__always)
    static func externalLayer<X: AirExpression>(at s: UnsafeMutablePointer<X>) {
        for k in 0..<4 {
            let a = s[4 * k]
            let b = s[4 * k + 1]
            let c = s[4 * k + 2]
            let d = s[4 * k + 3]
            let ab = a + b
            let cd = c + d
            let all = ab + cd
            // y0 = 2a+3b+c+d, y1 = a+2b+3c+d, y2 = a+b+2c+3d, y3 = 3a+b+c+2d
            s[4 * k] = all + a + b + b
            s[4 * k + 1] = all + b + c + c
            s[4 * k + 2] = all + c + d + d
            s[4 * k + 3] = all + d + a + a
        }
        for i in 0..<4 {
            let sum = s[i] + s[4 + i] + s[8 + i] + s[12 + i]
            s[i] = s[i] + sum
            s[4 + i] = s[4 + i] + sum
            s[8 + i] = s[8 + i] + sum
            s[12 + i] = s[12 + i] + sum
        }
    }

    /// `s → (1 + Diag(V))·s`: every element times its diagonal entry, plus the sum of all.
    @inlinable
    func internalLayer<X: AirExpression>(_ s: inout [X]) where X.F == F {
        s.withUnsafeMutableBufferPointer { internalLayer(at: $0.baseAddress!) }
    }

    /// ``internalLayer(_:)`` on the 16 elements at `s`.
    @inlinable @inline(__always)
    func internalLayer<X: AirExpression>(at s: UnsafeMutablePointer<X>) where X.F == F {
        var sum = s[0]
        for j in 1..<16 { sum = sum + s[j] }
        for j in 0..<16 { s[j] = s[j] * X(diagonal[j]) + sum }
    }

    @inlinable
    @_specialize(where F == KoalaBear, B == ProverFolder<KoalaBear>)
    @_specialize(where F == BabyBear, B == ProverFolder<BabyBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        let cpp = columnsPerPermutation
        for p in 0..<permutationsPerRow {
            _ = evalPermutation(&b, base: p * cpp)
        }
    }

    /// Constrains one permutation whose ``columnsPerPermutation`` columns (the 16 inputs, then
    /// the S-box outputs, as ``permutationColumns(_:)`` lays them out) start at main column
    /// `base`, and returns the permutation's 16 outputs as (linear) expressions in those
    /// columns. Adds `columnsPerPermutation − 16` constraints of degree 3; lets another AIR
    /// embed a permutation next to columns of its own.
    @inlinable @inline(__always)
    public func evalPermutation<B: AirBuilder>(_ b: inout B, base: Int) -> [B.Expr] where B.F == F {
        var state = (0..<16).map { b.main(base + $0) }
        Self.externalLayer(&state)
        var col = base + 16
        for r in 0..<4 {
            for i in 0..<16 {
                let x = state[i] + B.Expr(initialConstants[16 * r + i])
                let post = b.main(col)
                b.assertZero(post - x * x * x)
                state[i] = post
                col += 1
            }
            Self.externalLayer(&state)
        }
        for r in 0..<partialRounds {
            let x = state[0] + B.Expr(partialConstants[r])
            let post = b.main(col)
            b.assertZero(post - x * x * x)
            state[0] = post
            col += 1
            internalLayer(&state)
        }
        for r in 0..<4 {
            for i in 0..<16 {
                let x = state[i] + B.Expr(finalConstants[16 * r + i])
                let post = b.main(col)
                b.assertZero(post - x * x * x)
                state[i] = post
                col += 1
            }
            Self.externalLayer(&state)
        }
        return state
    }

    /// The trace row part of one permutation of `input`, and the permutation's output.
    public func permutationColumns(_ input: [F]) -> (columns: [F], output: [F]) {
        precondition(input.count == 16, "a Poseidon2 state has 16 elements")
        var columns = [F](repeating: .zero, count: columnsPerPermutation)
        var output = [F](repeating: .zero, count: 16)
        input.withUnsafeBufferPointer { i in
            columns.withUnsafeMutableBufferPointer { c in
                output.withUnsafeMutableBufferPointer {
                    writeColumns(of: i.baseAddress!, to: c.baseAddress!, output: $0.baseAddress!)
                }
            }
        }
        return (columns, output)
    }

    /// Writes the ``columnsPerPermutation`` columns of the permutation of the 16 elements at
    /// `input` to `out` (which must not overlap `input`), and the permutation's 16 outputs to
    /// `output` when given: without arrays, for trace generation in hot loops.
    @inlinable
    @_specialize(where F == KoalaBear)
    public func writeColumns(
        of input: UnsafePointer<F>,
        to out: UnsafeMutablePointer<F>,
        output: UnsafeMutablePointer<F>? = nil
    ) {
        typealias X = ScalarExpr<F>
        withUnsafeTemporaryAllocation(of: X.self, capacity: 16) { buffer in
            let s = buffer.baseAddress!
            for i in 0..<16 {
                out[i] = input[i]
                (s + i).initialize(to: X(input[i]))
            }
            Self.externalLayer(at: s)
            var col = 16
            // Four full rounds; the very last external layer only feeds the output.
            func fullRounds(_ constants: [F], lastLayer: Bool) {
                constants.withUnsafeBufferPointer { rc in
                    for r in 0..<4 {
                        for i in 0..<16 {
                            let x = s[i].v + rc[16 * r + i]
                            s[i] = X(x * x * x)
                            out[col] = s[i].v
                            col += 1
                        }
                        if lastLayer || r < 3 { Self.externalLayer(at: s) }
                    }
                }
            }
            fullRounds(initialConstants, lastLayer: true)
            partialConstants.withUnsafeBufferPointer { rc in
                for r in 0..<partialRounds {
                    let x = s[0].v + rc[r]
                    s[0] = X(x * x * x)
                    out[col] = s[0].v
                    col += 1
                    internalLayer(at: s)
                }
            }
            fullRounds(finalConstants, lastLayer: output != nil)
            if let output { for i in 0..<16 { output[i] = s[i].v } }
        }
    }

    /// A trace of `2^logRows` rows of pseudo-random permutations (deterministic from `seed`).
    public func trace(logRows: Int, seed: UInt64 = 1) -> RowMajorMatrix<F> {
        let rows = 1 << logRows
        let perms = rows * permutationsPerRow
        let cpp = columnsPerPermutation
        var values = [F](repeating: .zero, count: perms * cpp)
        values.withUnsafeMutableBufferPointer { out in
            let box = UncheckedSendableBox(out)
            Parallel.forEachChunk(count: perms, minChunk: 256) { range in
                for k in range {
                    var x = seed &+ UInt64(k) &* 0x9e37_79b9_7f4a_7c15
                    var input: [F] = []
                    input.reserveCapacity(16)
                    for _ in 0..<16 {
                        x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                        input.append(F(reducing: x >> 16))
                    }
                    let (cols, _) = permutationColumns(input)
                    for c in 0..<cpp { box.value[k * cpp + c] = cols[c] }
                }
            }
        }
        return RowMajorMatrix(values: values, width: width)
    }
}
