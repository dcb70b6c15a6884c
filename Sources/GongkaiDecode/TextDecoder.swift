// Bytes as real files arrive → UTF-8: BOMs, UTF-16 LE/BE, GB18030/GBK (detected, never guessed from the
// file name), truncated trailing sequences. Most reports are UTF-8 already and pass through untouched.

import GongkaiCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why bytes could not be turned into text, with the status a report gets for it.
public struct DecodeFailure: Error, Sendable, Hashable {
    public var status: ReportStatus
    public var message: String
}

public enum TextDecoder {
    public struct Decoded: Sendable {
        public var utf8: [UInt8]
        public var encoding: String
    }

    /// Decodes a document's bytes to UTF-8, or says why it cannot.
    public static func decode(_ bytes: [UInt8]) -> Result<Decoded, DecodeFailure> {
        if bytes.isEmpty { return .failure(DecodeFailure(status: .empty, message: "空文件 (empty file)")) }
        if let format = Sniffer.binaryFormat(bytes) { return .failure(format) }
        // BOMs.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            return utf8(Array(bytes[3...]), encoding: "utf-8-bom")
        }
        if bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == 0xFE { return utf16(bytes, from: 2, littleEndian: true, encoding: "utf-16le") }
        if bytes.count >= 2, bytes[0] == 0xFE, bytes[1] == 0xFF { return utf16(bytes, from: 2, littleEndian: false, encoding: "utf-16be") }
        // UTF-16 without a BOM: NULs in every other byte.
        if let littleEndian = Sniffer.bomlessUTF16(bytes) {
            return utf16(bytes, from: 0, littleEndian: littleEndian, encoding: littleEndian ? "utf-16le" : "utf-16be")
        }
        return utf8(bytes, encoding: "utf-8")
    }

    private static func utf8(_ bytes: [UInt8], encoding: String) -> Result<Decoded, DecodeFailure> {
        let check = UTF8Check.scan(bytes)
        // NUL or more than a trace of control bytes: not text, whatever the encoding.
        if Sniffer.hasNul(bytes) || check.controls * 100 > bytes.count * 2 {
            return .failure(DecodeFailure(status: .binary, message: "二进制数据，不是文本 (binary data, not text)"))
        }
        if check.invalid == 0 {
            // A sequence cut off at the very end (a truncated file) is dropped, not an encoding error.
            if check.truncatedTail > 0 { return .success(Decoded(utf8: Array(bytes.dropLast(check.truncatedTail)), encoding: encoding)) }
            return .success(Decoded(utf8: bytes, encoding: encoding))
        }
        if encoding == "utf-8", let gb = GB18030.decode(bytes) {
            return .success(Decoded(utf8: gb, encoding: "gb18030"))
        }
        // Mostly UTF-8 with a few damaged bytes: keep the text, mark the damage with U+FFFD.
        if check.invalid * 100 < bytes.count {
            let repaired = Array(String(decoding: bytes, as: UTF8.self).utf8)
            return .success(Decoded(utf8: repaired, encoding: encoding + "-repaired"))
        }
        return .failure(DecodeFailure(status: .badEncoding,
                                      message: "无法识别的文本编码：不是 UTF-8、UTF-16 或 GB18030 (\(check.invalid) invalid bytes)"))
    }

    private static func utf16(_ bytes: [UInt8], from start: Int, littleEndian: Bool, encoding: String) -> Result<Decoded, DecodeFailure> {
        var units: [UInt16] = []
        units.reserveCapacity((bytes.count - start) / 2)
        var i = start
        while i + 1 < bytes.count {
            let a = UInt16(bytes[i]), b = UInt16(bytes[i + 1])
            units.append(littleEndian ? a | b << 8 : a << 8 | b)
            i += 2
        }
        var out: [UInt8] = []
        out.reserveCapacity(units.count * 3)
        var invalid = 0
        var iterator = units.makeIterator()
        var utf16 = UTF16()
        loop: while true {
            switch utf16.decode(&iterator) {
            case .scalarValue(let s): UTF8.encode(s) { out.append($0) }
            case .emptyInput: break loop
            case .error:
                invalid += 1
                UTF8.encode("\u{FFFD}") { out.append($0) }
            }
        }
        if invalid * 100 > units.count + 1 {
            return .failure(DecodeFailure(status: .badEncoding, message: "UTF-16 文本损坏 (\(invalid) invalid code units)"))
        }
        return .success(Decoded(utf8: out, encoding: encoding))
    }
}

/// A fast UTF-8 well-formedness scan that also counts the control bytes text never holds.
enum UTF8Check {
    struct Result {
        var invalid: Int
        /// Bytes of an incomplete sequence at the very end.
        var truncatedTail: Int
        /// NUL and C0 control bytes other than tab, LF, CR, VT, FF and ESC.
        var controls: Int
    }

    static func scan(_ bytes: [UInt8]) -> Result {
        bytes.withUnsafeBufferPointer { b in
            var invalid = 0
            var controls = 0
            var i = 0
            let n = b.count
            while i < n {
                let c = b[i]
                if c < 0x80 {
                    // ASCII comes in runs too (digits, tabs and line ends of the tables).
                    while i < n && b[i] < 0x80 {
                        let a = b[i]
                        if a < 0x20 && a != 0x09 && a != 0x0A && a != 0x0D && a != 0x0B && a != 0x0C && a != 0x1B { controls += 1 }
                        i += 1
                    }
                    continue
                }
                // The common case in Chinese text: a 3-byte sequence with no range caveats (E1…EC, EE, EF).
                if c >= 0xE1 && c != 0xED && i + 2 < n && b[i + 1] & 0xC0 == 0x80 && b[i + 2] & 0xC0 == 0x80 && c <= 0xEF {
                    i += 3
                    // Chinese characters come in runs: stay in this loop while they last.
                    while i + 2 < n {
                        let lead = b[i]
                        guard lead >= 0xE1 && lead <= 0xEF && lead != 0xED && b[i + 1] & 0xC0 == 0x80 && b[i + 2] & 0xC0 == 0x80 else { break }
                        i += 3
                    }
                    continue
                }
                var need = 0
                var min: UInt32 = 0
                var value: UInt32 = 0
                if c & 0xE0 == 0xC0 { need = 1; min = 0x80; value = UInt32(c & 0x1F) }
                else if c & 0xF0 == 0xE0 { need = 2; min = 0x800; value = UInt32(c & 0x0F) }
                else if c & 0xF8 == 0xF0 { need = 3; min = 0x10000; value = UInt32(c & 0x07) }
                else { invalid += 1; i += 1; continue }
                if i + need >= n {
                    // Not enough bytes left: a truncated tail if what is there continues correctly.
                    var ok = true
                    var k = i + 1
                    while k < n { if b[k] & 0xC0 != 0x80 { ok = false }; k += 1 }
                    if ok { return Result(invalid: invalid, truncatedTail: n - i, controls: controls) }
                    invalid += 1
                    i += 1
                    continue
                }
                var good = true
                var k = 1
                while k <= need {
                    let d = b[i + k]
                    if d & 0xC0 != 0x80 { good = false; break }
                    value = value << 6 | UInt32(d & 0x3F)
                    k += 1
                }
                if !good || value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF) {
                    invalid += 1
                    i += 1
                    continue
                }
                i += need + 1
            }
            return Result(invalid: invalid, truncatedTail: 0, controls: controls)
        }
    }
}

/// GB18030 (a superset of GBK and GB2312) through glibc's iconv.
public enum GB18030 {
    /// UTF-8 → GB18030 (for writing test corpora).
    public static func encode(_ utf8: [UInt8]) -> [UInt8]? { convert(utf8, from: "UTF-8", to: "GB18030") }

    /// GB18030 → UTF-8; nil when the bytes are not GB18030.
    public static func decode(_ bytes: [UInt8]) -> [UInt8]? { convert(bytes, from: "GB18030", to: "UTF-8") }

    static func convert(_ bytes: [UInt8], from: String, to: String) -> [UInt8]? {
        if bytes.isEmpty { return [] }
        let cd = iconv_open(to, from)
        if cd == iconv_t(bitPattern: -1) { return nil }
        defer { iconv_close(cd) }
        var output = [UInt8](repeating: 0, count: bytes.count * 2 + 16)  // GB18030 ≤ 4 bytes per 4-byte UTF-8 scalar; UTF-8 ≤ 1.5× GB
        var input = bytes
        var produced = 0
        let ok: Bool = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
                var inLeft = inBuf.count
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
                var outLeft = outBuf.count
                let rc = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                produced = outBuf.count - outLeft
                if rc == -1 {
                    // EINVAL: an incomplete sequence at the end (a truncated file) is acceptable.
                    return errno == EINVAL
                }
                return true
            }
        }
        guard ok else { return nil }
        output.removeSubrange(produced...)
        return output
    }
}
