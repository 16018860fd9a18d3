import Foundation
import TestSupport
import Testing

/// web3.py and eth-account (PyPI) drive a real `zkprover rollup node` process:
/// `scripts/rollup_client_test.py` (legacy, EIP-1559 and EIP-7702 transactions, contract calls, a
/// Vyper ERC-20 with its events and revert reason when the `vyper` package is installed, filters,
/// fee history, proofs, witnesses, refusals, `kill -9` and restart).
@Suite struct RollupClientTests {
    static let python: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import web3, eth_account"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    @Test(
        .enabled(if: python, "python3 with web3 and eth-account not found: python3 -m pip install web3 eth-account"),
        .enabled(if: PackagePaths.zkproverBinary != nil, "no .build/debug/zkprover: swift build --product zkprover")
    )
    func web3ClientDrivesTheNode() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "python3", PackagePaths.root.appendingPathComponent("scripts/rollup_client_test.py").path,
            PackagePaths.zkproverBinary!,
        ]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(output)")
    }
}
