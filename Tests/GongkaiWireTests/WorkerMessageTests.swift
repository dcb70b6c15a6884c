import GongkaiCore
import GongkaiWire
import XCTest

final class WorkerMessageTests: XCTestCase {
    func testEveryMessageRoundTrips() throws {
        for message in SampleReports.allMessages {
            let frames = message.encode()
            XCTAssertEqual(frames.count, 3)
            XCTAssertEqual(frames[0], Array("GKW1".utf8))
            XCTAssertEqual(frames[1], [message.command.rawValue])
            XCTAssertEqual(try WorkerMessage.decode(frames), message, "\(message.command)")
        }
    }

    func testReadyLayoutMatchesTheSpec() {
        // Given the READY of docs/wire-protocol.md §4.1
        let frames = WorkerMessage.ready(
            ReadyMessage(protocolVersion: 1, workerId: "w1", pid: 0x0102_0304, hostname: "h", credit: 16, localPaths: true)
        ).encode()
        // Then the body is: u16 version, string workerId, u32 pid, string hostname, u32 credit, bool localPaths
        XCTAssertEqual(frames[1], [0x01])
        XCTAssertEqual(frames[2], [
            0x00, 0x01,
            0x00, 0x02, 0x77, 0x31,
            0x01, 0x02, 0x03, 0x04,
            0x00, 0x01, 0x68,
            0x00, 0x00, 0x00, 0x10,
            0x01,
        ])
    }

    func testTaskAndResultLayoutsMatchTheSpec() {
        let task = WorkerMessage.task(TaskMessage(taskId: 5, attempt: 2, path: "/a", sizeLimit: 256, content: [9])).encode()
        XCTAssertEqual(task[1], [0x02])
        XCTAssertEqual(task[2], [
            0, 0, 0, 0, 0, 0, 0, 5,
            0, 2,
            0, 2, 0x2f, 0x61,
            0, 0, 0, 0, 0, 0, 1, 0,
            1,
            0, 0, 0, 1, 9,
        ])
        let withoutContent = WorkerMessage.task(TaskMessage(taskId: 5, attempt: 2, path: "/a", sizeLimit: 256)).encode()
        XCTAssertEqual(withoutContent[2].last, 0)
        XCTAssertEqual(withoutContent[2].count, 23)

        let result = WorkerMessage.result(ResultMessage(taskId: 7, attempt: 1, elapsedMicros: 300, report: [1, 2])).encode()
        XCTAssertEqual(result[1], [0x03])
        XCTAssertEqual(result[2], [0, 0, 0, 0, 0, 0, 0, 7, 0, 1, 0, 0, 1, 0x2c, 0, 0, 0, 2, 1, 2])
        XCTAssertEqual(WorkerMessage.heartbeat.encode(), [Array("GKW1".utf8), [0x04], []])
        XCTAssertEqual(WorkerMessage.disconnect(reason: "x").encode()[2], [0, 1, 0x78])
        XCTAssertEqual(WorkerMessage.refuse(reason: "").encode()[1...], [[0x06], [0, 0]])
    }

    func testEncodeResultWritesTheSameBytesAsEncodingTheReportSeparately() throws {
        let report = SampleReports.everyField()
        let direct = WorkerMessage.encodeResult(taskId: 42, attempt: 3, elapsedMicros: 99, report: report)
        let separate = WorkerMessage.result(ResultMessage(taskId: 42, attempt: 3, elapsedMicros: 99, report: report)).encode()
        XCTAssertEqual(direct, separate)
        guard case .result(let decoded) = try WorkerMessage.decode(direct) else { return XCTFail("not a result") }
        XCTAssertEqual(try decoded.decodeReport(), report)
    }

    func testForeignFirstFrameIsForeignProtocol() {
        for tag in ["", "G", "GKW", "MDPW01", "GKC1", "gkw1", "GKWx", "GKW1 ", "GKW01", "GKW12345"] {
            XCTAssertThrowsError(try WorkerMessage.decode([Array(tag.utf8), [4], []]), tag) {
                XCTAssertEqual($0 as? WireError, .foreignProtocol, tag)
            }
        }
    }

    func testOtherVersionIsUnsupportedVersion() {
        XCTAssertThrowsError(try WorkerMessage.decode([Array("GKW2".utf8), [4], []])) {
            XCTAssertEqual($0 as? WireError, .unsupportedVersion(2))
        }
        XCTAssertThrowsError(try WorkerMessage.decode([Array("GKW0".utf8)])) {
            XCTAssertEqual($0 as? WireError, .unsupportedVersion(0))
        }
        XCTAssertThrowsError(try WorkerMessage.decode([Array("GKW10".utf8), [4], []])) {
            XCTAssertEqual($0 as? WireError, .unsupportedVersion(10))
        }
    }

    func testUnknownCommandIsTyped() {
        for command: UInt8 in [0x00, 0x07, 0x7f, 0xff] {
            XCTAssertThrowsError(try WorkerMessage.decode([Array("GKW1".utf8), [command], []])) {
                XCTAssertEqual($0 as? WireError, .unknownCommand(command))
            }
        }
    }

    func testWrongFrameShapesAreMalformed() {
        let tag = Array("GKW1".utf8)
        let cases: [[[UInt8]]] = [
            [],
            [tag],
            [tag, [4]],
            [tag, [4], [], []],
            [tag, [], []],
            [tag, [4, 4], []],
        ]
        for frames in cases {
            XCTAssertThrowsError(try WorkerMessage.decode(frames)) { error in
                guard case .malformed = error as? WireError else { return XCTFail("\(frames): \(error)") }
            }
        }
    }

    func testFlagOtherThanZeroOrOneIsMalformed() {
        var frames = WorkerMessage.ready(ReadyMessage(workerId: "w", pid: 1, hostname: "h", credit: 1, localPaths: true)).encode()
        frames[2][frames[2].count - 1] = 2
        XCTAssertThrowsError(try WorkerMessage.decode(frames)) { error in
            guard case .malformed = error as? WireError else { return XCTFail("\(error)") }
        }
    }

    func testInvalidUTF8IsMalformed() {
        let body: [UInt8] = [0, 1, 0, 2, 0xff, 0xfe, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1]
        XCTAssertThrowsError(try WorkerMessage.decode([Array("GKW1".utf8), [1], body])) { error in
            guard case .malformed = error as? WireError else { return XCTFail("\(error)") }
        }
    }

    func testFieldsOverTheirLimitsAreTooLarge() {
        let path = String(repeating: "p", count: 5000)
        var writer = WireWriter()
        writer.u64(1)
        writer.u16(1)
        writer.u16(UInt16(path.utf8.count))
        writer.raw(Array(path.utf8))
        writer.u64(0)
        writer.bool(false)
        XCTAssertThrowsError(try WorkerMessage.decode([Array("GKW1".utf8), [2], writer.bytes])) {
            XCTAssertEqual($0 as? WireError, .tooLarge(field: "task.path", size: 5000, limit: 4096))
        }

        let small = WireLimits(content: 3)
        let task = WorkerMessage.task(TaskMessage(taskId: 1, attempt: 1, path: "/a", sizeLimit: 9, content: [1, 2, 3, 4]))
        XCTAssertThrowsError(try WorkerMessage.decode(task.encode(), limits: small)) {
            XCTAssertEqual($0 as? WireError, .tooLarge(field: "task.content", size: 4, limit: 3))
        }
        XCTAssertThrowsError(try task.validate(limits: small))
        XCTAssertNoThrow(try task.validate())
    }

    func testHugeLengthPrefixDoesNotAllocateOrCrash() {
        // A RESULT claiming a 4 GiB report in a 20-byte body
        let body: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 1, 2]
        XCTAssertThrowsError(try WorkerMessage.decode([Array("GKW1".utf8), [3], body])) {
            XCTAssertEqual($0 as? WireError, .tooLarge(field: "result.report", size: Int(UInt32.max), limit: 16 << 20))
        }
        let unlimited = WireLimits(report: Int.max)
        XCTAssertThrowsError(try WorkerMessage.decode([Array("GKW1".utf8), [3], body], limits: unlimited)) {
            XCTAssertEqual($0 as? WireError, .truncated("result.report"))
        }
    }

    func testOverlongStringsAreCutAtACharacterBoundaryWhenEncoding() throws {
        // Given a reason of 600 three-byte characters (1800 bytes) over the 1024-byte limit
        let reason = String(repeating: "拒", count: 600)
        let frames = WorkerMessage.refuse(reason: reason).encode()
        // Then it is cut to 341 whole characters (1023 bytes) and still decodes
        guard case .refuse(let decoded) = try WorkerMessage.decode(frames) else { return XCTFail() }
        XCTAssertEqual(decoded, String(repeating: "拒", count: 341))
    }

    func testABatchOfTasksOrResultsDecodesToEachMessageInOrder() throws {
        // Given three TASKs and two RESULTs, each batched into one message
        let tasks = (1...3).map { WorkerMessage.task(TaskMessage(taskId: UInt64($0), attempt: 1, path: "/c/\($0).txt", sizeLimit: 64)) }
        let small = WorkerMessage.result(ResultMessage(taskId: 1, attempt: 1, elapsedMicros: 5, report: [1]))
        let direct = WorkerMessage.encodeResult(taskId: 2, attempt: 1, elapsedMicros: 6, report: SampleReports.everyField())
        let taskBatch = WorkerMessage.batch(tasks.map { $0.encode() })
        let resultBatch = WorkerMessage.batch([small.encode(), direct])

        // Then each is the tag, the command and one frame per body, and decodes to the messages in order
        XCTAssertEqual(taskBatch.count, 5)
        XCTAssertEqual(taskBatch[1], [WorkerCommand.task.rawValue])
        XCTAssertEqual(try WorkerMessage.decodeBatch(taskBatch), tasks)
        XCTAssertEqual(resultBatch.count, 4)
        XCTAssertEqual(try WorkerMessage.decodeBatch(resultBatch), [small, try WorkerMessage.decode(direct)])
        // A single message decodes as a batch of one
        XCTAssertEqual(try WorkerMessage.decodeBatch(tasks[0].encode()), [tasks[0]])
    }

    func testABatchIsRefusedWholeWhenItBreaksTheRules() {
        let task = WorkerMessage.task(TaskMessage(taskId: 1, attempt: 1, path: "/a", sizeLimit: 64)).encode()
        // Several bodies of a command that carries one
        let heartbeats = [Array("GKW1".utf8), [WorkerCommand.heartbeat.rawValue], [], []]
        XCTAssertThrowsError(try WorkerMessage.decodeBatch(heartbeats))
        // More bodies than the limit
        let tooMany = WorkerMessage.batch(Array(repeating: task, count: WireProtocol.maxBatch + 1))
        XCTAssertThrowsError(try WorkerMessage.decodeBatch(tooMany))
        XCTAssertNoThrow(try WorkerMessage.decodeBatch(Array(tooMany.dropLast())))
        // One truncated body spoils the batch: none of its tasks is taken
        var spoiled = WorkerMessage.batch([task, task, task])
        spoiled[3].removeLast(3)
        XCTAssertThrowsError(try WorkerMessage.decodeBatch(spoiled))
        // A batch under another protocol's tag
        var foreign = WorkerMessage.batch([task, task])
        foreign[0] = Array("ZZZ1".utf8)
        XCTAssertThrowsError(try WorkerMessage.decodeBatch(foreign))
        // Single-message decoding refuses a batch: it says so instead of taking the first body
        XCTAssertThrowsError(try WorkerMessage.decode(WorkerMessage.batch([task, task])))
    }

    func testTrailingBodyBytesFromALaterRevisionAreIgnored() throws {
        var frames = WorkerMessage.ready(ReadyMessage(protocolVersion: 2, workerId: "w", pid: 1, hostname: "h", credit: 4, localPaths: true)).encode()
        frames[2] += [0xAA, 0xBB]
        guard case .ready(let ready) = try WorkerMessage.decode(frames) else { return XCTFail() }
        XCTAssertEqual(ready.protocolVersion, 2)
        XCTAssertEqual(ready.credit, 4)
    }

    func testSendersAreDeclaredPerMessage() {
        XCTAssertEqual(WorkerMessage.heartbeat.sentBy, .either)
        XCTAssertEqual(WorkerMessage.disconnect(reason: "").sentBy, .either)
        XCTAssertEqual(WorkerMessage.refuse(reason: "").sentBy, .coordinator)
        XCTAssertEqual(SampleReports.allMessages[0].sentBy, .worker)
        XCTAssertEqual(SampleReports.allMessages[2].sentBy, .coordinator)
        XCTAssertEqual(SampleReports.allMessages[5].sentBy, .worker)
    }

    func testRouterEnvelopeSplitsDealerAndReqPeers() throws {
        let id: [UInt8] = [0, 0x80, 0, 0x41, 0xa7]
        let dealer = try XCTUnwrap(RouterEnvelope.split([id, Array("GKW1".utf8), [4], []]))
        XCTAssertEqual(dealer.envelope, [id])
        XCTAssertEqual(dealer.payload, [Array("GKW1".utf8), [4], []])
        let req = try XCTUnwrap(RouterEnvelope.split([id, [], Array("GKC1".utf8), Array("STATUS".utf8), Array("{}".utf8)]))
        XCTAssertEqual(req.envelope, [id, []])
        XCTAssertEqual(req.payload.count, 3)
        XCTAssertNil(RouterEnvelope.split([id]))
        XCTAssertNil(RouterEnvelope.split([id, []]))
        XCTAssertNil(RouterEnvelope.split([]))
    }
}

final class WireReaderTests: XCTestCase {
    func testUTF8ValidationAgreesWithTheStandardLibrary() {
        let samples: [[UInt8]] = [
            [], Array("plain ascii, longer than eight bytes".utf8), Array("混合 mixed 文本 😀".utf8),
            [0xC0, 0x80], [0xC1, 0xBF],  // overlong
            [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF],  // overlong 3-byte
            [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],  // surrogates
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],  // above U+10FFFF
            [0xF0, 0x9F, 0x98], [0xE4, 0xB8], [0x80], [0xFF], [0xFE],  // truncated / stray
            [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0xEF, 0xBF, 0xBF], [0xC2, 0x80],  // valid edges
            Array("12345678".utf8) + [0xE4], Array("1234567".utf8) + [0xC3, 0xA9, 0x41],
        ]
        var random = SeededGenerator(seed: 99)
        let fuzz: [[UInt8]] = (0..<3000).map { _ in
            (0..<Int.random(in: 1...12, using: &random)).map { _ in
                [UInt8.random(in: 0...0x7f, using: &random), UInt8.random(in: 0x80...0xff, using: &random),
                 UInt8.random(in: 0x80...0xbf, using: &random), UInt8.random(in: 0xc0...0xf7, using: &random)]
                    .randomElement(using: &random)!
            }
        }
        for bytes in samples + fuzz {
            var writer = WireWriter()
            writer.varint(UInt64(bytes.count))
            writer.raw(bytes)
            var reader = WireReader(writer.bytes)
            let ours = try? reader.string("s", limit: 100)
            let stdlib = String(validating: bytes, as: UTF8.self)
            XCTAssertEqual(ours, stdlib, "\(bytes)")
        }
    }

    func testVarintsRoundTripAndRejectOverflow() throws {
        let values: [Int64] = [0, 1, -1, 63, -64, 64, 300, -300, .max, .min, 1 << 40]
        var writer = WireWriter()
        for value in values { writer.signedVarint(value) }
        writer.varint(.max)
        var reader = WireReader(writer.bytes)
        for value in values { XCTAssertEqual(try reader.signedVarint("v"), value) }
        XCTAssertEqual(try reader.varint("v"), .max)
        XCTAssertTrue(reader.isAtEnd)

        var overflow = WireReader([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02])
        XCTAssertThrowsError(try overflow.varint("v"))
        var tooLong = WireReader([UInt8](repeating: 0x80, count: 11) + [0])
        XCTAssertThrowsError(try tooLong.varint("v"))
        var truncated = WireReader([0x80])
        XCTAssertThrowsError(try truncated.varint("v")) { XCTAssertEqual($0 as? WireError, .truncated("v")) }
    }

    func testReaderNeverReadsPastItsCeiling() {
        var reader = WireReader([1, 2, 3, 4, 5, 6], from: 1, ceiling: 3)
        XCTAssertEqual(try reader.u16("a"), 0x0203)
        XCTAssertThrowsError(try reader.u8("b")) { XCTAssertEqual($0 as? WireError, .truncated("b")) }
        var clamped = WireReader([1, 2], from: 5, ceiling: 99)
        XCTAssertTrue(clamped.isAtEnd)
        XCTAssertThrowsError(try clamped.u64("c"))
        XCTAssertThrowsError(try clamped.raw(-1, "d"))
    }
}
