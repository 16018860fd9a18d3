import EVMPrimitives
import Secp256k1

extension Accelerators {
    /// The witness of one `secp256k1_add` (`q` given) or `secp256k1_double` (`q` nil) call for
    /// the prover's table: the slope λ and the inverse w of the slope's denominator (x2 − x1 for
    /// an add, y1 for a double), 8 little-endian words each, canonical. Nil when the call's
    /// precondition fails (equal x coordinates, y = 0), as for the executor.
    package static func secp256k1Witness(
        _ p: [UInt32],
        _ q: [UInt32]?
    ) -> (lambda: [UInt32], inverse: [UInt32])? {
        let (x1, y1) = coordinates(p)
        let denominator: FieldElement
        let numerator: FieldElement
        if let q {
            let (x2, y2) = coordinates(q)
            denominator = x2 - x1
            numerator = y2 - y1
        } else {
            denominator = y1
            numerator = x1.squared().times(3)
        }
        if denominator.isZero { return nil }
        let w = denominator.inverse()
        // λ = numerator / denominator; for a double the denominator of the slope is 2·y1.
        let lambda = q == nil ? numerator * w * FieldElement(unchecked: UInt256(2)).inverse() : numerator * w
        return (words(lambda.value), words(w.value))
    }
}
