// .pdf → normalised text: poppler's `pdftotext -layout -enc UTF-8 FILE -` (Debian poppler-utils) run as a
// child process with a timeout and a cap on its output, then PDFLayout turns the laid-out text into
// paragraphs and tab-separated table rows. Bytes that did not come from a file (received from another host)
// are written to a private temporary file first. A PDF with no text layer (a scan) is refused as such,
// never guessed at.

import Foundation
import GongkaiCore

#if canImport(Glibc)
import Glibc
#endif

enum PDFConverter {
    /// The most text pdftotext may write for one document (a report is tens of kilobytes).
    static let maxOutput = 16 * 1024 * 1024
    /// Fewer non-space characters than this (page numbers aside) means there is no text layer.
    static let minimumText = 20

    static func convert(_ bytes: [UInt8], file: String?, options: ReadOptions) -> Result<ConvertedText, FormatFailure> {
        guard let executable = PdfToText.locate(options.pdftotextPath) else {
            return .failure(FormatFailure(status: .unsupportedFormat,
                                          message: "无法读取 PDF：未安装 pdftotext，请安装 poppler-utils (apt-get install poppler-utils) "
                                              + "(pdftotext not found; install the Debian package poppler-utils)",
                                          format: "pdf"))
        }
        let run: Result<[UInt8], FormatFailure>
        if let file {
            run = PdfToText.run(executable: executable, file: file, timeout: options.pdfTimeout, maxOutput: maxOutput)
        } else {
            switch TemporaryFile.write(bytes) {
            case .failure(let failure): return .failure(failure)
            case .success(let temporary):
                defer { unlink(temporary) }
                run = PdfToText.run(executable: executable, file: temporary, timeout: options.pdfTimeout, maxOutput: maxOutput)
            }
        }
        switch run {
        case .failure(let failure): return .failure(failure)
        case .success(var raw):
            if UTF8Check.scan(raw).invalid > 0 { raw = Array(String(decoding: raw, as: UTF8.self).utf8) }
            let text = PDFLayout.convert(raw)
            if PDFLayout.visibleCount(text) < minimumText {
                return .failure(FormatFailure(status: .unsupportedFormat,
                                              message: "扫描版 PDF，没有文字层，无法读取 (scanned PDF without a text layer)",
                                              format: "pdf"))
            }
            return .success(ConvertedText(utf8: text, format: "pdf", encoding: "utf-8"))
        }
    }
}

/// Running pdftotext.
enum PdfToText {
    /// `configured`, else `pdftotext` on PATH (looked up once).
    static func locate(_ configured: String?) -> String? {
        if let configured { return access(configured, X_OK) == 0 ? configured : nil }
        return onPath
    }

    private static let onPath: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = String(dir) + "/pdftotext"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }()

    /// Runs `pdftotext -layout -enc UTF-8 file -` and returns what it wrote, or why it failed.
    static func run(executable: String, file: String, timeout: Duration, maxOutput: Int) -> Result<[UInt8], FormatFailure> {
        func failure(_ message: String) -> Result<[UInt8], FormatFailure> {
            .failure(FormatFailure(status: .unsupportedFormat, message: message, format: "pdf"))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        // A path that starts with "-" would be read as an option.
        process.arguments = ["-layout", "-enc", "UTF-8", file.hasPrefix("-") ? "./" + file : file, "-"]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            return failure("无法启动 pdftotext (\(executable)): \(error) (cannot run pdftotext)")
        }
        let deadline = ContinuousClock.now + timeout
        var output: [UInt8] = []
        var errors: [UInt8] = []
        var tooLarge = false
        var timedOut = false
        let outFD = stdout.fileHandleForReading.fileDescriptor
        let errFD = stderr.fileHandleForReading.fileDescriptor
        var fds = [pollfd(fd: outFD, events: Int16(POLLIN), revents: 0), pollfd(fd: errFD, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while fds[0].fd >= 0 || fds[1].fd >= 0 {
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero {
                timedOut = true
                break
            }
            let ms = Int32(clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
            let ready = poll(&fds, nfds_t(fds.count), ms)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for k in 0..<fds.count where fds[k].fd >= 0 && fds[k].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(fds[k].fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    if k == 0 { output.append(contentsOf: buffer[0..<n]) } else if errors.count < 64 * 1024 { errors.append(contentsOf: buffer[0..<n]) }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    fds[k].fd = -1
                }
            }
            if output.count > maxOutput {
                tooLarge = true
                break
            }
        }
        if timedOut || tooLarge {
            process.terminate()
            if exited.wait(timeout: .now() + 2) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                exited.wait()
            }
            if timedOut { return failure("pdftotext 超时 (\(timeout)) 被终止 (pdftotext timed out)") }
            return failure("PDF 文字超过 \(maxOutput) 字节 (pdftotext output exceeds the cap)")
        }
        if exited.wait(timeout: .now() + .seconds(10)) == .timedOut {
            process.terminate()
            exited.wait()
        }
        let status = process.terminationStatus
        if status == 0 && process.terminationReason == .exit { return .success(output) }
        let detail = String(decoding: errors, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        if detail.contains("password") || detail.contains("ncrypt") {
            return failure("加密的 PDF，需要密码，无法读取 (encrypted PDF: \(detail))")
        }
        if status == 3 {
            return failure("PDF 禁止复制文字，无法读取 (copying text is not permitted: \(detail))")
        }
        return failure("PDF 已损坏或无法读取 (pdftotext exit \(status): \(detail))")
    }
}

/// A private temporary file (mode 0600, from mkstemp) holding bytes for a child process.
enum TemporaryFile {
    static func write(_ bytes: [UInt8]) -> Result<String, FormatFailure> {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast()) + Array("gongkai-pdf-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemp(base)
        }
        if fd < 0 {
            return .failure(FormatFailure(status: .ioError, message: "无法创建临时文件 (cannot create a temporary file in \(directory))", format: "pdf"))
        }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { close(fd) }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return true }
            while written < raw.count {
                let n = Glibc.write(fd, base + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += n
            }
            return true
        }
        if !ok {
            unlink(path)
            return .failure(FormatFailure(status: .ioError, message: "无法写入临时文件 (cannot write a temporary file)", format: "pdf"))
        }
        return .success(path)
    }
}
