import ArgumentParser
import GongkaiCore
import GongkaiDecode

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

    var files: FileWalker { FileWalker(roots: paths, options: .init(recursive: true, glob: glob)) }
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

    func run() throws {
        let single = input.paths.count == 1 && !isDirectory(input.paths[0])
        let format = self.format ?? (single ? .json : .ndjson)
        let out = FileOutput.stdout
        var writer = JSONWriter(pretty: format == .json)
        var first = true
        let many = !single && format == .json
        if many { out.write("[\n") }
        for path in input.files {
            let report = DocumentReader.report(path: path, options: input.readOptions)
            switch format {
            case .json, .ndjson:
                writer.reset()
                report.writeJSON(to: &writer)
                if many && !first { out.write(",\n") }
                out.write(writer.bytes)
                if !many || format == .ndjson { out.write([0x0A]) }
            case .table:
                out.write(TableView.render(report))
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
