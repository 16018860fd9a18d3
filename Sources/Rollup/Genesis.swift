import EVM
import EVMPrimitives
import Foundation

/// Errors in a genesis file.
public struct GenesisError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// The chain's genesis: chain id, block gas limit and prefunded accounts, run under Osaka rules
/// from block 0 (mainnet blob parameters). The four system contracts the Osaka block rules call
/// (EIP-4788, EIP-2935, EIP-7002, EIP-7251) are predeployed.
///
/// The JSON file:
/// ```json
/// { "chainId": 1337, "gasLimit": 30000000, "baseFeePerGas": "1000000000", "timestamp": 0,
///   "coinbase": "0x…", "alloc": { "0xf39f…2266": { "balance": "0x21e19e0c9bab2400000",
///   "nonce": 0, "code": "0x…", "storage": { "0x0": "0x1" } } } }
/// ```
/// Quantities are JSON numbers, decimal strings or `0x` hex strings; all but `chainId` and
/// `alloc` are optional.
public struct Genesis: Sendable {
    /// The chain id (EIP-155).
    public var chainId: UInt64
    /// The gas limit of every block.
    public var gasLimit: UInt64
    /// The base fee of the genesis block (EIP-1559); later blocks follow the EIP-1559 rule.
    public var baseFeePerGas: UInt64 = BlockRules.initialBaseFee
    /// The genesis timestamp (seconds).
    public var timestamp: UInt64 = 0
    /// Who receives the priority fees of the blocks this node builds.
    public var coinbase: Address = .zero
    /// Prefunded accounts (system contracts are added by ``state``).
    public var alloc: [Address: Account]

    /// A genesis from its fields.
    public init(chainId: UInt64, gasLimit: UInt64 = 30_000_000, alloc: [Address: Account]) {
        self.chainId = chainId
        self.gasLimit = gasLimit
        self.alloc = alloc
    }

    /// The development genesis: chain id 1337 and 10,000 ether for each of the first 10
    /// accounts of ``DevAccounts/mnemonic``.
    public static func dev(chainId: UInt64 = 1337) throws(HDWalletError) -> Genesis {
        let ether = UInt256(1_000_000_000_000_000_000 as UInt64)
        var alloc: [Address: Account] = [:]
        for a in try DevAccounts.derive(count: 10) { alloc[a.address] = Account(balance: ether &* UInt256(10_000)) }
        return Genesis(chainId: chainId, alloc: alloc)
    }

    /// Reads a genesis JSON file (see the type's documentation).
    public static func load(path: String) throws -> Genesis {
        guard let data = FileManager.default.contents(atPath: path) else { throw GenesisError("cannot read \(path)") }
        return try parse(data)
    }

    /// Parses a genesis JSON document.
    public static func parse(_ data: Data) throws -> Genesis {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw GenesisError("genesis is not a JSON object")
        }
        func quantity(_ v: Any?, _ what: String) throws -> UInt256? {
            guard let v else { return nil }
            if let n = v as? NSNumber, let u = UInt64(exactly: n) { return UInt256(u) }
            if let s = v as? String {
                if s.hasPrefix("0x") || s.hasPrefix("0X"), let u = UInt256(hex: s) { return u }
                if let u = UInt256(decimal: s) { return u }
            }
            throw GenesisError("\(what) is not a quantity")
        }
        func small(_ v: Any?, _ what: String) throws -> UInt64? {
            guard let q = try quantity(v, what) else { return nil }
            guard q.fitsInUInt64 else { throw GenesisError("\(what) is too large") }
            return q.w0
        }
        guard let chainId = try small(root["chainId"], "chainId"), chainId > 0 else {
            throw GenesisError("chainId is required and must be positive")
        }
        var alloc: [Address: Account] = [:]
        guard let entries = root["alloc"] as? [String: Any] else { throw GenesisError("alloc is required") }
        for (key, value) in entries {
            guard let address = Address(hex: key) else { throw GenesisError("alloc key \(key) is not an address") }
            guard let a = value as? [String: Any] else { throw GenesisError("alloc[\(key)] is not an object") }
            var account = Account()
            account.balance = try quantity(a["balance"], "alloc[\(key)].balance") ?? .zero
            account.nonce = try small(a["nonce"], "alloc[\(key)].nonce") ?? 0
            if let code = a["code"] {
                guard let s = code as? String, let bytes = Hex.decode(s) else {
                    throw GenesisError("alloc[\(key)].code is not hex")
                }
                account.code = Code(bytes)
            }
            if let storage = a["storage"] {
                guard let slots = storage as? [String: Any] else { throw GenesisError("alloc[\(key)].storage") }
                for (k, v) in slots {
                    guard let slot = UInt256(hex: k), let value = try quantity(v, "alloc[\(key)].storage[\(k)]")
                    else { throw GenesisError("alloc[\(key)].storage key \(k) is not hex") }
                    if !value.isZero { account.storage[slot] = value }
                }
            }
            alloc[address] = account
        }
        var g = Genesis(chainId: chainId, gasLimit: try small(root["gasLimit"], "gasLimit") ?? 30_000_000, alloc: alloc)
        guard g.gasLimit >= BlockRules.minimumGasLimit else { throw GenesisError("gasLimit is below 5000") }
        g.baseFeePerGas = try small(root["baseFeePerGas"], "baseFeePerGas") ?? BlockRules.initialBaseFee
        g.timestamp = try small(root["timestamp"], "timestamp") ?? 0
        if let c = root["coinbase"] {
            guard let s = c as? String, let a = Address(hex: s) else {
                throw GenesisError("coinbase is not an address")
            }
            g.coinbase = a
        }
        return g
    }

    /// The chain's rules: Osaka from genesis with mainnet blob parameters.
    public var config: ChainConfig { ChainConfig(chainId: UInt256(chainId), fork: .osaka) }

    /// The genesis state: ``alloc`` and the system contracts.
    public var state: [Address: Account] {
        var accounts = alloc
        for (address, code) in SystemContractCode.all where accounts[address] == nil {
            accounts[address] = Account(nonce: 1, code: Code(code))
        }
        return accounts
    }

    /// The genesis block header (Osaka fields, empty body; the extra data is the chain id as
    /// 8 big-endian bytes).
    public func header(stateRoot: Bytes32) -> BlockHeader {
        var h = BlockHeader()
        h.ommersHash = BlockHeader.emptyOmmersHash
        h.coinbase = coinbase
        h.stateRoot = stateRoot
        h.transactionsRoot = MerklePatriciaTrie.emptyRoot
        h.receiptsRoot = MerklePatriciaTrie.emptyRoot
        h.gasLimit = gasLimit
        h.timestamp = timestamp
        // The chain id, so that the genesis hash names the chain (a data directory of another
        // chain is refused even when its accounts are the same).
        h.extraData = withUnsafeBytes(of: chainId.bigEndian) { Array($0) }
        h.baseFeePerGas = UInt256(baseFeePerGas)
        h.withdrawalsRoot = MerklePatriciaTrie.emptyRoot
        h.blobGasUsed = 0
        h.excessBlobGas = 0
        h.parentBeaconBlockRoot = .zero
        h.requestsHash = SHA256.hash([])
        return h
    }

    /// The genesis block.
    public var block: Block {
        let accounts = state
        return Block.assemble(
            header: header(stateRoot: StateRoot.compute(accounts) ?? MerklePatriciaTrie.emptyRoot),
            transactions: []
        )
    }
}
