import Foundation
import GongkaiCorpus
import GongkaiDecode
import GongkaiStore
import Synchronization
import GongkaiWire
import XCTest
import ZeroMQ

/// A `gongkai serve` process started by a test, with its own run directory and store, and a
/// control client that speaks the control protocol directly (REQ socket + GongkaiWire).
final class ServeProcess {
    let runDirectory: String
    let storePath: String
    let logPath: String
    let process: Process

    var pid: Int32 { process.processIdentifier }
    var controlEndpoint: String { "ipc://\(runDirectory)/control.sock" }
    var workEndpoint: String { "ipc://\(runDirectory)/work.sock" }

    /// Starts `gongkai serve --workers N --run-dir … --store … ARGS`; stderr goes to `logPath`.
    init(runDirectory: String, storePath: String, workers: Int, arguments: [String] = [],
         environment: [String: String] = [:], logName: String = "serve") throws {
        self.runDirectory = runDirectory
        self.storePath = storePath
        logPath = (runDirectory as NSString).deletingLastPathComponent + "/\(logName)-\(UUID().uuidString.prefix(4)).log"
        process = try Harness.launch(["serve", "--workers", "\(workers)", "--run-dir", runDirectory, "--store", storePath] + arguments,
                                     environment: environment, logPath: logPath)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    // MARK: Control protocol

    /// One request, one reply, on a fresh REQ socket (nil when no reply came in time).
    func request(_ frames: [[UInt8]], timeout: Int = 5000) throws -> [[UInt8]]? {
        try Control.request(frames, endpoint: controlEndpoint, timeout: timeout)
    }

    func status(job: Int? = nil) throws -> StatusReport {
        guard let frames = try request(ControlRequest.status(job: job).encode()) else {
            throw ClusterTestError("no STATUS reply from \(controlEndpoint)")
        }
        return try StatusReport.decode(frames)
    }

    func submit(_ submit: SubmitRequest) throws -> Int {
        guard let frames = try request(ControlRequest.submit(submit).encode()) else { throw ClusterTestError("no SUBMIT reply") }
        guard case .submitted(let job) = try ControlReply.decode(frames, for: .submit) else {
            throw ClusterTestError("SUBMIT refused: \(try ControlReply.decode(frames, for: .submit))")
        }
        return job
    }

    /// Polls STATUS until the coordinator is up with `workers` registered workers.
    func waitUntilReady(workers: Int, timeout: TimeInterval = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !process.isRunning { throw ClusterTestError("serve exited with \(process.terminationStatus):\n\(log)") }
            if let report = try? status(), let stats = report.stats, stats.workers >= workers { return }
            usleep(50_000)
        }
        throw ClusterTestError("serve did not get \(workers) worker(s) within \(timeout) s:\n\(log.suffix(3000))")
    }

    /// Polls STATUS until the job is done; `onPoll` runs between polls (e.g. to kill a worker).
    @discardableResult
    func waitForJob(_ job: Int, timeout: TimeInterval = 120, onPoll: () throws -> Void = {}) throws -> GongkaiWire.JobStatus {
        let deadline = Date().addingTimeInterval(timeout)
        var last: GongkaiWire.JobStatus?
        while Date() < deadline {
            if !process.isRunning { throw ClusterTestError("serve exited with \(process.terminationStatus):\n\(log.suffix(3000))") }
            if let report = try? status(job: job), let s = report.jobs.first {
                last = s
                if s.state == "done" { return s }
            }
            try onPoll()
            usleep(100_000)
        }
        throw ClusterTestError("job \(job) not done within \(timeout) s (last status \(String(describing: last))):\n\(log.suffix(4000))")
    }

    // MARK: Processes

    /// The worker processes this coordinator started (its children).
    var workerPids: [Int32] { Procs.children(of: pid) }

    func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits for serve to exit; returns its exit status, or nil on timeout.
    func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Kills serve and every process that connects to its run directory (its workers, orphans).
    func killEverything() {
        if process.isRunning { kill(pid, SIGKILL) }
        for other in Procs.mentioning(runDirectory) { kill(other, SIGKILL) }
        _ = waitForExit(timeout: 5)
    }
}

/// A `gongkai` process other than serve, with its standard error in a log file.
final class BackgroundProcess {
    let process: Process
    let logPath: String

    init(_ arguments: [String], logPath: String) throws {
        self.logPath = logPath
        process = try Harness.launch(arguments, logPath: logPath)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until the log contains `text`; false on timeout.
    func waitForLog(_ text: String, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if log.contains(text) { return true }
            usleep(50_000)
        }
        return log.contains(text)
    }

    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

extension Harness {
    /// Starts `gongkai ARGS` in the background: stdin and stdout /dev/null, stderr into a new file at `logPath`.
    static func launch(_ arguments: [String], environment: [String: String] = [:], logPath: String) throws -> Process {
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try process.run()
        return process
    }
}

struct ClusterTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum Control {
    /// Sends one request on a fresh REQ socket and waits up to `timeout` ms for the reply.
    static func request(_ frames: [[UInt8]], endpoint: String, timeout: Int = 5000) throws -> [[UInt8]]? {
        let context = try ZMQContext()
        defer { context.terminate() }
        let socket = try context.socket(.req)
        defer { socket.close() }
        try socket.set([.linger(milliseconds: 0), .receiveTimeout(milliseconds: timeout), .sendTimeout(milliseconds: timeout)])
        try socket.connect(endpoint)
        guard try socket.send(frames: frames) else { return nil }
        do {
            return try socket.receiveMultipart()
        } catch .again {
            return nil
        }
    }
}

/// Processes seen through /proc.
enum Procs {
    /// Processes whose parent is `pid`.
    static func children(of pid: Int32) -> [Int32] {
        allPids().filter { parent(of: $0) == pid }
    }

    static func parent(of pid: Int32) -> Int32? {
        let fields = statFields("/proc/\(pid)/stat")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }

    /// The niceness of each thread of `pid`.
    static func niceness(of pid: Int32) -> [Int] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.compactMap { task in
            let fields = statFields("/proc/\(pid)/task/\(task)/stat")
            return fields.count > 16 ? Int(fields[16]) : nil  // field 19 of stat(5)
        }
    }

    /// The fields of a `stat` file after the command name (field 3 onwards).
    private static func statFields(_ path: String) -> [Substring] {
        guard let stat = try? String(contentsOfFile: path, encoding: .utf8), let close = stat.lastIndex(of: ")") else { return [] }
        return stat[stat.index(after: close)...].split(separator: " ")
    }

    /// Live (not zombie) processes whose command line mentions `text`, other than this one.
    static func mentioning(_ text: String) -> [Int32] {
        let me = getpid()
        return allPids().filter { pid in
            guard pid != me, let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let cmdline = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return cmdline.contains(text) && !isZombie(pid)
        }
    }

    static func isZombie(_ pid: Int32) -> Bool {
        let fields = statFields("/proc/\(pid)/stat")
        return fields.isEmpty || fields[0] == "Z"
    }

    static func allPids() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
    }

    /// Waits until no live process mentions `text`; returns the ones left.
    static func waitUntilGone(_ text: String, timeout: TimeInterval) -> [Int32] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if mentioning(text).isEmpty { return [] }
            usleep(50_000)
        }
        return mentioning(text)
    }
}

/// A test case that owns temporary directories and serve processes, and cleans all of them up
/// (processes first, by pid) even when the test fails.
class ClusterTestCase: XCTestCase {
    private var servers: [ServeProcess] = []
    private var others: [BackgroundProcess] = []
    private var directories: [URL] = []

    func temporaryDirectory(_ name: String) throws -> URL {
        let url = try Harness.temporaryDirectory(name)
        directories.append(url)
        return url
    }

    /// Starts serve in `dir` (run dir `dir/r`, store `dir/store.sqlite` unless given).
    func startServe(in dir: URL, workers: Int = 2, store: String? = nil, arguments: [String] = [],
                    environment: [String: String] = [:], logName: String = "serve") throws -> ServeProcess {
        let serve = try ServeProcess(runDirectory: dir.path + "/r", storePath: store ?? dir.path + "/store.sqlite",
                                     workers: workers, arguments: arguments, environment: environment, logName: logName)
        servers.append(serve)
        return serve
    }

    /// Starts `gongkai ARGS` in the background (e.g. a worker on another "host"), stderr to a log
    /// beside `dir`; killed in `tearDown`.
    func startGongkai(_ arguments: [String], in dir: URL, logName: String) throws -> BackgroundProcess {
        let process = try BackgroundProcess(arguments, logPath: dir.path + "/\(logName).log")
        others.append(process)
        return process
    }

    override func tearDown() {
        let failed = (testRun?.failureCount ?? 0) + (testRun?.unexpectedExceptionCount ?? 0) > 0
        for other in others {
            if failed { print("---- \(other.logPath) (last 30 lines)\n" + other.log.split(separator: "\n").suffix(30).joined(separator: "\n")) }
            other.kill()
        }
        others = []
        for serve in servers {
            if failed { print("---- \(serve.logPath) (last 60 lines)\n" + serve.log.split(separator: "\n").suffix(60).joined(separator: "\n")) }
            serve.killEverything()
        }
        servers = []
        for dir in directories { try? FileManager.default.removeItem(at: dir) }
        directories = []
        super.tearDown()
    }
}

/// Corpora generated once per test run with `gongkai corpus generate`, shared read-only by the tests.
enum ClusterCorpus {
    static let seed: UInt64 = 20_240_131
    static let errorRate = 0.1

    private final class Cache: Sendable {
        let directories = Mutex<[Int: URL]>([:])
    }

    private static let cache = Cache()

    /// A directory of `count` generated reports (plus manifest.jsonl), made on first use.
    static func directory(count: Int) throws -> URL {
        try cache.directories.withLock { directories in
            if let dir = directories[count] { return dir }
            let dir = URL(fileURLWithPath: "/tmp/gk-corpus\(count)-\(getpid())")
            try? FileManager.default.removeItem(at: dir)
            let result = try Harness.run(["corpus", "generate", "--count", "\(count)", "--out", dir.path, "--seed", "\(seed)",
                                          "--error-rate", "\(errorRate)"], timeout: 300)
            guard result.status == 0 else { throw ClusterTestError("corpus generate failed: \(result.stderr)") }
            directories[count] = dir
            return dir
        }
    }

    static func removeAll() {
        cache.directories.withLock { directories in
            for dir in directories.values { try? FileManager.default.removeItem(at: dir) }
            directories = [:]
        }
    }
}

extension ClusterTestCase {
    /// The generator of the ``ClusterCorpus`` corpora, for their true values.
    var generator: CorpusGenerator {
        CorpusGenerator(options: .init(seed: ClusterCorpus.seed, errorRate: ClusterCorpus.errorRate))
    }

    // MARK: - Checks against the store

    /// Compares stored reports with the generator's truth (all, or every `count / sample`-th one);
    /// returns the content hashes of all `count` generated files.
    @discardableResult
    func assertStoredAsGenerated(_ store: SummaryStore, count: Int, sample: Int? = nil) throws -> Set<String> {
        let generator = self.generator
        let step = sample.map { max(1, count / $0) } ?? 1
        var hashes = Set<String>()
        var failures = 0
        for i in 0..<count {
            let generated = generator.report(i)
            let hash = DocumentReader.sha256Hex(generated.bytes)
            hashes.insert(hash)
            guard i % step == 0, failures < 10 else { continue }
            guard let stored = try store.report(sha256: hash) else {
                XCTFail("\(generated.fileName) (\(hash)) is not stored")
                failures += 1
                continue
            }
            let truth = generated.truth
            let before = testRun?.failureCount ?? 0
            XCTAssertEqual(stored.status, .ok, generated.fileName)
            XCTAssertEqual(stored.year, truth.year, generated.fileName)
            XCTAssertEqual(stored.agency, truth.agency, generated.fileName)
            XCTAssertEqual(stored.region, truth.region, generated.fileName)
            XCTAssertEqual(stored.published, truth.published, generated.fileName)
            XCTAssertEqual(stored.sections, truth.sections, generated.fileName)
            XCTAssertEqual(stored.table2, truth.table2, generated.fileName)
            XCTAssertEqual(stored.table3, truth.table3, generated.fileName)
            XCTAssertEqual(stored.table4, truth.table4, generated.fileName)
            XCTAssertEqual(stored.narrative, truth.narrative, generated.fileName)
            for injected in generated.errors {
                XCTAssertTrue(stored.findings.contains { $0.rule == injected.rule }, "\(generated.fileName): \(injected.rule) not stored")
            }
            if (testRun?.failureCount ?? 0) > before { failures += 1 }
        }
        return hashes
    }

    func assertEveryTaskDone(_ store: SummaryStore, job: Int, expected: Int) throws {
        var done = 0
        var other: [String] = []
        try store.results(job: Int64(job)) { row in
            if row.state == .done { done += 1 } else if row.state != .quarantined { other.append(row.path) }
        }
        XCTAssertEqual(done, expected)
        XCTAssertEqual(other, [], "tasks not done")
    }
}
