// What a file is, by its content (magic bytes), never by its name.

import GongkaiCore

#if canImport(Glibc)
import Glibc
#endif

enum Sniffer {
    private static let magics: [(prefix: [UInt8], name: String, status: ReportStatus, message: String)] = [
        ([0x50, 0x4B, 0x03, 0x04], "zip", .unsupportedFormat, "ZIP/Office 文档（.docx 等）暂不支持 (zip/docx container not supported yet)"),
        (Array("%PDF".utf8), "pdf", .unsupportedFormat, "PDF 文档暂不支持 (PDF not supported yet)"),
        ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "doc", .unsupportedFormat,
         "旧版 Word (.doc) 格式无法读取，请另存为 .docx 或文本 (legacy .doc cannot be read)"),
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
