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
        let pipeline = RenderPipeline(jobs: jobs) { (paths: [String], firstChunk: Bool, writer: inout JSONWriter) in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(paths.count * 6000)
            for (offset, path) in paths.enumerated() {
                let report = DocumentReader.report(path: path, options: options)
                switch format {
                case .json, .ndjson:
                    writer.reset()
                    report.writeJSON(to: &writer)
                    if many && (!firstChunk || offset > 0) { bytes.append(contentsOf: Array(",\n".utf8)) }
                    bytes.append(contentsOf: writer.bytes)
                    if !many { bytes.append(0x0A) }
                case .table:
                    bytes.append(contentsOf: Array(TableView.render(report).utf8))
                }
            }
            return bytes
        }
        pipeline.run(paths: input.files, pretty: format == .json) { out.write($0) }
        if many { out.write("\n]\n") }
    }
}

/// Renders files on `jobs` threads while the calling thread hands the results on in input order.
///
/// Files go in chunks: the calling thread walks the paths and queues chunks, a worker takes the next
/// chunk as soon as it is free and renders it, and the calling thread writes finished chunks in order —
/// parsing never stops for the writing or the directory walk. At most `jobs * 8` chunks are in flight, so
/// memory stays bounded whatever the corpus size.
final class RenderPipeline: Sendable {
    typealias Render = @Sendable (_ paths: [String], _ firstChunk: Bool, _ writer: inout JSONWriter) -> [UInt8]

    private struct State {
        /// Chunks queued and not yet taken, by chunk index.
        var queued: [Int: [String]] = [:]
        var nextToTake = 0
        var finished = false
        /// Rendered chunks not yet handed on, by chunk index.
        var rendered: [Int: [UInt8]] = [:]
    }

    private static let chunkSize = 64
    private let jobs: Int
    private let render: Render
    private let state = Mutex(State())
    /// One signal per queued chunk, and one per worker when the input ends.
    private let queuedSignal = DispatchSemaphore(value: 0)
    /// One signal per rendered chunk.
    private let renderedSignal = DispatchSemaphore(value: 0)

    init(jobs: Int, render: @escaping Render) {
        self.jobs = jobs
        self.render = render
    }

    func run(paths: some Sequence<String>, pretty: Bool, write: ([UInt8]) -> Void) {
        let workers = DispatchGroup()
        for _ in 0..<jobs {
            DispatchQueue.global().async(group: workers) { self.work(pretty: pretty) }
        }
        var queuedChunks = 0
        var written = 0
        var chunk: [String] = []
        chunk.reserveCapacity(Self.chunkSize)
        func enqueue() {
            let paths = chunk
            let index = queuedChunks
            state.withLock { $0.queued[index] = paths }
            queuedSignal.signal()
            queuedChunks += 1
            chunk.removeAll(keepingCapacity: true)
        }
        /// Waits for chunk `written` and writes it.
        func writeNext() {
            while true {
                let index = written
                if let bytes = state.withLock({ $0.rendered.removeValue(forKey: index) }) {
                    write(bytes)
                    written += 1
                    return
                }
                renderedSignal.wait()
            }
        }
        for path in paths {
            chunk.append(path)
            if chunk.count == Self.chunkSize {
                enqueue()
                while queuedChunks - written > jobs * 8 { writeNext() }
            }
        }
        if !chunk.isEmpty { enqueue() }
        state.withLock { $0.finished = true }
        for _ in 0..<jobs { queuedSignal.signal() }
        while written < queuedChunks { writeNext() }
        workers.wait()
    }

    private func work(pretty: Bool) {
        var writer = JSONWriter(pretty: pretty)
        while true {
            queuedSignal.wait()
            let taken: (index: Int, paths: [String])? = state.withLock { state in
                let index = state.nextToTake
                guard let paths = state.queued.removeValue(forKey: index) else { return nil }
                state.nextToTake += 1
                return (index, paths)
            }
            // Signals are one per chunk plus one per worker at the end, so an empty take means the end.
            guard let taken else { return }
            let bytes = render(taken.paths, taken.index == 0, &writer)
            state.withLock { $0.rendered[taken.index] = bytes }
            renderedSignal.signal()
        }
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
