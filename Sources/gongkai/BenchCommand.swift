import ArgumentParser
import Foundation
import GongkaiCore
import GongkaiDecode

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks and deployment sizing (see bench/README.md).",
        subcommands: [ParseBench.self, Size.self]
    )

    struct ParseBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "parse",
            abstract: "Single-core, in-process parse+validate throughput over files loaded into memory first.",
            discussion: "Prints one JSON object per stage (decode+hash+parse+validate; parse+validate only; JSON output) with reports/s and MB/s, median of --runs. Text reports (*.txt) make the main stages; .docx, .html and .pdf files found by content each get a stage of their own (read_docx, read_html, read_pdf: detect, convert, hash, parse, validate; read_pdf includes running pdftotext)."
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
            var others: [String: [[UInt8]]] = [:]  // .docx, .html, .pdf by content
            var loaded = 0
            for path in FileWalker(roots: paths, options: .init(recursive: true, glob: nil)) {
                if loaded >= limit { break }
                if path.hasSuffix(".jsonl") || path.hasSuffix(".json") { continue }  // manifests
                guard case .success(let b) = FileBytes.read(path: path, limit: ReadOptions.defaultSizeLimit) else { continue }
                loaded += 1
                let format = DocumentReader.sniffedFormat(b)
                if format == "text" {
                    documents.append(b)
                    bytes += b.count
                } else {
                    others[format, default: []].append(b)
                }
            }
            if documents.isEmpty && others.isEmpty { throw ValidationError("no reports under \(paths.joined(separator: " "))") }
            // UTF-8 copies for the parse-only stage (what a worker does after decoding).
            let utf8: [[UInt8]] = documents.map {
                if case .success(let d) = TextDecoder.decode($0) { return d.utf8 }
                return $0
            }
            func measure(_ name: String, _ body: () -> Int) {
                measureSet(name, documents: documents, bytes: bytes, body)
            }
            func measureSet(_ name: String, documents: [[UInt8]], bytes: Int, _ body: () -> Int) {
                guard !documents.isEmpty else { return }
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
            // Each other format through the whole reader: detect, convert to text, hash, parse, validate.
            for format in ["docx", "html", "pdf"] {
                guard let files = others[format] else { continue }
                measureSet("read_\(format)", documents: files, bytes: files.reduce(0) { $0 + $1.count }) {
                    var findings = 0
                    for d in files { findings &+= DocumentReader.report(bytes: d, source: "x").findings.count }
                    return findings
                }
            }
        }
    }
}

extension Bench {
    /// Sizing from measured throughput: how many workers per host and how many hosts for R reports by a deadline.
    struct Size: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recommend workers per host and hosts for a corpus and a deadline, from measured cluster throughput.",
            discussion: """
                Reads a results file written by bench/cluster_bench.py or bench/suite.py (runs of the cluster with \
                N = 1, 2, … workers on one host of the kind you will deploy on). Per host it takes the N with the \
                best measured end-to-end rate, and adds hosts linearly up to what one coordinator's store writer \
                can commit: its collector and feeder threads' CPU per report, measured in the same run (results \
                files written since those threads are named), bound the rate of a whole deployment. Every step \
                of the arithmetic is shown.
                """
        )

        @Option(name: .long, help: "Number of reports to process.")
        var reports: Int

        @Option(name: .long, help: "Deadline as a duration: 90s, 45m, 6h, 2d.")
        var deadline: String

        @Option(name: .long, help: "Results file (JSON) with measured runs.")
        var from: String = "bench/results/cluster-latest.json"

        @Option(name: .long, help: "Headroom kept free on every host (0.2 = plan for 80% of the measured rate).")
        var headroom: Double = 0.2

        func validate() throws {
            if reports < 1 { throw ValidationError("--reports must be at least 1.") }
            if Sizing.seconds(deadline) == nil { throw ValidationError("--deadline must look like 90s, 45m, 6h or 2d.") }
            if !(0..<1).contains(headroom) { throw ValidationError("--headroom must be in [0, 1).") }
        }

        func run() throws {
            let data = try Data(contentsOf: URL(fileURLWithPath: from))
            let plan = try Sizing.plan(results: data, reports: reports, deadlineSeconds: Sizing.seconds(deadline)!, headroom: headroom)
            FileOutput.stdout.write(plan.text)
        }
    }
}

enum Sizing {
    /// What one coordinator's store writer spent per report in a measured run: the CPU of its `gk-collector`
    /// and `gk-feeder` threads (bench/cluster_bench.py records each thread's CPU) over the reports of the run.
    struct WriterCost {
        var collector: Double
        var feeder: Double
        var micros: Double { collector + feeder }

        init?(run: [String: Any]) {
            guard let threads = ((run["cpu"] as? [String: Any])?["threads"] as? [String: Any])?["serve"] as? [[Any]],
                  let reports = (run["tasks_done"] as? NSNumber)?.doubleValue, reports > 0 else { return nil }
            func seconds(_ name: String) -> Double? {
                let matching = threads.filter { $0.count == 3 && $0[1] as? String == name }
                guard !matching.isEmpty else { return nil }
                return matching.reduce(0) { $0 + (($1[2] as? NSNumber)?.doubleValue ?? 0) }
            }
            guard let collector = seconds("gk-collector"), let feeder = seconds("gk-feeder"), collector > 0 else { return nil }
            self.collector = collector * 1e6 / reports
            self.feeder = feeder * 1e6 / reports
        }
    }

    struct Plan {
        var workersPerHost: Int
        var hosts: Int
        var expectedSeconds: Double
        var text: String
    }

    static func seconds(_ text: String) -> Double? {
        guard let unit = text.last, let value = Double(text.dropLast()), value > 0 else { return Double(text).flatMap { $0 > 0 ? $0 : nil } }
        switch unit {
        case "s": return value
        case "m": return value * 60
        case "h": return value * 3600
        case "d": return value * 86400
        default: return nil
        }
    }

    static func duration(_ s: Double) -> String {
        if s < 120 { return String(format: "%.0f s", s) }
        if s < 7200 { return String(format: "%.1f min", s / 60) }
        return String(format: "%.1f h", s / 3600)
    }

    static func plan(results: Data, reports: Int, deadlineSeconds: Double, headroom: Double) throws -> Plan {
        guard let root = try JSONSerialization.jsonObject(with: results) as? [String: Any] else {
            throw CleanError("the results file is not a JSON object")
        }
        var runs = root["runs"] as? [[String: Any]] ?? []
        if runs.isEmpty, let sizes = root["sizes"] as? [[String: Any]] {
            // A suite results file: take the corpus size measured at the most N values (the largest such),
            // with each N's median rate.
            let measured = sizes.filter { ($0["cluster"] as? [[String: Any]])?.isEmpty == false }
            if let pick = measured.max(by: {
                let a = ($0["cluster"] as? [Any])?.count ?? 0, b = ($1["cluster"] as? [Any])?.count ?? 0
                return a != b ? a < b : (($0["reports"] as? Int) ?? 0) < (($1["reports"] as? Int) ?? 0)
            }) {
                runs = (pick["cluster"] as? [[String: Any]] ?? []).compactMap { c in
                    guard let w = c["workers"] as? Int, let rate = (c["reports_per_s"] as? [String: Any])?["median"] as? NSNumber else { return nil }
                    var run: [String: Any] = ["workers": w, "reports_per_s": rate]
                    run["cpu"] = c["cpu_s"]
                    run["tasks_done"] = pick["reports"]
                    return run
                }
            }
        }
        guard !runs.isEmpty else {
            throw CleanError("the results file has no cluster runs (bench/cluster_bench.py or bench/suite.py writes them)")
        }
        let measured: [(workers: Int, rate: Double, writer: WriterCost?)] = runs.compactMap {
            guard let w = $0["workers"] as? Int, let r = ($0["reports_per_s"] as? NSNumber)?.doubleValue, r > 0 else { return nil }
            return (w, r, WriterCost(run: $0))
        }.sorted { $0.workers < $1.workers }
        guard let best = measured.max(by: { $0.rate < $1.rate }), let one = measured.first(where: { $0.workers == 1 }) ?? measured.first else {
            throw CleanError("no usable runs in the results file")
        }
        let machine = root["machine"] as? [String: Any]
        let cores = machine?["cores"] as? Int
        var lines: [String] = []
        lines.append("measured on one host\(cores.map { " (\($0) cores)" } ?? ""), end to end (submit → committed):")
        for m in measured {
            let efficiency = m.rate / (Double(m.workers) * one.rate / Double(one.workers))
            lines.append(String(format: "  %2d worker(s): %8.0f reports/s   scaling efficiency vs 1 worker: %3.0f%%", m.workers, m.rate, efficiency * 100))
        }
        lines.append("best per host: \(best.workers) worker(s) at \(Int(best.rate)) reports/s")
        let usable = best.rate * (1 - headroom)
        lines.append(String(format: "planned per host with %.0f%% headroom: %.0f × %.2f = %.0f reports/s", headroom * 100, best.rate, 1 - headroom, usable))
        let needed = Double(reports) / deadlineSeconds
        lines.append(String(format: "needed: %d reports / %.0f s = %.1f reports/s", reports, deadlineSeconds, needed))
        var hosts = max(1, Int((needed / usable).rounded(.up)))
        lines.append(String(format: "hosts: ceil(%.1f / %.0f) = %d", needed, usable, hosts))
        var deployments = 1
        var cap = Double.infinity
        if let writer = best.writer {
            // The collector and the feeder write through the coordinator's one store connection: more hosts
            // bring more parsers, not more commits. Their CPU is added as if all of it held the write lock,
            // which errs low; a bound below what the run achieved gives way to the run.
            let bound = 1e6 / writer.micros
            cap = max(bound, best.rate)
            lines.append(String(format: "one coordinator's store writer: 10^6 / (collector %.1f + feeder %.1f µs per report in that run) = %.0f reports/s%@",
                                writer.collector, writer.feeder, bound,
                                bound < best.rate ? String(format: " (below the run's %.0f, which is used instead)", best.rate) : ""))
            let useful = max(1, Int((cap / best.rate).rounded(.up)))
            if hosts > useful {
                lines.append(String(format: "hosts: beyond ceil(%.0f / %.0f) = %d the store writer is the limit: %d", cap, best.rate, useful, useful))
                hosts = useful
            }
            let writerUsable = cap * (1 - headroom)
            if needed > writerUsable {
                deployments = Int((needed / writerUsable).rounded(.up))
                let share = needed / Double(deployments)
                hosts = min(useful, max(1, Int((share / usable).rounded(.up))))
                lines.append(String(format: "one coordinator cannot keep up: ceil(%.1f / (%.0f × %.2f)) = %d independent deployments (each its own gongkai serve and store), each with ceil(%.1f / %.0f) = %d host(s)",
                                    needed, cap, 1 - headroom, deployments, share, usable, hosts))
            }
        }
        let writerBound = best.rate * Double(hosts) > cap
        let rate = Double(deployments) * (writerBound ? cap : best.rate * Double(hosts))
        let expected = Double(reports) / rate
        // Each deployment commits at the writer's rate, or at its hosts' measured rate when that is lower.
        let each = writerBound ? String(format: "%.0f", cap) : String(format: "%.0f × %d", best.rate, hosts)
        let divisor = deployments > 1 ? "(\(deployments) × \(each))" : (writerBound ? each : "(\(each))")
        lines.append(String(format: "expected time at the %@: %d / %@ = %@ (deadline %@)",
                            writerBound ? "store writer's rate" : "measured rate", reports, divisor,
                            duration(expected), duration(deadlineSeconds)))
        lines.append("")
        let deployment = "\(hosts) host(s) × \(best.workers) worker(s) (gongkai serve --workers \(best.workers)\(hosts > 1 ? " on one, gongkai worker on the others" : ""))"
        lines.append(deployments > 1 ? "recommendation: \(deployments) deployments × \(deployment)" : "recommendation: \(deployment)")
        return Plan(workersPerHost: best.workers, hosts: hosts, expectedSeconds: expected, text: lines.joined(separator: "\n") + "\n")
    }
}
