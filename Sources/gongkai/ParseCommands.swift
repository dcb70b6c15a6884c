import ArgumentParser
import Dispatch
import Foundation
import GongkaiCore
import GongkaiDecode
import Synchronization

enum ParseFormat: String, ExpressibleByArgument, CaseIterable {
    case json, ndjson, table
}

struct InputOptions: ParsableArguments {
    @Argument(help: "Report files, or directories to walk (recursively).")
    var paths: [String]

    @Option(name: .long, help: "Refuse files larger than this many bytes (status too_large).")
    var sizeLimit: Int = ReadOptions.defaultSizeLimit

    @Option(name: .long, help: "Only files whose name matches this shell pattern when walking directories (e.g. '*.txt').")
    var glob: String?

    func validate() throws {
        if paths.isEmpty { throw ValidationError("Give at least one report file or directory.") }
        if sizeLimit < 1 { throw ValidationError("--size-limit must be at least 1 byte.") }
    }

    var files: FileWalker {
        FileWalker(roots: paths + LongArgumentLists.takeExtraPaths(), options: .init(recursive: true, glob: glob))
    }
    var readOptions: ReadOptions { ReadOptions(sizeLimit: sizeLimit) }
}

struct Parse: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print each report as JSON (schema v1): tables, metadata, narrative figures, findings.",
        discussion: """
            --format json prints one pretty object (an array for several files), ndjson one object per line \
            (the default for several files), table a human view of tables 2, 3 and 4.
            """
    )

    @OptionGroup var input: InputOptions

    @Option(name: .long, help: "Output format: json, ndjson or table.")
    var format: ParseFormat?

    @Option(name: .long, help: "Parser threads (default: the number of cores). Output keeps the input order.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
    }

    func run() throws {
        let single = input.paths.count == 1 && !isDirectory(input.paths[0])
        let format = self.format ?? (single ? .json : .ndjson)
        let out = FileOutput.stdout
        let many = !single && format == .json
        let options = input.readOptions
        if many { out.write("[\n") }
        var first = true
        var walker = input.files
        // Files go in batches: each thread renders a contiguous share of the batch, then the batch is
        // written in input order. Memory stays bounded by the batch, whatever the corpus size.
        let batchSize = 512 * jobs
        while true {
            var batch: [String] = []
            batch.reserveCapacity(batchSize)
            while batch.count < batchSize, let path = walker.next() { batch.append(path) }
            if batch.isEmpty { break }
            let shares = min(jobs, batch.count)
            let rendered = Mutex<[[UInt8]]>(Array(repeating: [], count: shares))
            let paths = batch
            DispatchQueue.concurrentPerform(iterations: shares) { share in
                let lo = paths.count * share / shares, hi = paths.count * (share + 1) / shares
                var bytes: [UInt8] = []
                bytes.reserveCapacity((hi - lo) * 6000)
                var writer = JSONWriter(pretty: format == .json)
                for (offset, path) in paths[lo..<hi].enumerated() {
                    let report = DocumentReader.report(path: path, options: options)
                    switch format {
                    case .json, .ndjson:
                        writer.reset()
                        report.writeJSON(to: &writer)
                        if many && (lo + offset > 0) { bytes.append(contentsOf: Array(",\n".utf8)) }
                        bytes.append(contentsOf: writer.bytes)
                        if !many { bytes.append(0x0A) }
                    case .table:
                        bytes.append(contentsOf: Array(TableView.render(report).utf8))
                    }
                }
                rendered.withLock { $0[share] = bytes }
            }
            let parts = rendered.withLock { $0 }
            for (index, part) in parts.enumerated() {
                if many && !first && index == 0 { out.write(Array(",\n".utf8)) }
                out.write(part)
            }
            first = false
        }
        if many { out.write("\n]\n") }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check reports and print their findings for people. Exit 1 if any error-level finding (or an unreadable file), 0 otherwise, 2 on usage errors."
    )

    @OptionGroup var input: InputOptions

    @Flag(name: .long, help: "Also print warnings and info for files without errors.")
    var verbose = false

    func run() throws {
        let out = FileOutput.stdout
        let style = Style(enabled: out.isTerminal)
        var files = 0, errors = 0, warnings = 0, failedFiles = 0
        for path in input.files {
            files += 1
            let report = DocumentReader.report(path: path, options: input.readOptions)
            var lines: [String] = []
            if !report.status.isParsed {
                lines.append("  " + style.red("✗ \(report.status.rawValue)") + " " + (report.statusMessage ?? ""))
            } else if let message = report.statusMessage {
                lines.append("  " + style.yellow("! \(report.status.rawValue)") + " " + message)
            }
            // Grouped by severity, errors first.
            for severity in Severity.allCases {
                for f in report.findings where f.severity == severity {
                    let tag: String
                    switch severity {
                    case .error: tag = style.red("error  ")
                    case .warning: tag = style.yellow("warning")
                    case .info: tag = style.dim("info   ")
                    }
                    lines.append("  \(tag) \(style.bold(f.rule.rawValue)) \(f.message)" + style.dim("  [" + f.cells.joined(separator: ", ") + "]"))
                }
            }
            errors += report.errorCount
            warnings += report.warningCount
            if report.errorCount > 0 || !report.status.isParsed { failedFiles += 1 }
            let header = "\(path)  " + style.dim("\(report.agency ?? "?") \(report.year.map(String.init) ?? "?")")
            if report.errorCount > 0 || !report.status.isParsed || verbose || report.warningCount > 0 {
                out.write(style.bold(header) + "\n" + lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n"))
            }
            if lines.isEmpty && verbose { out.write("  " + style.green("✓ ok") + "\n") }
        }
        let summary = "\(files) files, \(failedFiles) with errors or unreadable, \(errors) errors, \(warnings) warnings"
        out.write((failedFiles > 0 ? style.red(summary) : style.green(summary)) + "\n")
        if failedFiles > 0 { throw ExitCode(1) }
    }
}

func isDirectory(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
}

#if canImport(Glibc)
import Glibc
#endif

/// ArgumentParser spends quadratic time on very long positional lists (`gongkai parse DIR/*` with 100,000
/// files took seconds before the first file was read). For `parse` and `validate` the trailing run of plain
/// arguments beyond the first is taken aside before parsing and handed to `InputOptions.files`.
enum LongArgumentLists {
    private static let extra = Mutex<[String]>([])
    private static let valueOptions: Set<String> = ["--format", "--size-limit", "--glob", "--jobs"]

    static func split(_ arguments: [String]) -> [String] {
        guard arguments.count > 64, let command = arguments.first, command == "parse" || command == "validate" else {
            return arguments
        }
        var start = arguments.count
        while start > 1 && !arguments[start - 1].hasPrefix("-") { start -= 1 }
        if start < arguments.count, start > 1, valueOptions.contains(arguments[start - 1]) { start += 1 }
        guard arguments.count - start > 1 else { return arguments }
        extra.withLock { $0 = Array(arguments[(start + 1)...]) }
        return Array(arguments[...start])
    }

    static func takeExtraPaths() -> [String] {
        extra.withLock { paths in
            defer { paths = [] }
            return paths
        }
    }
}
