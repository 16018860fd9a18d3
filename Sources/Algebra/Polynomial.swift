/// Row order of evaluations on a coset `shift·H`: natural (row `i` at `shift·ω^i`) or
/// bit-reversed (row `i` at `shift·ω^reverseBits(i, log2 n)`).
public enum RowOrder: Sendable, Hashable {
    case natural
    case bitReversed
}

/// Single polynomials: DFTs of one coefficient vector (base or extension field), Horner
/// evaluation, and barycentric evaluation of evaluations on a coset at an out-of-domain point.
///
/// Lengths given to the DFTs must be powers of two; `ω = F.twoAdicGenerator(logOrder: log2 n)`.
public enum Polynomial {
    // MARK: Horner

    /// `Σ coefficients[i] · x^i` by Horner's rule.
    @inlinable
    public static func evaluate<F: Field>(_ coefficients: [F], at x: F) -> F {
        var acc = F.zero
        for c in coefficients.reversed() { acc = acc * x + c }
        return acc
    }

    /// `Σ coefficients[i] · x^i` for base-field coefficients at an extension-field point.
    @inlinable
    public static func evaluate<E: ExtensionField>(_ coefficients: [E.Base], at x: E) -> E {
        var acc = E.zero
        for c in coefficients.reversed() { acc = acc * x + c }
        return acc
    }

    // MARK: DFTs of one polynomial

    /// Evaluations on `H` (natural order) of the polynomial with these coefficients.
    @inlinable
    public static func dft<F: PrimeField31>(_ coefficients: [F]) -> [F] {
        RowMajorMatrix(values: coefficients, width: 1).dft().values
    }

    /// Coefficients of the polynomial with these evaluations on `H` (natural order).
    @inlinable
    public static func idft<F: PrimeField31>(_ evaluations: [F]) -> [F] {
        RowMajorMatrix(values: evaluations, width: 1).idft().values
    }

    /// Evaluations on `shift·H` (natural order) of the polynomial with these coefficients.
    @inlinable
    public static func cosetDFT<F: PrimeField31>(_ coefficients: [F], shift: F) -> [F] {
        RowMajorMatrix(values: coefficients, width: 1).cosetDFT(shift: shift).values
    }

    /// Coefficients of the polynomial with these evaluations on `shift·H` (natural order).
    @inlinable
    public static func cosetIDFT<F: PrimeField31>(_ evaluations: [F], shift: F) -> [F] {
        RowMajorMatrix(values: evaluations, width: 1).cosetIDFT(shift: shift).values
    }

    /// Evaluations on `H` (natural order) of an extension-field polynomial (twiddles are in the
    /// base field, so this is one DFT of the `extensionDegree` coordinate polynomials).
    @inlinable
    public static func dft<E: ExtensionField>(_ coefficients: [E]) -> [E] {
        withBaseMatrix(coefficients) { $0.applyDFT() }
    }

    /// Coefficients of the extension-field polynomial with these evaluations on `H` (natural order).
    @inlinable
    public static func idft<E: ExtensionField>(_ evaluations: [E]) -> [E] {
        withBaseMatrix(evaluations) { $0.applyIDFT() }
    }

    /// Evaluations on `shift·H` (natural order) of an extension-field polynomial.
    @inlinable
    public static func cosetDFT<E: ExtensionField>(_ coefficients: [E], shift: E.Base) -> [E] {
        withBaseMatrix(coefficients) { $0 = $0.cosetDFT(shift: shift) }
    }

    /// Coefficients of the extension-field polynomial with these evaluations on `shift·H` (natural order).
    @inlinable
    public static func cosetIDFT<E: ExtensionField>(_ evaluations: [E], shift: E.Base) -> [E] {
        withBaseMatrix(evaluations) { $0 = $0.cosetIDFT(shift: shift) }
    }

    /// Views `values` as a `count × extensionDegree` base-field matrix, transforms it, and reads it back.
    @inlinable
    static func withBaseMatrix<E: ExtensionField>(
        _ values: [E],
        _ transform: (inout RowMajorMatrix<E.Base>) -> Void
    ) -> [E] {
        let d = E.extensionDegree
        precondition(
            MemoryLayout<E>.stride == d * MemoryLayout<E.Base>.stride,
            "extension element is not \(d) packed coefficients"
        )
        if values.isEmpty { return values }
        let flat = values.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: E.Base.self) {
                Array(UnsafeBufferPointer(start: $0.baseAddress, count: buf.count * d))
            }
        }
        var m = RowMajorMatrix(values: flat, width: d)
        transform(&m)
        return m.values.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: E.self) { Array(UnsafeBufferPointer(start: $0.baseAddress, count: values.count)) }
        }
    }

    // MARK: Barycentric evaluation

    /// The points `shift·ω^i` (or `shift·ω^reverseBits(i)`) of the coset of order `n`.
    @inlinable
    public static func cosetPoints<F: PrimeField31>(count n: Int, shift: F, order: RowOrder = .natural) -> [F] {
        let logN = log2Strict(n)
        let omega = F.twoAdicGenerator(logOrder: logN)
        var points = [F](repeating: .zero, count: n)
        var x = shift
        for i in 0..<n {
            points[i] = x
            x = x * omega
        }
        if order == .bitReversed { bitReversePermute(&points) }
        return points
    }

    /// Barycentric weights at `z` for the coset `shift·H` of order `n`:
    /// `P(z) = Σ_i e_i · weights[i]` for every polynomial of degree `< n` with evaluations `e_i`
    /// on the coset (in `order`).
    ///
    /// `weights[i] = (z^n − shift^n) / (n · shift^n) · x_i / (z − x_i)`; when `z` is one of the
    /// points the weights are the indicator of that point.
    @inlinable
    public static func barycentricWeights<E: ExtensionField>(
        count n: Int,
        shift: E.Base,
        at z: E,
        order: RowOrder = .natural
    ) -> [E] where E.Base: PrimeField31 {
        let points = cosetPoints(count: n, shift: shift, order: order)
        if let hit = points.firstIndex(where: { z == E($0) }) {
            var w = [E](repeating: .zero, count: n)
            w[hit] = .one
            return w
        }
        let differences = points.map { z - $0 }
        let inverses = batchInverse(differences)
        let shiftN = shift.power(UInt64(n))
        let zN = z.power(UInt64(n))
        let scale = (zN - shiftN) * (E.Base(UInt32(n)) * shiftN).inverse()!
        var weights = [E](repeating: .zero, count: n)
        for i in 0..<n { weights[i] = scale * (inverses[i] * points[i]) }
        return weights
    }

    /// The value at `z` of the polynomial of degree `< n` whose evaluations on the coset
    /// `shift·H` (in `order`) are `evaluations` (barycentric formula, `O(n)`).
    @inlinable
    public static func evaluateOnCoset<E: ExtensionField>(
        _ evaluations: [E.Base],
        shift: E.Base,
        at z: E,
        order: RowOrder = .natural
    ) -> E where E.Base: PrimeField31 {
        let weights = barycentricWeights(count: evaluations.count, shift: shift, at: z, order: order)
        var acc = E.zero
        for i in 0..<evaluations.count { acc = acc + weights[i] * evaluations[i] }
        return acc
    }

    /// The value at `z` of the extension-field polynomial of degree `< n` whose evaluations on
    /// the coset `shift·H` (in `order`) are `evaluations`.
    @inlinable
    public static func evaluateOnCoset<E: ExtensionField>(
        _ evaluations: [E],
        shift: E.Base,
        at z: E,
        order: RowOrder = .natural
    ) -> E where E.Base: PrimeField31 {
        let weights = barycentricWeights(count: evaluations.count, shift: shift, at: z, order: order)
        var acc = E.zero
        for i in 0..<evaluations.count { acc = acc + weights[i] * evaluations[i] }
        return acc
    }
}

extension RowMajorMatrix where F: PrimeField31 {
    /// The value at `z` of every column polynomial, the rows being evaluations on the coset
    /// `shift·H` (in `order`, `H` of order `height`). One batch inversion serves all columns;
    /// the sums run on ``Parallel``.
    @inlinable
    public func evaluateOnCoset<E: ExtensionField>(shift: F, at z: E, order: RowOrder = .natural) -> [E]
    where E.Base == F {
        let n = height
        let w = width
        let weights = Polynomial.barycentricWeights(count: n, shift: shift, at: z, order: order)
        let threads = max(1, min(Parallel.maxThreads, n * w / (1 << 14)))
        var partial = [[E]](repeating: [E](repeating: .zero, count: w), count: threads)
        values.withUnsafeBufferPointer { vals in
            partial.withUnsafeMutableBufferPointer { parts in
                let base = vals.baseAddress!
                let out = parts.baseAddress!
                Parallel.forEach(count: threads) { t in
                    var acc = [E](repeating: .zero, count: w)
                    let lo = n * t / threads
                    let hi = n * (t + 1) / threads
                    for r in lo..<hi {
                        let wt = weights[r]
                        let row = base + r * w
                        for c in 0..<w { acc[c] = acc[c] + wt * row[c] }
                    }
                    out[t] = acc
                }
            }
        }
        var result = partial[0]
        for t in 1..<threads {
            for c in 0..<w { result[c] = result[c] + partial[t][c] }
        }
        return result
    }
}
