// The store test suite on PostgreSQL: every test of the shared classes, run again with
// `backend = .postgres`. XCTest on Linux runs only the test methods a class declares itself, so
// each one is overridden here; `PostgresStoreTests.testEveryStoreTestAlsoRunsOnPostgreSQL` fails
// when one is missing.

import XCTest

final class PostgresCommitTests: CommitTests {
    override class var backend: StoreBackend { .postgres }
    override func testCommittingTheSameReportTwiceStoresOneDocument() throws { try super.testCommittingTheSameReportTwiceStoresOneDocument() }
    override func testABatchContainingADuplicateStoresOneDocument() throws { try super.testABatchContainingADuplicateStoresOneDocument() }
    override func testAResubmittedJobAddsNoDocumentRows() throws { try super.testAResubmittedJobAddsNoDocumentRows() }
    override func testResultsWithoutAContentHashAreRecordedOnTheTaskOnly() throws { try super.testResultsWithoutAContentHashAreRecordedOnTheTaskOnly() }
    override func testResultsForUnknownTasksAreReportedAndNotStored() throws { try super.testResultsForUnknownTasksAreReportedAndNotStored() }
    override func testUpperCaseHashesAreTheSameDocumentAsLowerCase() throws { try super.testUpperCaseHashesAreTheSameDocumentAsLowerCase() }
    override func testTwoThousandReportsCommitInBatchesOfOneThousand() throws { try super.testTwoThousandReportsCommitInBatchesOfOneThousand() }
}

final class PostgresExportTests: ExportTests {
    override class var backend: StoreBackend { .postgres }
    override func testCSVFieldsAreQuotedOnlyWhenNeeded() { super.testCSVFieldsAreQuotedOnlyWhenNeeded() }
    override func testResultsStreamEveryTaskOfTheJobInOrder() throws { try super.testResultsStreamEveryTaskOfTheJobInOrder() }
    override func testNDJSONLinesAreJSONObjectsWithEveryField() throws { try super.testNDJSONLinesAreJSONObjectsWithEveryField() }
    override func testCSVExportHasAHeaderAndOneRecordPerTask() throws { try super.testCSVExportHasAHeaderAndOneRecordPerTask() }
    override func testExportToAFileHandleWritesEverything() throws { try super.testExportToAFileHandleWritesEverything() }
}

final class PostgresLedgerTests: LedgerTests {
    override class var backend: StoreBackend { .postgres }
    override func testAddingTheSameTasksAgainAddsNoneAndReturnsTheirState() throws { try super.testAddingTheSameTasksAgainAddsNoneAndReturnsTheirState() }
    override func testTheSamePathInTwoJobsIsTwoTasks() throws { try super.testTheSamePathInTwoJobsIsTwoTasks() }
    override func testPendingTasksArePagedInIdOrder() throws { try super.testPendingTasksArePagedInIdOrder() }
    override func testQuarantineSetsAPendingTaskAside() throws { try super.testQuarantineSetsAPendingTaskAside() }
    override func testQuarantineDoesNotOverrideACommittedResult() throws { try super.testQuarantineDoesNotOverrideACommittedResult() }
    override func testAQuarantineResultDoesNotOverrideACommittedResult() throws { try super.testAQuarantineResultDoesNotOverrideACommittedResult() }
    override func testALateResultForAQuarantinedTaskIsKept() throws { try super.testALateResultForAQuarantinedTaskIsKept() }
    override func testJobStatusCountsAndStateFollowTheJob() throws { try super.testJobStatusCountsAndStateFollowTheJob() }
    override func testUnknownJobsAndTasksAreErrors() throws { try super.testUnknownJobsAndTasksAreErrors() }
}

final class PostgresRoundTripTests: RoundTripTests {
    override class var backend: StoreBackend { .postgres }
    override func testEveryFieldOfA2021ReportRoundTrips() throws { try super.testEveryFieldOfA2021ReportRoundTrips() }
    override func testEveryFieldOfA2019ReportRoundTrips() throws { try super.testEveryFieldOfA2019ReportRoundTrips() }
    override func testMixedTemplatesPerTableRoundTrip() throws { try super.testMixedTemplatesPerTableRoundTrip() }
    override func testAReportWithoutTablesRoundTrips() throws { try super.testAReportWithoutTablesRoundTrips() }
    override func testAmountsRoundTripExactly() throws { try super.testAmountsRoundTripExactly() }
    override func testTheCellViewsExposeEveryPresentCell() throws { try super.testTheCellViewsExposeEveryPresentCell() }
}

final class PostgresStoreSchemaTests: StoreSchemaTests {
    override class var backend: StoreBackend { .postgres }
    override func testMigrationsCreateTheSchemaOnAnEmptyDatabase() throws { try super.testMigrationsCreateTheSchemaOnAnEmptyDatabase() }
    override func testEveryReportStatusAndLayoutPassesTheChecks() throws { try super.testEveryReportStatusAndLayoutPassesTheChecks() }
    override func testConstraintsRejectWhatTheCodeMustNeverWrite() throws { try super.testConstraintsRejectWhatTheCodeMustNeverWrite() }
    override func testAnInvalidHashFailsTheCommitBeforeWritingAnything() throws { try super.testAnInvalidHashFailsTheCommitBeforeWritingAnything() }
    override func testEveryViewCanBeQueried() throws { try super.testEveryViewCanBeQueried() }
}

final class PostgresSummaryTests: SummaryTests {
    override class var backend: StoreBackend { .postgres }
    override func testSummaryByYearAddsUpTheParsedReports() throws { try super.testSummaryByYearAddsUpTheParsedReports() }
    override func testSummaryByAgencyUsesTheNormalisedName() throws { try super.testSummaryByAgencyUsesTheNormalisedName() }
    override func testAgencyKeysIgnoreSpacesAndFullWidthForms() { super.testAgencyKeysIgnoreSpacesAndFullWidthForms() }
    override func testFindingsAreCountedByRule() throws { try super.testFindingsAreCountedByRule() }
    override func testCrossReportChecksFlagAMismatchAndNotAMatch() throws { try super.testCrossReportChecksFlagAMismatchAndNotAMatch() }
    override func testASummaryCountsEachDocumentOnceAcrossJobs() throws { try super.testASummaryCountsEachDocumentOnceAcrossJobs() }
}
