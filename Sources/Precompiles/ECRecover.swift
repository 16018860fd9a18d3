import EVMPrimitives
import Secp256k1

/// 0x01 ecrecover: recovers the signer's address from (hash, v, r, s); 3000 gas. Any invalid
/// signature yields empty output (the call still succeeds).
enum ECRecover {
    static func run(input: [UInt8], gasLimit: UInt64) -> Result<PrecompileOutput, PrecompileError> {
        let gas = PrecompileGas.ecrecover
        guard gas <= gasLimit else { return .failure(.outOfGas) }
        var data = [UInt8](repeating: 0, count: 128)
        for i in 0..<min(128, input.count) { data[i] = input[i] }
        let empty = PrecompileOutput(gasUsed: gas, output: [])
        // v must be exactly 27 or 28 as a 256-bit word.
        for i in 32..<63 where data[i] != 0 { return .success(empty) }
        guard data[63] == 27 || data[63] == 28 else { return .success(empty) }
        guard let hash = Bytes32(Array(data[0..<32])), let r = UInt256(bigEndianBytes: Array(data[64..<96])),
            let s = UInt256(bigEndianBytes: Array(data[96..<128]))
        else { return .success(empty) }
        do {
            let address = try ECDSA.recoverAddress(
                messageHash: hash,
                r: r,
                s: s,
                recoveryId: Int(data[63] - 27)
            )
            var out = [UInt8](repeating: 0, count: 32)
            out.withUnsafeMutableBytes { address.store(to: $0.baseAddress! + 12) }
            return .success(PrecompileOutput(gasUsed: gas, output: out))
        } catch {
            return .success(empty)
        }
    }
}
