import Foundation
import GongkaiWire
import XCTest

final class ControlTests: XCTestCase {
    static let requests: [ControlRequest] = [
        .submit(SubmitRequest(paths: ["/srv/corpus", "/数据/报告.txt"], recursive: true, glob: "*.txt", name: "2023 run")),
        .submit(SubmitRequest(paths: ["/a"])),
        .status(job: 3),
        .status(job: nil),
        .shutdown,
    ]

    static let replies: [ControlReply] = [
        .submitted(job: 12),
        .status(jobs: [
            JobStatus(job: 1, state: "done", total: 100, done: 97, failed: 2, quarantined: 1, walkComplete: true,
                      created: "2025-03-01T08:00:00Z"),
            JobStatus(job: 2, state: "running", total: 5, done: 0, failed: 0, quarantined: 0, walkComplete: false,
                      created: "2025-03-01T08:01:00Z"),
        ]),
        .status(jobs: []),
        .shuttingDown,
        .error("unknown job 9"),
    ]

    func testEveryRequestRoundTrips() throws {
        for request in Self.requests {
            let frames = request.encode()
            XCTAssertEqual(frames.count, 3)
            XCTAssertEqual(frames[0], Array("GKC1".utf8))
            XCTAssertEqual(frames[1], Array(request.verb.rawValue.utf8))
            XCTAssertEqual(try ControlRequest.decode(frames), request)
        }
    }

    func testEveryReplyRoundTrips() throws {
        let verbs: [ControlVerb] = [.submit, .status, .status, .shutdown, .submit]
        for (reply, verb) in zip(Self.replies, verbs) {
            let frames = reply.encode()
            XCTAssertEqual(frames[0], Array("GKC1".utf8))
            XCTAssertEqual(try ControlReply.decode(frames, for: verb), reply)
        }
        XCTAssertEqual(ControlReply.error("x").encode()[1], Array("ERR".utf8))
        XCTAssertEqual(ControlReply.shuttingDown.encode()[1], Array("OK".utf8))
    }

    func testRequestsAsPythonWritesThemDecode() throws {
        // json.dumps(...) output: spaces after separators, keys in any order, nulls and omissions
        let submit = #"{"paths": ["/srv/corpus"], "recursive": true, "glob": null, "name": null}"#
        XCTAssertEqual(
            try ControlRequest.decode(Self.frames("SUBMIT", submit)),
            .submit(SubmitRequest(paths: ["/srv/corpus"], recursive: true))
        )
        XCTAssertEqual(
            try ControlRequest.decode(Self.frames("SUBMIT", #"{"paths": ["/x"]}"#)),
            .submit(SubmitRequest(paths: ["/x"]))
        )
        XCTAssertEqual(try ControlRequest.decode(Self.frames("STATUS", #"{"job": null}"#)), .status(job: nil))
        XCTAssertEqual(try ControlRequest.decode(Self.frames("STATUS", "{}")), .status(job: nil))
        XCTAssertEqual(try ControlRequest.decode(Self.frames("STATUS", #"{"job": 7}"#)), .status(job: 7))
        XCTAssertEqual(try ControlRequest.decode(Self.frames("SHUTDOWN", "{}")), .shutdown)
    }

    func testStatusReplyUsesSnakeCaseKeysForScripts() throws {
        let json = try XCTUnwrap(String(validating: Self.replies[1].encode()[2], as: UTF8.self))
        XCTAssertTrue(json.contains(#""walk_complete":true"#), json)
        XCTAssertTrue(json.contains(#""quarantined":1"#), json)
        let object = try JSONSerialization.jsonObject(with: Data(Self.replies[1].encode()[2])) as? [String: Any]
        let jobs = try XCTUnwrap(object?["jobs"] as? [[String: Any]])
        XCTAssertEqual(Set(jobs[0].keys), ["job", "state", "total", "done", "failed", "quarantined", "walk_complete", "created"])
        let submit = try XCTUnwrap(String(validating: Self.requests[1].encode()[2], as: UTF8.self))
        XCTAssertEqual(submit, #"{"glob":null,"name":null,"paths":["/a"],"recursive":false}"#)
    }

    func testUnknownVerbIsTyped() {
        XCTAssertThrowsError(try ControlRequest.decode(Self.frames("CANCEL", "{}"))) {
            XCTAssertEqual($0 as? WireError, .unknownVerb("CANCEL"))
        }
    }

    func testBadBodiesAreMalformed() {
        let bodies = [
            ("SUBMIT", "{}"),
            ("SUBMIT", #"{"paths": []}"#),
            ("SUBMIT", #"{"paths": "/a"}"#),
            ("SUBMIT", "not json"),
            ("STATUS", #"{"job": "one"}"#),
            ("STATUS", "[]"),
            ("SHUTDOWN", ""),
        ]
        for (verb, body) in bodies {
            XCTAssertThrowsError(try ControlRequest.decode(Self.frames(verb, body)), "\(verb) \(body)") { error in
                guard case .malformed = error as? WireError else { return XCTFail("\(verb) \(body): \(error)") }
            }
        }
        XCTAssertThrowsError(try ControlReply.decode([Array("GKC1".utf8), Array("MAYBE".utf8), Array("{}".utf8)], for: .status))
    }

    func testJSONOverOneMebibyteIsTooLarge() {
        let big = #"{"paths": [""# + String(repeating: "a", count: 1 << 20) + #""]}"#
        XCTAssertThrowsError(try ControlRequest.decode(Self.frames("SUBMIT", big))) { error in
            guard case .tooLarge = error as? WireError else { return XCTFail("\(error)") }
        }
    }

    func testForeignAndOtherVersionTags() {
        XCTAssertThrowsError(try ControlRequest.decode([Array("GKW1".utf8), [4], []])) {
            XCTAssertEqual($0 as? WireError, .foreignProtocol)
        }
        XCTAssertThrowsError(try ControlRequest.decode([Array("GKC2".utf8), Array("STATUS".utf8), Array("{}".utf8)])) {
            XCTAssertEqual($0 as? WireError, .unsupportedVersion(2))
        }
        XCTAssertThrowsError(try ControlRequest.decode([Array("GKC1".utf8), Array("STATUS".utf8)]))
    }

    static func frames(_ verb: String, _ json: String) -> [[UInt8]] {
        [Array("GKC1".utf8), Array(verb.utf8), Array(json.utf8)]
    }
}

final class WireProtocolTests: XCTestCase {
    func testEndpointsLiveInTheRunDirectory() {
        XCTAssertEqual(WireProtocol.workEndpoint(runDirectory: "/tmp/gk-1"), "ipc:///tmp/gk-1/work.sock")
        XCTAssertEqual(WireProtocol.controlEndpoint(runDirectory: "/tmp/gk-1/"), "ipc:///tmp/gk-1/control.sock")
    }

    func testLivenessIsFiveHeartbeatIntervals() {
        XCTAssertEqual(WireProtocol.heartbeatInterval, .seconds(1))
        XCTAssertEqual(WireProtocol.peerTimeout, WireProtocol.heartbeatInterval * 5)
    }
}
