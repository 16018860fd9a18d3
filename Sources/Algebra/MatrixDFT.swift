/// DFTs and low-degree extensions of all the columns of a matrix at once.
///
/// Each column is one polynomial. "Coefficients" means row `i` holds the coefficient of `x^i`;
/// "evaluations on `shift·H`" means row `i` holds the value at `shift·ω^i` (natural order), where
/// `ω = F.twoAdicGenerator(logOrder: log2(height))`. Heights must be powers of two.
extension RowMajorMatrix where F: PrimeField31 {
    /// Evaluations on `H` (natural order) of the column polynomials whose coefficients are the rows.
    @inlinable
    public func dft() -> RowMajorMatrix<F> {
        let w = width
        let out = values.withUnsafeBufferPointer { src in
            makeLargeArray(count: src.count) { (dst: UnsafeMutableBufferPointer<F>) in
                bitReverseRowsCopy(from: src, to: dst, width: w)
                TwoAdicDFT.forwardBitReversedToNatural(dst, width: w)
            }
        }
        return RowMajorMatrix(values: out, width: w)
    }

    /// In-place ``dft()``.
    @inlinable
    public mutating func applyDFT() {
        let w = width
        values.withUnsafeMutableBufferPointer { buf in
            Algebra.bitReverseRows(buf, width: w)
            TwoAdicDFT.forwardBitReversedToNatural(buf, width: w)
        }
    }

    /// Evaluations on `H` in bit-reversed row order (row `i` at `ω^reverseBits(i)`): cheaper than
    /// ``dft()`` because no rows are permuted.
    @inlinable
    public func dftBitReversed() -> RowMajorMatrix<F> {
        var m = self
        let w = width
        m.values.withUnsafeMutableBufferPointer { TwoAdicDFT.forwardNaturalToBitReversed($0, width: w) }
        return m
    }

    /// Coefficients of the column polynomials whose evaluations on `H` (natural order) are the rows.
    @inlinable
    public func idft() -> RowMajorMatrix<F> {
        let w = width
        let n = height
        let out = values.withUnsafeBufferPointer { src in
            makeLargeArray(count: src.count) { (dst: UnsafeMutableBufferPointer<F>) in
                bitReverseRowsCopy(from: src, to: dst, width: w)
                TwoAdicDFT.inverseBitReversedToNaturalUnscaled(dst, width: w)
                TwoAdicDFT.scaleRowsByPowers(dst, width: w, start: F(UInt32(max(n, 1))).inverse()!, ratio: .one)
            }
        }
        return RowMajorMatrix(values: out, width: w)
    }

    /// In-place ``idft()``.
    @inlinable
    public mutating func applyIDFT() {
        let w = width
        let n = height
        values.withUnsafeMutableBufferPointer { buf in
            Algebra.bitReverseRows(buf, width: w)
            TwoAdicDFT.inverseBitReversedToNaturalUnscaled(buf, width: w)
            let nInv = F(UInt32(n)).inverse()!
            TwoAdicDFT.scaleRowsByPowers(buf, width: w, start: nInv, ratio: .one)
        }
    }

    /// Evaluations on the coset `shift·H` (natural order) of the polynomials whose coefficients are the rows.
    @inlinable
    public func cosetDFT(shift: F) -> RowMajorMatrix<F> {
        var m = self
        let w = width
        m.values.withUnsafeMutableBufferPointer { buf in
            TwoAdicDFT.scaleRowsByPowers(buf, width: w, start: .one, ratio: shift)
        }
        m.applyDFT()
        return m
    }

    /// Coefficients of the polynomials whose evaluations on `shift·H` (natural order) are the rows.
    @inlinable
    public func cosetIDFT(shift: F) -> RowMajorMatrix<F> {
        var m = self
        let w = width
        let n = height
        m.values.withUnsafeMutableBufferPointer { buf in
            Algebra.bitReverseRows(buf, width: w)
            TwoAdicDFT.inverseBitReversedToNaturalUnscaled(buf, width: w)
            let nInv = F(UInt32(n)).inverse()!
            TwoAdicDFT.scaleRowsByPowers(buf, width: w, start: nInv, ratio: shift.inverse()!)
        }
        return m
    }

    /// Low-degree extension in bit-reversed row order.
    ///
    /// The rows of `self` are the evaluations on `H` (order `n = height`, natural order) of
    /// polynomials of degree `< n`. Returns their evaluations on `shift·H'`, `|H'| = N = n·2^logBlowup`,
    /// with row `r` holding the value at `shift·ω_N^reverseBits(r, log2 N)` — the order the PCS commits
    /// rows in. Computed as one inverse DFT of size `n` and `2^logBlowup` forward DFTs of size `n`
    /// (one per coset of `H` in `H'`), with a single bit-reversal of `n` rows.
    @inlinable
    public func cosetLDEBitReversed(logBlowup: Int, shift: F) -> RowMajorMatrix<F> {
        precondition(logBlowup >= 0, "negative blowup")
        let w = width
        let n = height
        let logN = log2Strict(n)
        let blocks = 1 << logBlowup
        precondition(logN + logBlowup <= F.twoAdicity, "LDE larger than the two-adic subgroup")
        let out = makeLargeArray(count: n * blocks * w) { (buf: UnsafeMutableBufferPointer<F>) in
            let block = n * w
            let first = UnsafeMutableBufferPointer(rebasing: buf[0..<block])
            values.withUnsafeBufferPointer { bitReverseRowsCopy(from: $0, to: first, width: w) }
            TwoAdicDFT.inverseBitReversedToNaturalUnscaled(first, width: w)
            // Block b holds the coset shift·ω_N^reverseBits(b, logBlowup)·H in bit-reversed order.
            let nInv = F(UInt32(n)).inverse()!
            let omegaN = F.twoAdicGenerator(logOrder: logN + logBlowup)
            for b in 1..<max(blocks, 1) {
                let cosetShift = shift * omegaN.power(UInt64(reverseBits(b, bits: logBlowup)))
                let dst = UnsafeMutableBufferPointer(rebasing: buf[(b * block)..<((b + 1) * block)])
                TwoAdicDFT.copyScalingRowsByPowers(
                    from: UnsafeBufferPointer(first),
                    to: dst,
                    width: w,
                    start: nInv,
                    ratio: cosetShift
                )
            }
            TwoAdicDFT.scaleRowsByPowers(first, width: w, start: nInv, ratio: shift)
            for b in 0..<blocks {
                let dst = UnsafeMutableBufferPointer(rebasing: buf[(b * block)..<((b + 1) * block)])
                TwoAdicDFT.forwardNaturalToBitReversed(dst, width: w)
            }
        }
        return RowMajorMatrix(values: out, width: w)
    }

    /// Low-degree extension in natural row order: row `r` holds the value at `shift·ω_N^r`
    /// (see ``cosetLDEBitReversed(logBlowup:shift:)``, which skips the final row permutation).
    @inlinable
    public func cosetLDE(logBlowup: Int, shift: F) -> RowMajorMatrix<F> {
        var m = cosetLDEBitReversed(logBlowup: logBlowup, shift: shift)
        m.bitReverseRows()
        return m
    }
}
