import CZlib

/// Why deflated data could not be inflated.
public struct DeflateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var description: String
    init(_ description: String) { self.description = description }
}

/// zlib's deflate (RFC 1950 framing) on byte arrays: the compressed representation of batch
/// data. The inflated size travels beside the data (it is stored with each batch), so inflating
/// allocates exactly once and refuses data that does not inflate to that size.
public enum Deflate {
    /// Largest inflated size accepted (256 MiB): a corrupt size field cannot make us allocate more.
    public static let maxInflatedSize = 256 << 20

    /// `bytes` deflated at `level` (0 to 9; 9 compresses most).
    public static func compress(_ bytes: [UInt8], level: Int32 = 9) -> [UInt8] {
        var bound = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(bound))
        let status = out.withUnsafeMutableBufferPointer { o in
            bytes.withUnsafeBufferPointer { i in
                compress2(o.baseAddress, &bound, i.baseAddress, uLong(i.count), level)
            }
        }
        // compress2 only fails for a bad level or a too-small buffer, neither of which can happen
        // with compressBound's size and a level clamped by the callers' constants.
        precondition(status == Z_OK, "zlib compress2 failed with \(status)")
        out.removeSubrange(Int(bound)...)
        return out
    }

    /// Inflates `data`, which must hold exactly `size` bytes once inflated.
    public static func decompress(_ data: [UInt8], size: Int) throws(DeflateError) -> [UInt8] {
        guard size >= 0, size <= maxInflatedSize else { throw DeflateError("inflated size \(size) out of range") }
        var length = uLongf(size)
        var out = [UInt8](repeating: 0, count: max(size, 1))
        let status = out.withUnsafeMutableBufferPointer { o in
            data.withUnsafeBufferPointer { i in
                uncompress(o.baseAddress, &length, i.baseAddress, uLong(i.count))
            }
        }
        switch status {
        case Z_OK: break
        case Z_BUF_ERROR: throw DeflateError("data inflates to more than \(size) bytes, or is truncated")
        case Z_DATA_ERROR: throw DeflateError("corrupt deflate data")
        case Z_MEM_ERROR: throw DeflateError("out of memory while inflating")
        default: throw DeflateError("zlib uncompress failed with \(status)")
        }
        guard Int(length) == size else { throw DeflateError("data inflates to \(length) bytes, not \(size)") }
        out.removeSubrange(size...)
        return out
    }
}
