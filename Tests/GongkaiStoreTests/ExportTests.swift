import Foundation
import GongkaiCore
import XCTest

@testable import GongkaiStore

class ExportTests: StoreTestCase {
    func testCSVFieldsAreQuotedOnlyWhenNeeded() {
        XCTAssertEqual(CSV.field("某某市人民政府"), "某某市人民政府")
        XCTAssertEqual(CSV.field("甲,乙"), "\"甲,乙\"")
        XCTAssertEqual(CSV.field("他说“是”和\"否\""), "\"他说“是”和\"\"否\"\"\"")
        XCTAssertEqual(CSV.field("第一行\n第二行"), "\"第一行\n第二行\"")
        XCTAssertEqual(CSV.field("a\r\nb"), "\"a\r\nb\"")
        XCTAssertEqual(CSV.field(" 前后空格 "), "\" 前后空格 \"")
        XCTAssertEqual(CSV.field("全角，逗号"), "全角，逗号", "a full-width comma is not a separator")
        XCTAssertEqual(CSV.field(""), "")
    }

    private func makeJob() throws -> (any SummaryStoring, Int64) {
        let store = try makeStore()
        let job = try store.createJob(name: "export", roots: ["/c"], recursive: true)
        let tasks = try store.addTasks(
            job: job, paths: ["/c/报告,一.txt", "/c/\"quoted\".txt", "/c/missing.txt", "/c/todo.txt"])
        var report = StoreFixtures.report2021(sha256: StoreFixtures.sha(1), agency: "某某市“数据”局,办公室")
        report.source = tasks[0].path
        try store.commit([
            (tasks[0].id, report),
            (tasks[1].id, StoreFixtures.report2021(sha256: StoreFixtures.sha(1))),
            (tasks[2].id, Report(source: tasks[2].path, status: .ioError, statusMessage: "No such file\nor directory")),
        ])
        return (store, job)
    }

    func testResultsStreamEveryTaskOfTheJobInOrder() throws {
        let (store, job) = try makeJob()
        var rows: [ResultRow] = []
        try store.results(job: job) { rows.append($0) }

        XCTAssertEqual(rows.map(\.state), [.done, .done, .done, .pending])
        XCTAssertEqual(rows.map(\.status), ["ok", "ok", "io_error", nil])
        XCTAssertEqual(rows.map(\.duplicate), [false, true, nil, nil])
        let first = rows[0]
        let report = StoreFixtures.report2021(sha256: StoreFixtures.sha(1))
        XCTAssertEqual(first.agency, "某某市“数据”局,办公室")
        XCTAssertEqual(first.year, 2023)
        XCTAssertEqual(first.published, "2024-01-20")
        XCTAssertEqual(first.errorCount, 1)
        XCTAssertEqual(first.warningCount, 1)
        XCTAssertEqual(first.applicationsNew, report.table3?[.new, .total])
        XCTAssertEqual(first.resultsTotal, report.table3?[.resultsTotal, .total])
        XCTAssertEqual(first.reviews, report.table4?[.review, .total])
        XCTAssertEqual(
            first.lawsuits,
            report.table4?[.litigationDirect, .total].map {
                $0 + ((report.table4?[.litigationAfterReview, .total]) ?? 0)
            })
    }

    func testNDJSONLinesAreJSONObjectsWithEveryField() throws {
        let (store, job) = try makeJob()
        var text = ""
        try store.exportResults(job: job, format: .ndjson) { text += $0 }

        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 5)
        XCTAssertEqual(lines.last, "")
        for line in lines.dropLast() {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertEqual(Set(object.keys), Set(ResultRow.fieldNames))
        }
        let first = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(first["agency"] as? String, "某某市“数据”局,办公室")
        XCTAssertEqual(first["path"] as? String, "/c/报告,一.txt")
        XCTAssertEqual(first["duplicate"] as? Bool, false)
        let third = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(lines[2].utf8)) as? [String: Any])
        XCTAssertEqual(third["status_message"] as? String, "No such file\nor directory")
        XCTAssertTrue(third["sha256"] is NSNull)
    }

    func testCSVExportHasAHeaderAndOneRecordPerTask() throws {
        let (store, job) = try makeJob()
        var records: [String] = []
        try store.exportResults(job: job, format: .csv) { records.append($0) }

        XCTAssertEqual(records.count, 5)
        XCTAssertTrue(records.allSatisfy { $0.hasSuffix("\r\n") })
        XCTAssertEqual(records[0], ResultRow.fieldNames.joined(separator: ",") + "\r\n")
        XCTAssertTrue(
            records[1].hasPrefix("1,\"/c/报告,一.txt\",done,ok,,\(StoreFixtures.sha(1)),false,\"某某市“数据”局,办公室\","))
        XCTAssertTrue(records[2].hasPrefix("2,\"/c/\"\"quoted\"\".txt\",done,ok,"))
        XCTAssertTrue(records[3].hasPrefix("3,/c/missing.txt,done,io_error,\"No such file\nor directory\",,,"))
        XCTAssertEqual(
            records[4], "4,/c/todo.txt,pending" + String(repeating: ",", count: ResultRow.fieldNames.count - 3) + "\r\n"
        )
    }

    func testExportToAFileHandleWritesEverything() throws {
        let (store, job) = try makeJob()
        let url = try makeTemporaryDirectory().appendingPathComponent("results.ndjson")
        XCTAssertTrue(FileManager.default.createFile(atPath: url.path, contents: nil))
        let handle = try FileHandle(forWritingTo: url)
        try store.exportResults(job: job, format: .ndjson, to: handle)
        try handle.close()
        var expected = ""
        try store.exportResults(job: job, format: .ndjson) { expected += $0 }
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), expected)
    }
}
