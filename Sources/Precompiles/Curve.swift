/// A short Weierstrass curve y² = x³ + a·x + b over `F`.
protocol CurveConfig {
    associatedtype F: FieldElement
    static var a: F { get }
    static var b: F { get }
}

/// An affine point; `nil` coordinates are not used — infinity is a separate flag.
struct AffinePoint<C: CurveConfig>: Equatable {
    var x: C.F
    var y: C.F
    var isInfinity: Bool

    init(x: C.F, y: C.F) {
        self.x = x
        self.y = y
        isInfinity = false
    }

    static var infinity: AffinePoint {
        var p = AffinePoint(x: .zero, y: .zero)
        p.isInfinity = true
        return p
    }

    /// Whether the point satisfies the curve equation (infinity does).
    var isOnCurve: Bool {
        if isInfinity { return true }
        return y.squared() == x.squared() * x + C.a * x + C.b
    }

    var negated: AffinePoint {
        isInfinity ? self : AffinePoint(x: x, y: -y)
    }

    var jacobian: JacobianPoint<C> {
        isInfinity ? .infinity : JacobianPoint(x: x, y: y, z: .one)
    }
}

/// A point in Jacobian coordinates (X/Z², Y/Z³); Z = 0 is the point at infinity.
struct JacobianPoint<C: CurveConfig> {
    var x: C.F
    var y: C.F
    var z: C.F

    static var infinity: JacobianPoint { JacobianPoint(x: .one, y: .one, z: .zero) }
    var isInfinity: Bool { z.isZero }

    var affine: AffinePoint<C> {
        if isInfinity { return .infinity }
        let zi = z.inverse()
        let zi2 = zi.squared()
        return AffinePoint(x: x * zi2, y: y * zi2 * zi)
    }

    var negated: JacobianPoint { JacobianPoint(x: x, y: -y, z: z) }

    /// 2P (dbl-2007-bl).
    func doubled() -> JacobianPoint {
        if isInfinity || y.isZero { return .infinity }
        let xx = x.squared()
        let yy = y.squared()
        let yyyy = yy.squared()
        let zz = z.squared()
        let s = ((x + yy).squared() - xx - yyyy).doubled()
        var m = xx.doubled() + xx
        if !C.a.isZero { m = m + C.a * zz.squared() }
        let t = m.squared() - s.doubled()
        let y3 = m * (s - t) - yyyy.doubled().doubled().doubled()
        let z3 = (y + z).squared() - yy - zz
        return JacobianPoint(x: t, y: y3, z: z3)
    }

    /// P + Q (add-2007-bl), handling equal and opposite points.
    static func + (p: JacobianPoint, q: JacobianPoint) -> JacobianPoint {
        if p.isInfinity { return q }
        if q.isInfinity { return p }
        let z1z1 = p.z.squared()
        let z2z2 = q.z.squared()
        let u1 = p.x * z2z2
        let u2 = q.x * z1z1
        let s1 = p.y * q.z * z2z2
        let s2 = q.y * p.z * z1z1
        let h = u2 - u1
        let r = (s2 - s1).doubled()
        if h.isZero {
            return r.isZero ? p.doubled() : .infinity
        }
        let i = h.doubled().squared()
        let j = h * i
        let v = u1 * i
        let x3 = r.squared() - j - v.doubled()
        let y3 = r * (v - x3) - (s1 * j).doubled()
        let z3 = ((p.z + q.z).squared() - z1z1 - z2z2) * h
        return JacobianPoint(x: x3, y: y3, z: z3)
    }

    /// k·P for a big-endian scalar of any length (4-bit fixed window).
    func multiplied(byBigEndian k: ArraySlice<UInt8>) -> JacobianPoint {
        var table = [JacobianPoint](repeating: .infinity, count: 16)
        table[1] = self
        for i in 2..<16 { table[i] = i & 1 == 0 ? table[i / 2].doubled() : table[i - 1] + self }
        var acc = JacobianPoint.infinity
        var started = false
        for byte in k {
            for nib in [byte >> 4, byte & 15] {
                if started { acc = acc.doubled().doubled().doubled().doubled() }
                if nib != 0 {
                    acc = acc + table[Int(nib)]
                    started = true
                }
            }
        }
        return acc
    }

    /// k·P for a scalar given as little-endian 64-bit limbs.
    func multiplied(byLimbs k: [UInt64]) -> JacobianPoint {
        var bytes = [UInt8]()
        bytes.reserveCapacity(k.count * 8)
        for limb in k.reversed() {
            for i in stride(from: 7, through: 0, by: -1) {
                bytes.append(UInt8(truncatingIfNeeded: limb >> (8 * UInt64(i))))
            }
        }
        return multiplied(byBigEndian: bytes[...])
    }
}

/// Σ kᵢ·Pᵢ for big-endian scalars of `scalarBytes` bytes (Pippenger's bucket method for many terms).
func multiScalarMultiply<C: CurveConfig>(_ points: [JacobianPoint<C>], _ scalars: [[UInt8]]) -> JacobianPoint<C> {
    let n = points.count
    if n == 0 { return .infinity }
    if n < 4 {
        var acc = JacobianPoint<C>.infinity
        for i in 0..<n { acc = acc + points[i].multiplied(byBigEndian: scalars[i][...]) }
        return acc
    }
    let bits = (scalars.map { $0.count }.max() ?? 0) * 8
    var c = 1
    while (1 << (c + 1)) * (c + 1) < n * 2 && c < 16 { c += 1 }
    c = max(c, 2)
    // Window j covers bits [j·c, (j+1)·c) counting from the least significant bit.
    func window(_ s: [UInt8], _ j: Int) -> Int {
        var v = 0
        for b in 0..<c {
            let bit = j * c + b
            if bit >= s.count * 8 { break }
            let byte = s[s.count - 1 - bit / 8]
            if (byte >> UInt8(bit % 8)) & 1 == 1 { v |= 1 << b }
        }
        return v
    }
    let windows = (bits + c - 1) / c
    var result = JacobianPoint<C>.infinity
    var j = windows - 1
    while j >= 0 {
        for _ in 0..<c { result = result.doubled() }
        var buckets = [JacobianPoint<C>](repeating: .infinity, count: 1 << c)
        for i in 0..<n {
            let w = window(scalars[i], j)
            if w != 0 { buckets[w] = buckets[w] + points[i] }
        }
        var running = JacobianPoint<C>.infinity
        var sum = JacobianPoint<C>.infinity
        var b = (1 << c) - 1
        while b >= 1 {
            running = running + buckets[b]
            sum = sum + running
            b -= 1
        }
        result = result + sum
        j -= 1
    }
    return result
}
