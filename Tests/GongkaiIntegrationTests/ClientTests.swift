import Foundation
import XCTest

/// The script-facing commands against a real coordinator: a path list on standard input larger than one
/// control request, exit codes of `submit --wait`, status with counters, and the sizing arithmetic.
final class ClientTests: XCTestCase {
    func testAPathListTooLongForOneRequestIsSubmittedInChunksAsOneJob() throws {
        let dir = try Harness.temporaryDirectory("stdin")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run").path
        let server = try Harness.startServer(["--workers", "1", "--run-dir", run, "--store", dir.appendingPathComponent("s.sqlite").path,
                                              "--log-level", "warning"], runDirectory: run)
        defer { Harness.stopServer(server) }
        // 20,000 paths of ~75 bytes: about 1.5 MB, beyond the 1 MiB of one control request. None exists, so
        // every file is recorded as an io_error and the job "fails" (exit 1) without being lost.
        let list = (0..<20_000).map { "/nonexistent/gongkai-test/a/fairly/long/directory/name/report_\($0).txt" }.joined(separator: "\n")
        let submit = try Harness.run(["submit", "--run-dir", run, "--wait", "--json", "-"], input: list, timeout: 300)
        XCTAssertEqual(submit.status, 1, submit.stderr)
        let status = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(submit.stdout.utf8)) as? [String: Any])
        let job = try XCTUnwrap((status["jobs"] as? [[String: Any]])?.first)
        XCTAssertEqual(job["total"] as? Int, 20_000)
        XCTAssertEqual(job["failed"] as? Int, 20_000)
        XCTAssertEqual(job["walk_complete"] as? Bool, true)

        let seeds = try Harness.run(["submit", "--run-dir", run, "--wait", Harness.seedsDirectory.path], timeout: 120)
        XCTAssertEqual(seeds.status, 0, seeds.stdout + seeds.stderr)
        let text = try Harness.run(["status", "--run-dir", run])
        XCTAssertTrue(text.stdout.contains("coordinator: 1 worker(s)"), text.stdout)
        XCTAssertTrue(text.stdout.contains("20005 committed"), text.stdout)
    }

    func testSizingRecommendsHostsFromMeasuredRunsAndShowsTheArithmetic() throws {
        let dir = try Harness.temporaryDirectory("size")
        defer { try? FileManager.default.removeItem(at: dir) }
        let results = dir.appendingPathComponent("r.json")
        try Data(#"{"machine": {"cores": 2}, "runs": [{"workers": 1, "reports_per_s": 10000}, {"workers": 2, "reports_per_s": 18000}, {"workers": 3, "reports_per_s": 17000}]}"#.utf8)
            .write(to: results)
        let small = try Harness.run(["bench", "size", "--reports", "100000", "--deadline", "1h", "--from", results.path])
        XCTAssertEqual(small.status, 0, small.stderr)
        XCTAssertTrue(small.stdout.contains("best per host: 2 worker(s) at 18000 reports/s"), small.stdout)
        XCTAssertTrue(small.stdout.contains("recommendation: 1 host(s) × 2 worker(s)"), small.stdout)
        // 10M reports in 5 minutes = 33,333/s; 18,000 × 0.8 = 14,400 per host → 3 hosts.
        let big = try Harness.run(["bench", "size", "--reports", "10000000", "--deadline", "300s", "--from", results.path])
        XCTAssertTrue(big.stdout.contains("hosts: ceil(33333.3 / 14400) = 3"), big.stdout)
        XCTAssertTrue(big.stdout.contains("recommendation: 3 host(s) × 2 worker(s)"), big.stdout)
        XCTAssertEqual(try Harness.run(["bench", "size", "--reports", "5", "--deadline", "soon", "--from", results.path]).status, 2)
    }

    func testSizingStopsAddingHostsWhereTheStoreWriterIsTheLimit() throws {
        let dir = try Harness.temporaryDirectory("size-writer")
        defer { try? FileManager.default.removeItem(at: dir) }
        // As bench/cluster_bench.py writes it: 100,000 reports, the collector 3.0 s and the feeder 0.6 s of CPU,
        // so one coordinator commits at most 10^6 / 36 µs = 27,778 reports/s.
        let threads = #"{"serve": [[11, "gongkai", 0.9], [12, "gk-collector", 3.0], [13, "gk-feeder", 0.6]], "workers": []}"#
        let results = dir.appendingPathComponent("r.json")
        try Data(#"{"machine": {"cores": 2}, "runs": [{"workers": 1, "reports_per_s": 10000, "tasks_done": 100000, "cpu": {"threads": \#(threads)}}, {"workers": 2, "reports_per_s": 18000, "tasks_done": 100000, "cpu": {"threads": \#(threads)}}]}"#.utf8)
            .write(to: results)
        // 10M reports in 5 minutes = 33,333/s: 3 hosts by the measured rate, but the writer takes 2 hosts' worth,
        // and with 20% headroom (22,222/s) one coordinator cannot keep up: two deployments of 2 hosts.
        let big = try Harness.run(["bench", "size", "--reports", "10000000", "--deadline", "300s", "--from", results.path])
        XCTAssertEqual(big.status, 0, big.stderr)
        XCTAssertTrue(big.stdout.contains("one coordinator's store writer: 10^6 / (collector 30.0 + feeder 6.0 µs per report in that run) = 27778 reports/s\n"), big.stdout)
        XCTAssertTrue(big.stdout.contains("hosts: beyond ceil(27778 / 18000) = 2 the store writer is the limit: 2"), big.stdout)
        XCTAssertTrue(big.stdout.contains("one coordinator cannot keep up: ceil(33333.3 / (27778 × 0.80)) = 2 independent deployments (each its own gongkai serve and store), each with ceil(16666.7 / 14400) = 2 host(s)"), big.stdout)
        XCTAssertTrue(big.stdout.contains("expected time at the store writer's rate: 10000000 / (2 × 27778) = 3.0 min (deadline 5.0 min)"), big.stdout)
        XCTAssertTrue(big.stdout.contains("recommendation: 2 deployments × 2 host(s) × 2 worker(s)"), big.stdout)
        // A split gives each deployment only the hosts its share needs: 25,000/s → 2 deployments of 1 host.
        let split = try Harness.run(["bench", "size", "--reports", "7500000", "--deadline", "300s", "--from", results.path])
        XCTAssertTrue(split.stdout.contains("= 2 independent deployments (each its own gongkai serve and store), each with ceil(12500.0 / 14400) = 1 host(s)"), split.stdout)
        XCTAssertTrue(split.stdout.contains("expected time at the measured rate: 7500000 / (2 × 18000 × 1) = 3.5 min"), split.stdout)
        // A writer bound below what the run achieved gives way to the run.
        let slowThreads = #"{"serve": [[12, "gk-collector", 7.0], [13, "gk-feeder", 3.0]], "workers": []}"#
        let slow = dir.appendingPathComponent("slow.json")
        try Data(#"{"machine": {"cores": 2}, "runs": [{"workers": 2, "reports_per_s": 11000, "tasks_done": 100000, "cpu": {"threads": \#(slowThreads)}}]}"#.utf8)
            .write(to: slow)
        let clamped = try Harness.run(["bench", "size", "--reports", "1000000", "--deadline", "60s", "--from", slow.path])
        XCTAssertTrue(clamped.stdout.contains("= 10000 reports/s (below the run's 11000, which is used instead)"), clamped.stdout)
        XCTAssertTrue(clamped.stdout.contains("expected time at the measured rate: 1000000 / (2 × 11000 × 1) = 45 s"), clamped.stdout)
        // Within the writer's rate nothing changes: 100,000 reports in an hour need 1 host.
        let small = try Harness.run(["bench", "size", "--reports", "100000", "--deadline", "1h", "--from", results.path])
        XCTAssertTrue(small.stdout.contains("expected time at the measured rate: 100000 / (18000 × 1) = 6 s"), small.stdout)
        XCTAssertTrue(small.stdout.contains("recommendation: 1 host(s) × 2 worker(s)"), small.stdout)
    }
}
