/// 0x04 identity: returns its input. Gas 15 + 3 per word.
enum Identity {
    static func run(input: [UInt8], gasLimit: UInt64) -> Result<PrecompileOutput, PrecompileError> {
        let gas = PrecompileGas.linear(
            base: PrecompileGas.identityBase,
            perWord: PrecompileGas.identityWord,
            length: input.count
        )
        guard gas <= gasLimit else { return .failure(.outOfGas) }
        return .success(PrecompileOutput(gasUsed: gas, output: input))
    }
}
