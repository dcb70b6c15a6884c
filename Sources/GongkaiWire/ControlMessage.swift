// The control protocol (GKC1) for scripts: SUBMIT, APPEND, STATUS, SHUTDOWN over the `control` ROUTER.
// Frames: request [ "GKC1", VERB, JSON ], reply [ "GKC1", "OK" | "ERR", JSON ]. Spec: docs/wire-protocol.md.

import Foundation

/// A control request's verb (frame 1, ASCII).
public enum ControlVerb: String, Sendable, Hashable, CaseIterable {
    case submit = "SUBMIT"
    case append = "APPEND"
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
    /// Keep the job open for more paths (``AppendRequest``): its walk is not complete, and it
    /// cannot finish, until an APPEND with `close: true`. Default `false`. With `open`, `paths`
    /// may be empty.
    public var open: Bool

    public init(paths: [String], recursive: Bool = false, glob: String? = nil, name: String? = nil, open: Bool = false) {
        self.paths = paths
        self.recursive = recursive
        self.glob = glob
        self.name = name
        self.open = open
    }

    private enum CodingKeys: String, CodingKey { case paths, recursive, glob, name, open }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        paths = try c.decode([String].self, forKey: .paths)
        recursive = try c.decodeIfPresent(Bool.self, forKey: .recursive) ?? false
        glob = try c.decodeIfPresent(String.self, forKey: .glob)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        open = try c.decodeIfPresent(Bool.self, forKey: .open) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(paths, forKey: .paths)
        try c.encode(recursive, forKey: .recursive)
        try c.encode(glob, forKey: .glob)  // null, not absent
        try c.encode(name, forKey: .name)
        if open { try c.encode(open, forKey: .open) }  // absent means false: older coordinators' bytes unchanged
    }
}

/// APPEND's body: more paths for a job that was submitted with `open: true`.
///
/// Files are added to the job's ledger before the reply, so they survive a coordinator restart;
/// directories are walked like SUBMIT's (with the job's `recursive` and `glob`).
public struct AppendRequest: Sendable, Hashable, Codable {
    /// The job, as SUBMIT's reply named it.
    public var job: Int
    /// Files and directories to add (absolute paths); may be empty, e.g. to close the job only.
    public var paths: [String]
    /// No more paths will follow: once these are walked the job's walk is complete and it can finish.
    public var close: Bool

    public init(job: Int, paths: [String], close: Bool = false) {
        self.job = job
        self.paths = paths
        self.close = close
    }

    private enum CodingKeys: String, CodingKey { case job, paths, close }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        job = try c.decode(Int.self, forKey: .job)
        paths = try c.decodeIfPresent([String].self, forKey: .paths) ?? []
        close = try c.decodeIfPresent(Bool.self, forKey: .close) ?? false
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
    /// Add paths to an open job, and optionally close it. Reply: ``ControlReply/appended(job:)``.
    case append(AppendRequest)
    /// One job's status, or every job's with `nil`. Reply: ``ControlReply/status(jobs:)``.
    case status(job: Int?)
    /// Stop the coordinator gracefully. Reply: ``ControlReply/shuttingDown``.
    case shutdown

    public var verb: ControlVerb {
        switch self {
        case .submit: .submit
        case .append: .append
        case .status: .status
        case .shutdown: .shutdown
        }
    }

    /// `[ "GKC1", VERB, JSON ]`.
    public func encode() -> [[UInt8]] {
        let json: [UInt8]
        switch self {
        case .submit(let request): json = ControlJSON.encode(request)
        case .append(let request): json = ControlJSON.encode(request)
        case .status(let job): json = ControlJSON.encode(StatusBody(job: job))
        case .shutdown: json = Array("{}".utf8)
        }
        return [WireProtocol.controlTag, Array(verb.rawValue.utf8), json]
    }

    /// Decodes a request (router envelope already removed, see ``RouterEnvelope``).
    ///
    /// - Throws: ``WireError/foreignProtocol`` / ``WireError/unsupportedVersion(_:)`` for
    ///   frame 0, ``WireError/unknownVerb(_:)``, ``WireError/tooLarge(field:size:limit:)`` for
    ///   JSON over 1 MiB, ``WireError/malformed(_:)`` for bad JSON, a missing `paths`, or an
    ///   empty `paths` in a SUBMIT that is not `open`.
    public static func decode(_ frames: [[UInt8]]) throws(WireError) -> ControlRequest {
        let (verbText, json) = try ControlJSON.split(frames, kind: "verb")
        guard let verb = ControlVerb(rawValue: verbText) else { throw WireError.unknownVerb(verbText) }
        switch verb {
        case .submit:
            let request = try ControlJSON.decode(SubmitRequest.self, json, "SUBMIT")
            guard !request.paths.isEmpty || request.open else { throw WireError.malformed("SUBMIT without paths") }
            return .submit(request)
        case .append:
            return .append(try ControlJSON.decode(AppendRequest.self, json, "APPEND"))
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
    /// `OK {"job": n}`: the APPEND's files are in the job's ledger.
    case appended(job: Int)
    /// `OK {"jobs": [...]}`. A coordinator also sends `"stats"` beside `"jobs"`
    /// (``StatusReport``); this case carries the jobs only.
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
        case .submitted(let job), .appended(let job):
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
            case .append: return .appended(job: try ControlJSON.decode(SubmittedBody.self, json, "APPEND reply").job)
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

// MARK: - STATUS with cluster statistics

/// Counters of a running coordinator, sent in every STATUS reply as `"stats"`.
public struct ClusterStats: Sendable, Hashable, Codable {
    /// Messages dropped because they did not decode (foreign tag, other version, bad frames,
    /// over-size), per socket.
    public struct Dropped: Sendable, Hashable, Codable {
        /// On the worker socket (`work`).
        public var work: Int
        /// On the control socket (`control`).
        public var control: Int

        public init(work: Int = 0, control: Int = 0) {
            self.work = work
            self.control = control
        }
    }

    /// Workers registered (READY) and alive now.
    public var workers: Int
    /// Tasks leased to workers now.
    public var inFlight: Int
    /// Tasks waiting in the coordinator's memory for a worker (a bounded window; the rest waits in the ledger).
    public var queued: Int
    /// Results received and not yet committed to the store.
    public var uncommitted: Int
    /// Results committed since this coordinator started.
    public var committed: Int
    /// Malformed or foreign messages dropped, per socket.
    public var malformedDropped: Dropped
    /// RESULTs dropped because their task was no longer leased to the sender at that attempt.
    public var staleResults: Int
    /// Worker processes restarted by the supervisor since start.
    public var workerRestarts: Int
    /// Tasks quarantined since start (crashed or hung workers on 3 attempts).
    public var quarantined: Int
    /// Connections the coordinator's ZAP handler refused since start: a CURVE public key not in the
    /// allow-list, a local peer of another uid. `nil` from a coordinator older than this field.
    public var zapRefused: Int?
    /// Connections whose security handshake failed before authentication since start: a plain client
    /// on a CURVE (tcp) endpoint, a CURVE client with the wrong server key. `nil` from an older coordinator.
    public var handshakeFailed: Int?
    /// Seconds since the coordinator started.
    public var uptimeSeconds: Double
    /// Task latency since start, from dispatch to the commit of the result, in milliseconds; `nil` before
    /// the first commit.
    public var latency: Latency?

    /// Percentiles of task latency (an HDR histogram in the coordinator), milliseconds.
    public struct Latency: Sendable, Hashable, Codable {
        public var count: Int
        public var p50: Double
        public var p95: Double
        public var p99: Double
        public var max: Double
        public init(count: Int, p50: Double, p95: Double, p99: Double, max: Double) {
            self.count = count
            self.p50 = p50
            self.p95 = p95
            self.p99 = p99
            self.max = max
        }
    }

    public init(workers: Int = 0, inFlight: Int = 0, queued: Int = 0, uncommitted: Int = 0, committed: Int = 0,
                malformedDropped: Dropped = Dropped(), staleResults: Int = 0, workerRestarts: Int = 0,
                quarantined: Int = 0, zapRefused: Int? = nil, handshakeFailed: Int? = nil, uptimeSeconds: Double = 0,
                latency: Latency? = nil) {
        self.workers = workers
        self.inFlight = inFlight
        self.queued = queued
        self.uncommitted = uncommitted
        self.committed = committed
        self.malformedDropped = malformedDropped
        self.staleResults = staleResults
        self.workerRestarts = workerRestarts
        self.quarantined = quarantined
        self.zapRefused = zapRefused
        self.handshakeFailed = handshakeFailed
        self.uptimeSeconds = uptimeSeconds
        self.latency = latency
    }

    private enum CodingKeys: String, CodingKey {
        case workers, queued, uncommitted, committed, quarantined
        case latency = "latency_ms"
        case inFlight = "in_flight"
        case malformedDropped = "malformed_dropped"
        case staleResults = "stale_results"
        case workerRestarts = "worker_restarts"
        case uptimeSeconds = "uptime_seconds"
        case zapRefused = "zap_refused"
        case handshakeFailed = "handshake_failed"
    }
}

/// The whole `OK` body of a STATUS reply as a coordinator sends it: `{"jobs": [...], "stats": {...}}`.
///
/// ``ControlReply/decode(_:for:)`` reads the jobs of the same bytes; use ``decode(_:)`` for the stats too.
public struct StatusReport: Sendable, Hashable, Codable {
    public var jobs: [JobStatus]
    /// `nil` when the reply has no `"stats"` (a coordinator older than this field).
    public var stats: ClusterStats?

    public init(jobs: [JobStatus], stats: ClusterStats?) {
        self.jobs = jobs
        self.stats = stats
    }

    /// `[ "GKC1", "OK", {"jobs": [...], "stats": {...}} ]`.
    public func encode() -> [[UInt8]] {
        [WireProtocol.controlTag, Array("OK".utf8), ControlJSON.encode(self)]
    }

    /// Decodes a STATUS reply. An `ERR` reply throws ``WireError/malformed(_:)`` with its text.
    public static func decode(_ frames: [[UInt8]]) throws(WireError) -> StatusReport {
        let (status, json) = try ControlJSON.split(frames, kind: "status")
        switch status {
        case "OK": return try ControlJSON.decode(StatusReport.self, json, "STATUS reply")
        case "ERR": throw WireError.malformed("STATUS refused: \(try ControlJSON.decode(ErrorBody.self, json, "ERR").error)")
        default: throw WireError.malformed("reply status \"\(status)\" is neither OK nor ERR")
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
