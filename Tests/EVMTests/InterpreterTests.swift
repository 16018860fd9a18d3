import EVM
import EVMFixtures
import EVMPrimitives
import Foundation
import Testing

/// Runs `code` as the callee of a legacy transaction (gas price 0) under `fork`.
private func run(
    _ code: [UInt8],
    fork: Fork = .cancun,
    gas: UInt64 = 100_000,
    calldata: [UInt8] = []
) throws -> (TransactionResult, WorldState) {
    let caller = Address(hex: "0x1000000000000000000000000000000000000001")!
    let contract = Address(hex: "0x2000000000000000000000000000000000000002")!
    let state = WorldState(accounts: [
        caller: Account(balance: UInt256(1) << 100),
        contract: Account(nonce: 1, code: Code(code)),
    ])
    let evm = EVM(fork: fork, state: state, block: BlockEnv(number: 1, gasLimit: 30_000_000))
    var t = Transaction()
    t.gasLimit = UInt256(gas)
    t.to = contract
    t.data = calldata
    return (try evm.execute(t, sender: caller), evm.state)
}

private let contract = Address(hex: "0x2000000000000000000000000000000000000002")!

/// PUSH1 2 PUSH1 3 ADD PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN returns 5; gas is 21000 plus
/// 3+3+3+3+3 (pushes, ADD, MSTORE) + 3 (one word of memory) + 3+3 = 21024 (Yellow Paper costs).
@Test func addAndReturn() throws {
    let (r, _) = try run([
        Opcode.PUSH1, 0x02, Opcode.PUSH1, 0x03, Opcode.ADD, Opcode.PUSH1, 0x00, Opcode.MSTORE, Opcode.PUSH1, 0x20,
        Opcode.PUSH1, 0x00, Opcode.RETURN,
    ])
    #expect(r.success)
    #expect(r.output == [UInt8](repeating: 0, count: 31) + [5])
    #expect(r.gasUsed == 21000 + 3 + 3 + 3 + 3 + 3 + 3 + 3 + 3)
}

/// Invalid opcodes, stack underflow, bad jumps and truncated pushes end the frame with all
/// gas consumed, never a crash.
@Test(arguments: [
    [UInt8]([Opcode.INVALID]),
    [Opcode.ADD],  // stack underflow
    [Opcode.PUSH1, 0x05, Opcode.JUMP],  // jump past the end
    [0x0c],  // an unassigned byte
    [Opcode.JUMPDEST, Opcode.PUSH1, 0x00, Opcode.JUMP, Opcode.JUMPDEST],  // loops until out of gas
    [Opcode.PUSH1, 0x03, Opcode.JUMP, Opcode.PUSH1, Opcode.JUMPDEST],  // a JUMPDEST byte in push data
])
func exceptionalHaltConsumesAllGas(_ code: [UInt8]) throws {
    let (r, _) = try run(code, gas: 50_000)
    #expect(!r.success)
    #expect(r.gasUsed == 50_000)
}

/// A PUSH cut off by the end of the code reads zeros, then the implicit STOP ends the call.
@Test(arguments: [[UInt8]([Opcode.PUSH32, 0x01]), [Opcode.PUSH0, Opcode.PUSH0, Opcode.JUMPI, Opcode.PUSH2]])
func truncatedPushStops(_ code: [UInt8]) throws {
    let (r, _) = try run(code, gas: 50_000)
    #expect(r.success)
}

/// Memory offsets far beyond any gas run out of gas instead of allocating.
@Test func hugeMemoryOffsetRunsOutOfGas() throws {
    // MSTORE at 2^255.
    let code: [UInt8] = [Opcode.PUSH1, 0x01, Opcode.PUSH32, 0x80] + [UInt8](repeating: 0, count: 31) + [Opcode.MSTORE]
    let (r, _) = try run(code, gas: 1_000_000)
    #expect(!r.success)
    #expect(r.gasUsed == 1_000_000)
    // MSTORE at 2^30: the cost exceeds 1M gas.
    let (r2, _) = try run([Opcode.PUSH1, 0x01, Opcode.PUSH4, 0x40, 0x00, 0x00, 0x00, Opcode.MSTORE], gas: 1_000_000)
    #expect(!r2.success)
}

/// SSTORE of a fresh slot costs 22100 (cold 2100 + set 20000, EIP-2929) and REVERT undoes it.
@Test func sstoreAndRevert() throws {
    let (r, s) = try run([Opcode.PUSH1, 0x07, Opcode.PUSH1, 0x01, Opcode.SSTORE, Opcode.STOP])
    #expect(r.success)
    #expect(r.gasUsed == 21000 + 3 + 3 + 22100)
    #expect(s.storage(contract, .one) == UInt256(7))
    // The same, then REVERT.
    let (r2, s2) = try run([
        Opcode.PUSH1, 0x07, Opcode.PUSH1, 0x01, Opcode.SSTORE, Opcode.PUSH1, 0x00, Opcode.PUSH1, 0x00, Opcode.REVERT,
    ])
    #expect(!r2.success)
    #expect(s2.storage(contract, .one).isZero)
}

/// A self-call chain hundreds of frames deep (until 63/64 of the gas is left per level) unwinds
/// without crashing; the innermost call fails and every caller continues.
@Test func deepRecursionUnwinds() throws {
    // CALL(gas, ADDRESS, 0, 0, 0, 0, 0) then STOP: recurses until gas or depth runs out.
    let code: [UInt8] = [
        Opcode.PUSH0, Opcode.PUSH0, Opcode.PUSH0, Opcode.PUSH0, Opcode.PUSH0, Opcode.ADDRESS, Opcode.GAS, Opcode.CALL,
        Opcode.STOP,
    ]
    let r = runWithLargeStack { try? run(code, gas: 16_000_000) }
    #expect(r?.0.success == true)
}

/// CLZ (EIP-7939) counts leading zeros; undefined before Osaka.
@Test func countLeadingZeros() throws {
    // Returns CLZ(1) as a word.
    let code: [UInt8] = [
        Opcode.PUSH1, 0x01, Opcode.CLZ, Opcode.PUSH1, 0x00, Opcode.MSTORE, Opcode.PUSH1, 0x20, Opcode.PUSH1, 0x00,
        Opcode.RETURN,
    ]
    let (r, _) = try run(code, fork: .osaka)
    #expect(r.output.last == 255)
    let (r2, _) = try run(code, fork: .prague)
    #expect(!r2.success)
}

/// A transaction whose gas limit is below the intrinsic gas is rejected and changes nothing.
@Test func intrinsicGasTooLowIsRejected() throws {
    #expect(throws: EVMError.invalidTransaction(.intrinsicGasTooLow)) { _ = try run([Opcode.STOP], gas: 20_999) }
}

/// Malformed fixture files give a failed result with a message, not a crash.
@Test func malformedFixtureIsReported() throws {
    let path = NSTemporaryDirectory() + "zkprover-bad-\(UInt32.random(in: 0...UInt32.max)).json"
    try Data("{\"t\": {\"env\": 5".utf8).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let results = StateTestRunner.run(file: path)
    #expect(results.count == 1)
    #expect(results.first?.passed == false)
    #expect(results.first?.detail.contains("malformed JSON") == true)
}
