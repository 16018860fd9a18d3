import EVMPrimitives

/// Precompile 0x05: `base^exp mod modulus` on big-endian integers of arbitrary length.
///
/// Pricing: EIP-198 (Byzantium), EIP-2565 (Berlin), EIP-7883 (Osaka); Osaka also caps every length at
/// 1024 bytes (EIP-7823).
enum ModExp {
    /// Saturating multiply.
    @inline(__always)
    static func smul(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o ? UInt64.max : r
    }

    /// The 32-byte big-endian word at `offset` of `input` (zero-padded), clamped to `UInt64.max`.
    static func lengthWord(_ input: [UInt8], _ offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<32 {
            let b = offset + i < input.count ? input[offset + i] : 0
            if i < 24 {
                if b != 0 { return UInt64.max }
            } else {
                value = (value << 8) | UInt64(b)
            }
        }
        return value
    }

    /// `count` bytes of `input` from `offset` (both possibly past the end), zero-padded.
    static func slice(_ input: [UInt8], _ offset: UInt64, _ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        if offset < UInt64(input.count) {
            let start = Int(offset)
            let n = min(count, input.count - start)
            for i in 0..<n { out[i] = input[start + i] }
        }
        return out
    }

    /// Gas for the call, saturating at `UInt64.max`.
    static func gas(
        baseLength: UInt64,
        expLength: UInt64,
        modLength: UInt64,
        expHead: BigNat,
        fork: Fork
    )
        -> UInt64
    {
        let maxLength = max(baseLength, modLength)
        let headBits = UInt64(expHead.bitWidth)
        let headLog = headBits > 0 ? headBits - 1 : 0
        if fork >= .osaka {
            // EIP-7883's multiplication complexity: 16 up to 32 bytes, else 2 · words².
            let words = (maxLength + 7) / 8
            let complexity: UInt64 = maxLength <= 32 ? 16 : smul(2, smul(words, words))
            let count: UInt64 =
                expLength <= 32
                ? headLog : smul(PrecompileGas.modexpIterationsPerByteOsaka, expLength - 32) &+ headLog
            return max(PrecompileGas.modexpMinimumOsaka, smul(complexity, max(count, 1)))
        }
        let count: UInt64
        if expLength <= 32 {
            count = headLog
        } else {
            let (c, o) = smul(PrecompileGas.modexpIterationsPerByte, expLength - 32).addingReportingOverflow(headLog)
            count = o ? UInt64.max : c
        }
        let iterations = max(count, 1)
        if fork >= .berlin {
            // EIP-2565's multiplication complexity: words².
            let words = maxLength / 8 + (maxLength % 8 == 0 ? 0 : 1)
            let complexity = smul(words, words)
            let product = smul(complexity, iterations)
            return max(
                PrecompileGas.modexpMinimumBerlin,
                product == UInt64.max ? product : product / PrecompileGas.modexpDivisorBerlin
            )
        }
        // EIP-198's `mult_complexity`: piecewise quadratic in the length.
        let x = maxLength
        let complexity: UInt64
        if x <= 64 {
            complexity = x * x
        } else if x <= 1024 {
            complexity = x * x / 4 + 96 * x - 3072
        } else if x >= 1 << 31 {
            complexity = UInt64.max
        } else {
            complexity = x * x / 16 + 480 * x - 199_680
        }
        let product = smul(complexity, iterations)
        return product == UInt64.max ? product : product / PrecompileGas.modexpDivisorByzantium
    }

    static func run(input: [UInt8], gasLimit: UInt64, fork: Fork) -> Result<PrecompileOutput, PrecompileError> {
        let baseLength = lengthWord(input, 0)
        let expLength = lengthWord(input, 32)
        let modLength = lengthWord(input, 64)
        if fork >= .osaka && (baseLength > 1024 || expLength > 1024 || modLength > 1024) {
            return .failure(.invalidInput)
        }
        // Where the exponent starts; past 2^40 every byte read is zero.
        let expStart = baseLength > 1 << 40 ? UInt64.max : 96 + baseLength
        let headLength = Int(min(32, expLength))
        let expHead = BigNat(bigEndian: slice(input, expStart, headLength))
        let cost = gas(baseLength: baseLength, expLength: expLength, modLength: modLength, expHead: expHead, fork: fork)
        guard cost <= gasLimit, cost != UInt64.max else { return .failure(.outOfGas) }
        if baseLength == 0 && modLength == 0 {
            return .success(PrecompileOutput(gasUsed: cost, output: []))
        }
        // The price bounds every length that matters here (see `gas`), so these fit in memory.
        let modulusStart = expStart == UInt64.max || expLength > 1 << 40 ? UInt64.max : expStart + expLength
        let modulus = BigNat(bigEndian: slice(input, modulusStart, Int(modLength)))
        if modulus.isZero {
            return .success(PrecompileOutput(gasUsed: cost, output: [UInt8](repeating: 0, count: Int(modLength))))
        }
        let base = BigNat(bigEndian: slice(input, 96, Int(baseLength)))
        let exponent = BigNat(bigEndian: slice(input, expStart, Int(expLength)))
        let result = BigNat.modPow(base: base, exponent: exponent, modulus: modulus)
        return .success(PrecompileOutput(gasUsed: cost, output: result.bigEndianBytes(length: Int(modLength))))
    }
}
