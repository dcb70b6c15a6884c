// An eventfd that another thread signals to wake a poll loop.

internal import CZeroMQ
internal import Glibc
import Synchronization

/// An `eventfd(2)` for waking a thread blocked in ``ZMQPoller/poll(timeout:)`` from any other
/// thread: add ``fd`` to the poller, ``signal()`` from elsewhere, ``drain()`` when it polls
/// readable.
///
/// Thread-safe: the descriptor is guarded by a `Mutex`, so ``signal()`` can never write to a
/// descriptor number that ``close()`` released and the system reused.
public final class Wakeup: Sendable {
    private let descriptor: Mutex<Int32>

    /// Creates a non-blocking, close-on-exec eventfd.
    ///
    /// - Throws: ``ZMQError`` with the errno of `eventfd` (e.g. `EMFILE`).
    public init() throws(ZMQError) {
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw ZMQError(code: CZeroMQ_errno(), operation: "eventfd") }
        descriptor = Mutex(fd)
    }

    deinit {
        close()
    }

    /// The descriptor to poll for `.readable`; `-1` after ``close()``.
    public var fd: Int32 { descriptor.withLock { $0 } }

    /// Makes ``fd`` readable until the next ``drain()``. Cheap, never blocks; signals before a
    /// drain coalesce into one wake-up. Does nothing after ``close()``.
    public func signal() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            var one: UInt64 = 1
            // EAGAIN means the counter is saturated: it is readable already, which is all we want.
            while write(fd, &one, 8) < 0 && CZeroMQ_errno() == EINTR {}
        }
    }

    /// Resets the descriptor to not-readable.
    ///
    /// - Returns: whether it had been signalled.
    @discardableResult
    public func drain() -> Bool {
        descriptor.withLock { fd in
            guard fd >= 0 else { return false }
            var value: UInt64 = 0
            while true {
                if read(fd, &value, 8) == 8 { return true }
                if CZeroMQ_errno() != EINTR { return false }
            }
        }
    }

    /// Closes the descriptor. Idempotent. Remove it from any poller first.
    public func close() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            _ = Glibc.close(fd)
            fd = -1
        }
    }
}
