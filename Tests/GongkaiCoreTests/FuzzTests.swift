import Foundation
import GongkaiCore
import GongkaiCorpus
import GongkaiDecode
import XCTest

/// Thousands of mutated seeds (byte flips, truncations, shuffled and duplicated lines, inserted tabs and
/// garbage): no crash, and a valid JSON result every time.
final class FuzzTests: XCTestCase {
    func testMutatedSeedsNeverCrashAndAlwaysGiveValidJSON() throws {
        let seeds = try ["000", "001", "002", "003", "004"].map { try SeedTests.seedBytes($0) }
        var rng = SeededRandom(seed: 0xF022)
        var statuses: [ReportStatus: Int] = [:]
        let rounds = 3_000
        for round in 0..<rounds {
            var bytes = seeds[round % seeds.count]
            let mutations = rng.int(1...6)
            for _ in 0..<mutations {
                switch rng.int(0...6) {
                case 0:  // byte flips
                    for _ in 0..<rng.int(1...20) where !bytes.isEmpty {
                        bytes[rng.int(0...(bytes.count - 1))] ^= UInt8(truncatingIfNeeded: rng.next())
                    }
                case 1:  // truncation
                    if !bytes.isEmpty { bytes = Array(bytes[0..<rng.int(0...(bytes.count - 1))]) }
                case 2:  // shuffle lines
                    var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
                    lines.shuffle(using: &rng)
                    bytes = Array(lines.joined(separator: [0x0A]))
                case 3:  // duplicate a region
                    if bytes.count > 10 {
                        let a = rng.int(0...(bytes.count - 2)), b = rng.int(a...(bytes.count - 1))
                        bytes.insert(contentsOf: bytes[a...b], at: rng.int(0...bytes.count))
                    }
                case 4:  // insert tabs, newlines and digits
                    for _ in 0..<rng.int(1...30) {
                        bytes.insert(rng.pick([0x09, 0x0A, 0x0D, 0x30, 0x39, 0x2D, 0x2E, 0x2C]), at: rng.int(0...bytes.count))
                    }
                case 5:  // delete a region
                    if bytes.count > 10 {
                        let a = rng.int(0...(bytes.count - 2)), b = rng.int(a...min(bytes.count - 1, a + 500))
                        bytes.removeSubrange(a...b)
                    }
                default:  // long runs of digits and separators
                    let run = (0..<rng.int(1...200)).map { _ in rng.pick(Array("0123456789,.，．－+—\t".utf8)) }
                    bytes.insert(contentsOf: run, at: rng.int(0...bytes.count))
                }
            }
            let r = DocumentReader.report(bytes: bytes, source: "fuzz-\(round)")
            statuses[r.status, default: 0] += 1
            let json = try JSONSerialization.jsonObject(with: Data(r.jsonBytes())) as? [String: Any]
            XCTAssertEqual(json?["status"] as? String, r.status.rawValue, "round \(round)")
            XCTAssertEqual(json?["source"] as? String, "fuzz-\(round)")
        }
        XCTAssertGreaterThan(statuses[.ok, default: 0] + statuses[.incomplete, default: 0], rounds / 4, "\(statuses)")
    }
}
