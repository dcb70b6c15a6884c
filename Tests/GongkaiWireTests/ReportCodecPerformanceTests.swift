import GongkaiCore
import GongkaiWire
import XCTest

/// Prints ReportCodec throughput. The numbers mean something in release builds:
/// `swift test -c release --filter ReportCodecPerformanceTests` (set GONGKAI_CODEC_ITERATIONS
/// for longer runs). The budget is ~30 000 reports/s per core, i.e. ≤ 33 µs per report.
final class ReportCodecPerformanceTests: XCTestCase {
    func testEncodeAndDecodeThroughput() throws {
        let iterations = ProcessInfo.processInfo.environment["GONGKAI_CODEC_ITERATIONS"].flatMap(Int.init) ?? 5_000
        let reports = (1...16).map { SampleReports.typical(seed: $0) }
        let encoded = reports.map { ReportCodec.encode($0) }
        let clock = ContinuousClock()

        var bytes = 0
        let encodeTime = clock.measure {
            for index in 0..<iterations { bytes &+= ReportCodec.encode(reports[index & 15]).count }
        }
        var checksum = 0
        var thrown = 0
        let decodeTime = clock.measure {
            for index in 0..<iterations {
                do throws(WireError) {
                    checksum &+= try ReportCodec.decode(encoded[index & 15]).byteCount
                } catch {
                    thrown += 1
                }
            }
        }
        XCTAssertEqual(thrown, 0)
        XCTAssertGreaterThan(bytes + checksum, 0)

        func rate(_ duration: Duration) -> Int {
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            return Int(Double(iterations) / max(seconds, 1e-9))
        }
        func micros(_ duration: Duration) -> String {
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            return String(format: "%.2f", seconds * 1e6 / Double(iterations))
        }
        print("""
            ReportCodec: typical report \(encoded[0].count) bytes; \(iterations) iterations
              encode \(rate(encodeTime)) reports/s (\(micros(encodeTime)) µs each)
              decode \(rate(decodeTime)) reports/s (\(micros(decodeTime)) µs each)
            """)
    }
}
