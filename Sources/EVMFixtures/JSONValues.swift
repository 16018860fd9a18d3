import EVM
import EVMPrimitives
import Foundation

/// A fixture that could not be read or understood.
public struct FixtureError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Typed accessors over `JSONSerialization` output.
enum J {
    static func dict(_ v: Any?, _ what: String) throws -> [String: Any] {
        guard let d = v as? [String: Any] else { throw FixtureError("\(what): expected an object") }
        return d
    }

    static func array(_ v: Any?, _ what: String) throws -> [Any] {
        guard let a = v as? [Any] else { throw FixtureError("\(what): expected an array") }
        return a
    }

    static func string(_ v: Any?, _ what: String) throws -> String {
        guard let s = v as? String else { throw FixtureError("\(what): expected a string") }
        return s
    }

    static func u256(_ v: Any?, _ what: String) throws -> UInt256 {
        let s = try string(v, what)
        if let x = UInt256(hex: s) { return x }
        // Allow more than 64 digits when the excess is leading zeros.
        var digits = Substring(s)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        while digits.count > 64, digits.first == "0" { digits = digits.dropFirst() }
        guard let y = UInt256(hex: String(digits)) else { throw FixtureError("\(what): bad number \(s)") }
        return y
    }

    static func u64(_ v: Any?, _ what: String) throws -> UInt64 {
        let x = try u256(v, what)
        guard x.fitsInUInt64 else { throw FixtureError("\(what): number too large") }
        return x.w0
    }

    static func bytes(_ v: Any?, _ what: String) throws -> [UInt8] {
        let s = try string(v, what)
        guard let b = Hex.decode(s) else { throw FixtureError("\(what): bad hex") }
        return b
    }

    static func address(_ v: Any?, _ what: String) throws -> Address {
        let s = try string(v, what)
        guard let a = Address(hex: s) else { throw FixtureError("\(what): bad address \(s)") }
        return a
    }

    static func load(_ path: String) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else { throw FixtureError("cannot read \(path)") }
        let obj: Any
        do {
            obj = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw FixtureError("\(path): malformed JSON (\(error.localizedDescription))")
        }
        return try dict(obj, path)
    }

    /// Accounts of a `pre`/`state`/`postState` object.
    static func accounts(_ v: Any?, _ what: String) throws -> [Address: Account] {
        var out: [Address: Account] = [:]
        for (k, av) in try dict(v, what) {
            let a = try address(k, "\(what) key")
            let d = try dict(av, "\(what).\(k)")
            var storage: [UInt256: UInt256] = [:]
            for (sk, sv) in try dict(d["storage"] ?? [String: Any](), "\(what).\(k).storage") {
                let value = try u256(sv, "storage value")
                if !value.isZero { storage[try u256(sk, "storage key")] = value }
            }
            out[a] = Account(
                nonce: try u64(d["nonce"], "nonce"),
                balance: try u256(d["balance"], "balance"),
                code: Code(try bytes(d["code"], "code")),
                storage: storage
            )
        }
        return out
    }

}

/// Finds fixture files: the one walk every runner and `zkprover` command uses.
public enum FixtureFiles {
    /// Every `.json` file under the folder `path` (searched recursively), sorted; a `path` that
    /// is not a folder is returned as it is, so that a missing file fails loudly in its runner
    /// rather than silently running nothing.
    public static func json(_ path: String) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            return [path]
        }
        var out: [String] = []
        if let e = FileManager.default.enumerator(atPath: path) {
            for case let rel as String in e where rel.hasSuffix(".json") { out.append(path + "/" + rel) }
        }
        return out.sorted()
    }
}

final class UncheckedBox<T>: @unchecked Sendable {
    var value: T?
    let body: () -> T
    init(_ body: @escaping () -> T) { self.body = body }
}

/// Runs `body` on a thread with a large stack (deep call chains recurse 1024 frames).
public func runWithLargeStack<T>(_ body: @escaping () -> T) -> T {
    let box = UncheckedBox(body)
    let done = DispatchSemaphore(value: 0)
    let t = Thread {
        box.value = box.body()
        done.signal()
    }
    t.stackSize = 1 << 29
    t.start()
    done.wait()
    return box.value!
}
