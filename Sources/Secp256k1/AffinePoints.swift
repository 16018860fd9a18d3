import EVMPrimitives

// Affine point arithmetic for the zkVM guests, where one `secp256k1_add` or `secp256k1_double`
// syscall (`Guests/ABI.md`) is one proven table row: the guests' `a·G + b·P` keeps an affine
// accumulator and makes every addition and doubling a call to ``secp256k1AffineAdd(_:_:)`` or
// ``secp256k1AffineDouble(_:)``, whose symbols the guest linker wraps (`ld.lld --wrap`,
// `Guests/runtime/secp256k1_accel.c`) to make the syscall instead; under Linux (qemu-riscv32),
// which has no such syscall, the wrapper calls the software bodies below. Natively
// ``JacobianPoint/doubleScalarMultiply(_:_:_:)`` stays the path (no inversion per step);
// ``linearCombination(_:_:_:)`` selects at compile time. Points are 16 little-endian words:
// x then y, canonical.

/// `p := p + q` for affine points of 16 words each (x then y, 8 little-endian words each,
/// canonical), which must have different x. In software: one field inversion.
///
/// On the rv32im zkVM guests the linker routes this function to the `secp256k1_add` syscall.
@inline(never)
public func secp256k1AffineAdd(_ p: UnsafeMutablePointer<UInt32>, _ q: UnsafePointer<UInt32>) {
    let x1 = FieldElement(unchecked: loadWords(p))
    let y1 = FieldElement(unchecked: loadWords(p + 8))
    let x2 = FieldElement(unchecked: loadWords(q))
    let lambda = (FieldElement(unchecked: loadWords(q + 8)) - y1) * (x2 - x1).inverseVartime()
    let x3 = lambda.squared() - x1 - x2
    storeWords(p, x3.value)
    storeWords(p + 8, (lambda * (x1 - x3) - y1).value)
}

/// `p := 2p` for an affine point of 16 words (y ≠ 0). In software: one field inversion.
///
/// On the rv32im zkVM guests the linker routes this function to the `secp256k1_double` syscall.
@inline(never)
public func secp256k1AffineDouble(_ p: UnsafeMutablePointer<UInt32>) {
    let x1 = FieldElement(unchecked: loadWords(p))
    let y1 = FieldElement(unchecked: loadWords(p + 8))
    let lambda = x1.squared().times(3) * y1.doubled().inverseVartime()
    let x3 = lambda.squared() - x1.doubled()
    storeWords(p, x3.value)
    storeWords(p + 8, (lambda * (x1 - x3) - y1).value)
}

/// `a·G + b·P`, or nil for infinity: affine steps through the point syscalls on the 32-bit
/// guests, Jacobian formulas elsewhere.
@inlinable
public func linearCombination(_ a: Scalar, _ b: Scalar, _ p: AffinePoint) -> AffinePoint? {
    #if _pointerBitWidth(_32)
    AffinePoint.doubleScalarMultiply(a, b, p)
    #else
    JacobianPoint.doubleScalarMultiply(a, b, JacobianPoint(p)).affineVartime
    #endif
}

/// An affine accumulator of 16 words at `words` (x then y) that may be infinity.
struct AffineAccumulator {
    let words: UnsafeMutablePointer<UInt32>
    var isInfinity = true

    init(_ words: UnsafeMutablePointer<UInt32>) { self.words = words }

    /// acc := 2·acc (a curve point of odd order never has y = 0).
    mutating func double() {
        if !isInfinity { secp256k1AffineDouble(words) }
    }

    /// acc := acc + q, with the cases the syscall excludes (acc infinity, acc = ±q) done here.
    mutating func add(_ q: UnsafePointer<UInt32>) {
        if isInfinity {
            words.update(from: q, count: 16)
            isInfinity = false
            return
        }
        // Different x almost always shows in the first word: stop at the first difference.
        var i = 0
        while i < 8 && words[i] == q[i] { i &+= 1 }
        if i < 8 { return secp256k1AffineAdd(words, q) }
        while i < 16 && words[i] == q[i] { i &+= 1 }
        if i == 16 { secp256k1AffineDouble(words) } else { isInfinity = true }
    }
}

extension AffinePoint {
    /// Stores x then y as 16 words at `to`, y negated when `negate`.
    @inline(__always)
    func store(_ to: UnsafeMutablePointer<UInt32>, negate: Bool = false) {
        storeWords(to, x.value)
        storeWords(to + 8, (negate ? -y : y).value)
    }

    /// `a·G + b·P` with an affine accumulator, for the zkVM guests: the GLV split and the four
    /// NAFs of ``JacobianPoint/doubleScalarMultiply(_:_:_:)``, every doubling and addition one
    /// ``secp256k1AffineDouble(_:)`` or ``secp256k1AffineAdd(_:_:)``; nil for infinity. `p` must
    /// be a curve point (as recovery and verification ensure).
    public static func doubleScalarMultiply(_ a: Scalar, _ b: Scalar, _ p: AffinePoint) -> AffinePoint? {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16 * 18) { buffer in
            withUnsafeTemporaryAllocation(of: Int8.self, capacity: 4 * 260) { digits in
                let table = buffer.baseAddress!  // P, 3P, …, 15P, then λ·(the same)
                let acc = table + 16 * 16
                let term = acc + 16
                let d = digits.baseAddress!
                let (a1, an1, a2, an2) = GLV.split(a)
                let (b1, bn1, b2, bn2) = GLV.split(b)
                // Odd multiples: 2P in `term`, then (2i + 1)P = (2i − 1)P + 2P (distinct x: P has
                // odd prime order).
                p.store(table)
                p.store(term)
                secp256k1AffineDouble(term)
                for i in 1..<8 {
                    (table + 16 * i).update(from: table + 16 * (i - 1), count: 16)
                    secp256k1AffineAdd(table + 16 * i, term)
                }
                for i in 0..<8 {
                    let x = FieldElement(unchecked: loadWords(table + 16 * i)) * GLV.beta
                    storeWords(table + 16 * (8 + i), x.value)
                    (table + 16 * (8 + i) + 8).update(from: table + 16 * i + 8, count: 8)
                }
                let l0 = wnaf(a1, d, width: 8)
                let l1 = wnaf(a2, d + 260, width: 8)
                let l2 = wnaf(b1, d + 520)
                let l3 = wnaf(b2, d + 780)
                var sum = AffineAccumulator(acc)
                /// Adds ±|v|·G (or ±|v|·λG) from the constant affine table.
                func addGenerator(_ v: Int, lambda: Bool) {
                    if v == 0 { return }
                    var q = generatorMultiple((v > 0 ? v : -v) >> 1)
                    if lambda { q.x = q.x * GLV.beta }
                    q.store(term, negate: v < 0)
                    sum.add(term)
                }
                /// Adds ±|v|·P (or ±|v|·λP) from the table built above.
                func addMultiple(_ v: Int, lambda: Bool) {
                    if v == 0 { return }
                    let entry = table + 16 * ((lambda ? 8 : 0) + ((v > 0 ? v : -v) >> 1))
                    // A positive digit adds the table entry itself (a buffer apart from the sum).
                    if v > 0 { return sum.add(entry) }
                    term.update(from: entry, count: 8)
                    storeWords(term + 8, (-FieldElement(unchecked: loadWords(entry + 8))).value)
                    sum.add(term)
                }
                /// The signed digit `i` of a NAF at `digits` (0 past its length).
                func digit(_ i: Int, _ length: Int, _ digits: UnsafeMutablePointer<Int8>, _ negate: Bool) -> Int {
                    guard i < length else { return 0 }
                    let v = Int(digits[i])
                    return negate ? -v : v
                }
                var i = Swift.max(Swift.max(l0, l1), Swift.max(l2, l3)) &- 1
                while i >= 0 {
                    sum.double()
                    addGenerator(digit(i, l0, d, an1), lambda: false)
                    addGenerator(digit(i, l1, d + 260, an2), lambda: true)
                    addMultiple(digit(i, l2, d + 520, bn1), lambda: false)
                    addMultiple(digit(i, l3, d + 780, bn2), lambda: true)
                    i &-= 1
                }
                if sum.isInfinity { return nil }
                return AffinePoint(
                    unchecked: FieldElement(unchecked: loadWords(acc)),
                    FieldElement(unchecked: loadWords(acc + 8))
                )
            }
        }
    }
}
