import Foundation

/// Where the package and its shared test data are: the one place tests find them. Fixtures and
/// vectors are read at test time from `../shared` beside the package root, never copied.
public enum PackagePaths {
    /// The package root: the nearest directory above this source file that holds `Package.swift`
    /// (the current directory when none does).
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// `../shared` beside the package root.
    public static var shared: URL { root.deletingLastPathComponent().appendingPathComponent("shared") }

    /// `../shared/fixtures/<relative>` (EEST state tests, precompile vectors, RLP and trie tests, ...).
    public static func fixture(_ relative: String = "") -> URL {
        shared.appendingPathComponent("fixtures").appendingPathComponent(relative)
    }

    /// `../shared/vectors/<relative>` (Poseidon2 known answers, ...).
    public static func vector(_ relative: String = "") -> URL {
        shared.appendingPathComponent("vectors").appendingPathComponent(relative)
    }

    /// The debug `zkprover` executable built in this package, when present (process tests run it).
    public static var zkproverBinary: String? {
        let path = root.appendingPathComponent(".build/debug/zkprover").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }
}
