import Foundation
import XCTest

/// A Python script with pyzmq submits a directory and waits, speaking the control protocol from
/// docs/wire-protocol.md alone; the shipped example is exactly the code printed in that document.
final class PythonClientTests: XCTestCase {
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    func testTheShippedExampleIsTheDocumentedCode() throws {
        let doc = try String(contentsOf: Self.repository.appendingPathComponent("docs/wire-protocol.md"), encoding: .utf8)
        let example = try String(contentsOf: Self.repository.appendingPathComponent("cluster/examples/submit_and_wait.py"), encoding: .utf8)
        let section = try XCTUnwrap(doc.range(of: "### 7.1 Complete Python example"))
        let start = try XCTUnwrap(doc.range(of: "```python\n", range: section.upperBound..<doc.endIndex))
        let end = try XCTUnwrap(doc.range(of: "```", range: start.upperBound..<doc.endIndex))
        XCTAssertEqual(String(doc[start.upperBound..<end.lowerBound]), example)
    }

    func testPythonExampleSubmitsTheSeedsAndWaitsForTheJob() throws {
        guard (try? Harness.runTool("/usr/bin/env", ["python3", "-c", "import zmq"]))?.status == 0 else {
            throw XCTSkip("pyzmq is not installed (scripts/setup.sh installs it)")
        }
        let dir = try Harness.temporaryDirectory("py")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run").path
        let store = dir.appendingPathComponent("store.sqlite").path
        let server = try Harness.startServer(["--workers", "2", "--run-dir", run, "--store", store, "--log-level", "warning"], runDirectory: run)
        defer { Harness.stopServer(server) }

        let script = Self.repository.appendingPathComponent("cluster/examples/submit_and_wait.py").path
        let result = try Harness.runTool("/usr/bin/env", ["python3", script, run, Harness.seedsDirectory.path, "*.txt"], timeout: 120)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("submitted job 1"), result.stdout)
        XCTAssertTrue(result.stdout.contains("done: 5/5 done, 0 failed, 0 quarantined"), result.stdout)

        // The same job as the Swift client sees it, and the store holds the five reports.
        let status = try Harness.run(["status", "--run-dir", run, "--json", "1"])
        XCTAssertTrue(status.stdout.contains("\"done\":5"), status.stdout)
        let results = try Harness.run(["results", "--run-dir", run, "1", "--format", "csv"])
        XCTAssertEqual(results.stdout.split(separator: "\r\n").count, 6, results.stdout)
    }
}
