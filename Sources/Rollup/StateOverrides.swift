import EVM
import EVMPrimitives
import Foundation

/// The state overrides of `eth_call` and `eth_estimateGas` (their optional third parameter, in
/// geth's format): per address a balance, a nonce, code, and either the whole storage (`state`)
/// or some slots (`stateDiff`). They apply to a copy of the state the call runs on, never to
/// the chain.
public struct StateOverrides: Sendable {
    /// One account's overrides; nil fields are left as they are.
    public struct AccountOverride: Sendable {
        /// The balance in wei.
        public var balance: UInt256?
        /// The nonce.
        public var nonce: UInt64?
        /// The code (empty makes the account code-less).
        public var code: [UInt8]?
        /// The whole storage: every other slot reads zero.
        public var state: [UInt256: UInt256]?
        /// Slots to set, the others kept.
        public var stateDiff: [UInt256: UInt256]?
        /// No override.
        public init() {}
    }

    /// The overrides by address.
    public var accounts: [Address: AccountOverride] = [:]

    /// No override.
    public init() {}

    /// Most addresses one call may override.
    public static let maxAccounts = 1000
    /// Most storage slots one call may override, over all addresses.
    public static let maxSlots = 100_000

    /// Parses geth's override object `{address: {balance?, nonce?, code?, state?, stateDiff?}}`.
    /// Unknown fields are refused rather than ignored, so a client never believes an override
    /// applied when it did not (`movePrecompileToAddress` among them: precompiles stay put).
    public init(json: [String: Any]) throws(RPCError) {
        if json.count > Self.maxAccounts {
            throw .invalidParams("state overrides: at most \(Self.maxAccounts) accounts")
        }
        var slots = 0
        for (key, value) in json {
            guard key.utf8.count == 42, let address = Address(hex: key) else {
                throw .invalidParams("state overrides: \(key) is not an address")
            }
            guard let fields = value as? [String: Any] else {
                throw .invalidParams("state overrides: the override of \(key) must be an object")
            }
            var a = AccountOverride()
            for (field, v) in fields where !(v is NSNull) {
                switch field {
                case "balance":
                    guard let s = v as? String, let n = quantity(s) else {
                        throw .invalidParams("state overrides: \(key).balance: hex quantity expected")
                    }
                    a.balance = n
                case "nonce":
                    guard let s = v as? String, let n = quantity(s), n.fitsInUInt64 else {
                        throw .invalidParams("state overrides: \(key).nonce: hex quantity of 64 bits expected")
                    }
                    a.nonce = n.w0
                case "code":
                    guard let s = v as? String, s.hasPrefix("0x"), let b = Hex.decode(s) else {
                        throw .invalidParams("state overrides: \(key).code: 0x-prefixed hex data expected")
                    }
                    a.code = b
                case "state", "stateDiff":
                    guard let map = v as? [String: Any] else {
                        throw .invalidParams("state overrides: \(key).\(field): an object of slot: value expected")
                    }
                    slots += map.count
                    if slots > Self.maxSlots {
                        throw .invalidParams("state overrides: at most \(Self.maxSlots) storage slots")
                    }
                    var storage: [UInt256: UInt256] = [:]
                    for (k, x) in map {
                        guard let slot = Self.word(k), let s = x as? String, let value = Self.word(s) else {
                            throw .invalidParams(
                                "state overrides: \(key).\(field): slots and values are hex strings of at most 32 bytes"
                            )
                        }
                        storage[slot] = value
                    }
                    if field == "state" { a.state = storage } else { a.stateDiff = storage }
                default:
                    throw .invalidParams("state overrides: \(key): unsupported field \(field)")
                }
            }
            if a.state != nil && a.stateDiff != nil {
                throw .invalidParams("state overrides: account \(key) has both 'state' and 'stateDiff'")
            }
            accounts[address] = a
        }
    }

    /// A 32-byte hex word (`0x`, up to 64 digits).
    static func word(_ s: String) -> UInt256? {
        guard s.hasPrefix("0x"), s.utf8.count <= 66 else { return nil }
        return s.utf8.count == 2 ? .zero : UInt256(hex: s)
    }

    /// Applies the overrides to `state`.
    public func apply(to state: inout [Address: Account]) {
        for (address, o) in accounts {
            var a = state[address] ?? Account()
            if let b = o.balance { a.balance = b }
            if let n = o.nonce { a.nonce = n }
            if let c = o.code { a.code = Code(c) }
            if let s = o.state { a.storage = s.filter { !$0.value.isZero } }
            if let diff = o.stateDiff {
                for (k, v) in diff { a.storage[k] = v.isZero ? nil : v }
            }
            state[address] = a
        }
    }
}
