/// Hex helpers for the precompile tests.
enum PrecompileTestSupport {
    static func bytes(_ hex: String) -> [UInt8] { PrecompileFixtureHarness.bytes(hex) }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var s = ""
        for b in bytes {
            s.append(digits[Int(b >> 4)])
            s.append(digits[Int(b & 15)])
        }
        return s
    }
}
