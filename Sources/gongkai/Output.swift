// Buffered output to stdout/stderr with plain POSIX writes: JSON lines for tens of thousands of reports
// per second must not be limited by the printing.

import Synchronization

#if canImport(Glibc)
import Glibc
#endif

final class FileOutput: Sendable {
    private let fd: Int32
    private let buffer: Mutex<[UInt8]>
    private static let capacity = 1 << 16

    init(fd: Int32) {
        self.fd = fd
        var initial: [UInt8] = []
        initial.reserveCapacity(Self.capacity)
        buffer = Mutex(initial)
    }

    var isTerminal: Bool { isatty(fd) == 1 }

    func write(_ bytes: [UInt8]) {
        buffer.withLock { buffer in
            buffer.append(contentsOf: bytes)
            if buffer.count >= Self.capacity { Self.drain(fd, &buffer) }
        }
    }

    func write(_ text: String) { write(Array(text.utf8)) }

    func flush() {
        buffer.withLock { Self.drain(fd, &$0) }
    }

    private static func drain(_ fd: Int32, _ buffer: inout [UInt8]) {
        var offset = 0
        buffer.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return  // EPIPE and friends: the reader is gone; drop the output.
                }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    static let stdout = FileOutput(fd: 1)
    static let stderr = FileOutput(fd: 2)
}

enum Output {
    static func flush() {
        FileOutput.stdout.flush()
        FileOutput.stderr.flush()
    }
}

/// ANSI colours, only on a terminal.
struct Style {
    let enabled: Bool
    func red(_ s: String) -> String { enabled ? "\u{1B}[31m\(s)\u{1B}[0m" : s }
    func yellow(_ s: String) -> String { enabled ? "\u{1B}[33m\(s)\u{1B}[0m" : s }
    func green(_ s: String) -> String { enabled ? "\u{1B}[32m\(s)\u{1B}[0m" : s }
    func dim(_ s: String) -> String { enabled ? "\u{1B}[2m\(s)\u{1B}[0m" : s }
    func bold(_ s: String) -> String { enabled ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
}
