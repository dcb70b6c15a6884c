import Foundation
import GongkaiCore
import XCTest

@testable import GongkaiStore

class LedgerTests: StoreTestCase {
    func testAddingTheSameTasksAgainAddsNoneAndReturnsTheirState() throws {
        // Given a job with three tasks, one of them done
        let (store, job, tasks) = try makeStoreWithTasks(3)
        try store.commit([(tasks[1].id, StoreFixtures.report2021(sha256: StoreFixtures.sha(1)))])

        // When a restarted coordinator walks again and adds the same paths plus a new one
        let again = try store.addTasks(job: job, paths: tasks.map(\.path) + ["/c/new.txt"])

        // Then no task is duplicated; the existing ones come back with their state
        XCTAssertEqual(again.prefix(3).map(\.id), tasks.map(\.id))
        XCTAssertEqual(again.map(\.state), [.pending, .done, .pending, .pending])
        XCTAssertEqual(again[1].status, .ok)
        XCTAssertEqual(try store.counts().tasks, 4)
        XCTAssertEqual(try store.jobStatus(job: job)?.total, 4)
    }

    func testTheSamePathInTwoJobsIsTwoTasks() throws {
        let store = try makeStore()
        let a = try store.createJob(name: "a", roots: ["/c"], recursive: false)
        let b = try store.createJob(name: "b", roots: ["/c"], recursive: false)
        let ta = try store.addTasks(job: a, paths: ["/c/x.txt"])
        let tb = try store.addTasks(job: b, paths: ["/c/x.txt"])
        XCTAssertNotEqual(ta[0].id, tb[0].id)
    }

    func testPendingTasksArePagedInIdOrder() throws {
        // Given 25 tasks, of which 5 are done
        let (store, job, tasks) = try makeStoreWithTasks(25)
        try store.commit(
            (0..<5).map { (tasks[$0 * 5].id, StoreFixtures.report2021(sha256: StoreFixtures.sha($0 + 1))) })

        // When the coordinator pages through them 7 at a time
        var seen: [Int64] = []
        var after: Int64 = 0
        var pages = 0
        while true {
            let page = try store.pendingTasks(job: job, limit: 7, afterTaskId: after)
            if page.isEmpty { break }
            XCTAssertLessThanOrEqual(page.count, 7)
            seen += page.map(\.id)
            after = page.last?.id ?? after
            pages += 1
        }

        // Then it sees every pending task once, in order
        let expected = tasks.enumerated().filter { $0.offset % 5 != 0 }.map(\.element.id)
        XCTAssertEqual(seen, expected)
        XCTAssertEqual(pages, 3)
    }

    func testQuarantineSetsAPendingTaskAside() throws {
        let (store, job, tasks) = try makeStoreWithTasks(2)
        XCTAssertEqual(try store.recordAttempt(task: tasks[0].id, crashed: true), TaskAttempts(attempts: 1, crashes: 1))
        XCTAssertEqual(
            try store.recordAttempt(task: tasks[0].id, crashed: false), TaskAttempts(attempts: 2, crashes: 1))

        XCTAssertTrue(try store.quarantine(task: tasks[0].id, message: "killed 3 workers"))

        let task = try XCTUnwrap(try store.task(tasks[0].id))
        XCTAssertEqual(task.state, .quarantined)
        XCTAssertEqual(task.status, .quarantined)
        XCTAssertEqual(task.attempts, 2)
        XCTAssertEqual(try store.pendingTasks(job: job, limit: 10).map(\.id), [tasks[1].id])
        let status = try XCTUnwrap(try store.jobStatus(job: job))
        XCTAssertEqual([status.quarantined, status.pending, status.total], [1, 1, 2])
    }

    func testQuarantineDoesNotOverrideACommittedResult() throws {
        let (store, job, tasks) = try makeStoreWithTasks(1)
        try store.commit([(tasks[0].id, StoreFixtures.report2021(sha256: StoreFixtures.sha(1)))])
        XCTAssertFalse(try store.quarantine(task: tasks[0].id, message: "late"))
        XCTAssertEqual(try store.task(tasks[0].id)?.state, .done)
        XCTAssertEqual(try store.jobStatus(job: job)?.done, 1)
    }

    func testAQuarantineResultDoesNotOverrideACommittedResult() throws {
        // Given a task whose result is committed
        let (store, job, tasks) = try makeStoreWithTasks(1)
        try store.commit([(tasks[0].id, StoreFixtures.report2021(sha256: StoreFixtures.sha(1)))])

        // When a quarantine outcome for it arrives late through the collector
        let receipt = try store.commit([
            (tasks[0].id, Report(source: tasks[0].path, status: .quarantined, statusMessage: "late"))
        ])

        // Then the result stands
        XCTAssertEqual(receipt.taskOnly, [tasks[0].id])
        XCTAssertEqual(try store.task(tasks[0].id)?.state, .done)
        XCTAssertEqual(try store.jobStatus(job: job)?.quarantined, 0)
    }

    func testALateResultForAQuarantinedTaskIsKept() throws {
        let (store, job, tasks) = try makeStoreWithTasks(1)
        try store.quarantine(task: tasks[0].id, message: "timed out twice")
        try store.commit([(tasks[0].id, StoreFixtures.report2021(sha256: StoreFixtures.sha(1)))])
        let status = try XCTUnwrap(try store.jobStatus(job: job))
        XCTAssertEqual([status.done, status.quarantined, status.pending], [1, 0, 0])
    }

    func testJobStatusCountsAndStateFollowTheJob() throws {
        // Given a job being walked
        let store = try makeStore()
        let job = try store.createJob(name: "年报", roots: ["/a", "/b"], recursive: true, glob: "*.docx")
        let tasks = try store.addTasks(job: job, paths: (0..<4).map { "/a/\($0).docx" })
        XCTAssertEqual(try store.jobStatus(job: job)?.state, .walking)
        XCTAssertEqual(try store.unfinishedJobs().map(\.id), [job])

        // When the walk completes and results arrive
        try store.markWalkComplete(job: job)
        XCTAssertEqual(try store.jobStatus(job: job)?.state, .running)
        try store.commit([
            (tasks[0].id, StoreFixtures.report2021(sha256: StoreFixtures.sha(1))),
            (tasks[1].id, Report(source: tasks[1].path, sha256: StoreFixtures.sha(2), status: .binary)),
            (tasks[2].id, Report(source: tasks[2].path, status: .ioError, statusMessage: "EIO")),
        ])
        try store.quarantine(task: tasks[3].id, message: "poison")

        // Then the counts add up and the job is done
        let status = try XCTUnwrap(try store.jobStatus(job: job))
        XCTAssertEqual(status.name, "年报")
        XCTAssertEqual(status.roots, ["/a", "/b"])
        XCTAssertTrue(status.recursive)
        XCTAssertEqual(status.glob, "*.docx")
        XCTAssertEqual(
            [status.total, status.done, status.failed, status.quarantined, status.pending], [4, 1, 2, 1, 0])
        XCTAssertEqual(status.finished, 4)
        XCTAssertEqual(status.state, .done)
        XCTAssertEqual(try store.unfinishedJobs(), [])
        XCTAssertEqual(try store.allJobs().map(\.id), [job])
        XCTAssertFalse(status.createdAt.isEmpty)
    }

    func testUnknownJobsAndTasksAreErrors() throws {
        let store = try makeStore()
        XCTAssertThrowsError(try store.addTasks(job: 7, paths: ["/x"])) {
            XCTAssertEqual(($0 as? StoreError)?.code, .unknownJob)
        }
        XCTAssertThrowsError(try store.markWalkComplete(job: 7)) {
            XCTAssertEqual(($0 as? StoreError)?.code, .unknownJob)
        }
        XCTAssertThrowsError(try store.recordAttempt(task: 7, crashed: true)) {
            XCTAssertEqual(($0 as? StoreError)?.code, .unknownTask)
        }
        XCTAssertThrowsError(try store.quarantine(task: 7, message: "x")) {
            XCTAssertEqual(($0 as? StoreError)?.code, .unknownTask)
        }
        XCTAssertNil(try store.jobStatus(job: 7))
        XCTAssertNil(try store.task(7))
    }
}
