// Speed figures for the portable EVM primitives (Keccak, UInt256, RLP/trie, SHA-256, secp256k1).
// Build and run with scripts/bench-evmprim.sh (release, -O -wmo). Times are thread CPU time, so
// they stay meaningful on a shared machine.
import EVMPrimitives
import Keccak
import Secp256k1

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Runs `body` `n` times, best of three rounds; returns seconds per call.
func measure(_ n: Int, _ body: (Int) -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<3 {
        let t0 = cpuSeconds()
        for i in 0..<n { body(i) }
        best = min(best, (cpuSeconds() - t0) / Double(n))
    }
    return best
}

func show(_ name: String, _ value: Double, _ unit: String) {
    let rounded = (value * 100).rounded() / 100
    print("\(name): \(rounded) \(unit)")
}

var sink: UInt64 = 0
let hash = Keccak256.digest(Array("evmprim bench".utf8))
let key = UInt256(0x1234_5678_9ABC_DEF0, 0x0FED_CBA9, 0x55, 0x77)
let sig = try! ECDSA.sign(messageHash: hash, privateKey: key)

show(
    "ecrecover",
    measure(2000) { _ in
        let a = try! ECDSA.recoverAddress(messageHash: hash, r: sig.r, s: sig.s, recoveryId: Int(sig.recoveryId))
        sink &+= UInt64(a.bytes[0])
    } * 1e6,
    "us/op"
)
show(
    "sign (RFC 6979)",
    measure(1000) { i in
        let s = try! ECDSA.sign(messageHash: hash, privateKey: key &+ UInt256(UInt64(i)))
        sink &+= s.r.w0
    } * 1e6,
    "us/op"
)

let mib = [UInt8](repeating: 0x5A, count: 1 << 20)
show("keccak256 (1 MiB)", 1 / measure(10) { _ in sink &+= UInt64(Keccak256.hash(mib)[0]) }, "MiB/s")
let short = [UInt8](repeating: 1, count: 64)
show("keccak256 (64 B)", measure(200_000) { _ in sink &+= UInt64(Keccak256.digest(short)[0]) } * 1e9, "ns/op")
show("sha256 (1 MiB)", 1 / measure(10) { _ in sink &+= UInt64(SHA256.hash(mib)[0]) }, "MiB/s")

var x = UInt256(hash)
let y = UInt256(0x1234_5678, 0x9ABC_DEF0, 0x5, 0)
show("uint256 mul", measure(1_000_000) { _ in x = x &* x &+ y } * 1e9, "ns/op")
show("uint256 div (256/192)", measure(1_000_000) { _ in x = (x / y) ^ x } * 1e9, "ns/op")
show("uint256 mulmod", measure(1_000_000) { _ in x = UInt256.mulMod(x, x, y) ^ x } * 1e9, "ns/op")
show("uint256 exp (256-bit exponent)", measure(100_000) { _ in x = UInt256.exp(x, x) ^ y } * 1e9, "ns/op")
sink &+= x.w0

show(
    "trie: insert 10k secure keys + root",
    measure(3) { r in
        var t = SecureTrie()
        for i in 0..<10_000 {
            t.insert(UInt256(UInt64(i &+ r)).bigEndianBytes, [UInt8](repeating: UInt8(i & 0x7F), count: 40))
        }
        sink &+= UInt64(t.rootHash[0])
    } * 1e3,
    "ms"
)
print("(checksum \(sink & 0xFFFF))")
