// What a file is, by its content (magic bytes), never by its name.

import GongkaiCore

#if canImport(Glibc)
import Glibc
#endif

enum Sniffer {
    /// The document formats that have a converter (Formats/), told apart by content.
    enum Kind: Equatable {
        /// A ZIP package (.docx, or another Office/OpenDocument package that is then refused by name).
        case zip
        case pdf
        case html
        /// Anything else: text, or a binary format `binaryFormat` names.
        case other
    }

    /// What the bytes are, from magic numbers and markup; the file name plays no part.
    static func kind(_ bytes: [UInt8]) -> Kind {
        if bytes.count >= 4, bytes[0] == 0x50, bytes[1] == 0x4B, (bytes[2] == 0x03 && bytes[3] == 0x04) || (bytes[2] == 0x05 && bytes[3] == 0x06) {
            return .zip
        }
        if startsWithPDF(bytes) { return .pdf }
        if looksLikeHTML(bytes) { return .html }
        return .other
    }

    /// `%PDF-` at the start, or within the first KiB (some producers put junk before the header).
    static func startsWithPDF(_ bytes: [UInt8]) -> Bool {
        let magic: [UInt8] = Array("%PDF-".utf8)
        let limit = min(bytes.count, 1024) - magic.count
        guard limit >= 0 else { return false }
        for i in 0...limit where bytes[i] == 0x25 && bytes[i..<(i + magic.count)].elementsEqual(magic) { return true }
        return false
    }

    private static let htmlMarkers: [[UInt8]] = ["<!doctype html", "<html", "<head", "<body", "<meta", "<table", "<div", "<p>", "<p ",
                                                "<title", "<style", "<script"].map { Array($0.utf8) }

    /// Markup at the start: the first thing after a BOM, whitespace and comments is `<`, and an HTML tag
    /// (doctype, html, head, body, meta, table, div, p, title, style, script) appears in the first 2 KiB.
    /// Works on UTF-8 and on GBK/GB18030 bytes alike (the markup is ASCII).
    static func looksLikeHTML(_ bytes: [UInt8]) -> Bool {
        var i = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x0C { i += 1 }
        guard i < bytes.count, bytes[i] == 0x3C else { return false }
        let end = min(bytes.count, i + 2048)
        var lower = [UInt8](repeating: 0, count: end - i)
        for k in i..<end {
            let c = bytes[k]
            lower[k - i] = c >= 0x41 && c <= 0x5A ? c + 0x20 : c
        }
        for marker in htmlMarkers where lower.count >= marker.count {
            var k = 0
            while k + marker.count <= lower.count {
                if lower[k] == 0x3C, lower[k..<(k + marker.count)].elementsEqual(marker) { return true }
                k += 1
            }
        }
        return false
    }

    private static let magics: [(prefix: [UInt8], name: String, status: ReportStatus, message: String)] = [
        ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "doc", .unsupportedFormat,
         "旧版 Word (.doc) 格式无法读取，请另存为 .docx 或文本 (legacy .doc / OLE compound file cannot be read; save it as .docx)"),
        (Array("{\\rtf".utf8), "rtf", .unsupportedFormat, "RTF 文档暂不支持，请另存为 .docx (RTF is not supported; save it as .docx)"),
        ([0x89, 0x50, 0x4E, 0x47], "png", .binary, "图片文件（PNG），不是文本 (image, not text)"),
        ([0xFF, 0xD8, 0xFF], "jpeg", .binary, "图片文件（JPEG），不是文本 (image, not text)"),
        (Array("GIF8".utf8), "gif", .binary, "图片文件（GIF），不是文本 (image, not text)"),
        ([0x7F, 0x45, 0x4C, 0x46], "elf", .binary, "可执行文件，不是文本 (executable, not text)"),
        ([0x1F, 0x8B], "gzip", .binary, "压缩文件（gzip），不是文本 (compressed data, not text)"),
    ]

    static func binaryFormat(_ bytes: [UInt8]) -> DecodeFailure? {
        for m in magics where bytes.count >= m.prefix.count && bytes.starts(with: m.prefix) {
            return DecodeFailure(status: m.status, message: m.message)
        }
        return nil
    }

    static func formatName(_ bytes: [UInt8]) -> String {
        for m in magics where bytes.count >= m.prefix.count && bytes.starts(with: m.prefix) { return m.name }
        return "unknown"
    }

    /// UTF-16 without a BOM: in the first KiB, NULs sit almost only at odd (LE) or even (BE) offsets.
    static func bomlessUTF16(_ bytes: [UInt8]) -> Bool? {
        let n = min(bytes.count, 1024) & ~1
        guard n >= 8 else { return nil }
        var evenNul = 0, oddNul = 0
        for i in 0..<n where bytes[i] == 0 {
            if i & 1 == 0 { evenNul += 1 } else { oddNul += 1 }
        }
        let pairs = n / 2
        if oddNul * 10 > pairs * 3 && evenNul * 20 < pairs { return true }
        if evenNul * 10 > pairs * 3 && oddNul * 20 < pairs { return false }
        return nil
    }

    static func hasNul(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { b in b.count > 0 && memchr(b.baseAddress!, 0, b.count) != nil }
    }
}
