// File → Report: size limit before reading, content sniffing, decoding, hashing, parsing. Never throws:
// every bad input becomes a report with a status other than ok and a message that says why.

import Crypto
import GongkaiCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct ReadOptions: Sendable, Hashable {
    /// Files larger than this are refused without being read (status `too_large`).
    public var sizeLimit: Int
    public static let defaultSizeLimit = 32 * 1024 * 1024
    /// How long `pdftotext` may run on one PDF before it is killed (status `unsupported_format`).
    public var pdfTimeout: Duration
    /// The `pdftotext` executable; nil looks it up on `PATH` (Debian package poppler-utils).
    public var pdftotextPath: String?

    public init(sizeLimit: Int = ReadOptions.defaultSizeLimit, pdfTimeout: Duration = .seconds(30), pdftotextPath: String? = nil) {
        self.sizeLimit = sizeLimit
        self.pdfTimeout = pdfTimeout
        self.pdftotextPath = pdftotextPath
    }
}

public enum DocumentReader {
    /// Reads, decodes, parses and validates one file.
    public static func report(path: String, options: ReadOptions = ReadOptions()) -> Report {
        switch FileBytes.read(path: path, limit: options.sizeLimit) {
        case .success(let bytes): return report(bytes: bytes, source: path, file: path, options: options)
        case .failure(let failure):
            var report = Report(source: path, byteCount: failure.size, status: failure.status, statusMessage: failure.message)
            report.format = "unknown"
            return report
        }
    }

    /// Decodes, parses and validates a document already in memory (e.g. received from another host).
    /// The format is found from the content: plain text (UTF-8, GB18030, UTF-16), .docx, HTML or PDF
    /// (a PDF is written to a private temporary file for `pdftotext`).
    public static func report(bytes: [UInt8], source: String, options: ReadOptions = ReadOptions()) -> Report {
        report(bytes: bytes, source: source, file: nil, options: options)
    }

    /// `file`: where the bytes were read from, when they were (a PDF is then given to pdftotext as is).
    static func report(bytes: [UInt8], source: String, file: String?, options: ReadOptions) -> Report {
        let hash = sha256Hex(bytes)
        if bytes.count > options.sizeLimit {
            var report = Report(source: source, sha256: hash, byteCount: bytes.count, status: .tooLarge,
                                statusMessage: "文件过大：\(bytes.count) 字节，上限 \(options.sizeLimit) 字节 (file exceeds the size limit)")
            report.format = "unknown"
            return report
        }
        let converted: Result<ConvertedText, FormatFailure>
        switch Sniffer.kind(bytes) {
        case .zip: converted = DocxConverter.convert(bytes)
        case .pdf: converted = PDFConverter.convert(bytes, file: file, options: options)
        case .html: converted = HTMLConverter.convert(bytes)
        case .other: return textReport(bytes: bytes, source: source, hash: hash)
        }
        switch converted {
        case .failure(let failure):
            var report = Report(source: source, sha256: hash, byteCount: bytes.count, status: failure.status, statusMessage: failure.message)
            report.format = failure.format
            return report
        case .success(let text):
            return parsed(text, source: source, hash: hash, byteCount: bytes.count)
        }
    }

    private static func parsed(_ text: ConvertedText, source: String, hash: String, byteCount: Int) -> Report {
        if isBlank(text.utf8) {
            var report = Report(source: source, sha256: hash, byteCount: byteCount, status: .empty,
                                statusMessage: "文档中没有文字 (the \(text.format) document has no text)")
            report.format = text.format
            report.encoding = text.encoding
            return report
        }
        var report = ReportParser.parse(utf8: text.utf8, source: source)
        report.sha256 = hash
        report.byteCount = byteCount
        report.format = text.format
        report.encoding = text.encoding
        return report
    }

    private static func textReport(bytes: [UInt8], source: String, hash: String) -> Report {
        switch TextDecoder.decode(bytes) {
        case .failure(let failure):
            var report = Report(source: source, sha256: hash, byteCount: bytes.count, status: failure.status, statusMessage: failure.message)
            report.format = Sniffer.formatName(bytes)
            return report
        case .success(let decoded):
            // HTML in UTF-16 is only recognisable once decoded.
            if decoded.encoding.hasPrefix("utf-16"), Sniffer.looksLikeHTML(decoded.utf8) {
                switch HTMLConverter.convert(utf8: decoded.utf8, encoding: decoded.encoding) {
                case .success(let text): return parsed(text, source: source, hash: hash, byteCount: bytes.count)
                case .failure(let failure):
                    var report = Report(source: source, sha256: hash, byteCount: bytes.count, status: failure.status, statusMessage: failure.message)
                    report.format = failure.format
                    return report
                }
            }
            if isBlank(decoded.utf8) {
                var report = Report(source: source, sha256: hash, byteCount: bytes.count, status: .empty,
                                    statusMessage: "文件只有空白 (only whitespace)")
                report.encoding = decoded.encoding
                return report
            }
            var report = ReportParser.parse(utf8: decoded.utf8, source: source)
            report.sha256 = hash
            report.byteCount = bytes.count
            report.encoding = decoded.encoding
            return report
        }
    }

    /// The format the content says a document is in: `docx` (any ZIP package), `pdf`, `html` or `text`.
    public static func sniffedFormat(_ bytes: [UInt8]) -> String {
        switch Sniffer.kind(bytes) {
        case .zip: return "docx"
        case .pdf: return "pdf"
        case .html: return "html"
        case .other: return "text"
        }
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        let digest = SHA256.hash(data: bytes)
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isBlank(_ utf8: [UInt8]) -> Bool {
        for (offset, c) in utf8.enumerated() where !(c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0B || c == 0x0C) {
            // Non-ASCII whitespace (NBSP, ideographic space) alone is still blank. Scalars are decoded from
            // here only as far as the first one that is not whitespace (usually the first): a document is not
            // turned into a String to learn that it starts with a character. A damaged sequence decodes as
            // U+FFFD, which is not whitespace, as it would in a String.
            guard c >= 0x80 else { return false }
            var bytes = utf8[offset...].makeIterator()
            var decoder = UTF8()
            while true {
                switch decoder.decode(&bytes) {
                case .scalarValue(let scalar):
                    if !(scalar.properties.isWhitespace || scalar.value == 0xFEFF) { return false }
                case .emptyInput: return true
                case .error: return false
                }
            }
        }
        return true
    }
}

/// Reading a whole file with POSIX calls, refusing it before reading when it is larger than the limit.
public enum FileBytes {
    public struct Failure: Error, Sendable {
        public var status: ReportStatus
        public var message: String
        public var size: Int
    }

    public static func read(path: String, limit: Int) -> Result<[UInt8], Failure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            return .failure(Failure(status: .ioError, message: "无法打开文件 (cannot open): \(String(cString: strerror(code)))", size: 0))
        }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 {
            return .failure(Failure(status: .ioError, message: "无法读取文件信息 (fstat failed)", size: 0))
        }
        if (st.st_mode & S_IFMT) != S_IFREG {
            return .failure(Failure(status: .ioError, message: "不是普通文件 (not a regular file)", size: 0))
        }
        let size = Int(st.st_size)
        if size > limit {
            return .failure(Failure(status: .tooLarge,
                                    message: "文件过大：\(size) 字节，上限 \(limit) 字节 (file exceeds the size limit; not read)",
                                    size: size))
        }
        // Read into uninitialised storage: zero-filling it first would write every byte twice.
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var got = 0
            while got < size, let base = buffer.baseAddress {
                let n = Glibc.read(fd, base + got, size - got)
                if n < 0 {
                    if errno == EINTR { continue }
                    failed = true
                    break
                }
                if n == 0 { break }
                got += n
            }
            initialized = got
        }
        if failed { return .failure(Failure(status: .ioError, message: "读取失败 (read failed)", size: size)) }
        return .success(bytes)
    }
}
