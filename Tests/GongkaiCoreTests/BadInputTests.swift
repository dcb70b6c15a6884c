import Foundation
import GongkaiCore
import GongkaiDecode
import XCTest

/// Bad input gets a status other than ok and a clear message; nothing crashes.
final class BadInputTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("gongkai-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func testEmptyFileIsEmpty() throws {
        let r = DocumentReader.report(path: try write("empty.txt", []))
        XCTAssertEqual(r.status, .empty)
        XCTAssertNotNil(r.statusMessage)
        let blank = DocumentReader.report(path: try write("blank.txt", Array(" \n\t\u{3000}\u{00A0}\r\n".utf8)))
        XCTAssertEqual(blank.status, .empty)
    }

    func testBinaryFilesAreBinaryOrUnsupported() throws {
        var random = SystemRandomNumberGenerator()
        let noise = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }
        XCTAssertEqual(DocumentReader.report(path: try write("noise.bin", noise + [0])).status, .binary)
        XCTAssertEqual(DocumentReader.report(path: try write("a.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + noise)).status, .binary)
        let doc = DocumentReader.report(path: try write("old.doc", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + noise))
        XCTAssertEqual(doc.status, .unsupportedFormat)
        XCTAssertTrue(doc.statusMessage?.contains(".doc") ?? false)
        XCTAssertEqual(DocumentReader.report(path: try write("x.pdf", Array("%PDF-1.7\n".utf8) + noise)).status, .unsupportedFormat)
    }

    func testTextInNoKnownEncodingIsBadEncoding() throws {
        // Bytes that are neither UTF-8 nor GB18030 (0x80 and 0xFF are not GB18030 lead bytes).
        let bytes = [UInt8](repeating: 0xFF, count: 300) + Array("abc".utf8) + [UInt8](repeating: 0x80, count: 300)
        let r = DocumentReader.report(path: try write("latin.txt", bytes))
        XCTAssertEqual(r.status, .badEncoding)
    }

    func testTextThatIsNotAReportIsNotReport() throws {
        let r = DocumentReader.report(path: try write("poem.txt", Array("床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n".utf8)))
        XCTAssertEqual(r.status, .notReport)
        XCTAssertEqual(r.findings, [])
        XCTAssertNotNil(r.statusMessage)
    }

    func testMissingFileIsAnIOError() {
        let r = DocumentReader.report(path: dir.appendingPathComponent("nope.txt").path)
        XCTAssertEqual(r.status, .ioError)
        XCTAssertTrue(r.statusMessage?.contains("No such file") ?? false, r.statusMessage ?? "")
    }

    func testFileAboveTheSizeLimitIsRefusedWithoutReadingIt() throws {
        // A sparse 100 MB file: refusing it must not read (or allocate) 100 MB.
        let path = dir.appendingPathComponent("huge.txt").path
        let fd = open(path, O_CREAT | O_WRONLY, 0o644)
        XCTAssertEqual(ftruncate(fd, 100 * 1024 * 1024), 0)
        close(fd)
        let r = DocumentReader.report(path: path, options: ReadOptions(sizeLimit: 32 * 1024 * 1024))
        XCTAssertEqual(r.status, .tooLarge)
        XCTAssertEqual(r.byteCount, 100 * 1024 * 1024)
        XCTAssertTrue(r.statusMessage?.contains("104857600") ?? false)
        let small = DocumentReader.report(bytes: try SeedTests.seedBytes("000"), source: "s", options: ReadOptions(sizeLimit: 100))
        XCTAssertEqual(small.status, .tooLarge)
    }

    func testReportTruncatedAnywhereNeverCrashesAndSaysWhatIsMissing() throws {
        for prefix in ["000", "001", "004"] {
            let bytes = try SeedTests.seedBytes(prefix)
            var statuses = Set<ReportStatus>()
            for cut in stride(from: 0, to: bytes.count, by: 13) {
                let r = DocumentReader.report(bytes: Array(bytes[0..<cut]), source: "cut")
                statuses.insert(r.status)
                XCTAssertTrue([.ok, .incomplete, .notReport, .empty].contains(r.status), "cut at \(cut): \(r.status)")
                if r.status == .incomplete {
                    XCTAssertTrue(r.statusMessage?.contains("table") ?? false)
                    XCTAssertTrue(r.findings.contains { $0.rule == .missingTable }, "cut at \(cut)")
                }
                XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(r.jsonBytes())))
            }
            XCTAssertTrue(statuses.isSuperset(of: [.empty, .incomplete, .ok]), "\(prefix): \(statuses)")
        }
    }

    func testCutInsideAMultibyteCharacterIsNotAnEncodingError() throws {
        let bytes = try SeedTests.seedBytes("000")
        // The first byte of a 3-byte character near the end.
        var cut = bytes.count - 40
        while bytes[cut] < 0xE0 { cut += 1 }
        let r = DocumentReader.report(bytes: Array(bytes[0...cut]), source: "cut")
        XCTAssertEqual(r.encoding, "utf-8")
        XCTAssertEqual(r.status, .ok)
    }
}
