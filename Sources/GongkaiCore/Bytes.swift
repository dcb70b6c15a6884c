// Byte-level helpers over UTF-8: whitespace, substring search, numbers as reports write them.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A half-open range of bytes in a document buffer.
@usableFromInline
struct Span: Sendable, Hashable {
    @usableFromInline var start: Int
    @usableFromInline var end: Int
    @inlinable init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = end
    }
    @inlinable var isEmpty: Bool { end <= start }
    @inlinable var count: Int { end - start }
}

typealias Bytes = UnsafeBufferPointer<UInt8>

enum UTF8Bytes {
    /// Length of a whitespace sequence starting at `i` (0 if none): ASCII space/tab/CR/VT/FF,
    /// NBSP (C2 A0), ideographic space (E3 80 80), en/em spaces and zero-width space (E2 80 80…8B),
    /// narrow NBSP (E2 80 AF), BOM (EF BB BF).
    @inline(__always)
    static func whitespaceLength(_ b: Bytes, _ i: Int, _ end: Int) -> Int {
        let c = b[i]
        if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0B || c == 0x0C || c == 0x0A { return 1 }
        if c == 0xC2, i + 1 < end, b[i + 1] == 0xA0 { return 2 }
        if c == 0xE3, i + 2 < end, b[i + 1] == 0x80, b[i + 2] == 0x80 { return 3 }
        if c == 0xE2, i + 2 < end, b[i + 1] == 0x80, (b[i + 2] <= 0x8B || b[i + 2] == 0xAF) { return 3 }
        if c == 0xEF, i + 2 < end, b[i + 1] == 0xBB, b[i + 2] == 0xBF { return 3 }
        return 0
    }

    /// Whether `i` is the last byte of a whitespace sequence ending at `end` (for trimming from the right).
    @inline(__always)
    static func trailingWhitespaceLength(_ b: Bytes, _ start: Int, _ end: Int) -> Int {
        let c = b[end - 1]
        if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0B || c == 0x0C || c == 0x0A { return 1 }
        if c == 0xA0, end - 2 >= start, b[end - 2] == 0xC2 { return 2 }
        if end - 3 >= start {
            let a = b[end - 3], m = b[end - 2]
            if a == 0xE3, m == 0x80, c == 0x80 { return 3 }
            if a == 0xE2, m == 0x80, c <= 0x8B || c == 0xAF { return 3 }
            if a == 0xEF, m == 0xBB, c == 0xBF { return 3 }
        }
        return 0
    }

    @inline(__always)
    static func trim(_ b: Bytes, _ span: Span) -> Span {
        var s = span.start, e = span.end
        while s < e {
            let n = whitespaceLength(b, s, e)
            if n == 0 { break }
            s += n
        }
        while e > s {
            let n = trailingWhitespaceLength(b, s, e)
            if n == 0 { break }
            e -= n
        }
        return Span(s, e)
    }

    /// Index of `needle` in `b[span]`, or nil.
    @inline(__always)
    static func find(_ b: Bytes, _ span: Span, _ needle: StaticBytes) -> Int? {
        let n = needle.count
        if n == 0 || span.count < n { return nil }
        // UTF-8 CJK text shares a handful of lead bytes, so test the first two bytes before the rest.
        if n >= 3 && span.count >= 32, let base = b.baseAddress { return findByThirdByte(b, base, span, needle) }
        let first = needle.first
        let second = n > 1 ? needle[1] : 0
        var i = span.start
        let last = span.end - n
        if n == 1 {
            while i <= last {
                if b[i] == first { return i }
                i += 1
            }
            return nil
        }
        while i <= last {
            if b[i] == first && b[i + 1] == second {
                var j = 2
                while j < n && b[i + j] == needle[j] { j += 1 }
                if j == n { return i }
            }
            i += 1
        }
        return nil
    }

    /// `find` over a longer span: memchr looks for the needle's third byte, and each place it is found is compared
    /// in full. Candidates come in order, so the first match is the first found. The first byte of a Chinese
    /// character is shared by thousands of characters and the second by dozens; the third is far rarer in text.
    private static func findByThirdByte(_ b: Bytes, _ base: UnsafePointer<UInt8>, _ span: Span, _ needle: StaticBytes) -> Int? {
        let n = needle.count
        let third = Int32(needle[2])
        var j = span.start + 2
        let lastJ = span.end - n + 2  // the third byte of a match starting at the last possible place
        while j <= lastJ {
            guard let found = memchr(base + j, third, lastJ - j + 1) else { return nil }
            let at = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - base
            var k = 0
            while k < n && b[at - 2 + k] == needle[k] { k += 1 }
            if k == n { return at - 2 }
            j = at + 1
        }
        return nil
    }

    @inline(__always)
    static func contains(_ b: Bytes, _ span: Span, _ needle: StaticBytes) -> Bool {
        find(b, span, needle) != nil
    }

    /// One bit per byte value modulo 64 (CJK continuation bytes spread over all 64).
    @inline(__always)
    static func bit(_ byte: UInt8) -> UInt64 { 1 << UInt64(byte & 63) }

    /// The bits of all the bytes of a span. A needle with a byte whose bit is missing cannot occur in the span,
    /// so a label is held against a list of needles with one AND each, and searched only where that passes.
    static func byteMask(_ b: Bytes, _ span: Span) -> UInt64 {
        var mask: UInt64 = 0
        for i in span.start..<max(span.start, span.end) { mask |= bit(b[i]) }
        return mask
    }

    /// `contains` for a span whose `byteMask` is `mask`.
    @inline(__always)
    static func contains(_ b: Bytes, _ span: Span, mask: UInt64, _ needle: StaticBytes) -> Bool {
        needle.mask & ~mask == 0 && contains(b, span, needle)
    }

    @inline(__always)
    static func hasPrefix(_ b: Bytes, _ span: Span, _ needle: StaticBytes) -> Bool {
        let n = needle.count
        if span.count < n { return false }
        for j in 0..<n where b[span.start + j] != needle[j] { return false }
        return true
    }

    @inline(__always)
    static func equals(_ b: Bytes, _ span: Span, _ needle: StaticBytes) -> Bool {
        span.count == needle.count && hasPrefix(b, span, needle)
    }

    static func string(_ b: Bytes, _ span: Span) -> String {
        if span.isEmpty { return "" }
        return String(decoding: UnsafeBufferPointer(rebasing: b[span.start..<span.end]), as: UTF8.self)
    }
}

/// A needle for byte search, stored once as a static array.
struct StaticBytes: Sendable {
    let bytes: [UInt8]
    /// The needle's `UTF8Bytes.byteMask`.
    let mask: UInt64
    init(_ s: String) {
        bytes = Array(s.utf8)
        mask = bytes.reduce(0) { $0 | UTF8Bytes.bit($1) }
    }
    var count: Int { bytes.count }
    var first: UInt8 { bytes[0] }
    subscript(i: Int) -> UInt8 { bytes[i] }
}

// MARK: - Numbers

/// What a table cell holds, read the way reports write numbers.
enum CellValue: Equatable {
    /// Nothing in the cell.
    case blank
    /// A number, exactly: `micros` is the value × 1,000,000. `unit` is a written unit suffix (元, 万元, 件…) if any.
    case number(micros: Int64, hasFraction: Bool, unit: NumberUnit)
    /// Text that is not a number.
    case text

    var isBlank: Bool { if case .blank = self { return true } else { return false } }
    var isText: Bool { if case .text = self { return true } else { return false } }
}

enum NumberUnit: Equatable {
    case none, yuan, tenThousandYuan, count
}

enum NumberReader {
    private static let zeroWords: [StaticBytes] = ["—", "——", "–", "－", "-", "--", "/", "／", "无"].map(StaticBytes.init)
    private static let unitWan = StaticBytes("万元")
    private static let unitYuan = StaticBytes("元")
    private static let countUnits: [StaticBytes] = ["件", "项", "条", "个", "次", "宗", "起", "篇"].map(StaticBytes.init)

    /// Reads a trimmed cell. Full-width digits and signs, thousands separators (`,` `，`), decimal
    /// points (`.` `．`), a sign (`+8`, `-3`), units (`元`, `万元`, `件`…), and dashes/`无` for zero.
    static func read(_ b: Bytes, _ cell: Span) -> CellValue {
        let span = UTF8Bytes.trim(b, cell)
        if span.isEmpty { return .blank }
        // Fast path: ASCII digits only (the overwhelmingly common case).
        var fast: Int64 = 0
        var i = span.start
        while i < span.end {
            let c = b[i]
            if c < 0x30 || c > 0x39 { break }
            if fast > 922_337_203_684 { return .text }
            fast = fast &* 10 &+ Int64(c &- 0x30)
            i += 1
        }
        if i == span.end { return .number(micros: fast &* 1_000_000, hasFraction: false, unit: .none) }
        return slowRead(b, span)
    }

    private static func slowRead(_ b: Bytes, _ span: Span) -> CellValue {
        // Labels go no further: every number, zero word and sign starts with one of a few characters.
        if !canStartNumber(b, span) { return .text }
        // A label that starts like a number (1.属于国家秘密): a character no number has, ahead of where any unit
        // (at most 6 bytes) could start, stays in the body whatever is cut, so the cell is text. Longer than
        // every zero word, too.
        if span.count > 6 && numberPrefixEnd(b, span) < span.end - 6 { return .text }
        for w in zeroWords where UTF8Bytes.equals(b, span, w) {
            return .number(micros: 0, hasFraction: false, unit: .none)
        }
        var end = span.end
        var unit = NumberUnit.none
        if end - span.start > unitWan.count, UTF8Bytes.hasPrefix(b, Span(end - unitWan.count, end), unitWan) {
            unit = .tenThousandYuan
            end -= unitWan.count
        } else if end - span.start > unitYuan.count, UTF8Bytes.hasPrefix(b, Span(end - unitYuan.count, end), unitYuan) {
            unit = .yuan
            end -= unitYuan.count
        } else {
            for u in countUnits where end - span.start > u.count && UTF8Bytes.hasPrefix(b, Span(end - u.count, end), u) {
                unit = .count
                end -= u.count
                break
            }
        }
        let body = UTF8Bytes.trim(b, Span(span.start, end))
        var i = body.start
        var negative = false
        var sawDigit = false
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var inFraction = false
        var hasFraction = false
        // sign
        if i < body.end {
            if b[i] == 0x2B { i += 1 } else if b[i] == 0x2D { negative = true; i += 1 }
            else if i + 2 < body.end, b[i] == 0xEF, b[i + 1] == 0xBC, b[i + 2] == 0x8B { i += 3 }
            else if i + 2 < body.end, b[i] == 0xEF, b[i + 1] == 0xBC, b[i + 2] == 0x8D { negative = true; i += 3 }
        }
        while i < body.end {
            let c = b[i]
            var digit: Int64 = -1
            var advance = 1
            if c >= 0x30 && c <= 0x39 {
                digit = Int64(c - 0x30)
            } else if c == 0xEF, i + 2 < body.end, b[i + 1] == 0xBC, b[i + 2] >= 0x90, b[i + 2] <= 0x99 {
                digit = Int64(b[i + 2] - 0x90)
                advance = 3
            } else if c == 0x2C {  // ,
                if !sawDigit || inFraction { return .text }
                i += 1
                continue
            } else if c == 0xEF, i + 2 < body.end, b[i + 1] == 0xBC, b[i + 2] == 0x8C {  // ，
                if !sawDigit || inFraction { return .text }
                i += 3
                continue
            } else if c == 0x2E || (c == 0xEF && i + 2 < body.end && b[i + 1] == 0xBC && b[i + 2] == 0x8E) {
                if inFraction { return .text }
                inFraction = true
                i += c == 0x2E ? 1 : 3
                continue
            } else if c == 0x20 {
                i += 1
                continue
            } else {
                return .text
            }
            sawDigit = true
            if inFraction {
                if fractionDigits < 6 {
                    fraction = fraction * 10 + digit
                    fractionDigits += 1
                }
                if digit != 0 { hasFraction = true }
            } else {
                if whole > 900_000_000_000 { return .text }
                whole = whole * 10 + digit
            }
            i += advance
        }
        if !sawDigit { return .text }
        while fractionDigits < 6 {
            fraction *= 10
            fractionDigits += 1
        }
        var micros = whole * 1_000_000 + fraction
        if negative { micros = -micros }
        return .number(micros: micros, hasFraction: hasFraction, unit: unit)
    }

    /// Where the run of characters a number body may have (digits, signs, separators, decimal points, spaces, and
    /// the full-width forms EF BC 8B…99) that starts the span ends. It steps as the body parse does.
    private static func numberPrefixEnd(_ b: Bytes, _ span: Span) -> Int {
        var i = span.start
        while i < span.end {
            let c = b[i]
            if (c >= 0x2B && c <= 0x39) || c == 0x20 {
                i += 1
            } else if c == 0xEF, i + 2 < span.end, b[i + 1] == 0xBC, b[i + 2] >= 0x8B, b[i + 2] <= 0x99 {
                i += 3
            } else {
                break
            }
        }
        return i
    }

    /// Whether a trimmed, non-empty cell starts with a character that `slowRead` can read as anything but text:
    /// a digit, sign, decimal point, space or separator, the first character of a zero word (— – － - / ／ 无),
    /// or their full-width forms (＋ ． ， and ０…９ are EF BC 8B…99). The unit is cut from the end, so the
    /// first character is the first character of the body.
    @inline(__always)
    private static func canStartNumber(_ b: Bytes, _ span: Span) -> Bool {
        let c = b[span.start]
        if c < 0x80 { return (c >= 0x2B && c <= 0x39) || c == 0x20 }  // + , - . / 0…9 and space
        guard span.count >= 3 else { return false }
        let m = b[span.start + 1], l = b[span.start + 2]
        switch c {
        case 0xE2: return m == 0x80 && (l == 0x93 || l == 0x94)  // – —
        case 0xEF: return m == 0xBC && l >= 0x8B && l <= 0x99  // ＋ ， － ． ／ ０…９
        case 0xE6: return m == 0x97 && l == 0xA0  // 无
        default: return false
        }
    }
}
