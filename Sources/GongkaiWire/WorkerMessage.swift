// The worker protocol (GKW1): READY, TASK, RESULT, HEARTBEAT, DISCONNECT, REFUSE.
// Spec: docs/wire-protocol.md. Frames: [ "GKW1", command byte, body ]; a TASK or RESULT may carry
// several bodies, one frame each: [ "GKW1", command byte, body, body, … ].

import GongkaiCore

/// Constants shared by both gongkai protocols.
public enum WireProtocol {
    /// Frame 0 of every worker message: protocol `GKW`, major version 1.
    public static let workerTag: [UInt8] = Array("GKW1".utf8)
    /// Frame 0 of every control request and reply: protocol `GKC`, major version 1.
    public static let controlTag: [UInt8] = Array("GKC1".utf8)
    /// The revision of the worker protocol within major version 1, sent in READY.
    /// Revisions append fields to bodies (receivers ignore body bytes they do not know) or, like
    /// revision 2 (TASK and RESULT batches), change what a peer may send: a coordinator serves
    /// workers of its own revision only.
    public static let revision: UInt16 = 2

    /// The most bodies one TASK or RESULT message carries (revision 2).
    public static let maxBatch = 64

    /// Send a HEARTBEAT when nothing else was sent to the peer for this long.
    public static let heartbeatInterval: Duration = .seconds(1)
    /// A peer from which nothing arrived for this long (5 intervals) is dead.
    public static let peerTimeout: Duration = .seconds(5)

    /// The coordinator's ROUTER endpoint for workers in a run directory: `ipc://<run-dir>/work.sock`.
    /// Keep `runDirectory` short: Unix socket paths are limited to 107 bytes.
    public static func workEndpoint(runDirectory: String) -> String { "ipc://\(joined(runDirectory, "work.sock"))" }

    /// The coordinator's ROUTER endpoint for control clients: `ipc://<run-dir>/control.sock`.
    public static func controlEndpoint(runDirectory: String) -> String { "ipc://\(joined(runDirectory, "control.sock"))" }

    private static func joined(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Checks frame 0 against `family` (`"GKW"` or `"GKC"`) and `major`.
    ///
    /// - Throws: ``WireError/unsupportedVersion(_:)`` for the family with another version
    ///   (1–4 ASCII digits), ``WireError/foreignProtocol`` for anything else.
    static func checkTag(_ frame: [UInt8], family: StaticString, major: Int) throws(WireError) {
        let prefix = family.withUTF8Buffer { Array($0) }
        guard frame.count > prefix.count, frame.count <= prefix.count + 4,
            frame.starts(with: prefix)
        else { throw WireError.foreignProtocol }
        if frame.count > prefix.count + 1 && frame[prefix.count] == 0x30 { throw WireError.foreignProtocol }
        var version = 0
        for byte in frame[prefix.count...] {
            guard byte >= 0x30 && byte <= 0x39 else { throw WireError.foreignProtocol }
            version = version * 10 + Int(byte - 0x30)
        }
        guard version == major else { throw WireError.unsupportedVersion(version) }
    }
}

/// Size limits a receiver enforces on worker message fields (bytes). A field over its limit
/// fails decoding with ``WireError/tooLarge(field:size:limit:)``. Encoding cuts over-long
/// *strings* to these limits at a character boundary; byte runs (`content`, `report`) are
/// never cut, so check them with ``WorkerMessage/validate(limits:)`` before sending.
public struct WireLimits: Sendable, Hashable {
    public var workerId: Int
    public var hostname: Int
    public var path: Int
    public var reason: Int
    public var content: Int
    public var report: Int

    public init(workerId: Int = 255, hostname: Int = 255, path: Int = 4096, reason: Int = 1024,
                content: Int = 64 << 20, report: Int = 16 << 20) {
        self.workerId = workerId
        self.hostname = hostname
        self.path = path
        self.reason = reason
        self.content = content
        self.report = report
    }

    /// workerId 255, hostname 255, path 4096, reason 1024, content 64 MiB, report 16 MiB.
    public static let `default` = WireLimits()
}

/// The command byte (frame 1) of each worker message.
public enum WorkerCommand: UInt8, Sendable, Hashable, CaseIterable {
    case ready = 0x01
    case task = 0x02
    case result = 0x03
    case heartbeat = 0x04
    case disconnect = 0x05
    case refuse = 0x06
}

/// W→C, first message on a connection: who the worker is and how many tasks it accepts at once.
public struct ReadyMessage: Sendable, Hashable {
    /// The worker's ``WireProtocol/revision``; the coordinator REFUSEs revisions it cannot serve.
    public var protocolVersion: UInt16
    /// A name unique per worker process, e.g. `"w3"` or `"host:pid"`.
    public var workerId: String
    public var pid: UInt32
    public var hostname: String
    /// How many tasks may be in flight to this worker (each TASK uses one, each RESULT returns one).
    public var credit: UInt32
    /// Whether the worker can read the coordinator's paths itself (same host / shared file system);
    /// if not, every TASK carries the file's content.
    public var localPaths: Bool

    public init(protocolVersion: UInt16 = WireProtocol.revision, workerId: String, pid: UInt32,
                hostname: String, credit: UInt32, localPaths: Bool) {
        self.protocolVersion = protocolVersion
        self.workerId = workerId
        self.pid = pid
        self.hostname = hostname
        self.credit = credit
        self.localPaths = localPaths
    }
}

/// C→W: read one file (or the bytes sent along) and answer with a RESULT.
public struct TaskMessage: Sendable, Hashable {
    public var taskId: UInt64
    /// 1 for the first dispatch; incremented on every re-dispatch after a worker death/timeout.
    public var attempt: UInt16
    public var path: String
    /// Files larger than this are reported as `too_large` without being read.
    public var sizeLimit: UInt64
    /// The file's bytes when the worker cannot read `path` itself; `nil` otherwise.
    public var content: [UInt8]?

    public var hasContent: Bool { content != nil }

    public init(taskId: UInt64, attempt: UInt16, path: String, sizeLimit: UInt64, content: [UInt8]? = nil) {
        self.taskId = taskId
        self.attempt = attempt
        self.path = path
        self.sizeLimit = sizeLimit
        self.content = content
    }
}

/// W→C: the outcome of one task, as a ``ReportCodec`` encoded report.
public struct ResultMessage: Sendable, Hashable {
    public var taskId: UInt64
    public var attempt: UInt16
    /// Time the worker spent on the task, in microseconds (saturating).
    public var elapsedMicros: UInt32
    /// ``ReportCodec`` bytes. Kept encoded so the coordinator can forward without decoding.
    public var report: [UInt8]

    public init(taskId: UInt64, attempt: UInt16, elapsedMicros: UInt32, report: [UInt8]) {
        self.taskId = taskId
        self.attempt = attempt
        self.elapsedMicros = elapsedMicros
        self.report = report
    }

    public init(taskId: UInt64, attempt: UInt16, elapsedMicros: UInt32, report: Report) {
        self.init(taskId: taskId, attempt: attempt, elapsedMicros: elapsedMicros, report: ReportCodec.encode(report))
    }

    /// Decodes ``report``.
    public func decodeReport() throws(WireError) -> Report { try ReportCodec.decode(report) }
}

/// One message of the worker protocol. Router identity frames are not part of it: the
/// coordinator strips them before ``decode(_:limits:)`` and prepends them after ``encode()``.
public enum WorkerMessage: Sendable, Hashable {
    /// Who may send a message.
    public enum Sender: Sendable, Hashable { case worker, coordinator, either }

    case ready(ReadyMessage)
    case task(TaskMessage)
    case result(ResultMessage)
    case heartbeat
    /// Either side is going away (worker shutting down, coordinator draining or refusing an
    /// unexpected message); the receiver forgets the connection. A worker reconnects with a new
    /// socket and READY.
    case disconnect(reason: String)
    /// C→W: the coordinator will not serve this worker (e.g. protocol revision); do not reconnect.
    case refuse(reason: String)

    public var command: WorkerCommand {
        switch self {
        case .ready: .ready
        case .task: .task
        case .result: .result
        case .heartbeat: .heartbeat
        case .disconnect: .disconnect
        case .refuse: .refuse
        }
    }

    /// Who may send this message; a message from the wrong side is a protocol error.
    public var sentBy: Sender {
        switch self {
        case .ready, .result: .worker
        case .task, .refuse: .coordinator
        case .heartbeat, .disconnect: .either
        }
    }

    /// The three frames: tag, command, body.
    public func encode(limits: WireLimits = .default) -> [[UInt8]] {
        var body: WireWriter
        switch self {
        case .ready(let m):
            body = WireWriter(capacity: 16 + m.workerId.utf8.count + m.hostname.utf8.count)
            body.u16(m.protocolVersion)
            body.string16(m.workerId, limit: limits.workerId)
            body.u32(m.pid)
            body.string16(m.hostname, limit: limits.hostname)
            body.u32(m.credit)
            body.bool(m.localPaths)
        case .task(let m):
            body = WireWriter(capacity: 28 + m.path.utf8.count + (m.content?.count ?? 0))
            body.u64(m.taskId)
            body.u16(m.attempt)
            body.string16(m.path, limit: limits.path)
            body.u64(m.sizeLimit)
            body.bool(m.content != nil)
            if let content = m.content { body.bytes32(content) }
        case .result(let m):
            body = WireWriter(capacity: 18 + m.report.count)
            body.u64(m.taskId)
            body.u16(m.attempt)
            body.u32(m.elapsedMicros)
            body.bytes32(m.report)
        case .heartbeat:
            body = WireWriter(capacity: 0)
        case .disconnect(let reason), .refuse(let reason):
            body = WireWriter(capacity: 2 + reason.utf8.count)
            body.string16(reason, limit: limits.reason)
        }
        return [WireProtocol.workerTag, [command.rawValue], body.bytes]
    }

    /// A RESULT whose report is encoded straight into the body frame (one buffer, no copy).
    public static func encodeResult(taskId: UInt64, attempt: UInt16, elapsedMicros: UInt32, report: Report) -> [[UInt8]] {
        var body = WireWriter(capacity: 18 + ReportCodec.estimatedSize(report))
        body.u64(taskId)
        body.u16(attempt)
        body.u32(elapsedMicros)
        let lengthAt = body.bytes.count
        body.u32(0)
        ReportCodec.encode(report, into: &body.bytes)
        let length = UInt32(clamping: body.bytes.count - lengthAt - 4)
        body.bytes[lengthAt] = UInt8(truncatingIfNeeded: length >> 24)
        body.bytes[lengthAt + 1] = UInt8(truncatingIfNeeded: length >> 16)
        body.bytes[lengthAt + 2] = UInt8(truncatingIfNeeded: length >> 8)
        body.bytes[lengthAt + 3] = UInt8(truncatingIfNeeded: length)
        return [WireProtocol.workerTag, [WorkerCommand.result.rawValue], body.bytes]
    }

    /// Checks the byte runs that ``encode(limits:)`` does not cut (`content`, `report`).
    public func validate(limits: WireLimits = .default) throws(WireError) {
        switch self {
        case .task(let m):
            if let content = m.content, content.count > limits.content {
                throw WireError.tooLarge(field: "task.content", size: content.count, limit: limits.content)
            }
        case .result(let m):
            if m.report.count > limits.report {
                throw WireError.tooLarge(field: "result.report", size: m.report.count, limit: limits.report)
            }
        default:
            break
        }
    }

    /// Decodes the frames of one message (router identity frames already removed).
    ///
    /// Bytes after the last known field of a body are ignored (a later revision may append
    /// fields); everything else that does not match the spec throws.
    ///
    /// - Throws: ``WireError/foreignProtocol`` (frame 0 is not `GKW<n>`),
    ///   ``WireError/unsupportedVersion(_:)`` (`GKW2`…), ``WireError/unknownCommand(_:)``,
    ///   ``WireError/truncated(_:)``, ``WireError/tooLarge(field:size:limit:)``,
    ///   ``WireError/malformed(_:)``.
    public static func decode(_ frames: [[UInt8]], limits: WireLimits = .default) throws(WireError) -> WorkerMessage {
        guard let tag = frames.first else { throw WireError.malformed("no frames") }
        try WireProtocol.checkTag(tag, family: "GKW", major: 1)
        guard frames.count == 3 else { throw WireError.malformed("\(frames.count) frames, expected 3") }
        guard frames[1].count == 1 else { throw WireError.malformed("command frame of \(frames[1].count) bytes, expected 1") }
        guard let command = WorkerCommand(rawValue: frames[1][0]) else { throw WireError.unknownCommand(frames[1][0]) }
        return try decodeBody(frames[2], of: command, limits: limits)
    }

    /// The message of one body (frame 2, or one body of a batch) of a message with this command.
    static func decodeBody(_ bytes: [UInt8], of command: WorkerCommand, limits: WireLimits) throws(WireError) -> WorkerMessage {
        var body = WireReader(bytes)
        switch command {
        case .ready:
            let protocolVersion = try body.u16("ready.protocolVersion")
            let workerId = try body.string16("ready.workerId", limit: limits.workerId)
            let pid = try body.u32("ready.pid")
            let hostname = try body.string16("ready.hostname", limit: limits.hostname)
            let credit = try body.u32("ready.credit")
            let localPaths = try body.bool("ready.localPaths")
            return .ready(ReadyMessage(protocolVersion: protocolVersion, workerId: workerId, pid: pid,
                                       hostname: hostname, credit: credit, localPaths: localPaths))
        case .task:
            let taskId = try body.u64("task.taskId")
            let attempt = try body.u16("task.attempt")
            let path = try body.string16("task.path", limit: limits.path)
            let sizeLimit = try body.u64("task.sizeLimit")
            let hasContent = try body.bool("task.hasContent")
            let content = hasContent ? try body.bytes32("task.content", limit: limits.content) : nil
            return .task(TaskMessage(taskId: taskId, attempt: attempt, path: path, sizeLimit: sizeLimit, content: content))
        case .result:
            let taskId = try body.u64("result.taskId")
            let attempt = try body.u16("result.attempt")
            let elapsed = try body.u32("result.elapsedMicros")
            let report = try body.bytes32("result.report", limit: limits.report)
            return .result(ResultMessage(taskId: taskId, attempt: attempt, elapsedMicros: elapsed, report: report))
        case .heartbeat:
            return .heartbeat
        case .disconnect:
            return .disconnect(reason: try body.string16("disconnect.reason", limit: limits.reason))
        case .refuse:
            return .refuse(reason: try body.string16("refuse.reason", limit: limits.reason))
        }
    }
}

extension WorkerMessage {
    /// Decodes one message that may be a batch: a TASK or RESULT with up to
    /// ``WireProtocol/maxBatch`` bodies (frames 2, 3, …) is returned as that many messages, in
    /// order; any other message as one. The whole message is refused if one body is malformed.
    ///
    /// - Throws: what ``decode(_:limits:)`` throws, and ``WireError/malformed(_:)`` for several
    ///   bodies of another command or more than ``WireProtocol/maxBatch`` bodies.
    public static func decodeBatch(_ frames: [[UInt8]], limits: WireLimits = .default) throws(WireError) -> [WorkerMessage] {
        guard frames.count > 3 else { return [try decode(frames, limits: limits)] }
        try WireProtocol.checkTag(frames[0], family: "GKW", major: 1)
        guard frames[1].count == 1, let command = WorkerCommand(rawValue: frames[1][0]), command == .task || command == .result else {
            throw WireError.malformed("\(frames.count) frames: only TASK and RESULT may carry several bodies")
        }
        guard frames.count - 2 <= WireProtocol.maxBatch else {
            throw WireError.malformed("\(frames.count - 2) bodies in one message, at most \(WireProtocol.maxBatch)")
        }
        var messages: [WorkerMessage] = []
        messages.reserveCapacity(frames.count - 2)
        for body in frames[2...] {
            messages.append(try decodeBody(body, of: command, limits: limits))
        }
        return messages
    }

    /// One message carrying the bodies of several single messages of one command, each as
    /// ``encode(limits:)`` or ``encodeResult(taskId:attempt:elapsedMicros:report:)`` made it.
    /// The caller keeps to ``WireProtocol/maxBatch`` bodies and the receiver's size limit.
    public static func batch(_ messages: some Collection<[[UInt8]]>) -> [[UInt8]] {
        guard let first = messages.first else { return [] }
        var frames: [[UInt8]] = [first[0], first[1]]
        frames.reserveCapacity(2 + messages.count)
        for message in messages {
            precondition(message.count == 3 && message[1] == first[1], "a batch holds single messages of one command")
            frames.append(message[2])
        }
        return frames
    }
}

/// Splitting ROUTER messages into the envelope to reply with and the protocol frames.
public enum RouterEnvelope {
    /// `[identity, ("" if the peer is a REQ socket), payload…]` → (envelope, payload).
    ///
    /// The envelope is the identity frame plus, when the next frame is empty, that delimiter
    /// (REQ sockets add it; protocol frames are never empty at that position). Send a reply as
    /// `envelope + replyFrames`. Returns `nil` for a message with no payload.
    public static func split(_ frames: [[UInt8]]) -> (envelope: [[UInt8]], payload: [[UInt8]])? {
        guard frames.count >= 2 else { return nil }
        let envelopeCount = frames[1].isEmpty ? 2 : 1
        guard frames.count > envelopeCount else { return nil }
        return (Array(frames[0..<envelopeCount]), Array(frames[envelopeCount...]))
    }
}
