import GongkaiCore
import GongkaiWire
import XCTest

final class ReportCodecTests: XCTestCase {
    func testReportWithEveryFieldSetRoundTripsEqual() throws {
        let report = SampleReports.everyField()
        let bytes = ReportCodec.encode(report)
        XCTAssertEqual(bytes.first, CodecVersion.current.rawValue)
        XCTAssertEqual(try ReportCodec.decode(bytes), report)
    }

    func testMinimalAndTypicalReportsRoundTrip() throws {
        let minimal = Report(source: "", status: .empty)
        XCTAssertEqual(try ReportCodec.decode(ReportCodec.encode(minimal)), minimal)
        for status in ReportStatus.allCases {
            let report = Report(source: "/x", sha256: "", byteCount: -1, status: status, statusMessage: status.rawValue)
            XCTAssertEqual(try ReportCodec.decode(ReportCodec.encode(report)), report)
        }
        for seed: UInt64 in 1...20 {
            let report = SampleReports.typical(seed: seed)
            XCTAssertEqual(try ReportCodec.decode(ReportCodec.encode(report)), report)
        }
        var y2019 = SampleReports.everyField()
        y2019.table3 = Table3(template: .y2019)
        y2019.table2 = nil
        y2019.layout = .cellPerLine
        y2019.year = nil
        y2019.published = nil
        XCTAssertEqual(try ReportCodec.decode(ReportCodec.encode(y2019)), y2019)
    }

    func testEncodingAppendsToAnExistingBuffer() throws {
        var bytes: [UInt8] = [0xEE]
        ReportCodec.encode(SampleReports.everyField(), into: &bytes)
        XCTAssertEqual(bytes.first, 0xEE)
        XCTAssertEqual(Array(bytes.dropFirst()), ReportCodec.encode(SampleReports.everyField()))
    }

    func testTypicalReportIsCompact() {
        let size = ReportCodec.encode(SampleReports.typical()).count
        XCTAssertLessThan(size, 1200, "typical report encodes to \(size) bytes")
    }

    /// Fails when GongkaiCore gains a stored field the codec does not carry: update
    /// ReportCodec (and docs/wire-protocol.md §6), then this list.
    func testCodecCoversEveryStoredFieldOfTheModel() {
        func labels(_ value: Any) -> [String] { Mirror(reflecting: value).children.compactMap(\.label) }
        let report = SampleReports.everyField()
        XCTAssertEqual(labels(report), [
            "source", "sha256", "byteCount", "status", "statusMessage", "format", "encoding", "layout", "year",
            "agency", "region", "published", "sections", "table2", "table3", "table4", "narrative", "findings",
        ])
        XCTAssertEqual(labels(report.narrative), [
            "proactiveItems", "applicationsReceived", "reviews", "lawsuits", "penalties", "licences",
            "processingFees", "adminFees", "applicationsMatched",
        ])
        XCTAssertEqual(labels(report.findings[0]), ["rule", "cells", "message", "found", "expected"])
        XCTAssertEqual(labels(report.table2!), ["template", "fields"])
        XCTAssertEqual(labels(report.table2!.fields[0]), ["row", "field", "value"])
        XCTAssertEqual(labels(report.table2!.fields[0].value), ["kind", "count", "amount", "written", "unit"])
        XCTAssertEqual(labels(report.table3!), ["template", "cells", "present"])
        XCTAssertEqual(labels(report.table4!), ["cells"])
        XCTAssertEqual(labels(report.published!), ["year", "month", "day"])
        XCTAssertEqual(labels(Amount(micros: 0)), ["micros"])
    }

    func testOtherCodecVersionIsUnsupported() {
        var bytes = ReportCodec.encode(SampleReports.typical())
        bytes[0] = 2
        XCTAssertThrowsError(try ReportCodec.decode(bytes)) { XCTAssertEqual($0 as? WireError, .unsupportedVersion(2)) }
        XCTAssertThrowsError(try ReportCodec.decode([])) { XCTAssertEqual($0 as? WireError, .truncated("report.codecVersion")) }
    }

    func testUnknownCodesAreMalformed() {
        let report = SampleReports.everyField()
        let bytes = ReportCodec.encode(report)
        // Same-length substitutions keep every length prefix valid.
        let substitutions = [
            ("incomplete", "incomplote"),  // status
            ("mixed", "mixer"),  // layout
            ("table3.balance", "table3.balanse"),  // rule code
            ("2019", "2018"),  // table 2 template
        ]
        for (original, replacement) in substitutions {
            let mutated = Self.replacing(Array(original.utf8), with: Array(replacement.utf8), in: bytes)
            XCTAssertNotEqual(mutated, bytes, original)
            XCTAssertThrowsError(try ReportCodec.decode(mutated), original) { error in
                guard case .malformed = error as? WireError else { return XCTFail("\(original): \(error)") }
            }
        }
    }

    func testTablesOfTheWrongShapeAreMalformedNotACrash() {
        var report = SampleReports.typical()
        report.table4?.cells.removeLast()
        XCTAssertThrowsError(try ReportCodec.decode(ReportCodec.encode(report))) { error in
            guard case .malformed = error as? WireError else { return XCTFail("\(error)") }
        }
        report = SampleReports.typical()
        report.table3?.cells.append(1)
        XCTAssertThrowsError(try ReportCodec.decode(ReportCodec.encode(report)))
        report = SampleReports.typical()
        report.table3?.present = []
        XCTAssertThrowsError(try ReportCodec.decode(ReportCodec.encode(report)))
    }

    func testTrailingBytesAreMalformed() {
        let bytes = ReportCodec.encode(SampleReports.typical()) + [0]
        XCTAssertThrowsError(try ReportCodec.decode(bytes)) { error in
            guard case .malformed = error as? WireError else { return XCTFail("\(error)") }
        }
    }

    func testOverlongTextIsCutToTheLimitAndStillDecodes() throws {
        var report = SampleReports.typical()
        report.statusMessage = String(repeating: "长", count: 30_000)  // 90 000 bytes > 64 KiB
        let decoded = try ReportCodec.decode(ReportCodec.encode(report))
        let message = try XCTUnwrap(decoded.statusMessage)
        XCTAssertLessThanOrEqual(message.utf8.count, ReportCodec.Limits.text)
        XCTAssertTrue(report.statusMessage!.hasPrefix(message))
        XCTAssertEqual(message.count, ReportCodec.Limits.text / 3)
    }

    func testStrayBitmapBitsAreMalformed() throws {
        // table4: 15 cells → 2 bitmap bytes; bit 15 must be clear
        var report = Report(source: "", status: .ok)
        report.table4 = Table4()
        var bytes = ReportCodec.encode(report)
        // Locate the table4 bitmap: presence(1), count(15), 0x00, 0x00
        let marker: [UInt8] = [1, 15, 0, 0]
        let at = try XCTUnwrap(Self.find(marker, in: bytes))
        bytes[at + 3] = 0x80
        XCTAssertThrowsError(try ReportCodec.decode(bytes)) { error in
            guard case .malformed = error as? WireError else { return XCTFail("\(error)") }
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        return (0...(haystack.count - needle.count)).first { Array(haystack[$0..<($0 + needle.count)]) == needle }
    }

    static func replacing(_ needle: [UInt8], with replacement: [UInt8], in haystack: [UInt8]) -> [UInt8] {
        guard let at = find(needle, in: haystack) else { return haystack }
        var result = haystack
        result.replaceSubrange(at..<(at + needle.count), with: replacement)
        return result
    }
}
