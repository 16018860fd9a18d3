// Secp256k1: point steps and a·G + b·P. The input is a mode byte, then records:
// - mode 0: a kind byte (1 = add, 2 = double), p (64 bytes: x then y, 32-byte little-endian
//   coordinates) and, for an add, q (64 bytes); each step through `Guest.secp256k1Add` /
//   `Guest.secp256k1Double` (the syscalls in the zkVM, the SDK's software under Linux), p + q
//   or 2p committed (64 bytes). Exits 1 on a step the syscalls refuse (equal x, y = 0).
// - mode 1 / 2: a, b (32-byte little-endian scalars) and a curve point P (64 bytes); commits
//   a·G + b·P (64 bytes; zeros for infinity). Mode 1 takes the guests' affine path, every point
//   step one `secp256k1_add` / `secp256k1_double`; mode 2 the Jacobian path (field products
//   through `uint256_mulmod`), the software path the point syscalls replace. Exits 1 when P is
//   not on the curve.
// Exits 1 on a partial record.
import EVMPrimitives
import Secp256k1

@main
struct Secp256k1Guest {
    static func number(_ input: [UInt8], _ at: Int) -> UInt256 {
        func limb(_ k: Int) -> UInt64 {
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(input[at + 8 * k + i]) << UInt64(8 * i) }
            return v
        }
        return UInt256(limb(0), limb(1), limb(2), limb(3))
    }

    static func bytes(_ v: UInt256) -> [UInt8] {
        var out: [UInt8] = []
        for limb in [v.w0, v.w1, v.w2, v.w3] {
            for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: limb >> UInt64(8 * i))) }
        }
        return out
    }

    static func main() {
        let input = Guest.readInput()
        if input.isEmpty { Guest.exit(1) }
        let mode = input[0]
        var at = 1
        var p = [UInt32](repeating: 0, count: 16)
        var q = [UInt32](repeating: 0, count: 16)
        func load(_ words: inout [UInt32], _ from: Int) {
            for i in 0..<16 {
                var w: UInt32 = 0
                for k in 0..<4 { w |= UInt32(input[from + 4 * i + k]) << UInt32(8 * k) }
                words[i] = w
            }
        }
        while at < input.count {
            if mode == 0 {
                let add = input[at] == 1
                if at + (add ? 129 : 65) > input.count || (input[at] != 1 && input[at] != 2) { Guest.exit(1) }
                load(&p, at + 1)
                if add { load(&q, at + 65) }
                let ok = p.withUnsafeMutableBufferPointer { pp in
                    q.withUnsafeBufferPointer { qp in
                        add
                            ? Guest.secp256k1Add(pp.baseAddress!, qp.baseAddress!)
                            : Guest.secp256k1Double(pp.baseAddress!)
                    }
                }
                if !ok { Guest.exit(1) }
                var out: [UInt8] = []
                for w in p { for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: w >> UInt32(8 * k))) } }
                Guest.commit(out)
                at += add ? 129 : 65
            } else {
                if at + 128 > input.count { Guest.exit(1) }
                let a = Scalar(reducing: number(input, at))
                let b = Scalar(reducing: number(input, at + 32))
                guard let point = AffinePoint(x: number(input, at + 64), y: number(input, at + 96)) else {
                    Guest.exit(1)
                }
                let r =
                    mode == 1
                    ? AffinePoint.doubleScalarMultiply(a, b, point)
                    : JacobianPoint.doubleScalarMultiply(a, b, JacobianPoint(point)).affineVartime
                Guest.commit(r.map { bytes($0.x.value) + bytes($0.y.value) } ?? [UInt8](repeating: 0, count: 64))
                at += 128
            }
        }
    }
}
