// Micro-benchmarks of the hot paths, one layer each, so that a regression in one layer shows on
// its own: decode (bytes → UTF-8), SHA-256, parse+validate, JSON output, the wire codec of
// results, and the store's batched commit. Inputs come from the corpus generator in memory
// (seed 1, the same reports every run), so no files are needed.
//
//   cd bench/micro && swift package benchmark                 # all, with a table per benchmark
//   swift package benchmark --filter 'parse.*'                 # some
//   swift package benchmark baseline update main               # keep a baseline …
//   swift package benchmark baseline compare main              # … and compare a change against it

import Benchmark
import Foundation
import Synchronization
import GongkaiCore
import GongkaiCorpus
import GongkaiDecode
import GongkaiStore
import GongkaiWire

/// The inputs every benchmark draws from: 512 generated reports (mixed encodings as generated),
/// their UTF-8 text, and their parsed reports.
struct Inputs: Sendable {
    let raw: [[UInt8]]
    let utf8: [[UInt8]]
    let gb18030: [[UInt8]]
    let reports: [Report]
    let encoded: [[UInt8]]

    static let shared = Inputs(count: 512)

    init(count: Int) {
        let generator = CorpusGenerator(options: .init(seed: 1, errorRate: 0.05))
        raw = (0..<count).map { generator.report($0).bytes }
        utf8 = raw.map { bytes in
            guard case .success(let decoded) = TextDecoder.decode(bytes) else { fatalError("generated report does not decode") }
            return decoded.utf8
        }
        gb18030 = utf8.compactMap { GB18030.encode($0) }
        reports = zip(raw, 0...).map { DocumentReader.report(bytes: $0, source: "report-\($1).txt") }
        encoded = reports.map { ReportCodec.encode($0) }
    }

    var utf8Bytes: Int { utf8.reduce(0) { $0 + $1.count } / utf8.count }
}

/// Runs `body` once per scaled iteration over the inputs in turn.
func cycle<T>(_ items: [T], _ benchmark: Benchmark, _ body: (T) -> Void) {
    var index = benchmark.currentIteration &* 7919
    for _ in benchmark.scaledIterations {
        body(items[index % items.count])
        index &+= 1
    }
}

/// 1,000 reports per iteration, up to 3 s or 1,000 iterations per benchmark.
var perReport: Benchmark.Configuration {
    .init(metrics: [.wallClock, .throughput, .cpuTotal, .mallocCountTotal], scalingFactor: .kilo,
          maxDuration: .seconds(3), maxIterations: 1000)
}

let benchmarks: @Sendable () -> Void = {
    let inputs = Inputs.shared

    Benchmark("decode utf-8 (bytes → normalised UTF-8)", configuration: perReport) { benchmark in
        cycle(inputs.utf8, benchmark) { blackHole(TextDecoder.decode($0)) }
    }
    Benchmark("decode gb18030", configuration: perReport) { benchmark in
        cycle(inputs.gb18030, benchmark) { blackHole(TextDecoder.decode($0)) }
    }
    Benchmark("sha256 of a report", configuration: perReport) { benchmark in
        cycle(inputs.raw, benchmark) { blackHole(DocumentReader.sha256Hex($0)) }
    }
    Benchmark("parse+validate (UTF-8 in memory)", configuration: perReport) { benchmark in
        cycle(inputs.utf8, benchmark) { blackHole(ReportParser.parse(utf8: $0, source: "x")) }
    }
    Benchmark("read whole (decode+hash+parse+validate)", configuration: perReport) { benchmark in
        cycle(inputs.raw, benchmark) { blackHole(DocumentReader.report(bytes: $0, source: "x")) }
    }
    Benchmark("report JSON", configuration: perReport) { benchmark in
        cycle(inputs.reports, benchmark) { blackHole($0.jsonBytes()) }
    }
    Benchmark("wire encode result", configuration: perReport) { benchmark in
        cycle(inputs.reports, benchmark) {
            blackHole(WorkerMessage.encodeResult(taskId: 1, attempt: 1, elapsedMicros: 50, report: $0))
        }
    }
    Benchmark("wire decode result", configuration: perReport) { benchmark in
        cycle(inputs.encoded, benchmark) { blackHole(try? ReportCodec.decode($0)) }
    }

    // The collector's write path: one transaction of 1,000 new documents into a SQLite file that
    // grows over the run (as it does during a job). Preparing the batch is not measured.
    Benchmark(
        "store commit, batch of 1,000",
        configuration: .init(metrics: [.wallClock, .throughput, .cpuTotal, .mallocCountTotal],
                             scalingFactor: .kilo, maxDuration: .seconds(10), maxIterations: 50,
                             teardown: { StoreFixture.shared.withLock { $0?.remove(); $0 = nil } })
    ) { benchmark in
        let (store, batch) = try StoreFixture.shared.withLock { fixture in
            if fixture == nil { fixture = try StoreFixture() }
            return (fixture!.store, try fixture!.nextBatch(inputs.reports))
        }
        benchmark.startMeasurement()
        blackHole(try store.commit(batch))
    }
}

/// The commit benchmark's store: a SQLite file in a temporary directory, and the next document number.
final class StoreFixture {
    static let shared = Mutex<StoreFixture?>(nil)

    let directory: URL
    let store: SummaryStore
    private var serial = 0

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gongkai-micro-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SummaryStore(path: directory.appendingPathComponent("store.sqlite").path)
    }

    /// 1,000 tasks in a new job, each with a report under a hash never used before.
    func nextBatch(_ reports: [Report]) throws -> [(task: Int64, report: Report)] {
        let job = try store.createJob(name: "micro", roots: [], recursive: false)
        let tasks = try store.addTasks(job: job, paths: (0..<1000).map { "r\(serial + $0)" })
        defer { serial += 1000 }
        return zip(tasks, 0...).map { task, i in
            var report = reports[(serial + i) % reports.count]
            report.sha256 = freshHash(serial + i)
            return (task.id, report)
        }
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// A 64-hex-digit hash unique to `n`.
func freshHash(_ n: Int) -> String {
    let hex = String(n, radix: 16)
    return String(repeating: "0", count: 64 - hex.count) + hex
}
