import Algebra

/// The Fibonacci AIR: two columns `(a, b)`, `a₀ = x`, `b₀ = y`, `(a', b') = (b, a + b)`,
/// and the last row's `b` equals the claimed result. Public values: `[x, y, result]`.
public struct FibonacciAir<F: StarkPackedField>: Air {
    public init() {}

    public var name: String { "Fibonacci" }
    public var width: Int { 2 }
    public var numPublicValues: Int { 3 }

    @inlinable
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        let a = b.main(0)
        let c = b.main(1)
        b.assertEqualOnFirstRow(a, b.publicValue(0))
        b.assertEqualOnFirstRow(c, b.publicValue(1))
        b.assertEqualOnTransition(b.next(0), c)
        b.assertEqualOnTransition(b.next(1), a + c)
        b.assertEqualOnLastRow(c, b.publicValue(2))
    }

    /// The trace of `2^logRows` rows from `(x, y)` and its public values `[x, y, result]`.
    public static func trace(logRows: Int, x: F = .zero, y: F = .one) -> (RowMajorMatrix<F>, [F]) {
        let n = 1 << logRows
        var values = [F](repeating: .zero, count: 2 * n)
        var a = x
        var c = y
        for i in 0..<n {
            values[2 * i] = a
            values[2 * i + 1] = c
            (a, c) = (c, a + c)
        }
        return (RowMajorMatrix(values: values, width: 2), [x, y, values[2 * n - 1]])
    }
}
