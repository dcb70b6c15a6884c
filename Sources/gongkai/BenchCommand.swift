import ArgumentParser
import GongkaiCore
import GongkaiDecode

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks and deployment sizing (see bench/README.md).",
        subcommands: [ParseBench.self]
    )

    struct ParseBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "parse",
            abstract: "Single-core, in-process parse+validate throughput over files loaded into memory first.",
            discussion: "Prints one JSON object per stage (decode+hash+parse+validate; parse+validate only; JSON output) with reports/s and MB/s, median of --runs."
        )

        @Argument(help: "Directories or files of reports.")
        var paths: [String]

        @Option(name: .long, help: "Timed passes over the whole set; the median is reported.")
        var runs: Int = 5

        @Option(name: .long, help: "Use at most this many files.")
        var limit: Int = 50_000

        func run() throws {
            var documents: [[UInt8]] = []
            var bytes = 0
            for path in FileWalker(roots: paths, options: .init(recursive: true, glob: "*.txt")) {
                if documents.count >= limit { break }
                guard case .success(let b) = FileBytes.read(path: path, limit: ReadOptions.defaultSizeLimit) else { continue }
                documents.append(b)
                bytes += b.count
            }
            guard !documents.isEmpty else { throw ValidationError("no *.txt reports under \(paths.joined(separator: " "))") }
            // UTF-8 copies for the parse-only stage (what a worker does after decoding).
            let utf8: [[UInt8]] = documents.map {
                if case .success(let d) = TextDecoder.decode($0) { return d.utf8 }
                return $0
            }
            func measure(_ name: String, _ body: () -> Int) {
                var rates: [Double] = []
                var sink = 0
                for _ in 0..<max(1, runs) {
                    let start = ContinuousClock.now
                    sink &+= body()
                    let elapsed = ContinuousClock.now - start
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    rates.append(Double(documents.count) / seconds)
                }
                rates.sort()
                let median = rates[rates.count / 2]
                let mbps = median * Double(bytes) / Double(documents.count) / 1e6
                FileOutput.stdout.write(
                    "{\"stage\":\"\(name)\",\"reports\":\(documents.count),\"mean_bytes\":\(bytes / documents.count),"
                        + "\"runs\":\(rates.count),\"reports_per_s\":\(Int(median)),\"mb_per_s\":\(Int(mbps)),"
                        + "\"min\":\(Int(rates.first!)),\"max\":\(Int(rates.last!)),\"check\":\(sink % 1000)}\n")
            }
            measure("parse_validate") {
                var findings = 0
                for d in utf8 { findings &+= ReportParser.parse(utf8: d, source: "x").findings.count }
                return findings
            }
            measure("decode_hash_parse_validate") {
                var findings = 0
                for d in documents { findings &+= DocumentReader.report(bytes: d, source: "x").findings.count }
                return findings
            }
            measure("parse_validate_json") {
                var w = JSONWriter()
                var total = 0
                for d in utf8 {
                    w.reset()
                    ReportParser.parse(utf8: d, source: "x").writeJSON(to: &w)
                    total &+= w.bytes.count
                }
                return total
            }
        }
    }
}
