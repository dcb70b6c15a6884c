import Foundation
import GRDB
import GongkaiCore
import XCTest

@testable import GongkaiStore

class CommitTests: StoreTestCase {
    func testCommittingTheSameReportTwiceStoresOneDocument() throws {
        // Given a task and its result
        let (store, job, tasks) = try makeStoreWithTasks(1)
        let report = StoreFixtures.report2021(sha256: StoreFixtures.sha(1))

        // When the result is delivered twice (at-least-once delivery)
        let first = try store.commit([(tasks[0].id, report)])
        let second = try store.commit([(tasks[0].id, report)])

        // Then one document and its findings are stored, once; the task counts once
        XCTAssertEqual(first.stored, [tasks[0].id])
        XCTAssertEqual(second.stored, [])
        XCTAssertEqual(second.duplicates, [tasks[0].id])
        let counts = try store.counts()
        XCTAssertEqual(counts.documents, 1)
        XCTAssertEqual(counts.findings, 2)
        let status = try XCTUnwrap(try store.jobStatus(job: job))
        XCTAssertEqual([status.total, status.done, status.pending], [1, 1, 0])
    }

    func testABatchContainingADuplicateStoresOneDocument() throws {
        // Given two tasks whose files have the same content, in one batch
        let (store, _, tasks) = try makeStoreWithTasks(3)
        let a = StoreFixtures.report2021(sha256: StoreFixtures.sha(1))
        var copy = a
        copy.source = "/c/1.txt"
        let b = StoreFixtures.report2021(sha256: StoreFixtures.sha(2), seed: 2)

        // When the batch is committed
        let receipt = try store.commit([(tasks[0].id, a), (tasks[1].id, copy), (tasks[2].id, b)])

        // Then two documents are stored and the copy is linked to the first
        XCTAssertEqual(receipt.stored, [tasks[0].id, tasks[2].id])
        XCTAssertEqual(receipt.duplicates, [tasks[1].id])
        XCTAssertEqual(try store.counts().documents, 2)
        XCTAssertEqual(try store.counts().findings, 4)
        var rows: [ResultRow] = []
        try store.results(job: tasks[0].job) { rows.append($0) }
        XCTAssertEqual(rows.map(\.sha256), [StoreFixtures.sha(1), StoreFixtures.sha(1), StoreFixtures.sha(2)])
        XCTAssertEqual(rows.map(\.duplicate), [false, true, false])
    }

    func testAResubmittedJobAddsNoDocumentRows() throws {
        // Given a corpus committed through a first job
        let (store, _, firstTasks) = try makeStoreWithTasks(5)
        let reports = (0..<5).map { StoreFixtures.report2021(sha256: StoreFixtures.sha($0 + 1), seed: Int64($0)) }
        try store.commit(zip(firstTasks, reports).map { ($0.id, $1) })
        let before = try store.counts()

        // When the same corpus is submitted again as a second job
        let second = try store.createJob(name: "again", roots: ["/c"], recursive: true)
        let secondTasks = try store.addTasks(job: second, paths: firstTasks.map(\.path))
        let receipt = try store.commit(zip(secondTasks, reports).map { ($0.id, $1) })

        // Then every result is a duplicate and no document or finding is added
        XCTAssertEqual(receipt.stored, [])
        XCTAssertEqual(receipt.duplicates, secondTasks.map(\.id))
        let after = try store.counts()
        XCTAssertEqual(after.documents, before.documents)
        XCTAssertEqual(after.findings, before.findings)
        XCTAssertEqual(after.tasks, 10)
        XCTAssertEqual(try store.jobStatus(job: second)?.done, 5)
        XCTAssertEqual(try store.summary(by: .year).map(\.reports), [5])
    }

    func testResultsWithoutAContentHashAreRecordedOnTheTaskOnly() throws {
        // Given an unreadable file, a file over the size limit and a poison file
        let (store, job, tasks) = try makeStoreWithTasks(4)
        let ioError = Report(source: "/c/0.txt", status: .ioError, statusMessage: "Permission denied")
        let tooLarge = Report(
            source: "/c/1.txt", sha256: StoreFixtures.sha(9), status: .tooLarge, statusMessage: "over 64 MiB")
        let poison = Report(source: "/c/2.txt", status: .quarantined, statusMessage: "crashed 3 workers")
        let notReport = Report(source: "/c/3.txt", sha256: StoreFixtures.sha(10), status: .notReport)

        // When their results are committed
        let receipt = try store.commit([
            (tasks[0].id, ioError), (tasks[1].id, tooLarge), (tasks[2].id, poison), (tasks[3].id, notReport),
        ])

        // Then only the readable content gets a document row; every task has its outcome
        XCTAssertEqual(receipt.taskOnly, [tasks[0].id, tasks[1].id, tasks[2].id])
        XCTAssertEqual(receipt.stored, [tasks[3].id])
        XCTAssertEqual(try store.counts().documents, 1)
        XCTAssertEqual(try store.task(tasks[0].id)?.status, .ioError)
        XCTAssertEqual(try store.task(tasks[2].id)?.state, .quarantined)
        let status = try XCTUnwrap(try store.jobStatus(job: job))
        XCTAssertEqual([status.done, status.failed, status.quarantined, status.pending], [0, 3, 1, 0])
        var messages: [String?] = []
        try store.results(job: job) { messages.append($0.statusMessage) }
        XCTAssertEqual(messages, ["Permission denied", "over 64 MiB", "crashed 3 workers", nil])
    }

    func testResultsForUnknownTasksAreReportedAndNotStored() throws {
        let (store, _, tasks) = try makeStoreWithTasks(1)
        let receipt = try store.commit([
            (tasks[0].id, StoreFixtures.report2021(sha256: StoreFixtures.sha(1))),
            (9_999, StoreFixtures.report2021(sha256: StoreFixtures.sha(2))),
        ])
        XCTAssertEqual(receipt.stored, [tasks[0].id])
        XCTAssertEqual(receipt.unknownTasks, [9_999])
        XCTAssertEqual(try store.counts().documents, 1)
    }

    func testUpperCaseHashesAreTheSameDocumentAsLowerCase() throws {
        let (store, _, tasks) = try makeStoreWithTasks(2)
        let sha = "ABCDEF" + StoreFixtures.sha(7).dropFirst(6)
        try store.commit([(tasks[0].id, StoreFixtures.report2021(sha256: sha))])
        let receipt = try store.commit([(tasks[1].id, StoreFixtures.report2021(sha256: sha.lowercased()))])
        XCTAssertEqual(receipt.duplicates, [tasks[1].id])
        XCTAssertEqual(try store.report(sha256: sha)?.sha256, sha.lowercased())
    }

    func testTwoThousandReportsCommitInBatchesOfOneThousand() throws {
        // A sanity bound only: speed is measured by the benchmarks, never asserted here.
        let count = 2_000
        let (store, _, tasks) = try makeStoreWithTasks(count)
        let template = StoreFixtures.report2021(sha256: StoreFixtures.sha(1))
        let batches = stride(from: 0, to: count, by: 1_000).map { start in
            (start..<start + 1_000).map { i -> (task: Int64, report: Report) in
                var report = template
                report.sha256 = StoreFixtures.sha(i + 1)
                report.findings = i % 10 == 0 ? template.findings : []
                return (tasks[i].id, report)
            }
        }
        let clock = ContinuousClock()
        var stored = 0
        let elapsed = try clock.measure {
            for batch in batches { stored += try store.commit(batch).stored.count }
        }
        XCTAssertEqual(stored, count)
        XCTAssertEqual(try store.counts().documents, count)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("commit: \(count) reports in \(elapsed) = \(Int(Double(count) / seconds)) reports/s (in memory)")
    }
}
