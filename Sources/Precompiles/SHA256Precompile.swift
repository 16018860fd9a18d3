import EVMPrimitives

/// 0x02: SHA-256 of the input; 60 + 12 per word.
enum SHA256Precompile {
    static func run(input: [UInt8], gasLimit: UInt64) -> Result<PrecompileOutput, PrecompileError> {
        let gas = PrecompileGas.linear(
            base: PrecompileGas.sha256Base,
            perWord: PrecompileGas.sha256Word,
            length: input.count
        )
        guard gas <= gasLimit else { return .failure(.outOfGas) }
        return .success(PrecompileOutput(gasUsed: gas, output: SHA256.hash(input).bytes))
    }
}
