import GongkaiCore
import GongkaiWire
import XCTest

/// No input may crash a decoder: truncations and random mutations must throw or decode.
final class RobustnessTests: XCTestCase {
    func testEveryPrefixOfEveryWorkerMessageThrows() {
        for message in SampleReports.allMessages {
            let frames = message.encode()
            var checked = 0
            // Whole frames missing
            for count in 0..<frames.count {
                XCTAssertThrowsError(try WorkerMessage.decode(Array(frames.prefix(count))), "\(message.command) \(count) frames")
                checked += 1
            }
            // The stream cut inside a frame: earlier frames whole, the cut frame short, nothing after
            for index in frames.indices {
                for length in 0..<frames[index].count {
                    let prefix = Array(frames.prefix(index)) + [Array(frames[index].prefix(length))]
                    XCTAssertThrowsError(try WorkerMessage.decode(prefix), "\(message.command) frame \(index) cut at \(length)")
                    // and the same frame cut with the frames after it still present
                    let shortened = Array(frames.prefix(index)) + [Array(frames[index].prefix(length))] + Array(frames.dropFirst(index + 1))
                    XCTAssertThrowsError(try WorkerMessage.decode(shortened), "\(message.command) frame \(index) shortened to \(length)")
                    checked += 2
                }
            }
            XCTAssertGreaterThan(checked, 0)
        }
    }

    func testEveryPrefixOfAnEncodedReportThrows() {
        for report in [SampleReports.everyField(), SampleReports.typical(), Report(source: "", status: .ok)] {
            let bytes = ReportCodec.encode(report)
            for length in 0..<bytes.count {
                XCTAssertThrowsError(try ReportCodec.decode(Array(bytes.prefix(length))), "cut at \(length) of \(bytes.count)")
            }
        }
    }

    func testEveryPrefixOfEveryControlMessageThrows() {
        let requests = ControlTests.requests.map { $0.encode() }
        for frames in requests {
            for index in frames.indices {
                for length in 0..<frames[index].count {
                    let prefix = Array(frames.prefix(index)) + [Array(frames[index].prefix(length))]
                    XCTAssertThrowsError(try ControlRequest.decode(prefix))
                }
            }
        }
    }

    func testRandomMutationsOfWorkerMessagesNeverCrash() {
        var random = SeededGenerator(seed: 0x6B67_7731)
        var outcomes = (decoded: 0, rejected: 0)
        for round in 0..<20_000 {
            var frames = SampleReports.allMessages[round % SampleReports.allMessages.count].encode()
            Self.mutate(&frames, using: &random)
            do {
                let message = try WorkerMessage.decode(frames)
                outcomes.decoded += 1
                if case .result(let result) = message { _ = try? result.decodeReport() }
            } catch {
                outcomes.rejected += 1
            }
        }
        XCTAssertGreaterThan(outcomes.rejected, 1000)
        XCTAssertGreaterThan(outcomes.decoded, 100)
    }

    func testRandomMutationsOfReportsNeverCrash() {
        var random = SeededGenerator(seed: 0x5245_504F)
        let originals = [ReportCodec.encode(SampleReports.everyField()), ReportCodec.encode(SampleReports.typical())]
        var decoded = 0
        for round in 0..<20_000 {
            var bytes = originals[round & 1]
            let edits = Int.random(in: 1...4, using: &random)
            for _ in 0..<edits { Self.mutate(&bytes, using: &random) }
            if let report = try? ReportCodec.decode(bytes) {
                decoded += 1
                // Whatever decodes is well-formed: the table subscripts must not trap.
                _ = report.table3?[.resultsTotal, .total]
                _ = report.table3?.rows
                _ = report.table4?[.review, .total]
                // …and its encoding is stable (compared as bytes: mutations can produce NaN).
                let encoded = ReportCodec.encode(report)
                let again = try? ReportCodec.decode(encoded)
                XCTAssertTrue(again.map { ReportCodec.encode($0) == encoded } ?? false, "round \(round)")
            }
        }
        XCTAssertGreaterThan(decoded, 0)
    }

    func testRandomGarbageNeverCrashes() {
        var random = SeededGenerator(seed: 42)
        for _ in 0..<5_000 {
            let frameCount = Int.random(in: 0...5, using: &random)
            var frames: [[UInt8]] = (0..<frameCount).map { _ in
                (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            }
            if frameCount > 0 && Bool.random(using: &random) { frames[0] = Array("GKW1".utf8) }
            if frameCount > 1 && Bool.random(using: &random) { frames[1] = [UInt8.random(in: 1...6, using: &random)] }
            _ = try? WorkerMessage.decode(frames)
            _ = try? ControlRequest.decode(frames)
            _ = try? ControlReply.decode(frames, for: .status)
            if let body = frames.last { _ = try? ReportCodec.decode([1] + body) }
        }
    }

    func testRandomMutationsOfControlMessagesNeverCrash() {
        var random = SeededGenerator(seed: 7)
        let all = ControlTests.requests.map { $0.encode() } + ControlTests.replies.map { $0.encode() }
        for round in 0..<5_000 {
            var frames = all[round % all.count]
            Self.mutate(&frames, using: &random)
            _ = try? ControlRequest.decode(frames)
            for verb in ControlVerb.allCases { _ = try? ControlReply.decode(frames, for: verb) }
        }
    }

    // MARK: Mutations

    static func mutate(_ frames: inout [[UInt8]], using random: inout SeededGenerator) {
        guard !frames.isEmpty else { return }
        switch Int.random(in: 0..<10, using: &random) {
        case 0: frames.removeLast()
        case 1: frames.append([UInt8.random(in: 0...255, using: &random)])
        default:
            // Mostly mutate the body, sometimes the tag or command
            let index = Int.random(in: 0..<10, using: &random) < 8 ? frames.count - 1 : Int.random(in: 0..<frames.count, using: &random)
            mutate(&frames[index], using: &random)
        }
    }

    static func mutate(_ bytes: inout [UInt8], using random: inout SeededGenerator) {
        switch Int.random(in: 0..<6, using: &random) {
        case 0 where !bytes.isEmpty:  // flip one bit
            let at = Int.random(in: 0..<bytes.count, using: &random)
            bytes[at] ^= 1 << UInt8.random(in: 0...7, using: &random)
        case 1 where !bytes.isEmpty:  // replace a byte with an interesting value
            let at = Int.random(in: 0..<bytes.count, using: &random)
            bytes[at] = [0x00, 0x01, 0x02, 0x7f, 0x80, 0xff].randomElement(using: &random) ?? 0
        case 2:  // insert
            let at = Int.random(in: 0...bytes.count, using: &random)
            bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
        case 3 where !bytes.isEmpty:  // delete
            bytes.remove(at: Int.random(in: 0..<bytes.count, using: &random))
        case 4:  // truncate
            bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
        default:  // overwrite a run with 0xff (huge lengths)
            guard !bytes.isEmpty else { return }
            let at = Int.random(in: 0..<bytes.count, using: &random)
            for index in at..<min(bytes.count, at + 4) { bytes[index] = 0xff }
        }
    }
}
