import Foundation
import GongkaiCore
import XCTest

@testable import GongkaiStore

class RoundTripTests: StoreTestCase {
    private func roundTrip(_ report: Report, file: StaticString = #filePath, line: UInt = #line) throws -> Report {
        let (store, _, tasks) = try makeStoreWithTasks(1)
        try store.commit([(tasks[0].id, report)])
        return try XCTUnwrap(try store.report(sha256: report.sha256), file: file, line: line)
    }

    func testEveryFieldOfA2021ReportRoundTrips() throws {
        // Given a 2021 report with every field set, blanks as nil
        let report = StoreFixtures.report2021(sha256: StoreFixtures.sha(1))

        // When it is stored and read back
        let stored = try roundTrip(report)

        // Then it is the same report, cell for cell
        XCTAssertEqual(stored.table3, report.table3)
        XCTAssertEqual(stored.table4, report.table4)
        XCTAssertEqual(stored.table2, report.table2)
        XCTAssertEqual(stored.narrative, report.narrative)
        XCTAssertEqual(stored.findings, report.findings)
        XCTAssertEqual(stored, report)
        XCTAssertNil(stored.table3?[.deniedStateSecret, .research], "a blank cell stays blank, not 0")
        XCTAssertEqual(stored.table3?[.otherNoCorrection, .total], 0)
    }

    func testEveryFieldOfA2019ReportRoundTrips() throws {
        // Given a 2019 report: 2019 table 2 (amounts in 元, signed changes), 23-row table 3, no table 4
        let report = StoreFixtures.report2019(sha256: StoreFixtures.sha(2))

        // When it is stored and read back
        let stored = try roundTrip(report)

        // Then it is the same report; the rows the template lacks are absent, not blank
        XCTAssertEqual(stored, report)
        XCTAssertEqual(stored.table3?.has(.otherNoCorrection), false)
        XCTAssertEqual(stored.table3?.has(.other), true)
        XCTAssertNil(stored.table4)
        XCTAssertEqual(stored.table2?.value("fees", "change")?.count, -3)
        XCTAssertEqual(stored.table2?.value("procurement", "amount_10k_yuan")?.written, "251000元")
    }

    func testMixedTemplatesPerTableRoundTrip() throws {
        // Given a report like seed 004: a 2019 table 2 with a 2021 table 3
        var report = StoreFixtures.report2021(sha256: StoreFixtures.sha(3))
        report.table2 = StoreFixtures.report2019(sha256: StoreFixtures.sha(3)).table2
        XCTAssertEqual(try roundTrip(report), report)
    }

    func testAReportWithoutTablesRoundTrips() throws {
        var report = Report(source: "/x/空.txt", sha256: StoreFixtures.sha(4), byteCount: 0, status: .empty)
        report.encoding = nil
        XCTAssertEqual(try roundTrip(report), report)
    }

    func testAmountsRoundTripExactly() throws {
        var report = StoreFixtures.report2021(sha256: StoreFixtures.sha(5))
        for micros: Int64 in [1, 999_999, 123_456_789_012_345, -7_500_000] {
            report.narrative.adminFees = Amount(micros: micros)
            report.sha256 = StoreFixtures.sha(Int(micros.magnitude % 1_000_000) + 10)
            XCTAssertEqual(try roundTrip(report).narrative.adminFees?.micros, micros)
        }
    }

    func testTheCellViewsExposeEveryPresentCell() throws {
        // Given a 2021 and a 2019 report
        let (store, _, tasks) = try makeStoreWithTasks(2)
        let r2021 = StoreFixtures.report2021(sha256: StoreFixtures.sha(1))
        let r2019 = StoreFixtures.report2019(sha256: StoreFixtures.sha(2))
        try store.commit([(tasks[0].id, r2021), (tasks[1].id, r2019)])

        // Then table3_cells has one row per present table 3 row
        let counts = try textRows(store, "SELECT sha256, COUNT(*) FROM table3_cells GROUP BY sha256 ORDER BY sha256")
        XCTAssertEqual(counts.map { $0[1] }, ["25", "23"])
        let row = try XCTUnwrap(
            try textRows(
                store,
                """
                SELECT natural_person, research, total FROM table3_cells
                WHERE sha256 = '\(StoreFixtures.sha(1))' AND row = 'denied_state_secret'
                """
            ).first)
        XCTAssertEqual(row[0], r2021.table3?[.deniedStateSecret, .naturalPerson].map { String($0) })
        XCTAssertNil(row[1] ?? nil)
        XCTAssertEqual(row[2], r2021.table3?[.deniedStateSecret, .total].map { String($0) })

        // table4_cells: three groups for the report that has table 4, none for the other
        let groups = try textRows(store, "SELECT grp FROM table4_cells ORDER BY sha256, grp")
        XCTAssertEqual(groups.map { $0[0] }, ["litigation_after_review", "litigation_direct", "review"])
        let pending = try textRows(
            store, "SELECT pending FROM table4_cells WHERE grp = 'review' AND sha256 = '\(StoreFixtures.sha(1))'")
        XCTAssertEqual(pending.first?[0], r2021.table4?[.review, .pending].map { String($0) })

        // table2_cells: one row per present field, amounts with what was written
        let fields2021 = try textRows(
            store, "SELECT COUNT(*) FROM table2_cells WHERE sha256 = '\(StoreFixtures.sha(1))'")
        XCTAssertEqual(fields2021.first?[0], "10")
        let fees = try XCTUnwrap(
            try textRows(
                store,
                """
                SELECT value, written, unit FROM table2_cells
                WHERE sha256 = '\(StoreFixtures.sha(2))' AND row = 'procurement' AND field = 'amount_10k_yuan'
                """
            ).first)
        XCTAssertEqual(try XCTUnwrap(Double(try XCTUnwrap(fees[0]))), 25.100002, accuracy: 1e-9)
        XCTAssertEqual(fees[1], "251000元")
        XCTAssertEqual(fees[2], "元")
    }
}
