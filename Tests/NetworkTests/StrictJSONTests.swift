import Foundation
import NetworkCore
import Testing

/// The strict RFC 8259 validator: bodies it must accept, bodies it must refuse with a named problem,
/// inputs it must survive, and a differential check of its verdicts against Python's `json`.
@Suite struct StrictJSONTests {
    static let accepted: [String] = [
        "{}", "[]", " {} ", "[[]]", "[{}]", #"{"a":[]}"#,
        #"{"a":{"b":{"c":[1,2,{"d":null}]}}}"#,
        #"[{"a":1},{"a":2}]"#, #"{"a":{"a":{"a":1}}}"#, #"{"a":1,"A":2,"a ":3}"#,
        #"{"":0}"#, #"{"\u0000":1,"\u0000a":2}"#,
        #"{"\u00e9":1,"e\u0301":2}"#,  // NFC and NFD spellings of "é" are different keys
        #"{"é":1,"\u00e8":2}"#,
        #""\" \\ \/ \b \f \n \r \t \u0041 \u00e9 \u00E9 \u20AC""#,
        #""\uD83D\uDE00""#, #""\ud83d\ude00""#, #""\uDBFF\uDFFF \uD800\uDC00""#,
        #""\u0000 \u001f \u0080 \u07FF \u0800 \uFFFF""#,
        "\"é\"", "\"€\"", "\"😀\"", #"{"é€😀":"é€😀"}"#, "[\"\u{7F}\"]", "[\"\u{FEFF}\"]",
        "\"\u{2028}\u{2029}\"",
        "0", "-0", "1", "-1", "1e10", "1E10", "1.5E-3", "1e+2", "0.0", "-0.5e-0", "10", "0e0",
        "123456789012345678901234567890", "1.0000000000000000000000001", "1e400",
        "true", "false", "null", #""x""#, #""""#,
        " \t\n\r[1]\r\n\t ", "[ 1 , 2 ]", "{ \"a\" : 1 , \"b\" : [ true , false , null ] }",
        #"[1,-2.5e+3,true,false,null,"s",{"k":[]}]"#,
    ]

    static let rejected: [(String, String)] = [
        ("", "expected a value, found end of input"), (" \n\t", "expected a value"),
        ("[1,]", "trailing comma"), (#"{"a":1,}"#, "trailing comma"), ("[1,\n ]", "trailing comma"),
        (#"{"a":[1,],"b":2}"#, "trailing comma"),
        (#"{"amount":1,"amount":2}"#, #"duplicate key "amount""#),
        (#"{"a":1,"\u0061":2}"#, #"duplicate key "a""#), (#"{"x":{"a":1,"b":2,"a":3}}"#, #"duplicate key "a""#),
        (#"{"\u00e9":1,"é":2}"#, #"duplicate key "é""#), (#"{"\uD83D\uDE00":1,"😀":2}"#, "duplicate key"),
        (#"{"\"":1,"\u0022":2}"#, #"duplicate key "\"""#),
        ("[1 2]", "expected ',' or ']'"), (#"{"a":1 "b":2}"#, "expected ',' or '}'"),
        ("[1,2}", "expected ',' or ']', found '}'"), (#"{"a":1]"#, "expected ',' or '}', found ']'"),
        (#"{"a" 1}"#, "expected ':' after the key"), ("{a:1}", "expected a string key, found 'a'"),
        ("{'a':1}", "expected a string key"), ("{1:1}", "expected a string key"), ("['a']", "expected a value"),
        ("{,}", "expected a string key"), ("[,]", "expected a value"), ("[1,,2]", "expected a value"),
        ("NaN", "expected a value"), ("Infinity", "expected a value"), ("-Infinity", "expected a digit after '-'"),
        ("[1] // c", "expected end of input"), ("/* c */ 1", "expected a value, found '/'"),
        ("tru", "invalid literal"), ("nul", "invalid literal"), ("True", "expected a value"),
        ("nulls", "expected end of input"), ("[truex]", "expected ',' or ']'"), ("None", "expected a value"),
        ("+1", "expected a value, found '+'"), ("01", "leading zero"), ("-01", "leading zero"), ("00", "leading zero"),
        (".5", "expected a value, found '.'"), ("5.", "expected a digit after the decimal point"),
        ("1.e5", "expected a digit after the decimal point"), ("1e", "expected a digit in the exponent"),
        ("1e+", "expected a digit in the exponent"), ("-", "expected a digit after '-'"), ("- 1", "after '-'"),
        ("0x10", "expected end of input"), ("1.5.3", "expected end of input"), ("1 2", "expected end of input"),
        ("[1]]", "expected end of input"), ("[1] [2]", "expected end of input"), ("{}{}", "expected end of input"),
        (#""abc"#, "unterminated string"), (#"["abc\"]"#, "unterminated string"), (#""\"#, "unterminated string"),
        ("\"a\tb\"", "unescaped control character 0x09"), ("\"a\nb\"", "unescaped control character 0x0A"),
        ("\"\u{0}\"", "unescaped control character 0x00"), ("\"\u{1F}\"", "unescaped control character 0x1F"),
        (#""\x41""#, "invalid escape"), (#""\'""#, "invalid escape"), (#""\U0041""#, "invalid escape"),
        (#""\a""#, "invalid escape"), (#""\u12""#, #"invalid \u escape"#), (#""\u12G4""#, "expected 4 hex digits"),
        (#""\u""#, #"invalid \u escape"#), (#""\u-123""#, #"invalid \u escape"#),
        ("[", "expected a value, found end of input"), ("{", "expected a string key, found end of input"),
        ("[1", "expected ',' or ']', found end of input"), (#"{"a":"#, "expected a value"),
        (#"{"a""#, "expected ':' after the key"), ("]", "expected a value"), ("}", "expected a value"),
        ("\u{0C}1", "expected a value, found byte 0x0C"), ("1\u{0B}", "expected end of input"),
        ("\u{A0}1", "expected a value, found a non-ASCII character"), ("[1,\u{3000}2]", "non-ASCII"),
    ]

    /// Lone surrogate escapes: refused by RFC 8259 (they encode no character) but accepted by Python's
    /// `json`, so they are left out of the differential test.
    static let loneSurrogates: [(String, String)] = [
        (#""\uD800""#, "high surrogate escape without a low surrogate escape"),
        (#""\uD83Dx""#, "without a low surrogate"), (#""\uD800\u0041""#, "without a low surrogate"),
        (#""\uD800\uD800""#, "without a low surrogate"), (#""\uD800\n""#, "without a low surrogate"),
        (#""\uDC00""#, "lone low surrogate escape"), (#""\uDE00\uD83D""#, "lone low surrogate escape"),
        (#"{"\uDFFF":1}"#, "lone low surrogate escape"),
    ]

    static let rejectedBytes: [([UInt8], String)] = [
        ([0xEF, 0xBB, 0xBF, 0x7B, 0x7D], "byte-order mark"),  // UTF-8 BOM
        ([0xFF, 0xFE, 0x7B, 0x00, 0x7D, 0x00], "byte-order mark"),  // UTF-16LE
        ([0xFE, 0xFF, 0x00, 0x7B, 0x00, 0x7D], "byte-order mark"),  // UTF-16BE
        ([0xFF, 0xFE, 0x00, 0x00, 0x31, 0x00, 0x00, 0x00], "byte-order mark"),  // UTF-32LE
        ([0x00, 0x00, 0xFE, 0xFF, 0x00, 0x00, 0x00, 0x31], "expected a value, found byte 0x00"),  // UTF-32BE
        ([0x5B, 0x00, 0x31, 0x00, 0x5D, 0x00], "expected a value, found byte 0x00"),  // UTF-16LE [1]
        ([0x00, 0x5B, 0x00, 0x31, 0x00, 0x5D], "expected a value, found byte 0x00"),  // UTF-16BE [1]
        ([0x22, 0xC0, 0xAF, 0x22], "invalid UTF-8 (overlong encoding)"),
        ([0x22, 0xC1, 0xBF, 0x22], "overlong encoding"), ([0x22, 0xE0, 0x80, 0xAF, 0x22], "overlong encoding"),
        ([0x22, 0xE0, 0x9F, 0xBF, 0x22], "overlong encoding"), ([0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22], "overlong"),
        ([0x22, 0xF0, 0x8F, 0xBF, 0xBF, 0x22], "overlong encoding"),
        ([0x22, 0xED, 0xA0, 0x80, 0x22], "invalid UTF-8 (encoded surrogate)"),
        ([0x22, 0xED, 0xBF, 0xBF, 0x22], "encoded surrogate"),
        ([0x22, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80, 0x22], "encoded surrogate"),  // CESU-8 "😀"
        ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "invalid UTF-8 (code point above U+10FFFF)"),
        ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], "code point above U+10FFFF"),
        ([0x22, 0xFF, 0x22], "invalid UTF-8 (byte 0xFF never occurs in UTF-8)"), ([0x22, 0xF8, 0x22], "never occurs"),
        ([0x22, 0x80, 0x22], "invalid UTF-8 (unexpected continuation byte)"),
        ([0x22, 0xC3, 0x22], "invalid UTF-8 (truncated sequence)"), ([0x22, 0xC3], "truncated sequence"),
        ([0x22, 0xE2, 0x82, 0x22], "truncated sequence"), ([0x22, 0xF0, 0x9F, 0x98], "truncated sequence"),
        ([0x22, 0xE2, 0x41, 0xAC, 0x22], "truncated sequence"),
        ([0xFF], "invalid UTF-8"), ([0x5B, 0xC3, 0x5D], "invalid UTF-8"),
        ([0x31, 0x20, 0xED, 0xA0, 0x80], "surrogate"),
        ([0xC3, 0xA9], "expected a value, found a non-ASCII character"),
    ]

    @Test(arguments: accepted) func accepts(_ json: String) throws {
        try StrictJSON.validate(Array(json.utf8))
    }

    @Test(arguments: rejected + loneSurrogates) func rejects(_ json: String, _ expected: String) {
        Self.expectRefusal(Array(json.utf8), expected)
    }

    @Test(arguments: rejectedBytes) func rejectsBytes(_ bytes: [UInt8], _ expected: String) {
        Self.expectRefusal(bytes, expected)
    }

    static func expectRefusal(_ bytes: [UInt8], _ expected: String, maxDepth: Int = 64) {
        let error = #expect(throws: StrictJSON.Error.self) { try StrictJSON.validate(bytes, maxDepth: maxDepth) }
        #expect(error?.message.contains(expected) == true, "\(String(describing: error)) lacks \"\(expected)\"")
    }

    @Test func asciiKeysOptionRefusesNonASCIIKeys() throws {
        for json in ["{\"request\u{212A}ey\":1}", "{\"request\\u212Aey\":1}", "{\"a\":{\"é\":1}}"] {
            try StrictJSON.validate(Array(json.utf8))
            #expect(throws: StrictJSON.Error.self) { try StrictJSON.validate(Array(json.utf8), asciiKeys: true) }
        }
        try StrictJSON.validate(Array("{\"requestKey\":\"é\",\"a\":[\"€\"]}".utf8), asciiKeys: true)
    }

    @Test func errorsNameTheOffset() {
        func error(_ json: String) -> StrictJSON.Error? {
            #expect(throws: StrictJSON.Error.self) { try StrictJSON.validate(Array(json.utf8)) }
        }
        #expect(error(#"{"amount":1,"amount":2}"#) == StrictJSON.Error(offset: 12, message: #"duplicate key "amount""#))
        #expect(error("[1,2 , ]")?.offset == 5)
        #expect(error("[1, x]") == StrictJSON.Error(offset: 4, message: "expected a value, found 'x'"))
        #expect(error("\"é\u{1}\"")?.offset == 3)
        #expect(error("")?.offset == 0)
        #expect(error("[1] x")?.offset == 4)
        #expect(
            error("[1,]")?.description == "invalid JSON at byte 2: trailing comma",
            "description names the byte offset and the problem"
        )
        let long = String(repeating: "k", count: 100)
        let message = error("{\"\(long)\":1,\"\(long)\":2}")?.message
        #expect(message == "duplicate key \"\(String(repeating: "k", count: 64))…\"")
        // One Character of 100 000 combining marks: the message stays short (and the time linear).
        let marks = "e" + String(repeating: "\u{301}\u{316}", count: 50_000)
        let marksMessage = error("{\"\(marks)\":1,\"\(marks)\":2}")?.message ?? ""
        #expect(marksMessage.utf8.starts(with: "duplicate key \"e\u{301}".utf8) && marksMessage.utf8.count < 300)
    }

    @Test func nestingIsBounded() throws {
        func nested(_ depth: Int) -> [UInt8] {
            Array(repeating: 0x5B, count: depth) + Array(repeating: 0x5D, count: depth)
        }
        try StrictJSON.validate(nested(64))
        Self.expectRefusal(nested(65), "nesting deeper than 64")
        try StrictJSON.validate(Array(#"[[1]]"#.utf8), maxDepth: 2)
        Self.expectRefusal(Array(#"[[[1]]]"#.utf8), "nesting deeper than 2", maxDepth: 2)
        Self.expectRefusal(Array(#"{"a":{"b":{}}}"#.utf8), "nesting deeper than 2", maxDepth: 2)
        try StrictJSON.validate(Array("1".utf8), maxDepth: 0)
        Self.expectRefusal(Array("[]".utf8), "nesting deeper than 0", maxDepth: 0)
        // A million open brackets: refused at the limit, and without the limit no recursion to overflow.
        Self.expectRefusal(Array(repeating: 0x5B, count: 1_000_000), "nesting deeper than 64")
        Self.expectRefusal(Array(repeating: 0x7B, count: 1_000_000), "expected a string key", maxDepth: .max)
        let deep = [UInt8](repeating: 0x5B, count: 1_000_000)
        Self.expectRefusal(deep, "expected a value, found end of input", maxDepth: .max)
        try StrictJSON.validate(nested(1_000_000), maxDepth: .max)
    }

    @Test func largeBodies() throws {
        let members = (0..<200_000).map { "\"k\($0)\":\($0)" }
        try StrictJSON.validate(Array("{\(members.joined(separator: ","))}".utf8))
        let duplicated = "{\((members + [#""k123":0"#]).joined(separator: ","))}"
        Self.expectRefusal(Array(duplicated.utf8), #"duplicate key "k123""#)
        try StrictJSON.validate(Array("\"\(String(repeating: "é€😀\\n\\u00e9", count: 100_000))\"".utf8))
        try StrictJSON.validate(Array("[\(Array(repeating: "1.5e3", count: 200_000).joined(separator: ","))]".utf8))
    }

    /// A document using every construct, whose proper prefixes are all invalid (it starts with `{`).
    static let document = Array(
        #"{"a":[1,-2.5e+3,0,true,false,null,"\u00e9\n\/ é€😀"],"b":{"c":{},"d":[[]]},"\u0041":"x"}"#.utf8
    )

    @Test func refusesEveryTruncation() throws {
        try StrictJSON.validate(Self.document)
        for end in 0..<Self.document.count {
            #expect(throws: StrictJSON.Error.self) { try StrictJSON.validate(Array(Self.document[..<end])) }
        }
    }

    /// The document with each byte replaced by each of a set of troublesome bytes.
    static var mutations: [[UInt8]] {
        let replacements: [UInt8] = [
            0x00, 0x20, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x30, 0x2D, 0x2E,
            0x65, 0x75, 0x61, 0x80, 0xBF, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF,
        ]
        return Self.document.indices.flatMap { i in
            replacements.map { byte in
                var mutated = Self.document
                mutated[i] = byte
                return mutated
            }
        }
    }

    @Test func survivesMutationsAndRandomBytes() {
        for input in Self.mutations { _ = try? StrictJSON.validate(input) }
        var generator = SplitMix64(seed: 42)
        let alphabet =
            Array(#"{}[],:"\u0123456789abcdefABCDEF-+.eEtrufalsn "#.utf8) + [0x00, 0x09, 0x80, 0xC3, 0xED, 0xFF]
        for length in 0..<4000 {
            let input = (0..<length % 64).map { _ in
                length.isMultiple(of: 2)
                    ? UInt8.random(in: 0...255, using: &generator) : alphabet.randomElement(using: &generator)!
            }
            _ = try? StrictJSON.validate(input, maxDepth: 4)
        }
    }

    /// A seeded generator, so that a failure reproduces.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    // MARK: Differential test against Python's json

    static let pythonAvailable: Bool = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        .contains { FileManager.default.isExecutableFile(atPath: "\($0)/python3") }

    /// Reads hex-encoded inputs, one a line, and prints 1 or 0 for each: whether Python's `json`
    /// accepts it as strict UTF-8 with no BOM, no surrogates, no duplicate keys and no NaN or Infinity.
    static let oracle = """
        import json, sys

        def pairs(items):
            keys = set()
            for key, _ in items:
                if key in keys:
                    raise ValueError('duplicate key')
                keys.add(key)
            return dict(items)

        def constant(name):
            raise ValueError(name)

        def accepts(data):
            if data.startswith(b'\\xef\\xbb\\xbf'):
                return False
            try:
                text = data.decode('utf-8', 'strict')
                if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
                    return False
                json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
                return True
            except (ValueError, RecursionError):
                return False

        with open(sys.argv[1]) as f:
            for line in f.read().splitlines():
                print('1' if accepts(bytes.fromhex(line)) else '0')
        """

    /// Python's verdicts on `inputs`.
    static func pythonVerdicts(_ inputs: [[UInt8]]) throws -> [Bool] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("strict-json-\(UUID()).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        let lines = inputs.map { $0.map { String(format: "%02x", $0) }.joined() + "\n" }
        try lines.joined().write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", oracle, file.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map { $0 == "1" }
    }

    /// Whether `bytes` holds a `\u` escape of a surrogate (`\uD800` to `\uDFFF`), where Python's
    /// `json` and RFC 8259 disagree on lone ones.
    static func hasSurrogateEscape(_ bytes: [UInt8]) -> Bool {
        bytes.indices.dropLast(3).contains { i in
            bytes[i] == 0x5C && bytes[i + 1] == 0x75 && bytes[i + 2] | 0x20 == 0x64
                && [0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66].contains(bytes[i + 3] | 0x20)
        }
    }

    /// The fixed cases above and the mutations of `document`: the same verdict as Python's `json`.
    /// Left out are the inputs where RFC 8259 and Python genuinely differ: lone surrogate `\u` escapes
    /// (Python accepts them; `loneSurrogates` and mutations holding any surrogate escape), and, never
    /// generated here, nesting past `maxDepth` or Python's recursion limit and integers of over 4300
    /// digits (Python's `int` conversion limit).
    @Test(.enabled(if: pythonAvailable, "python3 not found")) func agreesWithPython() throws {
        let fixed =
            Self.accepted.map { Array($0.utf8) } + Self.rejected.map { Array($0.0.utf8) }
            + Self.rejectedBytes.map(\.0) + [Self.document]
        let inputs = fixed + Self.mutations.filter { !Self.hasSurrogateEscape($0) }
        #expect(fixed.count >= 60)
        let verdicts = try Self.pythonVerdicts(inputs)
        try #require(verdicts.count == inputs.count)
        #expect(verdicts.contains(true) && verdicts.contains(false), "the oracle gives both verdicts")
        for (input, python) in zip(inputs, verdicts) {
            let ours = (try? StrictJSON.validate(input)) != nil
            #expect(ours == python, "\(input.map { String(format: "%02x", $0) }.joined()) python: \(python)")
        }
    }
}
