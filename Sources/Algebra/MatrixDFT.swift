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
            TwoAdicDFT.scaleRowsByPowers(buf, width: w, start: F(UInt32(max(n, 1))).inverse()!, ratio: .one)
        }
    }

    /// Evaluations on the coset `shift·H` (natural order) of the polynomials whose coefficients are the rows.
    @inlinable
    public func cosetDFT(shift: F) -> RowMajorMatrix<F> {
        let w = width
        let out = values.withUnsafeBufferPointer { src in
            makeLargeArray(count: src.count) { (dst: UnsafeMutableBufferPointer<F>) in
                TwoAdicDFT.copyScalingRowsByPowers(from: src, to: dst, width: w, start: .one, ratio: shift)
                Algebra.bitReverseRows(dst, width: w)
                TwoAdicDFT.forwardBitReversedToNatural(dst, width: w)
            }
        }
        return RowMajorMatrix(values: out, width: w)
    }

    /// Evaluations on the coset `shift·H'`, `|H'| = height · 2^logBlowup`, in bit-reversed row order
    /// (row `r` at `shift·ω_N^reverseBits(r, log2 N)`), of the polynomials whose coefficients are the
    /// rows (so of degree `< height`; the missing high coefficients are zero).
    ///
    /// With `logBlowup == 0` this is `cosetDFT(shift:)` with its rows bit-reversed, without any row
    /// permutation; with a blowup it is the second half of ``cosetLDEBitReversed(logBlowup:shift:)``
    /// (no zero padding is materialised).
    @inlinable
    public func cosetDFTBitReversed(shift: F, logBlowup: Int = 0) -> RowMajorMatrix<F> {
        precondition(logBlowup >= 0, "negative blowup")
        let w = width
        let n = height
        let blocks = 1 << logBlowup
        precondition(log2Strict(n) + logBlowup <= F.twoAdicity, "domain larger than the two-adic subgroup")
        let out = makeLargeArray(count: n * blocks * w) { (buf: UnsafeMutableBufferPointer<F>) in
            values.withUnsafeBufferPointer { src in
                TwoAdicDFT.extendCoefficients(
                    from: src,
                    into: buf,
                    width: w,
                    logBlowup: logBlowup,
                    shift: shift,
                    start: .one
                )
            }
        }
        return RowMajorMatrix(values: out, width: w)
    }

    /// Coefficients of the polynomials whose evaluations on `shift·H` (natural order) are the rows.
    @inlinable
    public func cosetIDFT(shift: F) -> RowMajorMatrix<F> {
        let w = width
        let n = height
        let out = values.withUnsafeBufferPointer { src in
            makeLargeArray(count: src.count) { (dst: UnsafeMutableBufferPointer<F>) in
                bitReverseRowsCopy(from: src, to: dst, width: w)
                TwoAdicDFT.inverseBitReversedToNaturalUnscaled(dst, width: w)
                let nInv = F(UInt32(max(n, 1))).inverse()!
                TwoAdicDFT.scaleRowsByPowers(dst, width: w, start: nInv, ratio: shift.inverse()!)
            }
        }
        return RowMajorMatrix(values: out, width: w)
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
        Self.cosetLDEBitReversed(width: width, height: height, logBlowup: logBlowup, shift: shift) { first in
            values.withUnsafeBufferPointer { bitReverseRowsCopy(from: $0, to: first, width: width) }
        }
    }

    /// ``cosetLDEBitReversed(logBlowup:shift:)`` of a matrix that is never materialised on its
    /// own: `writeRows` receives the first `height · width` elements of the result and must
    /// write row `r` of the matrix at row `reverseBits(r, log2 height)` there. Saves the
    /// matrix's memory when the extension is all that is needed of it. (The result's first
    /// `height` rows are the polynomials' values on `shift·H`, row `j` at
    /// `shift·ω_n^reverseBits(j, log2 n)`.)
    @inlinable
    public static func cosetLDEBitReversed(
        width w: Int,
        height n: Int,
        logBlowup: Int,
        shift: F,
        writeRows: (UnsafeMutableBufferPointer<F>) -> Void
    ) -> RowMajorMatrix<F> {
        precondition(logBlowup >= 0, "negative blowup")
        let logN = log2Strict(n)
        let blocks = 1 << logBlowup
        precondition(logN + logBlowup <= F.twoAdicity, "LDE larger than the two-adic subgroup")
        let out = makeLargeArray(count: n * blocks * w) { (buf: UnsafeMutableBufferPointer<F>) in
            let block = n * w
            let first = UnsafeMutableBufferPointer(rebasing: buf[0..<block])
            writeRows(first)
            TwoAdicDFT.inverseBitReversedToNaturalUnscaled(first, width: w)
            TwoAdicDFT.extendCoefficients(
                from: UnsafeBufferPointer(first),
                into: buf,
                width: w,
                logBlowup: logBlowup,
                shift: shift,
                start: F(UInt32(n)).inverse()!
            )
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

extension TwoAdicDFT {
    /// Evaluates polynomials given by natural-order coefficients (`source`, `n` rows, each
    /// multiplied by `start`) on `shift·H'`, `|H'| = n·2^logBlowup`, into `destination` in
    /// bit-reversed row order. `source` may be the first `n` rows of `destination`.
    ///
    /// Block `b` of `n` rows of the output is the coset `shift·ω_N^reverseBits(b, logBlowup)·H` in
    /// bit-reversed order, so the work is `2^logBlowup` DFTs of size `n`.
    @inlinable
    public static func extendCoefficients<F: PrimeField31>(
        from source: UnsafeBufferPointer<F>,
        into destination: UnsafeMutableBufferPointer<F>,
        width w: Int,
        logBlowup: Int,
        shift: F,
        start: F
    ) {
        let block = source.count
        let n = block / w
        let blocks = 1 << logBlowup
        precondition(destination.count == block * blocks, "destination has the wrong size")
        let logN = log2Strict(n)
        let omegaN = F.twoAdicGenerator(logOrder: logN + logBlowup)
        let inPlace = source.baseAddress == UnsafePointer(destination.baseAddress)
        // Blocks other than 0 first: block 0 may be the source.
        for b in stride(from: blocks - 1, through: inPlace ? 1 : 0, by: -1) {
            let cosetShift = shift * omegaN.power(UInt64(reverseBits(b, bits: logBlowup)))
            let dst = UnsafeMutableBufferPointer(rebasing: destination[(b * block)..<((b + 1) * block)])
            copyScalingRowsByPowers(from: source, to: dst, width: w, start: start, ratio: cosetShift)
        }
        let first = UnsafeMutableBufferPointer(rebasing: destination[0..<block])
        if inPlace { scaleRowsByPowers(first, width: w, start: start, ratio: shift) }
        for b in 0..<blocks {
            let dst = UnsafeMutableBufferPointer(rebasing: destination[(b * block)..<((b + 1) * block)])
            forwardNaturalToBitReversed(dst, width: w)
        }
    }
}
