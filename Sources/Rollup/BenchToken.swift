import EVM
import EVMPrimitives
import Keccak

/// A minimal ERC-20-style token for the throughput benchmark, as EVM bytecode assembled here
/// (the Swift side has no Solidity or Vyper compiler). Balances are a mapping in storage at
/// Solidity's place for a mapping declared first (`keccak256(abi.encode(owner, 0))`).
///
/// - `transfer(address to, uint256 amount)` (selector `0xa9059cbb`): reverts when value is
///   sent, the calldata is shorter than 68 bytes, `to` has bits above 160 set or the caller's
///   balance is below `amount`; otherwise debits the caller, credits `to` (read after the debit,
///   so a transfer to oneself keeps the balance), emits `Transfer(from, to, amount)` and
///   returns `true`. The credit cannot overflow: the supply, minted once, is below 2^256.
/// - `balanceOf(address owner)` (selector `0x70a08231`): the balance.
/// - Any other selector reverts.
///
/// The constructor mints `supply` to its creator.
public enum BenchToken {
    /// `transfer(address,uint256)`.
    public static let transferSelector: [UInt8] = [0xa9, 0x05, 0x9c, 0xbb]
    /// `balanceOf(address)`.
    public static let balanceOfSelector: [UInt8] = [0x70, 0xa0, 0x82, 0x31]
    /// `keccak256("Transfer(address,address,uint256)")`, topic 0 of the event.
    public static var transferTopic: Bytes32 { Keccak256.digest(Array("Transfer(address,address,uint256)".utf8)) }

    /// The storage slot of `owner`'s balance: `keccak256(owner ‖ 0)` with the address left-padded.
    public static func balanceSlot(_ owner: Address) -> UInt256 {
        UInt256(Keccak256.digest(UInt256(owner).bigEndianBytes + [UInt8](repeating: 0, count: 32)))
    }

    /// Calldata of `transfer(to, amount)`.
    public static func transferCall(to: Address, amount: UInt256) -> [UInt8] {
        transferSelector + UInt256(to).bigEndianBytes + amount.bigEndianBytes
    }

    /// Calldata of `balanceOf(owner)`.
    public static func balanceOfCall(_ owner: Address) -> [UInt8] { balanceOfSelector + UInt256(owner).bigEndianBytes }

    /// The deployed code.
    public static var runtime: [UInt8] {
        let a = EVMAssembler()
        // Dispatch on the first four calldata bytes.
        a.push(0).op(.calldataload).push(0xe0).op(.shr)
        a.op(.dup1).push(transferSelector).op(.eq).jumpi(to: "transfer")
        a.op(.dup1).push(balanceOfSelector).op(.eq).jumpi(to: "balanceOf")
        a.jump(to: "fail")

        a.label("balanceOf")
        a.push(4).op(.calldataload)
        a.slotOfTopAddress()
        a.op(.sload).push(0).op(.mstore).push(32).push(0).op(.return)

        a.label("transfer")
        a.op(.callvalue).jumpi(to: "fail")
        a.push(68).op(.calldatasize).op(.lt).jumpi(to: "fail")  // calldatasize < 68
        a.op(.caller).slotOfTopAddress()  // [fromSlot]
        a.op(.dup1).op(.sload)  // [fromSlot, fromBalance]
        a.push(36).op(.calldataload)  // [fromSlot, fromBalance, amount]
        a.op(.dup1).op(.dup3).op(.lt).jumpi(to: "fail")  // fromBalance < amount
        a.op(.dup1).op(.swap2).op(.sub)  // [fromSlot, amount, fromBalance - amount]
        a.op(.dup3).op(.sstore)  // balances[caller] -= amount; [fromSlot, amount]
        a.op(.swap1).op(.pop)  // [amount]
        a.push(4).op(.calldataload)  // [amount, to]
        a.op(.dup1).push(0xa0).op(.shr).jumpi(to: "fail")  // not an address
        a.op(.dup1).slotOfTopAddress()  // [amount, to, toSlot]
        a.op(.dup1).op(.sload).op(.dup4).op(.add)  // [amount, to, toSlot, toBalance + amount]
        a.op(.swap1).op(.sstore)  // balances[to] += amount; [amount, to]
        a.op(.dup2).push(0).op(.mstore)  // event data: amount
        a.op(.caller).push(transferTopic.bytes).push(32).push(0).op(.log3)  // Transfer(caller, to, amount)
        a.op(.pop).push(1).push(0).op(.mstore).push(32).push(0).op(.return)

        a.label("fail")
        a.push(0).op(.dup1).op(.revert)
        return a.assembled()
    }

    /// The creation code: mints `supply` to the creator and returns ``runtime``.
    public static func initcode(supply: UInt256) -> [UInt8] {
        let code = runtime
        let a = EVMAssembler()
        a.push(supply.bigEndianBytes).op(.caller).slotOfTopAddress().op(.sstore)
        // CODECOPY(0, offset of the runtime, its length), RETURN(0, length). The prefix has a
        // fixed size (PUSH2 operands), so the offset is known once it is assembled.
        let length = [UInt8(code.count >> 8), UInt8(code.count & 0xff)]
        a.op(.push2).raw(length).op(.dup1).op(.push2)
        let at = a.code.count
        a.raw([0, 0]).push(0).op(.codecopy).push(0).op(.return)
        var prefix = a.assembled()
        prefix[at] = UInt8(prefix.count >> 8)
        prefix[at + 1] = UInt8(prefix.count & 0xff)
        return prefix + code
    }
}

/// A tiny EVM assembler: opcodes by name, minimal `PUSH`es, and jumps to labels (2-byte
/// destinations, resolved when assembled).
final class EVMAssembler {
    /// The opcodes the benchmark token uses (values from the Yellow Paper's appendix H).
    enum Op: UInt8 {
        case stop = 0x00
        case add = 0x01
        case sub = 0x03
        case lt = 0x10
        case gt = 0x11
        case eq = 0x14
        case shr = 0x1c
        case keccak256 = 0x20
        case caller = 0x33
        case callvalue = 0x34
        case calldataload = 0x35
        case calldatasize = 0x36
        case codecopy = 0x39
        case pop = 0x50
        case mstore = 0x52
        case sload = 0x54
        case sstore = 0x55
        case jump = 0x56
        case jumpi = 0x57
        case jumpdest = 0x5b
        case push1 = 0x60
        case push2 = 0x61
        case dup1 = 0x80
        case dup2 = 0x81
        case dup3 = 0x82
        case dup4 = 0x83
        case swap1 = 0x90
        case swap2 = 0x91
        case log3 = 0xa3
        case `return` = 0xf3
        case revert = 0xfd
    }

    var code: [UInt8] = []
    var labels: [String: Int] = [:]
    var fixups: [(at: Int, label: String)] = []

    @discardableResult func op(_ o: Op) -> Self {
        code.append(o.rawValue)
        return self
    }

    @discardableResult func raw(_ bytes: [UInt8]) -> Self {
        code += bytes
        return self
    }

    /// `PUSHn` of `bytes` (1 to 32 of them).
    @discardableResult func push(_ bytes: [UInt8]) -> Self {
        precondition((1...32).contains(bytes.count))
        code.append(0x5f + UInt8(bytes.count))
        code += bytes
        return self
    }

    /// `PUSH1 value`.
    @discardableResult func push(_ value: UInt8) -> Self { push([value]) }

    /// `PUSH2 <label>`.
    @discardableResult func pushLabel(_ label: String) -> Self {
        code.append(Op.push2.rawValue)
        fixups.append((code.count, label))
        code += [0, 0]
        return self
    }

    @discardableResult func jump(to label: String) -> Self { pushLabel(label).op(.jump) }
    @discardableResult func jumpi(to label: String) -> Self { pushLabel(label).op(.jumpi) }

    /// Marks a jump destination.
    func label(_ name: String) {
        labels[name] = code.count
        op(.jumpdest)
    }

    /// Replaces the address on top of the stack by its balance slot: `keccak256(address ‖ 0)`
    /// through memory 0…63.
    @discardableResult func slotOfTopAddress() -> Self {
        push(0).op(.mstore).push(0).push(32).op(.mstore).push(64).push(0).op(.keccak256)
    }

    /// The code with every label resolved (a missing label is a programming error).
    func assembled() -> [UInt8] {
        var out = code
        for f in fixups {
            guard let target = labels[f.label] else { preconditionFailure("undefined label \(f.label)") }
            out[f.at] = UInt8(target >> 8)
            out[f.at + 1] = UInt8(target & 0xff)
        }
        return out
    }
}
