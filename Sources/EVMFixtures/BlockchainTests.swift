import EVM
import EVMPrimitives
import Foundation

/// The forks of a blockchain-test network: one fork (`"Cancun"`, `"BPO1"`) or a transition at a
/// timestamp or block number (`"ShanghaiToCancunAtTime15k"`, `"BerlinToLondonAt5"`).
public struct FixtureNetwork: Sendable {
    /// The fixture's fork name before the transition (the only one without a transition).
    public var before: String
    /// The fork name from the transition on.
    public var after: String
    /// Transition timestamp (when `byTimestamp`) or block number.
    public var at: UInt64
    public var byTimestamp: Bool
    /// Blob parameters by fixture fork name (`config.blobSchedule`).
    public var blobSchedules: [String: BlobSchedule]

    /// Parses `network` and the `config` object of a blockchain test.
    public init(network: String, config: [String: Any]) throws {
        var schedules: [String: BlobSchedule] = [:]
        if let s = config["blobSchedule"] as? [String: Any] {
            for (name, v) in s {
                let d = try J.dict(v, "blobSchedule.\(name)")
                schedules[name] = BlobSchedule(
                    target: try J.u64(d["target"], "target"),
                    max: try J.u64(d["max"], "max"),
                    baseFeeUpdateFraction: try J.u64(d["baseFeeUpdateFraction"], "baseFeeUpdateFraction")
                )
            }
        }
        blobSchedules = schedules
        if let to = network.range(of: "To") {
            before = String(network[..<to.lowerBound])
            var rest = network[to.upperBound...]
            guard let atRange = rest.range(of: "At") else { throw FixtureError("network \(network)") }
            after = String(rest[..<atRange.lowerBound])
            rest = rest[atRange.upperBound...]
            byTimestamp = rest.hasPrefix("Time")
            if byTimestamp { rest = rest.dropFirst(4) }
            var scale: UInt64 = 1
            if rest.hasSuffix("k") {
                scale = 1000
                rest = rest.dropLast()
            }
            guard let n = UInt64(rest) else { throw FixtureError("network \(network)") }
            at = n * scale
        } else {
            before = network
            after = network
            at = 0
            byTimestamp = false
        }
        for name in [before, after] where FixtureNetwork.fork(name) == nil {
            throw FixtureError("unknown fork \(name)")
        }
    }

    /// The EVM fork of a fixture fork name; blob-parameter-only forks (`BPO1`...) are Osaka.
    public static func fork(_ name: String) -> Fork? {
        if name.hasPrefix("BPO") { return .osaka }
        return Fork(fixtureName: name)
    }

    /// The fixture fork name in force for a block.
    public func forkName(number: UInt64, timestamp: UInt64) -> String {
        (byTimestamp ? timestamp : number) >= at ? after : before
    }

    /// The network as a chain configuration with `chainId`.
    public func chainConfig(chainId: UInt256) -> ChainConfig {
        func activation(_ name: String, at: UInt64) -> ChainConfig.Activation {
            let fork = FixtureNetwork.fork(name) ?? .osaka
            return .init(
                fork: fork,
                at: at,
                byTimestamp: byTimestamp,
                blobSchedule: blobSchedules[name] ?? BlobSchedule.mainnet(fork)
            )
        }
        var activations = [activation(before, at: 0)]
        if after != before { activations.append(activation(after, at: at)) }
        return ChainConfig(chainId: chainId, activations: activations)
    }

    /// The fork and blob schedule in force for a block.
    public func rules(number: UInt64, timestamp: UInt64) -> (fork: Fork, blobs: BlobSchedule?) {
        let name = forkName(number: number, timestamp: timestamp)
        let fork = FixtureNetwork.fork(name) ?? .osaka
        return (fork, blobSchedules[name] ?? BlobSchedule.mainnet(fork))
    }
}

/// The outcome of the header and body checks over one blockchain test.
public struct HeaderCheckResult: Sendable {
    /// The test's name.
    public var id: String
    /// The test's network (`"Cancun"`, `"ShanghaiToCancunAtTime15k"`).
    public var network: String
    /// Valid blocks checked (decode, re-encode, hash, roots, rules against the parent).
    public var validBlocks = 0
    /// Invalid blocks whose exception is a header or body rule, checked to be refused.
    public var refusedInvalid = 0
    /// Invalid blocks whose exception needs execution (not checked here).
    public var uncheckedInvalid = 0
    /// What went wrong.
    public var failures: [String] = []
    /// Expected exceptions not mapped to a header or body rule.
    public var unmappedExceptions: [String] = []
}

/// Checks EEST blockchain tests' headers and bodies (no execution).
public enum BlockHeaderChecks {
    /// Whether a refusal `error` matches the fixture exception `name`; nil when `name` is not a
    /// header or body rule.
    public static func matches(_ name: String, _ error: BlockError) -> Bool? {
        switch name {
        case "BlockException.INCORRECT_EXCESS_BLOB_GAS":
            return error == .excessBlobGasMismatch
        case "BlockException.INCORRECT_BLOB_GAS_USED", "BlockException.BLOB_GAS_USED_ABOVE_LIMIT":
            return error == .blobGasUsedMismatch || error == .blobGasUsedAboveMaximum
        case "BlockException.INVALID_BASEFEE_PER_GAS":
            return error == .baseFeeMismatch
        case "BlockException.INVALID_GASLIMIT":
            return error == .gasLimitOutOfBounds || error == .gasLimitBelowMinimum
        case "BlockException.GAS_USED_OVERFLOW":
            return error == .gasUsedExceedsGasLimit
        case "BlockException.EXTRA_DATA_TOO_BIG":
            return error == .extraDataTooLong
        case "BlockException.INVALID_BLOCK_NUMBER":
            return error == .numberNotParentPlusOne
        case "BlockException.INVALID_BLOCK_TIMESTAMP_OLDER_THAN_PARENT":
            return error == .timestampNotAfterParent
        case "BlockException.INVALID_DIFFICULTY":
            return error == .difficultyMismatch || error == .nonZeroDifficulty
        case "BlockException.INVALID_WITHDRAWALS_ROOT":
            return error == .withdrawalsRootMismatch
        case "BlockException.INVALID_BLOCK_HASH":
            return error == .parentHashMismatch
        case "BlockException.RLP_BLOCK_LIMIT_EXCEEDED":
            return error == .blockTooLarge
        case "BlockException.INCORRECT_BLOCK_FORMAT", "BlockException.RLP_STRUCTURES_ENCODING":
            switch error {
            case .malformedHeader, .malformedBody, .malformedTransaction, .trailingBytes, .missingField,
                .unexpectedField, .withdrawalsPresence:
                return true
            default: return false
            }
        case "TransactionException.TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED":
            return error == .blobGasUsedAboveMaximum || error == .blobGasUsedMismatch
        case "TransactionException.TYPE_3_TX_CONTRACT_CREATION":
            return error == .malformedTransaction(index: 0, .invalidTransaction(.blobCreate))
        default:
            return nil
        }
    }

    /// Checks every test of one file; a file that cannot be read yields one failed result.
    public static func check(file: String) -> [HeaderCheckResult] {
        do {
            let root = try J.load(file)
            var out: [HeaderCheckResult] = []
            for name in root.keys.sorted() {
                var r = HeaderCheckResult(id: name, network: "?")
                do {
                    try check(test: try J.dict(root[name], name), into: &r)
                } catch {
                    r.failures.append("\(error)")
                }
                out.append(r)
            }
            return out
        } catch {
            return [HeaderCheckResult(id: file, network: "?", failures: ["\(error)"])]
        }
    }

    static func check(test: [String: Any], into r: inout HeaderCheckResult) throws {
        let network = try FixtureNetwork(
            network: try J.string(test["network"], "network"),
            config: test["config"] as? [String: Any] ?? [:]
        )
        r.network = try J.string(test["network"], "network")
        let genesis = try Block.decode(try J.bytes(test["genesisRLP"], "genesisRLP")).header
        let genesisJSON = try J.dict(test["genesisBlockHeader"], "genesisBlockHeader")
        if UInt256(genesis.hash) != (try J.u256(genesisJSON["hash"], "genesis hash")) {
            r.failures.append("genesis hash differs")
        }
        var known: [Bytes32: BlockHeader] = [genesis.hash: genesis]
        for (i, bv) in try J.array(test["blocks"], "blocks").enumerated() {
            let b = try J.dict(bv, "block")
            let raw = try J.bytes(b["rlp"], "rlp")
            if let ex = b["expectException"] as? String {
                checkInvalid(raw, exception: ex, index: i, network: network, known: known, into: &r)
                continue
            }
            do {
                let header = try checkValid(raw, b, network: network, known: known)
                known[header.hash] = header
                r.validBlocks += 1
            } catch {
                r.failures.append("block \(i): \(error)")
            }
        }
    }

    /// Decodes and validates a block (header against its parent in `known`, body against header).
    static func validate(
        _ raw: [UInt8],
        network: FixtureNetwork,
        known: [Bytes32: BlockHeader]
    ) throws(BlockError) -> Block {
        let block = try Block.decode(raw)
        let h = block.header
        guard let parent = known[h.parentHash] else { throw .parentHashMismatch }
        let (fork, blobs) = network.rules(number: h.number, timestamp: h.timestamp)
        let parentFork = network.rules(number: parent.number, timestamp: parent.timestamp).fork
        try h.validate(parent: parent, fork: fork, parentFork: parentFork, blobSchedule: blobs)
        try block.validateBody(fork: fork)
        return block
    }

    static func checkValid(
        _ raw: [UInt8],
        _ b: [String: Any],
        network: FixtureNetwork,
        known: [Bytes32: BlockHeader]
    ) throws -> BlockHeader {
        let block = try validate(raw, network: network, known: known)
        var w = RLPWriter()
        block.header.append(to: &w)
        let headerJSON = try J.dict(b["blockHeader"], "blockHeader")
        if UInt256(block.header.hash) != (try J.u256(headerJSON["hash"], "hash")) {
            throw FixtureError("header hash differs from blockHeader.hash")
        }
        var reader = RLPReader(raw)
        var list = try reader.readList()
        if Array(try list.readRaw()) != w.bytes { throw FixtureError("header re-encoding differs") }
        return block.header
    }

    static func checkInvalid(
        _ raw: [UInt8],
        exception: String,
        index: Int,
        network: FixtureNetwork,
        known: [Bytes32: BlockHeader],
        into r: inout HeaderCheckResult
    ) {
        let names = exception.split(separator: "|").map(String.init)
        let mapped = names.filter { matches($0, .trailingBytes) != nil }
        for n in names where matches(n, .trailingBytes) == nil { r.unmappedExceptions.append(n) }
        let outcome: BlockError?
        do {
            _ = try validate(raw, network: network, known: known)
            outcome = nil
        } catch {
            outcome = error
        }
        if mapped.isEmpty {
            // Only execution can refuse this block: its header and body must pass.
            if let error = outcome { r.failures.append("block \(index): expected \(exception), refused with \(error)") }
            r.uncheckedInvalid += 1
            return
        }
        guard let error = outcome else {
            // An alternative this check does not cover (one that needs execution) may apply.
            if mapped.count < names.count {
                r.uncheckedInvalid += 1
            } else {
                r.failures.append("block \(index): expected \(exception), accepted")
            }
            return
        }
        if mapped.contains(where: { matches($0, error) == true }) || mapped.count < names.count {
            r.refusedInvalid += 1
        } else {
            r.failures.append("block \(index): expected \(exception), refused with \(error)")
        }
    }
}
