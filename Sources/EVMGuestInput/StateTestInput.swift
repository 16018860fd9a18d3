// Host side only: turns Ethereum execution-spec-tests state-test vectors into EVM guest inputs.
#if !hasFeature(Embedded)
import EVM
import EVMPrimitives
import Foundation

/// One state-test vector as an EVM guest input, with the expected post-state root.
public struct StateTestVector {
    /// `test name [fork #i]`.
    public var id: String
    public var input: EVMGuestInput
    /// The fixture's post-state root.
    public var expectedRoot: Bytes32
    /// Whether the fixture expects the transaction to be rejected.
    public var expectsException: Bool

    /// Every vector for `forks` (fixture fork names, e.g. "Prague", "Osaka") in the file at `path`.
    public static func load(path: String, forks: Set<String>) throws -> [StateTestVector] {
        guard let data = FileManager.default.contents(atPath: path),
            let root = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw VectorError("cannot read \(path)") }
        var out: [StateTestVector] = []
        for name in root.keys.sorted() {
            guard let test = root[name] as? [String: Any], let post = test["post"] as? [String: Any],
                let env = test["env"] as? [String: Any], let txj = test["transaction"] as? [String: Any]
            else { throw VectorError("\(name): not a state test") }
            let config = test["config"] as? [String: Any] ?? [:]
            let pre = try accounts(test["pre"])
            for forkName in post.keys.sorted() where forks.contains(forkName) {
                guard let fork = Fork(fixtureName: forkName), let entries = post[forkName] as? [Any] else { continue }
                for (i, ev) in entries.enumerated() {
                    guard let e = ev as? [String: Any], let idx = e["indexes"] as? [String: Any] else { continue }
                    let block = try blockEnv(env, config: config, forkName: forkName, fork: fork)
                    let (tx, sender) = try transaction(
                        txj,
                        d: idx["data"] as? Int ?? 0,
                        g: idx["gas"] as? Int ?? 0,
                        v: idx["value"] as? Int ?? 0
                    )
                    out.append(
                        StateTestVector(
                            id: "\(name) [\(forkName) #\(i)]",
                            input: EVMGuestInput(
                                fork: fork,
                                block: block,
                                transaction: tx,
                                sender: sender,
                                preState: pre
                            ),
                            expectedRoot: Bytes32(try u256(e["hash"])),
                            expectsException: e["expectException"] != nil
                        )
                    )
                }
            }
        }
        return out
    }

    struct VectorError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    static func u256(_ v: Any?) throws -> UInt256 {
        guard var s = v as? String else { throw VectorError("expected a hex string") }
        if s.hasPrefix("0x") { s.removeFirst(2) }
        while s.count > 64, s.first == "0" { s.removeFirst() }
        guard let x = UInt256(hex: s.isEmpty ? "0" : s) else { throw VectorError("bad number \(s)") }
        return x
    }
    static func u64(_ v: Any?) throws -> UInt64 {
        let x = try u256(v)
        guard x.fitsInUInt64 else { throw VectorError("number too large") }
        return x.w0
    }
    static func bytes(_ v: Any?) throws -> [UInt8] {
        guard let s = v as? String, let b = Hex.decode(s) else { throw VectorError("bad hex") }
        return b
    }
    static func address(_ v: Any?) throws -> Address {
        guard let s = v as? String, let a = Address(hex: s) else { throw VectorError("bad address") }
        return a
    }

    static func accounts(_ v: Any?) throws -> [Address: Account] {
        guard let d = v as? [String: Any] else { throw VectorError("expected accounts") }
        var out: [Address: Account] = [:]
        for (k, av) in d {
            guard let a = av as? [String: Any] else { throw VectorError("bad account") }
            var storage: [UInt256: UInt256] = [:]
            for (sk, sv) in a["storage"] as? [String: Any] ?? [:] {
                let value = try u256(sv)
                if !value.isZero { storage[try u256(sk)] = value }
            }
            out[try address(k)] = Account(
                nonce: try u64(a["nonce"]),
                balance: try u256(a["balance"]),
                code: Code(try bytes(a["code"])),
                storage: storage
            )
        }
        return out
    }

    static func blockEnv(_ env: [String: Any], config: [String: Any], forkName: String, fork: Fork) throws -> BlockEnv {
        var b = BlockEnv()
        b.coinbase = try address(env["currentCoinbase"])
        b.number = try u64(env["currentNumber"])
        b.timestamp = try u64(env["currentTimestamp"])
        b.gasLimit = try u64(env["currentGasLimit"])
        if env["currentBaseFee"] != nil { b.baseFee = try u256(env["currentBaseFee"]) }
        if env["currentRandom"] != nil { b.prevRandao = try u256(env["currentRandom"]) }
        if env["currentDifficulty"] != nil { b.difficulty = try u256(env["currentDifficulty"]) }
        if env["currentExcessBlobGas"] != nil { b.excessBlobGas = try u64(env["currentExcessBlobGas"]) }
        if config["chainid"] != nil { b.chainId = try u256(config["chainid"]) }
        var fraction: UInt64 = fork >= .prague ? 5_007_716 : 3_338_477
        b.maxBlobsPerBlock = fork >= .prague ? 9 : 6
        if let sched = config["blobSchedule"] as? [String: Any], let f = sched[forkName] as? [String: Any] {
            if f["baseFeeUpdateFraction"] != nil { fraction = try u64(f["baseFeeUpdateFraction"]) }
            if f["max"] != nil { b.maxBlobsPerBlock = Int(try u64(f["max"])) }
        }
        b.blobBaseFee = BlockEnv.fakeExponential(
            factor: .one,
            numerator: UInt256(b.excessBlobGas),
            denominator: UInt256(fraction)
        )
        return b
    }

    static func transaction(_ txj: [String: Any], d: Int, g: Int, v: Int) throws -> (Transaction, Address) {
        var t = Transaction()
        guard let datas = txj["data"] as? [Any], let gases = txj["gasLimit"] as? [Any],
            let values = txj["value"] as? [Any], d < datas.count, g < gases.count, v < values.count
        else { throw VectorError("bad transaction indexes") }
        t.data = try bytes(datas[d])
        t.gasLimit = try u256(gases[g])
        t.value = try u256(values[v])
        t.nonce = try u256(txj["nonce"])
        if let to = txj["to"] as? String, !to.isEmpty { t.to = try address(to) }
        if txj["gasPrice"] != nil { t.gasPrice = try u256(txj["gasPrice"]) }
        if let lists = txj["accessLists"] as? [Any] {
            t.type = 1
            if d < lists.count, let list = lists[d] as? [Any] {
                for item in list {
                    guard let e = item as? [String: Any], let keys = e["storageKeys"] as? [Any] else { continue }
                    t.accessList.append(
                        AccessListEntry(address: try address(e["address"]), storageKeys: try keys.map { try u256($0) })
                    )
                }
            }
        }
        if txj["maxFeePerGas"] != nil {
            t.type = 2
            t.maxFeePerGas = try u256(txj["maxFeePerGas"])
            t.maxPriorityFeePerGas = try u256(txj["maxPriorityFeePerGas"])
        }
        if let hashes = txj["blobVersionedHashes"] as? [Any] {
            t.type = 3
            t.blobVersionedHashes = try hashes.map { try u256($0) }
            t.maxFeePerBlobGas = try u256(txj["maxFeePerBlobGas"])
        }
        if let auths = txj["authorizationList"] as? [Any] {
            t.type = 4
            for a in auths {
                guard let ad = a as? [String: Any] else { continue }
                t.authorizations.append(
                    Authorization(
                        chainId: try u256(ad["chainId"]),
                        address: try address(ad["address"]),
                        nonce: try u256(ad["nonce"]),
                        yParity: try u256(ad["yParity"] ?? ad["v"]),
                        r: try u256(ad["r"]),
                        s: try u256(ad["s"])
                    )
                )
            }
        }
        return (t, try address(txj["sender"]))
    }
}
#endif
