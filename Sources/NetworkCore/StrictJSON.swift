/// A strict RFC 8259 validator for request bodies, run before Foundation's `JSONDecoder` (which accepts
/// trailing commas, UTF-16 and UTF-32, and duplicate keys, the first winning). `JSONDecoder` still builds
/// the values; this only says yes or throws. One pass over the bytes with an index and an explicit stack
/// (no recursion, so no input overflows the call stack): linear time, memory a constant factor of the body.
public enum StrictJSON {
    /// A refusal: what is wrong and at which byte offset.
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// Offset in the body of the byte where the problem was found.
        public var offset: Int
        /// What is wrong, e.g. `duplicate key "amount"` or `trailing comma`.
        public var message: String

        public init(offset: Int, message: String) { (self.offset, self.message) = (offset, message) }

        public var description: String { "invalid JSON at byte \(offset): \(message)" }
    }

    /// Throws unless `bytes` is exactly one JSON text under RFC 8259, read strictly:
    /// - UTF-8 with no byte-order mark (so no UTF-16 or UTF-32), overlong form, encoded surrogate, code
    ///   point above U+10FFFF or truncated sequence; only space, tab, LF and CR around the one value;
    /// - literals `true`, `false`, `null` only; numbers `-? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?`;
    /// - strings without raw control characters, with only the escapes `\" \\ \/ \b \f \n \r \t \uXXXX`,
    ///   and `\u` surrogates only in high-low pairs;
    /// - no trailing commas, and no key twice in one object, compared after unescaping (so
    ///   `{"a":1,"\u0061":2}` is refused); at most `maxDepth` arrays and objects open at once.
    ///
    /// With `asciiKeys`, object keys must also be ASCII after unescaping. `JSONDecoder` matches keys
    /// by canonical equivalence (`"request\u212Aey"`, with KELVIN SIGN, decodes as `requestKey`) and
    /// in time quadratic in a run of combining marks; an API whose keys are all ASCII refuses both.
    public static func validate(
        _ bytes: [UInt8],
        maxDepth: Int = 64,
        asciiKeys: Bool = false
    ) throws(StrictJSON.Error) {
        try bytes.withUnsafeBufferPointer { (buffer) throws(Error) in
            var parser = Parser(bytes: buffer, maxDepth: maxDepth, asciiKeys: asciiKeys)
            try parser.validate()
        }
    }
}

extension StrictJSON {
    /// An object key compared by its UTF-8 bytes, as RFC 8259 compares code points ("é" and "e\u{301}" are
    /// different keys), not by `String`'s canonical equivalence, whose hashing normalises in time quadratic
    /// in a run of combining marks. Keys of up to 15 bytes are stored inline, with no allocation.
    private struct Key: Hashable {
        var text: String
        static func == (a: Key, b: Key) -> Bool { a.text.utf8.elementsEqual(b.text.utf8) }
        func hash(into hasher: inout Hasher) {
            var text = text
            text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
    }

    /// The state of one validation: the body, the index of the next byte, and the open containers.
    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        let maxDepth: Int
        let asciiKeys: Bool
        var index = 0
        /// The open containers, innermost last: `true` for an object, `false` for an array.
        var open: [Bool] = []
        /// The keys seen so far in each open object, innermost last.
        var keys: [Set<Key>] = []
        /// The decoded bytes of the key being read, reused from key to key.
        var scratch: [UInt8] = []

        /// The byte at `index`, or nil at the end of the body.
        var next: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func validate() throws(Error) {
            for bom: [UInt8] in [[0xEF, 0xBB, 0xBF], [0xFE, 0xFF], [0xFF, 0xFE]] where bytes.starts(with: bom) {
                throw Error(offset: 0, message: "byte-order mark (the body must be UTF-8 without one)")
            }
            value: while true {
                skipWhitespace()
                guard let byte = next else { throw failure("expected a value") }
                switch byte {
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    guard open.count < maxDepth else {
                        throw Error(offset: index, message: "nesting deeper than \(maxDepth)")
                    }
                    let isObject = byte == UInt8(ascii: "{")
                    open.append(isObject)
                    if isObject { keys.append([]) }
                    index += 1
                    skipWhitespace()
                    if next != UInt8(ascii: isObject ? "}" : "]") {  // not empty: read the first element
                        if isObject { try member() }
                        continue value
                    }
                case UInt8(ascii: "\""): try string(isKey: false)
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
                case UInt8(ascii: "t"): try literal("true")
                case UInt8(ascii: "f"): try literal("false")
                case UInt8(ascii: "n"): try literal("null")
                default: throw failure("expected a value")
                }
                // A value is complete, or a container empty: close containers until one expects another element.
                while let isObject = open.last {
                    skipWhitespace()
                    let closing = UInt8(ascii: isObject ? "}" : "]")
                    guard next == UInt8(ascii: ",") || next == closing else {
                        throw failure(isObject ? "expected ',' or '}'" : "expected ',' or ']'")
                    }
                    let comma = index
                    index += 1
                    if bytes[comma] == closing {
                        if open.removeLast() { keys.removeLast() }
                        continue
                    }
                    skipWhitespace()
                    if next == closing { throw Error(offset: comma, message: "trailing comma") }
                    if isObject { try member() }
                    continue value
                }
                skipWhitespace()
                guard next == nil else { throw failure("expected end of input after the value") }
                return
            }
        }

        /// Reads `"key" :` at `index` (past any whitespace) and records the key in the innermost object.
        mutating func member() throws(Error) {
            guard next == UInt8(ascii: "\"") else { throw failure("expected a string key") }
            let start = index
            try string(isKey: true)
            if asciiKeys, scratch.contains(where: { $0 >= 0x80 }) {
                throw Error(offset: start, message: "non-ASCII object key")
            }
            let key = Key(text: String(decoding: scratch, as: UTF8.self))
            guard keys[keys.count - 1].insert(key).inserted else {
                let scalars = key.text.unicodeScalars  // not Characters: one can hold any number of scalars
                let shown = scalars.count > 64 ? String(scalars.prefix(64)) + "…" : key.text
                throw Error(offset: start, message: "duplicate key \(shown.debugDescription)")
            }
            skipWhitespace()
            guard next == UInt8(ascii: ":") else { throw failure("expected ':' after the key") }
            index += 1
        }

        /// Reads a string from its opening quote at `index`; a key's decoded bytes go to `scratch`.
        mutating func string(isKey: Bool) throws(Error) {
            let start = index
            index += 1
            if isKey { scratch.removeAll(keepingCapacity: true) }
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return
                case UInt8(ascii: "\\"):
                    try escape(isKey: isKey)
                case 0..<0x20:
                    throw Error(offset: index, message: "unescaped control character \(Self.hex(byte)) in a string")
                default:
                    let length = byte < 0x80 ? 1 : try sequenceLength(at: index)
                    if isKey { scratch.append(contentsOf: bytes[index..<index + length]) }
                    index += length
                }
            }
            throw Error(offset: start, message: "unterminated string")
        }

        /// Reads the escape at `index` (a backslash); a key's decoded character goes to `scratch`.
        mutating func escape(isKey: Bool) throws(Error) {
            let start = index
            guard index + 1 < bytes.count else { throw Error(offset: start, message: "unterminated string") }
            if let decoded = Self.escapes[bytes[index + 1]] {
                if isKey { scratch.append(decoded) }
                index += 2
                return
            }
            guard bytes[index + 1] == UInt8(ascii: "u") else {
                throw Error(offset: start, message: #"invalid escape (only \" \\ \/ \b \f \n \r \t \uXXXX)"#)
            }
            var scalar = try hex4(at: index + 2)
            index += 6
            if (0xDC00...0xDFFF).contains(scalar) { throw Error(offset: start, message: "lone low surrogate escape") }
            if (0xD800...0xDBFF).contains(scalar) {
                let unpaired = Error(offset: start, message: "high surrogate escape without a low surrogate escape")
                guard bytes[index...].starts(with: #"\u"#.utf8) else { throw unpaired }
                let low = try hex4(at: index + 2)
                guard (0xDC00...0xDFFF).contains(low) else { throw unpaired }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                index += 6
            }
            guard isKey, let decoded = Unicode.Scalar(scalar) else { return }
            UTF8.encode(decoded) { scratch.append($0) }
        }

        /// The one-character escapes and the bytes they stand for.
        static let escapes: [UInt8: UInt8] = [
            UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
            UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
        ]

        /// The value of the four hex digits of a `\u` escape at `p` (ASCII only: `Unicode.Scalar(byte)`
        /// makes bytes 0x80-0xFF Latin-1 letters, none of them a hex digit).
        func hex4(at p: Int) throws(Error) -> UInt32 {
            let invalid = Error(offset: p - 2, message: "invalid \\u escape (expected 4 hex digits)")
            guard p + 4 <= bytes.count else { throw invalid }
            var value: UInt32 = 0
            for byte in bytes[p..<p + 4] {
                guard let digit = Character(Unicode.Scalar(byte)).hexDigitValue else { throw invalid }
                value = value << 4 | UInt32(digit)
            }
            return value
        }

        /// Reads a number: `-? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?`.
        mutating func number() throws(Error) {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            if next == UInt8(ascii: "0") {
                index += 1
                if isDigit() { throw Error(offset: start, message: "leading zero in a number") }
            } else {
                try digits("after '-'")
            }
            if next == UInt8(ascii: ".") {
                index += 1
                try digits("after the decimal point")
            }
            if let byte = next, byte | 0x20 == UInt8(ascii: "e") {
                index += 1
                if next == UInt8(ascii: "+") || next == UInt8(ascii: "-") { index += 1 }
                try digits("in the exponent")
            }
        }

        /// Skips one or more ASCII digits; throws "expected a digit `place`" if there are none.
        mutating func digits(_ place: String) throws(Error) {
            guard isDigit() else { throw failure("expected a digit \(place)") }
            while isDigit() { index += 1 }
        }

        /// Whether the byte at `index` is an ASCII digit.
        func isDigit() -> Bool { next.map { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ?? false }

        /// Reads `word` (`true`, `false` or `null`) at `index`.
        mutating func literal(_ word: String) throws(Error) {
            guard bytes[index...].starts(with: word.utf8) else {
                throw Error(offset: index, message: "invalid literal (expected true, false or null)")
            }
            index += word.utf8.count
        }

        /// Skips the four whitespace bytes: space, tab, LF and CR.
        mutating func skipWhitespace() {
            while let byte = next, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        /// The length of the valid multi-byte UTF-8 sequence at `p` (Unicode table 3-7), or an
        /// "invalid UTF-8" error naming the fault.
        func sequenceLength(at p: Int) throws(Error) -> Int {
            func invalid(_ why: String) -> Error { Error(offset: p, message: "invalid UTF-8 (\(why))") }
            let (lead, above) = (bytes[p], "code point above U+10FFFF")
            let length: Int
            var second: ClosedRange<UInt8> = 0x80...0xBF  // the bytes allowed after `lead`
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: (length, second) = (3, 0xA0...0xBF)
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: (length, second) = (3, 0x80...0x9F)
            case 0xF0: (length, second) = (4, 0x90...0xBF)
            case 0xF1...0xF3: length = 4
            case 0xF4: (length, second) = (4, 0x80...0x8F)
            case 0x80...0xBF: throw invalid("unexpected continuation byte")
            case 0xC0...0xC1: throw invalid("overlong encoding")
            case 0xF5...0xF7: throw invalid(above)
            default: throw invalid("byte \(Self.hex(lead)) never occurs in UTF-8")
            }
            guard p + length <= bytes.count, bytes[p + 1..<p + length].allSatisfy({ $0 & 0xC0 == 0x80 }) else {
                throw invalid("truncated sequence")
            }
            guard second.contains(bytes[p + 1]) else {
                throw invalid(lead == 0xED ? "encoded surrogate" : lead == 0xF4 ? above : "overlong encoding")
            }
            return length
        }

        /// "`expected`, found …" naming the byte at `index`, or the UTF-8 error if it starts one.
        func failure(_ expected: String) -> Error {
            guard let byte = next else { return Error(offset: index, message: "\(expected), found end of input") }
            if byte >= 0x80 {
                do { _ = try sequenceLength(at: index) } catch { return error }
            }
            let found = (0x20..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte \(Self.hex(byte))"
            return Error(offset: index, message: "\(expected), found \(byte >= 0x80 ? "a non-ASCII character" : found)")
        }

        /// `0x0A`-style hex of one byte.
        static func hex(_ b: UInt8) -> String { (b < 0x10 ? "0x0" : "0x") + String(b, radix: 16, uppercase: true) }
    }
}
