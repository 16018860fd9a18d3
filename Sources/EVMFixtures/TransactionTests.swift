import EVM
import EVMPrimitives
import Foundation
import Keccak

/// Runs ethereum/tests `TransactionTests`: decoding, validity per fork, sender recovery,
/// intrinsic gas and hash.
public enum TransactionTestRunner {
    /// Every vector (test × fork) of one file.
    public static func run(file: String) -> [StateTestResult] {
        do {
            let root = try J.load(file)
            var out: [StateTestResult] = []
            for name in root.keys.sorted() {
                let t = try J.dict(root[name], name)
                let raw = Hex.decode(try J.string(t["txbytes"], "txbytes"))
                let results = try J.dict(t["result"], "result")
                for forkName in results.keys.sorted() {
                    let id = "\(name) [\(forkName)]"
                    let expect = try J.dict(results[forkName], "result")
                    guard let fork = Fork(fixtureName: forkName) else {
                        out.append(
                            StateTestResult(
                                id: id,
                                fork: forkName,
                                passed: false,
                                skipReason: nil,
                                detail: "unknown fork"
                            )
                        )
                        continue
                    }
                    out.append(
                        StateTestResult(
                            id: id,
                            fork: forkName,
                            passed: check(raw, fork: fork, expect: expect) == nil,
                            skipReason: nil,
                            detail: check(raw, fork: fork, expect: expect) ?? ""
                        )
                    )
                }
            }
            return out
        } catch {
            return [StateTestResult(id: file, fork: "?", passed: false, skipReason: nil, detail: "\(error)")]
        }
    }

    static func check(_ raw: [UInt8]?, fork: Fork, expect: [String: Any]) -> String? {
        let exception = expect["exception"] as? String
        let outcome: Result<(Address, UInt64), EVMError>
        if let raw {
            do {
                let tx = try Transaction.decode(raw)
                let v = try tx.validateStatelessly(fork: fork, chainId: .one)
                outcome = .success((v.sender, v.intrinsicGas))
            } catch {
                outcome = .failure(error)
            }
        } else {
            outcome = .failure(.malformedEncoding("hex"))
        }
        switch (outcome, exception) {
        case (.failure, .some): return nil
        case (.failure(let e), nil): return "rejected a valid transaction: \(e)"
        case (.success, .some(let ex)): return "accepted an invalid transaction (\(ex))"
        case (.success(let (sender, gas)), nil):
            var problems: [String] = []
            if let s = expect["sender"] as? String, Address(hex: s) != sender {
                problems.append("sender \(sender) != \(s)")
            }
            if let g = expect["intrinsicGas"] as? String, UInt256(hex: g) != UInt256(gas) {
                problems.append("intrinsic gas \(gas) != \(g)")
            }
            if let h = expect["hash"] as? String, let raw, UInt256(hex: h) != UInt256(Keccak256.digest(raw)) {
                problems.append("hash differs")
            }
            return problems.isEmpty ? nil : problems.joined(separator: "; ")
        }
    }
}
