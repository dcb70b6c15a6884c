import Foundation
import GongkaiWire
import XCTest

/// SUBMIT with `open`, APPEND, and the `stats` object of STATUS replies (docs/wire-protocol.md §7).
final class ControlAppendTests: XCTestCase {
    func testOpenSubmitAndAppendRoundTrip() throws {
        let requests: [ControlRequest] = [
            .submit(SubmitRequest(paths: ["/srv/a"], recursive: true, glob: "*.txt", name: "stdin", open: true)),
            .submit(SubmitRequest(paths: [], open: true)),
            .append(AppendRequest(job: 7, paths: ["/srv/a/1.txt", "/srv/b"], close: false)),
            .append(AppendRequest(job: 7, paths: [], close: true)),
        ]
        for request in requests {
            let frames = request.encode()
            XCTAssertEqual(frames[0], Array("GKC1".utf8))
            XCTAssertEqual(frames[1], Array(request.verb.rawValue.utf8))
            XCTAssertEqual(try ControlRequest.decode(frames), request)
        }
        XCTAssertEqual(requests[2].verb, .append)
        XCTAssertEqual(ControlVerb(rawValue: "APPEND"), .append)
    }

    func testAppendAsPythonWritesItDecodes() throws {
        XCTAssertEqual(
            try ControlRequest.decode(Self.frames("APPEND", #"{"job": 3, "paths": ["/x", "/y"], "close": true}"#)),
            .append(AppendRequest(job: 3, paths: ["/x", "/y"], close: true)))
        XCTAssertEqual(
            try ControlRequest.decode(Self.frames("APPEND", #"{"job": 3, "paths": ["/x"]}"#)),
            .append(AppendRequest(job: 3, paths: ["/x"], close: false)))
        XCTAssertEqual(
            try ControlRequest.decode(Self.frames("APPEND", #"{"job": 3, "close": true}"#)),
            .append(AppendRequest(job: 3, paths: [], close: true)))
        XCTAssertEqual(
            try ControlRequest.decode(Self.frames("SUBMIT", #"{"paths": [], "open": true, "name": "stdin"}"#)),
            .submit(SubmitRequest(paths: [], name: "stdin", open: true)))
    }

    func testBadAppendAndClosedEmptySubmitAreMalformed() {
        let bodies = [
            ("APPEND", #"{"paths": ["/x"]}"#),
            ("APPEND", #"{"job": "3", "paths": []}"#),
            ("APPEND", #"{"job": 3, "paths": "/x"}"#),
            ("APPEND", #"{"job": 3, "close": 1}"#),
            ("SUBMIT", #"{"paths": [], "open": false}"#),
            ("SUBMIT", #"{"paths": ["/x"], "open": "yes"}"#),
        ]
        for (verb, body) in bodies {
            XCTAssertThrowsError(try ControlRequest.decode(Self.frames(verb, body)), "\(verb) \(body)") { error in
                guard case .malformed = error as? WireError else { return XCTFail("\(verb) \(body): \(error)") }
            }
        }
    }

    func testClosedSubmitEncodesAsBefore() throws {
        // `open` is written only when true, so a plain SUBMIT keeps its bytes.
        let plain = try XCTUnwrap(String(validating: ControlRequest.submit(SubmitRequest(paths: ["/a"])).encode()[2], as: UTF8.self))
        XCTAssertEqual(plain, #"{"glob":null,"name":null,"paths":["/a"],"recursive":false}"#)
        let open = try XCTUnwrap(String(validating: ControlRequest.submit(SubmitRequest(paths: ["/a"], open: true)).encode()[2], as: UTF8.self))
        XCTAssertEqual(open, #"{"glob":null,"name":null,"open":true,"paths":["/a"],"recursive":false}"#)
        let append = try XCTUnwrap(String(validating: ControlRequest.append(AppendRequest(job: 2, paths: ["/b"], close: true)).encode()[2], as: UTF8.self))
        XCTAssertEqual(append, #"{"close":true,"job":2,"paths":["/b"]}"#)
    }

    func testAppendedReplyRoundTrips() throws {
        let frames = ControlReply.appended(job: 9).encode()
        XCTAssertEqual(frames[1], Array("OK".utf8))
        XCTAssertEqual(frames[2], Array(#"{"job":9}"#.utf8))
        XCTAssertEqual(try ControlReply.decode(frames, for: .append), .appended(job: 9))
        XCTAssertEqual(try ControlReply.decode(ControlReply.error("job 9 is not open").encode(), for: .append),
                       .error("job 9 is not open"))
    }

    func testStatusReportCarriesStatsAndStillDecodesAsPlainStatus() throws {
        let job = JobStatus(job: 1, state: "running", total: 10, done: 4, failed: 1, quarantined: 0, walkComplete: false,
                            created: "2025-03-01T08:00:00Z")
        let stats = ClusterStats(workers: 2, inFlight: 32, queued: 100, uncommitted: 5, committed: 1000,
                                 malformedDropped: .init(work: 3, control: 1), staleResults: 2, workerRestarts: 1,
                                 quarantined: 1, zapRefused: 4, handshakeFailed: 6, uptimeSeconds: 12.5)
        let frames = StatusReport(jobs: [job], stats: stats).encode()
        XCTAssertEqual(try StatusReport.decode(frames), StatusReport(jobs: [job], stats: stats))
        // A client that knows only ControlReply reads the same bytes.
        XCTAssertEqual(try ControlReply.decode(frames, for: .status), .status(jobs: [job]))
        // A reply without stats (an older coordinator) decodes with stats nil.
        XCTAssertEqual(try StatusReport.decode(ControlReply.status(jobs: [job]).encode()), StatusReport(jobs: [job], stats: nil))

        let object = try JSONSerialization.jsonObject(with: Data(frames[2])) as? [String: Any]
        let json = try XCTUnwrap(object?["stats"] as? [String: Any])
        XCTAssertEqual(Set(json.keys), ["workers", "in_flight", "queued", "uncommitted", "committed", "malformed_dropped",
                                        "stale_results", "worker_restarts", "quarantined", "uptime_seconds",
                                        "zap_refused", "handshake_failed"])
        XCTAssertEqual(json["malformed_dropped"] as? [String: Int], ["work": 3, "control": 1])
        XCTAssertEqual(json["zap_refused"] as? Int, 4)
        XCTAssertEqual(json["handshake_failed"] as? Int, 6)
        // Stats of a coordinator older than the authentication counters decode with them nil.
        var old = json
        old["zap_refused"] = nil
        old["handshake_failed"] = nil
        let oldBody = try JSONSerialization.data(withJSONObject: ["jobs": [], "stats": old] as [String: Any])
        let decoded = try XCTUnwrap(try StatusReport.decode(Self.frames("OK", String(decoding: oldBody, as: UTF8.self))).stats)
        XCTAssertNil(decoded.zapRefused)
        XCTAssertNil(decoded.handshakeFailed)
        XCTAssertEqual(decoded.committed, 1000)
        XCTAssertThrowsError(try StatusReport.decode(ControlReply.error("unknown job 4").encode()))
    }

    static func frames(_ verb: String, _ json: String) -> [[UInt8]] {
        [Array("GKC1".utf8), Array(verb.utf8), Array(json.utf8)]
    }
}
