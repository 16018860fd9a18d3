// MulMod: reads triples (x, y, m) of 256-bit little-endian numbers (96 bytes each) and commits
// x·y mod m (32 bytes) for each, through `Guest.uint256MulMod` (the `uint256_mulmod` syscall in
// the zkVM, the SDK's software path under Linux). Exits 1 on a zero modulus or a partial triple.
@main
struct MulMod {
    static func main() {
        let input = Guest.readInput()
        if input.count % 96 != 0 { Guest.exit(1) }
        var x = [UInt32](repeating: 0, count: 8)
        var y = [UInt32](repeating: 0, count: 8)
        var m = [UInt32](repeating: 0, count: 8)
        var at = 0
        while at < input.count {
            for i in 0..<24 {
                var w: UInt32 = 0
                for k in 0..<4 { w |= UInt32(input[at + 4 * i + k]) << UInt32(8 * k) }
                if i < 8 { x[i] = w } else if i < 16 { y[i - 8] = w } else { m[i - 16] = w }
            }
            let ok = x.withUnsafeMutableBufferPointer { xp in
                y.withUnsafeBufferPointer { yp in
                    m.withUnsafeBufferPointer { mp in
                        Guest.uint256MulMod(xp.baseAddress!, yp.baseAddress!, mp.baseAddress!)
                    }
                }
            }
            if !ok { Guest.exit(1) }
            var out = [UInt8](repeating: 0, count: 32)
            for i in 0..<32 { out[i] = UInt8(truncatingIfNeeded: x[i / 4] >> UInt32(8 * (i % 4))) }
            Guest.commit(out)
            at += 96
        }
    }
}
