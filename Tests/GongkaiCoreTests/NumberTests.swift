@testable import GongkaiCore
import XCTest

/// Cells read the way reports write numbers.
final class NumberTests: XCTestCase {
    func read(_ s: String) -> CellValue {
        let bytes = Array(s.utf8)
        return bytes.withUnsafeBufferPointer { NumberReader.read($0, Span(0, bytes.count)) }
    }

    func number(_ s: String) -> Int64? {
        if case .number(let micros, _, _) = read(s) { return micros }
        return nil
    }

    func testPlainFullWidthPaddedAndSeparatedNumbers() {
        XCTAssertEqual(number("0"), 0)
        XCTAssertEqual(number("656"), 656_000_000)
        XCTAssertEqual(number("　　12"), 12_000_000)
        XCTAssertEqual(number("\u{00A0}7 "), 7_000_000)
        XCTAssertEqual(number("１２３"), 123_000_000)
        XCTAssertEqual(number("12,345"), 12_345_000_000)
        XCTAssertEqual(number("12，345"), 12_345_000_000)
        XCTAssertEqual(number("+8"), 8_000_000)
        XCTAssertEqual(number("-3"), -3_000_000)
        XCTAssertEqual(number("27.66"), 27_660_000)
        XCTAssertEqual(number("２７．６６"), 27_660_000)
    }

    func testDashesAndWuAreZeroAndBlankIsBlank() {
        for zero in ["—", "-", "/", "无", "——", "－"] { XCTAssertEqual(number(zero), 0, zero) }
        XCTAssertEqual(read(""), .blank)
        XCTAssertEqual(read("　 \u{00A0}"), .blank)
    }

    func testUnitsAreReadAndTextIsText() {
        XCTAssertEqual(read("232.47万元"), .number(micros: 232_470_000, hasFraction: true, unit: .tenThousandYuan))
        XCTAssertEqual(read("251000元"), .number(micros: 251_000_000_000, hasFraction: false, unit: .yuan))
        XCTAssertEqual(read("4件"), .number(micros: 4_000_000, hasFraction: false, unit: .count))
        XCTAssertEqual(read("行政许可"), .text)
        XCTAssertEqual(read("1.属于国家秘密"), .text)
        XCTAssertEqual(read("12a"), .text)
        XCTAssertEqual(read("1.2.3"), .text)
        XCTAssertEqual(read(String(repeating: "9", count: 40)), .text, "too large to be a count")
    }

    func testAmountPrintsWithoutTrailingZeros() {
        XCTAssertEqual(Amount(micros: 27_660_000).description, "27.66")
        XCTAssertEqual(Amount(micros: 0).description, "0")
        XCTAssertEqual(Amount(micros: 25_100_000).description, "25.1")
        XCTAssertEqual(Amount(micros: -1_500_000).description, "-1.5")
        XCTAssertEqual(Amount(micros: 1).description, "0.000001")
    }
}
