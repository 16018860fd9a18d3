import Foundation
import Hummingbird
import Logging
import NIOCore
import NetworkCore

/// Decodes a request body that must be strict JSON (RFC 8259: UTF-8, no trailing commas, no
/// duplicate keys, ASCII keys; see ``StrictJSON``); 400 otherwise.
func decodeStrict<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
    do {
        try StrictJSON.validate(bytes, asciiKeys: true)
    } catch {
        throw NetworkError.badRequest("malformed JSON: \(error)")
    }
    do {
        return try JSONDecoder().decode(T.self, from: Data(bytes))
    } catch {
        throw NetworkError.badRequest("malformed JSON: \(error)")
    }
}

/// The page a list request asks for with its `limit` and `offset` query parameters (400 when
/// either is not a number in range).
func page(_ request: Request) throws -> Page {
    func integer(_ name: String) throws -> Int? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        guard let value = Int(text) else { throw NetworkError.badRequest("\(name) must be an integer") }
        return value
    }
    return try Page(limit: try integer("limit"), offset: try integer("offset"))
}

/// Encodes a JSON response.
func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    return Response(
        status: status,
        headers: [.contentType: "application/json"],
        body: .init(byteBuffer: ByteBuffer(bytes: data))
    )
}

/// The method and path template of every route, so that a known path asked with an undeclared
/// method gets 405 with an `Allow` header rather than 404. Filled while the router is built, read
/// only afterwards.
final class RouteTable: @unchecked Sendable {
    private var routes: [(method: HTTPRequest.Method, segments: [Substring])] = []

    func add(_ method: HTTPRequest.Method, _ path: String) {
        routes.append((method, path.split(separator: "/")))
    }

    /// The methods declared for `path` (empty when no route has that path). Like the router, a
    /// literal segment wins over a parameter: `/v1/nodes/withdraw` is not `/v1/nodes/:address`.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let parts = path.split(separator: "/")
        let matching = routes.filter { route in
            route.segments.count == parts.count
                && zip(route.segments, parts).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
        }
        func shape(_ segments: [Substring]) -> [Int] { segments.map { $0.hasPrefix(":") ? 1 : 0 } }
        guard let best = matching.map({ shape($0.segments) }).min(by: { $0.lexicographicallyPrecedes($1) }) else {
            return []
        }
        return matching.filter { shape($0.segments) == best }.map(\.method)
    }
}

/// The HTTP status of each kind of ``NetworkError``, and its JSON body
/// (`{"error": code, "message": ...}`, the `Error` schema of `openapi.yaml`).
extension NetworkError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch kind {
        case .badRequest: .badRequest
        case .unauthorized: .unauthorized
        case .insufficientFunds: HTTPResponse.Status(code: 402)
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .conflict, .ledgerOverflow: .conflict
        case .tooLarge: .contentTooLarge
        case .invalidProof: .unprocessableContent
        case .overCapacity: .tooManyRequests
        case .storage: .serviceUnavailable
        case .internal: .internalServerError
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try errorResponse(status: status, code: code, message: message)
    }
}

/// The JSON error body every refusal carries.
func errorResponse(status: HTTPResponse.Status, code: String, message: String) throws -> Response {
    try json(
        API.ErrorBody(error: code, message: message),
        status: HTTPResponse.Status(code: status.code, reasonPhrase: "")
    )
}

/// Turns failures into JSON error responses: a ``NetworkError`` answers for itself; a known path
/// asked with an undeclared method is 405; a storage failure is 503 and anything else 500, both
/// logged.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = CoordinatorContext
    let logger: Logger
    let routes: RouteTable
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let e as NetworkError {
            return try e.response(from: request, context: context)
        } catch let e as HTTPError {
            if e.status == .notFound {
                let allowed = routes.methods(for: request.uri.path)
                if !allowed.isEmpty {
                    var response = try NetworkError(
                        .methodNotAllowed,
                        "\(request.method) is not allowed on this path"
                    ).response(from: request, context: context)
                    response.headers[.allow] = allowed.map(\.rawValue).sorted().joined(separator: ", ")
                    return response
                }
            }
            return try errorResponse(status: e.status, code: "http", message: e.body ?? e.status.reasonPhrase)
        } catch let e as StorageError {
            logger.error("storage error", metadata: ["error": .string(e.description)])
            return try NetworkError(.storage, e.description).response(from: request, context: context)
        } catch {
            logger.error("internal error", metadata: ["error": .string("\(error)")])
            return try NetworkError(.internal, "\(error)").response(from: request, context: context)
        }
    }
}
