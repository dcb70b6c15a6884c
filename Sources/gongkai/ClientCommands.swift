// The commands scripts use against a running coordinator: submit, status, results, summary, shutdown.
// submit/status/shutdown speak the control protocol (docs/wire-protocol.md §7); results and summary read
// the summary store directly, read-only, so they work while the server runs and after it has stopped.

import ArgumentParser
import Foundation
import GongkaiCluster
import GongkaiCore
import GongkaiPostgres
import GongkaiStore
import GongkaiWire
import ZeroMQ

/// Where the coordinator is: its run directory (found without being told) or an explicit endpoint.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: "The coordinator's run directory (default: $GONGKAI_RUN_DIR, $XDG_RUNTIME_DIR/gongkai or /tmp/gongkai-<uid>).")
    var runDir: String?

    @Option(name: .long, help: "The coordinator's control endpoint, e.g. tcp://host:5556 (default: ipc://<run-dir>/control.sock).")
    var endpoint: String?

    @Option(name: .long, help: "Seconds to wait for each reply.")
    var timeout: Double = 10

    @Option(name: .long, help: "With a tcp:// --endpoint: this client's CURVE secret key file (its public key must be in the coordinator's --authorized-keys).")
    var key: String?

    @Option(name: .long, help: "With a tcp:// --endpoint: the coordinator's CURVE public key file.")
    var serverKey: String?

    var runDirectory: String { runDir ?? RunDirectory.defaultPath }
    var controlEndpoint: String { endpoint ?? "ipc://\(runDirectory)/control.sock" }

    func validate() throws {
        let tcp = controlEndpoint.hasPrefix("tcp://")
        if tcp && (key == nil || serverKey == nil) {
            throw ValidationError("--endpoint \(controlEndpoint) needs --key and --server-key: tcp control endpoints are CURVE-authenticated")
        }
        if !tcp && (key != nil || serverKey != nil) {
            throw ValidationError("--key and --server-key are for a tcp:// --endpoint")
        }
    }

    func client() throws -> ControlClient {
        guard let key else { return ControlClient(endpoint: controlEndpoint, timeout: timeout) }
        do {
            let curve = try CurveClientKeys.load(key: key, serverKey: serverKey ?? "")
            return ControlClient(endpoint: controlEndpoint, timeout: timeout, curve: curve)
        } catch {
            throw CleanError("\(error)")
        }
    }
}

/// Where the summary store is: --store, else the path the running (or last) server wrote into its run
/// directory, else the default data directory.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "The summary store: an SQLite file, or postgres://user:password@host:port/database. Default: the one the server in --run-dir uses."
    )
    var store: String?

    @Option(name: .long, help: "The coordinator's run directory, to find its store.")
    var runDir: String?

    func open() throws -> any SummaryStoring {
        let location = StoreLocation(try resolvedPath())
        if case .sqlite(let path) = location, !FileManager.default.fileExists(atPath: path) {
            throw CleanError("no summary store at \(path): start `gongkai serve` first, or give --store")
        }
        return try SummaryStores.open(location, readOnly: true)
    }

    func resolvedPath() throws -> String {
        if let store { return store }
        let runDirectory = runDir ?? RunDirectory.defaultPath
        if let text = try? String(contentsOfFile: runDirectory + "/store.path", encoding: .utf8) {
            let path = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !path.isEmpty { return path }
        }
        return ServePaths.defaultStorePath
    }
}

/// An error whose message is all the user needs (no usage text).
struct CleanError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One request, one reply, over a fresh REQ socket with a receive timeout ("Lazy Pirate"): a lost reply or
/// a dead coordinator can never wedge the client in REQ's send/receive state machine.
struct ControlClient {
    let endpoint: String
    let timeout: Double
    /// Keys for a tcp endpoint (CURVE).
    var curve: CurveClientKeys? = nil

    func request(_ request: ControlRequest) throws -> ControlReply {
        let reply = try ControlReply.decode(try exchange(request), for: request.verb)
        if case .error(let message) = reply { throw CleanError("coordinator refused: \(message)") }
        return reply
    }

    /// STATUS with the coordinator's counters.
    func statusReport(job: Int?) throws -> StatusReport {
        do {
            return try StatusReport.decode(try exchange(.status(job: job)))
        } catch let error as WireError {
            throw CleanError("\(error)")
        }
    }

    /// Sends one request and returns the reply's frames.
    func exchange(_ request: ControlRequest) throws -> [[UInt8]] {
        let context = try ZMQContext(ioThreads: 1)
        defer { context.terminate() }
        let socket = try context.socket(.req)
        defer { socket.close() }
        try socket.set([.linger(milliseconds: 0), .receiveTimeout(milliseconds: Int(timeout * 1000)),
                        .sendTimeout(milliseconds: Int(timeout * 1000)), .immediate(false)])
        if let curve { try socket.set(curve.socketOptions) }
        do {
            try socket.connect(endpoint)
        } catch {
            throw CleanError("cannot connect to \(endpoint): \(error)")
        }
        guard try socket.send(frames: request.encode()) else {
            throw CleanError("no coordinator at \(endpoint) (send timed out); is `gongkai serve` running?")
        }
        var received: [[UInt8]]? = nil
        do {
            received = try socket.receiveMultipart()
        } catch {
            if error != .again { throw error }
        }
        guard let frames = received else {
            throw CleanError("no reply from \(endpoint) within \(Int(timeout)) s; is `gongkai serve` running?")
        }
        return frames
    }

    func status(job: Int?) throws -> [GongkaiWire.JobStatus] {
        guard case .status(let jobs) = try request(.status(job: job)) else { throw CleanError("unexpected reply to STATUS") }
        return jobs
    }
}

// MARK: - submit

struct Submit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Submit files or directories as a job; prints the job id.",
        discussion: """
            Paths are made absolute and must be readable by the coordinator. Use - to read paths from \
            standard input, one per line. With --wait, shows progress on a terminal and exits 1 if any \
            file failed (unreadable, not a report, quarantined), 0 otherwise.
            """
    )

    @Argument(help: "Report files or directories; - reads a list of paths from standard input.")
    var paths: [String]

    @Flag(name: .long, help: "Walk directories recursively.")
    var recursive = false

    @Option(name: .long, help: "Only files whose name matches this shell pattern inside directories, e.g. '*.txt'.")
    var glob: String?

    @Option(name: .long, help: "A name for the job.")
    var name: String?

    @Flag(name: .long, help: "Wait until the job is done; show progress on a terminal.")
    var wait = false

    @Flag(name: .long, help: "Print JSON (the job id, or the final status with --wait).")
    var json = false

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        if paths.isEmpty { throw ValidationError("Give at least one file or directory, or - for a list on standard input.") }
    }

    func run() throws {
        var list: [String] = []
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : cwd + "/" + p }
        for p in paths {
            if p == "-" {
                while let line = readLine(strippingNewline: true) {
                    let trimmed = line.trimmingCharacters(in: .whitespaces)
                    if !trimmed.isEmpty { list.append(absolute(trimmed)) }
                }
            } else {
                list.append(absolute(p))
            }
        }
        guard !list.isEmpty else { throw CleanError("no paths given on standard input") }
        let client = try connection.client()
        let job = try SubmitSession.submit(list, recursive: recursive, glob: glob, name: name, client: client)
        guard wait else {
            FileOutput.stdout.write(json ? "{\"job\":\(job)}\n" : "\(job)\n")
            return
        }
        let final = try Progress.wait(job: job, client: client, showBar: FileOutput.stderr.isTerminal && !json)
        if json {
            // The same shape as `gongkai status --json`: {"jobs": [...], "stats": {...}}.
            let report = try client.statusReport(job: job)
            FileOutput.stdout.write(StatusView.json(report.jobs, stats: report.stats) + "\n")
        } else {
            FileOutput.stdout.write(StatusView.line(final) + "\n")
        }
        if final.failed + final.quarantined > 0 { throw ExitCode(1) }
    }
}

enum SubmitSession {
    /// The largest share of the 1 MiB JSON limit one request's path list may take.
    static let requestBudget = 900 * 1024

    /// Submits `paths` as one job: one SUBMIT when the list fits a request, else SUBMIT (open) and APPENDs.
    static func submit(_ paths: [String], recursive: Bool, glob: String?, name: String?, client: ControlClient) throws -> Int {
        var chunks: [[String]] = [[]]
        var size = 0
        for p in paths {
            let cost = p.utf8.count + 8
            if size + cost > requestBudget && !chunks[chunks.count - 1].isEmpty {
                chunks.append([])
                size = 0
            }
            chunks[chunks.count - 1].append(p)
            size += cost
        }
        if chunks.count == 1 {
            let reply = try client.request(.submit(SubmitRequest(paths: chunks[0], recursive: recursive, glob: glob, name: name)))
            guard case .submitted(let job) = reply else { throw CleanError("unexpected reply to SUBMIT") }
            return job
        }
        return try appendInChunks(chunks, recursive: recursive, glob: glob, name: name, client: client)
    }
}

// MARK: - status

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show jobs and their progress (all jobs, or one).")

    @Argument(help: "A job id (default: every job).")
    var job: Int?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let report = try connection.client().statusReport(job: job)
        if json {
            FileOutput.stdout.write(StatusView.json(report.jobs, stats: report.stats) + "\n")
            return
        }
        FileOutput.stdout.write(report.jobs.isEmpty ? "no jobs\n" : StatusView.table(report.jobs))
        if let s = report.stats {
            FileOutput.stdout.write("\ncoordinator: \(s.workers) worker(s), \(s.inFlight) in flight, \(s.queued) queued, "
                + "\(s.uncommitted) uncommitted, \(s.committed) committed, \(s.workerRestarts) worker restart(s), "
                + "\(s.quarantined) quarantined, \(s.malformedDropped.work + s.malformedDropped.control) malformed message(s) dropped, "
                + StatusView.refusals(s) + "up \(Int(s.uptimeSeconds)) s\n")
        }
    }
}

enum StatusView {
    /// "N connection(s) refused, " when a coordinator with the counters refused any.
    static func refusals(_ s: ClusterStats) -> String {
        let refused = (s.zapRefused ?? 0) + (s.handshakeFailed ?? 0)
        return refused == 0 ? "" : "\(refused) connection(s) refused (\(s.zapRefused ?? 0) unlisted or foreign, \(s.handshakeFailed ?? 0) failed handshake), "
    }

    static func line(_ s: GongkaiWire.JobStatus) -> String {
        "job \(s.job) \(s.state): \(s.done + s.failed + s.quarantined)/\(s.total) finished — \(s.done) done, \(s.failed) failed, \(s.quarantined) quarantined"
            + (s.walkComplete ? "" : " (still walking)")
    }

    static func table(_ jobs: [GongkaiWire.JobStatus]) -> String {
        var out = "job    state      total      done    failed  quarantined  created\n"
        for s in jobs {
            func col(_ v: Int, _ w: Int) -> String { let t = String(v); return String(repeating: " ", count: max(0, w - t.count)) + t }
            let state = s.state + String(repeating: " ", count: max(0, 9 - s.state.count))
            out += String(s.job).padding(toLength: 6, withPad: " ", startingAt: 0) + " " + state + col(s.total, 7)
                + col(s.done, 10) + col(s.failed, 10) + col(s.quarantined, 13) + "  " + s.created
                + (s.walkComplete ? "" : "  (walking)") + "\n"
        }
        return out
    }

    /// `{"jobs": [...], "stats": {...}}` as the coordinator sent them (with --json).
    static func json(_ jobs: [GongkaiWire.JobStatus], stats: ClusterStats?) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(StatusReport(jobs: jobs, stats: stats))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// `--wait`: polls STATUS; on a terminal, a progress bar with files done/failed, rate and ETA.
enum Progress {
    static func wait(job: Int, client: ControlClient, showBar: Bool) throws -> GongkaiWire.JobStatus {
        let start = Date()
        var lastDrawn = Date.distantPast
        var misses = 0
        while true {
            let jobs: [GongkaiWire.JobStatus]
            do {
                jobs = try client.status(job: job)
                misses = 0
            } catch {
                // The coordinator may be restarting (it resumes jobs); give it a while before giving up.
                misses += 1
                if misses > 30 { throw CleanError("lost the coordinator while waiting for job \(job): \(error)") }
                Thread.sleep(forTimeInterval: 1)
                continue
            }
            guard let s = jobs.first else { throw CleanError("job \(job) is unknown to the coordinator") }
            let finished = s.done + s.failed + s.quarantined
            if showBar && Date().timeIntervalSince(lastDrawn) > 0.2 {
                FileOutput.stderr.write("\r" + bar(s, elapsed: Date().timeIntervalSince(start)))
                FileOutput.stderr.flush()
                lastDrawn = Date()
            }
            if s.state == "done" || s.state == "cancelled" || (s.walkComplete && finished >= s.total) {
                if showBar {
                    FileOutput.stderr.write("\r" + bar(s, elapsed: Date().timeIntervalSince(start)) + "\n")
                    FileOutput.stderr.flush()
                }
                return s
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    static func bar(_ s: GongkaiWire.JobStatus, elapsed: Double) -> String {
        let finished = s.done + s.failed + s.quarantined
        let width = 30
        let fraction = s.total > 0 ? min(1, Double(finished) / Double(s.total)) : 0
        let filled = Int(fraction * Double(width))
        let rate = elapsed > 0 ? Double(finished) / elapsed : 0
        var eta = "?"
        if rate > 0 && s.walkComplete {
            let left = Int(Double(s.total - finished) / rate)
            eta = "\(left / 60):" + String(format: "%02d", left % 60)
        }
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            + "\(finished)/\(s.total)\(s.walkComplete ? "" : "+") · \(s.done) ok · \(s.failed) failed · \(s.quarantined) quarantined · "
            + "\(Int(rate))/s · ETA \(eta)   "
    }
}

// MARK: - results

struct Results: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a job's results from the summary store as NDJSON or CSV.",
        discussion: "One line per file: path, status, content hash, agency, year, error and warning counts and key totals. --full prints each document's full report JSON instead."
    )

    @Argument(help: "The job id.")
    var job: Int64

    @Option(name: .long, help: "ndjson or csv.")
    var format: ExportFormatArgument = .ndjson

    @Flag(name: .long, help: "Print the full report JSON (schema v1) of every stored document of the job.")
    var full = false

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let store = try storeOptions.open()
        guard try store.jobStatus(job: job) != nil else { throw CleanError("job \(job) is not in the store") }
        let out = FileOutput.stdout
        if full {
            var hashes: [String] = []
            try store.results(job: job) { row in if let h = row.sha256, row.duplicate != true { hashes.append(h) } }
            var w = JSONWriter()
            for h in hashes {
                guard let report = try store.report(sha256: h) else { continue }
                w.reset()
                report.writeJSON(to: &w)
                out.write(w.bytes)
                out.write([0x0A])
            }
            return
        }
        try store.exportResults(job: job, format: format == .csv ? .csv : .ndjson) { out.write($0) }
    }
}

enum ExportFormatArgument: String, ExpressibleByArgument, CaseIterable {
    case ndjson, csv
}

// MARK: - summary

struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Totals over every stored report: per year, region or agency, findings per rule, and cross-report checks."
    )

    @Option(name: .long, help: "Group by year, region or agency.")
    var by: SummaryDimensionArgument = .year

    @Option(name: .long, help: "table, csv or json.")
    var format: SummaryFormat = .table

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let store = try storeOptions.open()
        let rows = try store.summary(by: by.dimension)
        let rules = try store.findingsByRule()
        let cross = try store.crossReportFindings()
        let out = FileOutput.stdout
        switch format {
        case .json:
            out.write(SummaryView.json(rows, rules: rules, cross: cross, by: by.rawValue) + "\n")
        case .csv:
            out.write(SummaryView.csv(rows, by: by.rawValue))
        case .table:
            out.write(SummaryView.table(rows, by: by.rawValue))
            if !rules.isEmpty {
                out.write("\nfindings per rule\n")
                for r in rules {
                    out.write("  " + r.rule.padding(toLength: 32, withPad: " ", startingAt: 0) + r.severity.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0) + String(r.count) + "\n")
                }
            }
            out.write("\ncross-report checks (same agency, consecutive years): \(cross.count) mismatches\n")
            for c in cross.prefix(20) {
                out.write("  \(c.rule.rawValue) \(c.agency) \(c.year): \(c.cell) = \(c.found), expected \(c.expected)\n")
            }
            if cross.count > 20 { out.write("  … \(cross.count - 20) more (use --format json)\n") }
        }
    }
}

enum SummaryDimensionArgument: String, ExpressibleByArgument, CaseIterable {
    case year, region, agency
    var dimension: SummaryDimension {
        switch self {
        case .year: return .year
        case .region: return .region
        case .agency: return .agency
        }
    }
}

enum SummaryFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

enum SummaryView {
    static let header = ["reports", "reports_with_errors", "applications_received", "granted_share", "reviews", "lawsuits",
                         "corrected_share_reviews", "corrected_share_lawsuits"]

    static func share(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "" }

    static func table(_ rows: [SummaryRow], by: String) -> String {
        var out = by.padding(toLength: 28, withPad: " ", startingAt: 0)
            + "reports  w/errors  applications  granted  reviews  lawsuits  corrected(rev)  corrected(law)\n"
        func r(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        for row in rows {
            let key = row.key ?? "(unknown)"
            let keyWidth = key.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 ? 2 : 1) }
            out += key + String(repeating: " ", count: max(1, 28 - keyWidth))
                + r(String(row.reports), 7) + r(String(row.reportsWithErrors), 10) + r(String(row.applicationsReceived), 14)
                + r(share(row.grantedShare), 9) + r(String(row.reviews), 9) + r(String(row.lawsuits), 10)
                + r(share(row.correctedShareOfReviews), 16) + r(share(row.correctedShareOfLawsuits), 16) + "\n"
        }
        return out
    }

    static func csv(_ rows: [SummaryRow], by: String) -> String {
        var out = ([by] + header).joined(separator: ",") + "\r\n"
        for row in rows {
            out += [CSV.field(row.key ?? ""), String(row.reports), String(row.reportsWithErrors), String(row.applicationsReceived),
                    share(row.grantedShare), String(row.reviews), String(row.lawsuits), share(row.correctedShareOfReviews),
                    share(row.correctedShareOfLawsuits)].joined(separator: ",") + "\r\n"
        }
        return out
    }

    static func json(_ rows: [SummaryRow], rules: [(rule: String, severity: Severity, count: Int)], cross: [CrossReportFinding], by: String) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.key("by"); w.stringValue(by)
        w.key("rows"); w.beginArray()
        for row in rows {
            w.beginObject()
            w.key(by); w.string(optional: row.key)
            w.key("reports"); w.int(Int64(row.reports))
            w.key("reports_with_errors"); w.int(Int64(row.reportsWithErrors))
            w.key("applications_received"); w.int(row.applicationsReceived)
            w.key("granted_share"); w.double(row.grantedShare)
            w.key("reviews"); w.int(row.reviews)
            w.key("lawsuits"); w.int(row.lawsuits)
            w.key("corrected_share_reviews"); w.double(row.correctedShareOfReviews)
            w.key("corrected_share_lawsuits"); w.double(row.correctedShareOfLawsuits)
            w.endObject()
        }
        w.endArray()
        w.key("findings_by_rule"); w.beginArray()
        for r in rules {
            w.beginObject()
            w.key("rule"); w.stringValue(r.rule)
            w.key("severity"); w.stringValue(r.severity.rawValue)
            w.key("count"); w.int(Int64(r.count))
            w.endObject()
        }
        w.endArray()
        w.key("cross_report"); w.beginArray()
        for c in cross {
            w.beginObject()
            w.key("rule"); w.stringValue(c.rule.rawValue)
            w.key("agency"); w.stringValue(c.agency)
            w.key("year"); w.int(Int64(c.year))
            w.key("cell"); w.stringValue(c.cell)
            w.key("found"); w.int(c.found)
            w.key("expected"); w.int(c.expected)
            w.key("sha256"); w.stringValue(c.sha256)
            w.key("previous_sha256"); w.stringValue(c.previousSha256)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}

// MARK: - shutdown

struct Shutdown: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop the coordinator gracefully: in-flight work is finished and committed, workers stop, sockets are removed."
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .long, help: "Seconds to wait for the coordinator to exit.")
    var wait: Double = 60

    func run() throws {
        let pidFile = connection.runDirectory + "/coordinator.pid"
        let pid = RunDirectory.readPid(path: pidFile)
        _ = try connection.client().request(.shutdown)
        guard let pid else { return }
        // The coordinator removes its pid file as the last step of a clean stop; a process that is gone
        // (or a zombie its parent has not reaped yet) has stopped too.
        func running() -> Bool {
            guard kill(pid, 0) == 0, FileManager.default.fileExists(atPath: pidFile) else { return false }
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            return !(stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? false)
        }
        let deadline = Date().addingTimeInterval(wait)
        while running() && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if running() { throw CleanError("coordinator (pid \(pid)) still running after \(Int(wait)) s") }
        FileOutput.stderr.write("coordinator stopped\n")
    }
}

extension SubmitSession {
    /// A list too long for one request: SUBMIT the first chunk with `open`, APPEND the rest, close with the last.
    static func appendInChunks(_ chunks: [[String]], recursive: Bool, glob: String?, name: String?, client: ControlClient) throws -> Int {
        let first = try client.request(.submit(SubmitRequest(paths: chunks[0], recursive: recursive, glob: glob, name: name, open: true)))
        guard case .submitted(let job) = first else { throw CleanError("unexpected reply to SUBMIT") }
        for (index, chunk) in chunks.dropFirst().enumerated() {
            let close = index == chunks.count - 2
            guard case .appended = try client.request(.append(AppendRequest(job: job, paths: chunk, close: close))) else {
                throw CleanError("unexpected reply to APPEND")
            }
        }
        return job
    }
}
