import EVMPrimitives
import Precompiles

/// Adapts the `Precompiles` module to the interpreter's call results.
enum PrecompileBridge {
    static func run(id: Int, input: [UInt8], gasLimit: Int64, fork: Fork) -> CallResult {
        let limit = gasLimit < 0 ? 0 : UInt64(gasLimit)
        switch Precompiles.run(id: id, input: input, gasLimit: limit, fork: fork) {
        case .success(let out):
            guard out.gasUsed <= limit else {
                return CallResult(status: .failure, gasLeft: 0, output: [], createdAddress: nil)
            }
            return CallResult(
                status: .success,
                gasLeft: gasLimit &- Int64(out.gasUsed),
                output: out.output,
                createdAddress: nil
            )
        case .failure:
            return CallResult(status: .failure, gasLeft: 0, output: [], createdAddress: nil)
        }
    }
}
