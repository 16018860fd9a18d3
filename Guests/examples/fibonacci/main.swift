// Fibonacci: reads n (u32, little-endian; 1000 without input), commits n and F(n) mod 2^64.
@main
struct Fibonacci {
    static func main() {
        let input = Guest.readInput()
        var n: UInt32 = 1000
        if input.count >= 4 {
            n = UInt32(input[0]) | UInt32(input[1]) << 8 | UInt32(input[2]) << 16 | UInt32(input[3]) << 24
        }
        var a: UInt64 = 0
        var b: UInt64 = 1
        var i: UInt32 = 0
        while i < n {
            let t = a &+ b
            a = b
            b = t
            i &+= 1
        }
        Guest.commit(n)
        Guest.commit(a)
        Guest.write([UInt8](repeating: 0x2e, count: 1) + [10])
    }
}
