import Foundation

/// Files shipped with the coordinator: the OpenAPI document and the dashboard page.
enum Resources {
    static func load(_ name: String, _ ext: String) -> String {
        if let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Resources")
            ?? Bundle.module.url(forResource: name, withExtension: ext),
            let text = try? String(contentsOf: url, encoding: .utf8)
        {
            return text
        }
        return "missing resource \(name).\(ext)"
    }
    /// The API description (`GET /openapi.yaml`).
    static let openAPI: String = load("openapi", "yaml")
    /// The live dashboard (`GET /`).
    static let dashboard: String = load("dashboard", "html")
}
