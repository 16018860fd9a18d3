import EVM
import EVMPrimitives
import Foundation
import Keccak

/// The outcome of one state-test vector (test × fork × post entry).
public struct StateTestResult: Sendable {
    /// `test name [fork #d/g/v]`.
    public var id: String
    /// The fixture's fork name.
    public var fork: String
    public var passed: Bool
    /// Set when the vector is on the skip list (with the reason).
    public var skipReason: String?
    /// What differed, for a failure.
    public var detail: String
}

/// Loads Ethereum execution-spec-tests state tests and checks them against the EVM.
public enum StateTestRunner {
    /// Vectors skipped on purpose, by a substring of their id, with the reason.
    public static let skipList: [(pattern: String, reason: String)] = []

    /// Runs every vector of every `.json` file under `paths` (files or folders).
    public static func run(paths: [String]) -> [StateTestResult] {
        var out: [StateTestResult] = []
        for p in paths {
            for f in FixtureFiles.json(p) { out += run(file: f) }
        }
        return out
    }

    /// Runs every vector of one file; a file that cannot be read yields one failed result.
    public static func run(file: String) -> [StateTestResult] {
        do {
            let root = try J.load(file)
            return runWithLargeStack {
                var out: [StateTestResult] = []
                for name in root.keys.sorted() {
                    do {
                        out += try runTest(name: name, test: try J.dict(root[name], name))
                    } catch {
                        out.append(
                            StateTestResult(id: name, fork: "?", passed: false, skipReason: nil, detail: "\(error)")
                        )
                    }
                }
                return out
            }
        } catch {
            return [StateTestResult(id: file, fork: "?", passed: false, skipReason: nil, detail: "\(error)")]
        }
    }

    static func runTest(name: String, test: [String: Any]) throws -> [StateTestResult] {
        let env = try J.dict(test["env"], "env")
        let pre = try J.accounts(test["pre"], "pre")
        let txj = try J.dict(test["transaction"], "transaction")
        let config = test["config"] as? [String: Any] ?? [:]
        let post = try J.dict(test["post"], "post")
        var out: [StateTestResult] = []
        for forkName in post.keys.sorted() {
            let entries = try J.array(post[forkName], "post.\(forkName)")
            for (i, ev) in entries.enumerated() {
                let e = try J.dict(ev, "post entry")
                let idx = try J.dict(e["indexes"], "indexes")
                let d = (idx["data"] as? Int) ?? 0
                let g = (idx["gas"] as? Int) ?? 0
                let v = (idx["value"] as? Int) ?? 0
                let id = "\(name) [\(forkName) #\(i) d\(d)g\(g)v\(v)]"
                if let s = skipList.first(where: { id.contains($0.pattern) }) {
                    out.append(StateTestResult(id: id, fork: forkName, passed: true, skipReason: s.reason, detail: ""))
                    continue
                }
                guard let fork = Fork(fixtureName: forkName) else {
                    out.append(
                        StateTestResult(id: id, fork: forkName, passed: false, skipReason: nil, detail: "unknown fork")
                    )
                    continue
                }
                do {
                    let detail = try runVector(
                        fork: fork,
                        forkName: forkName,
                        env: env,
                        config: config,
                        pre: pre,
                        txj: txj,
                        d: d,
                        g: g,
                        v: v,
                        entry: e
                    )
                    out.append(
                        StateTestResult(
                            id: id,
                            fork: forkName,
                            passed: detail == nil,
                            skipReason: nil,
                            detail: detail ?? ""
                        )
                    )
                } catch {
                    out.append(
                        StateTestResult(id: id, fork: forkName, passed: false, skipReason: nil, detail: "\(error)")
                    )
                }
            }
        }
        return out
    }

    /// The block environment of a state test.
    static func blockEnv(env: [String: Any], config: [String: Any], forkName: String, fork: Fork) throws -> BlockEnv {
        var b = BlockEnv()
        b.coinbase = try J.address(env["currentCoinbase"], "currentCoinbase")
        b.number = try J.u64(env["currentNumber"], "currentNumber")
        b.timestamp = try J.u64(env["currentTimestamp"], "currentTimestamp")
        b.gasLimit = try J.u64(env["currentGasLimit"], "currentGasLimit")
        if env["currentBaseFee"] != nil { b.baseFee = try J.u256(env["currentBaseFee"], "currentBaseFee") }
        if env["currentRandom"] != nil { b.prevRandao = try J.u256(env["currentRandom"], "currentRandom") }
        if env["currentDifficulty"] != nil { b.difficulty = try J.u256(env["currentDifficulty"], "currentDifficulty") }
        if env["currentExcessBlobGas"] != nil { b.excessBlobGas = try J.u64(env["currentExcessBlobGas"], "excess") }
        if config["chainid"] != nil { b.chainId = try J.u256(config["chainid"], "chainid") }
        var fraction: UInt64 = fork >= .prague ? 5_007_716 : 3_338_477
        b.maxBlobsPerBlock = fork >= .prague ? 9 : 6
        if let sched = config["blobSchedule"] as? [String: Any], let f = sched[forkName] as? [String: Any] {
            if f["baseFeeUpdateFraction"] != nil { fraction = try J.u64(f["baseFeeUpdateFraction"], "fraction") }
            if f["max"] != nil { b.maxBlobsPerBlock = Int(try J.u64(f["max"], "max")) }
        }
        b.blobBaseFee = BlockEnv.fakeExponential(
            factor: .one,
            numerator: UInt256(b.excessBlobGas),
            denominator: UInt256(fraction)
        )
        return b
    }

    /// The transaction selected by the data/gas/value indexes.
    static func transaction(_ txj: [String: Any], d: Int, g: Int, v: Int) throws -> (Transaction, Address) {
        var t = Transaction()
        let datas = try J.array(txj["data"], "data")
        let gases = try J.array(txj["gasLimit"], "gasLimit")
        let values = try J.array(txj["value"], "value")
        guard d < datas.count, g < gases.count, v < values.count else { throw FixtureError("index out of range") }
        t.data = try J.bytes(datas[d], "data")
        t.gasLimit = try J.u256(gases[g], "gasLimit")
        t.value = try J.u256(values[v], "value")
        t.nonce = try J.u256(txj["nonce"], "nonce")
        if let to = txj["to"] as? String, !to.isEmpty { t.to = try J.address(to, "to") }
        if txj["gasPrice"] != nil { t.gasPrice = try J.u256(txj["gasPrice"], "gasPrice") }
        if let lists = txj["accessLists"] as? [Any] {
            t.type = 1
            if d < lists.count, let list = lists[d] as? [Any] {
                for item in list {
                    let e = try J.dict(item, "access list entry")
                    let keys = try J.array(e["storageKeys"], "storageKeys").map { try J.u256($0, "storage key") }
                    t.accessList.append(
                        AccessListEntry(address: try J.address(e["address"], "address"), storageKeys: keys)
                    )
                }
            }
        }
        if txj["maxFeePerGas"] != nil {
            t.type = 2
            t.maxFeePerGas = try J.u256(txj["maxFeePerGas"], "maxFeePerGas")
            t.maxPriorityFeePerGas = try J.u256(txj["maxPriorityFeePerGas"], "maxPriorityFeePerGas")
        }
        if let hashes = txj["blobVersionedHashes"] as? [Any] {
            t.type = 3
            t.blobVersionedHashes = try hashes.map { try J.u256($0, "blob hash") }
            t.maxFeePerBlobGas = try J.u256(txj["maxFeePerBlobGas"], "maxFeePerBlobGas")
        }
        if let auths = txj["authorizationList"] as? [Any] {
            t.type = 4
            for a in auths {
                let ad = try J.dict(a, "authorization")
                let y = ad["yParity"] ?? ad["v"]
                t.authorizations.append(
                    Authorization(
                        chainId: try J.u256(ad["chainId"], "chainId"),
                        address: try J.address(ad["address"], "address"),
                        nonce: try J.u256(ad["nonce"], "nonce"),
                        yParity: try J.u256(y, "yParity"),
                        r: try J.u256(ad["r"], "r"),
                        s: try J.u256(ad["s"], "s")
                    )
                )
            }
        }
        let sender = try J.address(txj["sender"], "sender")
        return (t, sender)
    }

    static func runVector(
        fork: Fork,
        forkName: String,
        env: [String: Any],
        config: [String: Any],
        pre: [Address: Account],
        txj: [String: Any],
        d: Int,
        g: Int,
        v: Int,
        entry: [String: Any]
    ) throws -> String? {
        let block = try blockEnv(env: env, config: config, forkName: forkName, fork: fork)
        let (t, sender) = try transaction(txj, d: d, g: g, v: v)
        let state = WorldState(accounts: pre)
        let evm = EVM(fork: fork, state: state, block: block)
        let expectException = entry["expectException"] as? String
        var logs: [Log] = []
        do {
            let r = try evm.execute(t, sender: sender)
            logs = r.logs
            if let ex = expectException { return "expected exception \(ex), transaction was accepted" }
        } catch {
            if expectException == nil { return "unexpected rejection: \(error)" }
        }
        var problems: [String] = []
        let expectedLogs = try J.u256(entry["logs"], "logs")
        let gotLogs = UInt256(Log.hash(logs))
        if gotLogs != expectedLogs { problems.append("logs hash \(gotLogs) != \(expectedLogs)") }
        let expectedRoot = try J.u256(entry["hash"], "hash")
        if let root = StateRoot.compute(evm.state.accounts) {
            let got = UInt256(root)
            if got != expectedRoot { problems.append("state root \(got) != \(expectedRoot)") }
        }
        if let postState = entry["state"] {
            let expected = try J.accounts(postState, "state")
            problems += diff(evm.state.accounts, expected)
        }
        return problems.isEmpty ? nil : problems.prefix(8).joined(separator: "; ")
    }

    /// Differences between two account sets, readable.
    static func diff(_ got: [Address: Account], _ want: [Address: Account]) -> [String] {
        var out: [String] = []
        for (a, w) in want.sorted(by: { $0.key < $1.key }) {
            guard let g = got[a] else {
                out.append("missing account \(a)")
                continue
            }
            if g.nonce != w.nonce { out.append("\(a) nonce \(g.nonce) != \(w.nonce)") }
            if g.balance != w.balance { out.append("\(a) balance \(g.balance) != \(w.balance)") }
            if g.code.bytes != w.code.bytes {
                out.append("\(a) code differs (\(g.code.count) vs \(w.code.count) bytes)")
            }
            if g.storage != w.storage {
                for (k, v) in w.storage where g.storage[k] != v {
                    out.append("\(a) slot \(k) = \(g.storage[k] ?? .zero) != \(v)")
                }
                for (k, v) in g.storage where w.storage[k] == nil { out.append("\(a) extra slot \(k) = \(v)") }
            }
        }
        for a in got.keys.sorted() where want[a] == nil { out.append("extra account \(a)") }
        return out
    }
}
