import Foundation
import XCTest

/// The `gongkai` command as users run it: exit codes, output formats, corpus generation.
final class CLITests: XCTestCase {
    func testValidateExitsZeroOnSeedsWithoutErrorsAndOneOnAnError() throws {
        let seeds = Harness.seedsDirectory.path
        let clean = try Harness.run(["validate", seeds])
        XCTAssertEqual(clean.status, 0, clean.stdout + clean.stderr)
        XCTAssertTrue(clean.stdout.contains("cell.blank"), "003's blank row is shown as a warning")
        XCTAssertTrue(clean.stdout.contains("5 files"), clean.stdout)

        let dir = try Harness.temporaryDirectory("validate")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = try String(contentsOf: try XCTUnwrap(FileManager.default.contentsOfDirectory(at: Harness.seedsDirectory, includingPropertiesForKeys: nil)
            .first { $0.lastPathComponent.hasPrefix("004") }), encoding: .utf8)
            .replacingOccurrences(of: "\t（七）总计\n\t10\n", with: "\t（七）总计\n\t11\n")
        try bad.write(to: dir.appendingPathComponent("bad.txt"), atomically: true, encoding: .utf8)
        let failing = try Harness.run(["validate", dir.path])
        XCTAssertEqual(failing.status, 1, failing.stdout)
        XCTAssertTrue(failing.stdout.contains("table3.results_sum"), failing.stdout)
        XCTAssertTrue(failing.stdout.contains("table3.balance"), failing.stdout)
    }

    func testUsageErrorsExitTwo() throws {
        XCTAssertEqual(try Harness.run(["validate"]).status, 2)
        XCTAssertEqual(try Harness.run(["parse", "--format", "yaml", "x.txt"]).status, 2)
        XCTAssertEqual(try Harness.run(["corpus", "generate", "--count", "3"]).status, 2)
    }

    func testParsePrintsPrettyJSONForOneFileAndNDJSONForMany() throws {
        let seeds = try FileManager.default.contentsOfDirectory(at: Harness.seedsDirectory, includingPropertiesForKeys: nil)
            .map(\.path).sorted()
        let one = try Harness.run(["parse", seeds[0]])
        XCTAssertEqual(one.status, 0)
        let object = try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(object?["agency"] as? String, "硚口区人力资源局")
        XCTAssertTrue(one.stdout.contains("\n  \""), "pretty printed")

        let many = try Harness.run(["parse"] + seeds)
        let lines = many.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 5)
        let years = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.map { $0?["year"] as? Int }
        XCTAssertEqual(years, [2022, 2023, 2022, 2023, 2022], "input order is kept")

        let table = try Harness.run(["parse", "--format", "table", seeds[4]])
        XCTAssertTrue(table.stdout.contains("表三"))
        XCTAssertTrue(table.stdout.contains("232.47 万元"))
    }

    func testCorpusGenerateWritesFilesAndAManifestThatParseAgrees() throws {
        let dir = try Harness.temporaryDirectory("corpus")
        defer { try? FileManager.default.removeItem(at: dir) }
        let gen = try Harness.run(["corpus", "generate", "--count", "300", "--out", dir.path, "--seed", "3", "--error-rate", "0.3"])
        XCTAssertEqual(gen.status, 0, gen.stderr)
        let manifest = try String(contentsOf: dir.appendingPathComponent("manifest.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(manifest.count, 300)
        let parsed = try Harness.run(["parse", "--format", "ndjson", "--glob", "*.txt", dir.path])
        var byFile: [String: [String: Any]] = [:]
        for line in parsed.stdout.split(separator: "\n") {
            let r = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            byFile[URL(fileURLWithPath: r["source"] as! String).lastPathComponent] = r
        }
        XCTAssertEqual(byFile.count, 300)
        for line in manifest {
            let m = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let truth = try XCTUnwrap(m["truth"] as? [String: Any])
            let r = try XCTUnwrap(byFile[m["file"] as! String])
            for key in ["year", "agency", "table2", "table3", "table4"] {
                XCTAssertEqual(r[key] as? NSObject, truth[key] as? NSObject, "\(m["file"]!) \(key)")
            }
        }
        // Same seed, same bytes.
        let again = try Harness.temporaryDirectory("corpus2")
        defer { try? FileManager.default.removeItem(at: again) }
        _ = try Harness.run(["corpus", "generate", "--count", "300", "--out", again.path, "--seed", "3", "--error-rate", "0.3"])
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("manifest.jsonl")),
                       try Data(contentsOf: again.appendingPathComponent("manifest.jsonl")))
    }
}

/// PDF reports in a generated corpus, where LibreOffice is installed to make them.
final class PDFCorpusTests: XCTestCase {
    func testAMixedCorpusWithPDFsParsesToItsManifestWhereLibreOfficeIsInstalled() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/soffice") else {
            throw XCTSkip("LibreOffice (soffice) is not installed: the generator makes PDFs only where it is")
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftotext") else {
            throw XCTSkip("pdftotext is not installed (scripts/setup.sh installs poppler-utils)")
        }
        let dir = try Harness.temporaryDirectory("pdfcorpus")
        defer { try? FileManager.default.removeItem(at: dir) }
        let gen = try Harness.run(["corpus", "generate", "--count", "60", "--formats", "txt,docx,html,pdf", "--seed", "21",
                                   "--error-rate", "0.2", "--out", dir.path], timeout: 300)
        XCTAssertEqual(gen.status, 0, gen.stderr)
        let parsed = try Harness.run(["parse", "--format", "ndjson", dir.path], timeout: 300)
        var byFile: [String: [String: Any]] = [:]
        for line in parsed.stdout.split(separator: "\n") {
            let r = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            byFile[URL(fileURLWithPath: r["source"] as! String).lastPathComponent] = r
        }
        var pdfs = 0
        for line in try String(contentsOf: dir.appendingPathComponent("manifest.jsonl"), encoding: .utf8).split(separator: "\n") {
            let m = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let file = m["file"] as! String
            let truth = try XCTUnwrap(m["truth"] as? [String: Any])
            let r = try XCTUnwrap(byFile[file], file)
            if m["format"] as? String == "pdf" { pdfs += 1 }
            for key in ["status", "format", "year", "agency", "table2", "table3", "table4"] {
                XCTAssertEqual(r[key] as? NSObject, truth[key] as? NSObject, "\(file) \(key)")
            }
            let injected = (m["errors"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }
            let found = Set((r["findings"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String })
            for rule in injected { XCTAssertTrue(found.contains(rule), "\(file): \(rule) not reported") }
        }
        XCTAssertGreaterThan(pdfs, 5)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent(".pdf-staging").path))
    }
}
