// Sort: reads little-endian u32 values, sorts them, commits their count, Keccak-256 of the
// sorted bytes, and the smallest and largest value; exits with 1 if the input is not whole words.
@main
struct SortGuest {
    static func main() {
        let input = Guest.readInput()
        if input.count % 4 != 0 { Guest.exit(1) }
        var values = [UInt32](repeating: 0, count: input.count / 4)
        for i in 0..<values.count {
            values[i] =
                UInt32(input[4 * i]) | UInt32(input[4 * i + 1]) << 8 | UInt32(input[4 * i + 2]) << 16
                | UInt32(input[4 * i + 3]) << 24
        }
        values.sort()
        var bytes = [UInt8](repeating: 0, count: input.count)
        for (i, v) in values.enumerated() {
            bytes[4 * i] = UInt8(truncatingIfNeeded: v)
            bytes[4 * i + 1] = UInt8(truncatingIfNeeded: v >> 8)
            bytes[4 * i + 2] = UInt8(truncatingIfNeeded: v >> 16)
            bytes[4 * i + 3] = UInt8(truncatingIfNeeded: v >> 24)
        }
        Guest.commit(UInt32(values.count))
        Guest.commit(Guest.keccak256(bytes))
        Guest.commit(values.first ?? 0)
        Guest.commit(values.last ?? 0)
    }
}
