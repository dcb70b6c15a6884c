// The control protocol (GKC1) for scripts: SUBMIT, STATUS, SHUTDOWN over the `control` ROUTER.
// Frames: request [ "GKC1", VERB, JSON ], reply [ "GKC1", "OK" | "ERR", JSON ]. Spec: docs/wire-protocol.md.

import Foundation

/// A control request's verb (frame 1, ASCII).
public enum ControlVerb: String, Sendable, Hashable, CaseIterable {
    case submit = "SUBMIT"
    case status = "STATUS"
    case shutdown = "SHUTDOWN"
}

/// Limits of the control protocol.
public enum ControlLimits {
    /// Largest JSON body accepted (frame 2), in bytes: 1 MiB.
    public static let maxJSONBytes = 1 << 20
}

/// SUBMIT's body: files and directories to read as one job.
public struct SubmitRequest: Sendable, Hashable, Codable {
    /// Files and directories, as the coordinator's host sees them (absolute paths are safest).
    public var paths: [String]
    /// Walk directories recursively (default false: only their direct children).
    public var recursive: Bool
    /// A shell glob applied to file names inside directories (`"*.txt"`); `nil` takes every file.
    public var glob: String?
    /// A label for the job; `nil` for none.
    public var name: String?

    public init(paths: [String], recursive: Bool = false, glob: String? = nil, name: String? = nil) {
        self.paths = paths
        self.recursive = recursive
        self.glob = glob
        self.name = name
    }

    private enum CodingKeys: String, CodingKey { case paths, recursive, glob, name }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        paths = try c.decode([String].self, forKey: .paths)
        recursive = try c.decodeIfPresent(Bool.self, forKey: .recursive) ?? false
        glob = try c.decodeIfPresent(String.self, forKey: .glob)
        name = try c.decodeIfPresent(String.self, forKey: .name)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(paths, forKey: .paths)
        try c.encode(recursive, forKey: .recursive)
        try c.encode(glob, forKey: .glob)  // null, not absent
        try c.encode(name, forKey: .name)
    }
}

/// One job in a STATUS reply.
public struct JobStatus: Sendable, Hashable, Codable {
    public var job: Int
    /// `"running"` while the walk or tasks are outstanding, `"done"` when
    /// `walk_complete` and `done + failed + quarantined == total`, `"cancelled"` after SHUTDOWN.
    public var state: String
    /// Files found so far (final once `walkComplete`).
    public var total: Int
    /// Files with a stored result (any report status except quarantined).
    public var done: Int
    /// Files that could not be processed (e.g. read errors reported by workers).
    public var failed: Int
    /// Files set aside after repeatedly crashing or hanging workers.
    public var quarantined: Int
    /// Whether the directory walk has finished, i.e. `total` is final.
    public var walkComplete: Bool
    /// When the job was submitted: ISO 8601 UTC, e.g. `"2025-03-01T08:00:00Z"`.
    public var created: String

    public init(job: Int, state: String, total: Int, done: Int, failed: Int, quarantined: Int,
                walkComplete: Bool, created: String) {
        self.job = job
        self.state = state
        self.total = total
        self.done = done
        self.failed = failed
        self.quarantined = quarantined
        self.walkComplete = walkComplete
        self.created = created
    }

    private enum CodingKeys: String, CodingKey {
        case job, state, total, done, failed, quarantined, created
        case walkComplete = "walk_complete"
    }
}

/// A request from a script to the coordinator's `control` socket.
public enum ControlRequest: Sendable, Hashable {
    /// Start a job. Reply: ``ControlReply/submitted(job:)``.
    case submit(SubmitRequest)
    /// One job's status, or every job's with `nil`. Reply: ``ControlReply/status(jobs:)``.
    case status(job: Int?)
    /// Stop the coordinator gracefully. Reply: ``ControlReply/shuttingDown``.
    case shutdown

    public var verb: ControlVerb {
        switch self {
        case .submit: .submit
        case .status: .status
        case .shutdown: .shutdown
        }
    }

    /// `[ "GKC1", VERB, JSON ]`.
    public func encode() -> [[UInt8]] {
        let json: [UInt8]
        switch self {
        case .submit(let request): json = ControlJSON.encode(request)
        case .status(let job): json = ControlJSON.encode(StatusBody(job: job))
        case .shutdown: json = Array("{}".utf8)
        }
        return [WireProtocol.controlTag, Array(verb.rawValue.utf8), json]
    }

    /// Decodes a request (router envelope already removed, see ``RouterEnvelope``).
    ///
    /// - Throws: ``WireError/foreignProtocol`` / ``WireError/unsupportedVersion(_:)`` for
    ///   frame 0, ``WireError/unknownVerb(_:)``, ``WireError/tooLarge(field:size:limit:)`` for
    ///   JSON over 1 MiB, ``WireError/malformed(_:)`` for bad JSON or a missing `paths`.
    public static func decode(_ frames: [[UInt8]]) throws(WireError) -> ControlRequest {
        let (verbText, json) = try ControlJSON.split(frames, kind: "verb")
        guard let verb = ControlVerb(rawValue: verbText) else { throw WireError.unknownVerb(verbText) }
        switch verb {
        case .submit:
            let request = try ControlJSON.decode(SubmitRequest.self, json, "SUBMIT")
            guard !request.paths.isEmpty else { throw WireError.malformed("SUBMIT without paths") }
            return .submit(request)
        case .status:
            return .status(job: try ControlJSON.decode(StatusBody.self, json, "STATUS").job)
        case .shutdown:
            _ = try ControlJSON.decode(EmptyBody.self, json, "SHUTDOWN")
            return .shutdown
        }
    }
}

/// The coordinator's reply to a ``ControlRequest``.
public enum ControlReply: Sendable, Hashable {
    /// `OK {"job": n}`
    case submitted(job: Int)
    /// `OK {"jobs": [...]}`
    case status(jobs: [JobStatus])
    /// `OK {}`
    case shuttingDown
    /// `ERR {"error": "..."}` — the request was refused; the text says why.
    case error(String)

    /// `[ "GKC1", "OK" | "ERR", JSON ]`.
    public func encode() -> [[UInt8]] {
        let status: String
        let json: [UInt8]
        switch self {
        case .submitted(let job):
            status = "OK"
            json = ControlJSON.encode(SubmittedBody(job: job))
        case .status(let jobs):
            status = "OK"
            json = ControlJSON.encode(StatusReplyBody(jobs: jobs))
        case .shuttingDown:
            status = "OK"
            json = Array("{}".utf8)
        case .error(let message):
            status = "ERR"
            json = ControlJSON.encode(ErrorBody(error: message))
        }
        return [WireProtocol.controlTag, Array(status.utf8), json]
    }

    /// Decodes the reply to a request with `verb` (an `OK` body's shape depends on the verb).
    public static func decode(_ frames: [[UInt8]], for verb: ControlVerb) throws(WireError) -> ControlReply {
        let (status, json) = try ControlJSON.split(frames, kind: "status")
        switch status {
        case "ERR":
            return .error(try ControlJSON.decode(ErrorBody.self, json, "ERR").error)
        case "OK":
            switch verb {
            case .submit: return .submitted(job: try ControlJSON.decode(SubmittedBody.self, json, "SUBMIT reply").job)
            case .status: return .status(jobs: try ControlJSON.decode(StatusReplyBody.self, json, "STATUS reply").jobs)
            case .shutdown:
                _ = try ControlJSON.decode(EmptyBody.self, json, "SHUTDOWN reply")
                return .shuttingDown
            }
        default:
            throw WireError.malformed("reply status \"\(status)\" is neither OK nor ERR")
        }
    }
}

// MARK: - JSON bodies

private struct StatusBody: Codable {
    var job: Int?
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(job, forKey: .job)  // null, not absent
    }
}

private struct EmptyBody: Codable {}
private struct SubmittedBody: Codable { var job: Int }
private struct StatusReplyBody: Codable { var jobs: [JobStatus] }
private struct ErrorBody: Codable { var error: String }

private enum ControlJSON {
    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // These bodies are plain strings, numbers and arrays: encoding cannot fail.
        return (try? encoder.encode(value)).map { [UInt8]($0) } ?? Array("{}".utf8)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ json: [UInt8], _ what: String) throws(WireError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(json))
        } catch {
            throw WireError.malformed("\(what) body is not the expected JSON object: \(Self.describe(error))")
        }
    }

    /// Checks tag and frame count, returns frame 1 as text and frame 2.
    static func split(_ frames: [[UInt8]], kind: String) throws(WireError) -> (String, [UInt8]) {
        guard let tag = frames.first else { throw WireError.malformed("no frames") }
        try WireProtocol.checkTag(tag, family: "GKC", major: 1)
        guard frames.count == 3 else { throw WireError.malformed("\(frames.count) frames, expected 3") }
        guard frames[1].count <= 32, let word = String(validating: frames[1], as: UTF8.self) else {
            throw WireError.malformed("\(kind) frame is not a short UTF-8 word")
        }
        guard frames[2].count <= ControlLimits.maxJSONBytes else {
            throw WireError.tooLarge(field: "json", size: frames[2].count, limit: ControlLimits.maxJSONBytes)
        }
        return (word, frames[2])
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "wrong type at \"\(path)\""
        case DecodingError.dataCorrupted: return "invalid JSON"
        default: return "\(error)"
        }
    }
}
