import ArgumentParser
import Foundation
import GongkaiCorpus
import GongkaiCore

#if canImport(Glibc)
import Glibc
#endif

struct Corpus: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Synthetic report corpora for tests and benchmarks.",
        subcommands: [Generate.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write N synthetic reports and a manifest (manifest.jsonl) of their true values and injected errors.",
            discussion: """
                Reports vary as real ones do: one cell per line or tab-separated rows, 2021 and 2019 templates, \
                UTF-8 (with and without BOM), GB18030 and UTF-16, LF/CRLF/CR, heading variants, padding, \
                full-width digits, thousands separators, dashes for zero, numbers that balance; with --formats, \
                also .docx and saved web pages (.html, UTF-8 or GBK) with merged table cells. With --error-rate R \
                a share R of reports gets one injected error (unbalanced row, wrong total, blank cell, narrative \
                mismatch, outdated template, late publication), recorded in the manifest. The same --seed gives \
                the same corpus, byte for byte.
                """
        )

        @Option(name: .long, help: "Number of reports.")
        var count: Int

        @Option(name: .long, help: "Output directory (created if missing).")
        var out: String

        @Option(name: .long, help: "Random seed.")
        var seed: UInt64 = 1

        @Option(name: .long, help: "Share of reports with one injected error (0…1).")
        var errorRate: Double = 0.1

        @Flag(name: .long, help: "UTF-8 only (no GB18030/UTF-16 files).")
        var utf8Only = false

        @Option(name: .long, help: "Spread files over subdirectories of this many files each (0: all in one directory).")
        var perDirectory: Int = 0

        @Option(name: .long, help: "File formats: txt,docx,html,pdf (equal shares) or txt=0.6,docx=0.2,html=0.2. pdf needs LibreOffice (soffice) installed.")
        var formats: String = "txt"

        func validate() throws {
            if count < 0 { throw ValidationError("--count must be 0 or more.") }
            if !(0...1).contains(errorRate) { throw ValidationError("--error-rate must be between 0 and 1.") }
            if perDirectory < 0 { throw ValidationError("--per-directory must be 0 or more.") }
            if FormatMix(parsing: formats) == nil {
                throw ValidationError("--formats takes txt, docx, html and pdf, with optional shares: txt,docx,html or txt=0.6,docx=0.2,html=0.2.")
            }
        }

        func run() throws {
            try makeDirectory(out)
            let generator = CorpusGenerator(options: .init(seed: seed, errorRate: errorRate, mixedEncodings: !utf8Only,
                                                           formats: FormatMix(parsing: formats) ?? .textOnly))
            let manifest = try Writer(path: out + "/manifest.jsonl")
            var errors = 0
            var staging: String? = nil
            var pdfPending: [(docx: String, pdf: String)] = []
            func pdfStaging() throws -> String {
                if let staging { return staging }
                guard let soffice = PDFMaker.soffice() else {
                    throw FileError(description: "--formats pdf needs LibreOffice: install it (e.g. apt-get install libreoffice-writer-nogui) or leave pdf out")
                }
                _ = soffice
                let dir = out + "/.pdf-staging"
                try makeDirectory(dir)
                staging = dir
                return dir
            }
            func convertPending() throws {
                guard !pdfPending.isEmpty, let soffice = PDFMaker.soffice(), let staging else { return }
                try PDFMaker.convert(pdfPending, soffice: soffice, staging: staging)
                pdfPending.removeAll()
            }
            for i in 0..<count {
                var generated = generator.report(i)
                var dir = out
                if perDirectory > 0 {
                    dir = out + "/d" + String(i / perDirectory)
                    if i % perDirectory == 0 { try makeDirectory(dir) }
                    generated.fileName = "d\(i / perDirectory)/" + generated.fileName
                    generated.truth.source = generated.fileName
                }
                if generated.format == .pdf {
                    // The .docx of the report, converted below in batches (one soffice start per batch).
                    let docx = try pdfStaging() + "/" + String(generated.fileName.dropLast(4).replacingOccurrences(of: "/", with: "__")) + ".docx"
                    try writeFile(docx, generated.bytes)
                    pdfPending.append((docx: docx, pdf: out + "/" + generated.fileName))
                    if pdfPending.count >= 100 { try convertPending() }
                } else {
                    try writeFile(out + "/" + generated.fileName, generated.bytes)
                }
                try manifest.write(generated.manifestLine())
                errors += generated.errors.count
            }
            try convertPending()
            if let staging { try? FileManager.default.removeItem(atPath: staging) }
            try manifest.close()
            FileOutput.stderr.write("wrote \(count) reports (\(errors) with an injected error) and manifest.jsonl to \(out)\n")
        }
    }
}

/// .docx → .pdf with LibreOffice, in batches; each PDF is moved to its place in the corpus.
enum PDFMaker {
    static func soffice() -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(dir)/soffice"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static func convert(_ batch: [(docx: String, pdf: String)], soffice: String, staging: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: soffice)
        process.arguments = ["--headless", "--norestore", "-env:UserInstallation=file://\(staging)/profile",
                             "--convert-to", "pdf", "--outdir", staging] + batch.map(\.docx)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        for item in batch {
            let converted = String(item.docx.dropLast(5)) + ".pdf"
            guard FileManager.default.fileExists(atPath: converted) else {
                throw FileError(description: "LibreOffice did not convert \(item.docx) to PDF (exit \(process.terminationStatus))")
            }
            try? FileManager.default.removeItem(atPath: item.pdf)
            try FileManager.default.moveItem(atPath: converted, toPath: item.pdf)
            try? FileManager.default.removeItem(atPath: item.docx)
        }
    }
}

struct FileError: Error, CustomStringConvertible {
    var description: String
}

func makeDirectory(_ path: String) throws {
    var current = path.hasPrefix("/") ? "/" : ""
    for part in path.split(separator: "/") {
        current += (current.isEmpty || current.hasSuffix("/") ? "" : "/") + part
        if mkdir(current, 0o755) != 0 && errno != EEXIST {
            throw FileError(description: "cannot create directory \(current): \(String(cString: strerror(errno)))")
        }
    }
}

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    let w = try Writer(path: path)
    try w.write(bytes)
    try w.close()
}

/// A file written with POSIX calls.
final class Writer {
    private let fd: Int32
    private var buffer: [UInt8] = []
    let path: String

    init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw FileError(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
        buffer.reserveCapacity(1 << 16)
    }

    func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(description: "write to \(path) failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        Glibc.close(fd)
    }
}
