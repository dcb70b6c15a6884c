import Foundation
import GongkaiCore
import XCTest

@testable import GongkaiStore

class SummaryTests: StoreTestCase {
    /// Three agencies over two years, plus a document that is not a report.
    private func makeCorpus() throws -> any SummaryStoring {
        let reports = [
            StoreFixtures.figures(
                sha256: StoreFixtures.sha(1), agency: "甲局", year: 2022, region: "杭州", new: 10, carriedOver: 0,
                granted: 4, resultsTotal: 8, carriedForward: 2, review: (1, 2), direct: (0, 1), afterReview: (1, 1),
                regulations: (issued: 1, repealed: 0, inForce: 10), normative: (issued: 3, repealed: 1, inForce: 50),
                errors: 1),
            StoreFixtures.figures(
                sha256: StoreFixtures.sha(2), agency: "乙局", year: 2022, region: "宁波", new: 20, carriedOver: 1,
                granted: 6, resultsTotal: 12, carriedForward: 3, review: (0, 0), direct: (nil, nil), afterReview: (0, 2)
            ),
            StoreFixtures.figures(
                sha256: StoreFixtures.sha(3), agency: "甲　局 ", year: 2023, region: "杭州", new: 5, carriedOver: 2,
                granted: 2, resultsTotal: nil, carriedForward: 0, review: (2, 4), direct: (1, 2), afterReview: nil,
                regulations: (issued: 2, repealed: 1, inForce: 11), normative: (issued: 5, repealed: 0, inForce: 54),
                errors: 2),
            StoreFixtures.figures(
                sha256: StoreFixtures.sha(4), agency: "乙局", year: 2023, region: "宁波", new: 1, carriedOver: 4,
                granted: 1, resultsTotal: 1, carriedForward: 4),
            Report(source: "/c/notice.txt", sha256: StoreFixtures.sha(5), status: .notReport),
        ]
        let store = try makeStore()
        let job = try store.createJob(name: "corpus", roots: ["/c"], recursive: true)
        let tasks = try store.addTasks(job: job, paths: reports.map(\.source))
        try store.commit(zip(tasks, reports).map { ($0.id, $1) })
        return store
    }

    func testSummaryByYearAddsUpTheParsedReports() throws {
        let store = try makeCorpus()

        let rows = try store.summary(by: .year)

        XCTAssertEqual(rows.map(\.key), ["2022", "2023"], "the document that is not a report is left out")
        let y2022 = rows[0]
        XCTAssertEqual(y2022.reports, 2)
        XCTAssertEqual(y2022.reportsWithErrors, 1)
        XCTAssertEqual(y2022.applicationsReceived, 30)
        XCTAssertEqual(try XCTUnwrap(y2022.grantedShare), 10.0 / 20.0, accuracy: 1e-12)
        XCTAssertEqual(y2022.reviews, 2)
        XCTAssertEqual(y2022.lawsuits, 4)  // 1 direct + 1 after review (甲), 2 after review (乙)
        XCTAssertEqual(try XCTUnwrap(y2022.correctedShareOfReviews), 1.0 / 2.0, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(y2022.correctedShareOfLawsuits), 1.0 / 4.0, accuracy: 1e-12)

        let y2023 = rows[1]
        XCTAssertEqual(y2023.reports, 2)
        XCTAssertEqual(y2023.reportsWithErrors, 1)
        XCTAssertEqual(y2023.applicationsReceived, 6)
        // 甲局 2023 has no results_total, so only 乙局's 1/1 counts
        XCTAssertEqual(try XCTUnwrap(y2023.grantedShare), 1.0, accuracy: 1e-12)
        XCTAssertEqual(y2023.reviews, 4)
        XCTAssertEqual(y2023.lawsuits, 2)
        XCTAssertEqual(try XCTUnwrap(y2023.correctedShareOfReviews), 0.5, accuracy: 1e-12)
    }

    func testSummaryByAgencyUsesTheNormalisedName() throws {
        let store = try makeCorpus()
        let rows = try store.summary(by: .agency)
        XCTAssertEqual(rows.map(\.key), ["乙局", "甲局"])
        XCTAssertEqual(rows.map(\.reports), [2, 2])
        XCTAssertEqual(rows.map(\.applicationsReceived), [21, 15])
        XCTAssertEqual(try store.summary(by: .region).map(\.key), ["宁波", "杭州"])
    }

    func testAgencyKeysIgnoreSpacesAndFullWidthForms() {
        XCTAssertEqual(SummaryStore.agencyKey(" 甲　局\u{00A0}"), "甲局")
        XCTAssertEqual(SummaryStore.agencyKey("（ＡＢＣ）办公室"), "(abc)办公室")
        XCTAssertNil(SummaryStore.agencyKey("　 "))
        XCTAssertNil(SummaryStore.agencyKey(nil))
    }

    func testFindingsAreCountedByRule() throws {
        let store = try makeCorpus()
        let (_, _, tasks) = (store, 0, try store.addTasks(job: 1, paths: ["/c/extra.txt"]))
        try store.commit([(tasks[0].id, StoreFixtures.report2021(sha256: StoreFixtures.sha(6)))])

        let counts = try store.findingsByRule()

        XCTAssertEqual(counts.map(\.rule), ["table3.row_total", "cell.blank", "table3.balance"])
        XCTAssertEqual(counts.map(\.count), [3, 1, 1])
        XCTAssertEqual(counts.map(\.severity), [.error, .warning, .error])
    }

    func testCrossReportChecksFlagAMismatchAndNotAMatch() throws {
        let store = try makeCorpus()

        let findings = try store.crossReportFindings()

        // 甲局: carried over 2 in 2023, but carried forward 2 in 2022: a match, not flagged.
        // 乙局: carried over 4 in 2023, but carried forward 3 in 2022: flagged.
        let carry = findings.filter { $0.rule == .crossCarryOver }
        XCTAssertEqual(carry.count, 1)
        XCTAssertEqual(carry.first?.agency, "乙局")
        XCTAssertEqual(carry.first?.year, 2023)
        XCTAssertEqual(carry.first?.found, 4)
        XCTAssertEqual(carry.first?.expected, 3)
        XCTAssertEqual(carry.first?.sha256, StoreFixtures.sha(4))
        XCTAssertEqual(carry.first?.previousSha256, StoreFixtures.sha(2))
        XCTAssertEqual(carry.first?.finding.cells, ["table3.carried_over.total"])

        // 甲局 regulations: 10 + 2 − 1 = 11, a match. Normative documents: 50 + 5 − 0 = 55, but 54.
        let inForce = findings.filter { $0.rule == .crossInForce }
        XCTAssertEqual(inForce.map(\.cell), ["table2.normative_documents.in_force"])
        XCTAssertEqual(inForce.first?.found, 54)
        XCTAssertEqual(inForce.first?.expected, 55)
        XCTAssertEqual(inForce.first?.agency, "甲局")
        XCTAssertEqual(inForce.first?.finding.severity, .warning)
    }

    func testASummaryCountsEachDocumentOnceAcrossJobs() throws {
        let store = try makeCorpus()
        let again = try store.createJob(name: "again", roots: ["/c"], recursive: true)
        let tasks = try store.addTasks(job: again, paths: ["/c/dup.txt"])
        try store.commit([
            (tasks[0].id, StoreFixtures.figures(sha256: StoreFixtures.sha(1), agency: "甲局", year: 2022, new: 10))
        ])
        XCTAssertEqual(try store.summary(by: .year).first?.applicationsReceived, 30)
    }
}
