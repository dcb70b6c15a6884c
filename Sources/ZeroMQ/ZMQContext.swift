// The libzmq context: the owner of the I/O threads and the factory of sockets.

internal import CZeroMQ
import Synchronization

/// A libzmq context.
///
/// `@unchecked Sendable` is justified by libzmq itself: `man zmq_ctx_new` (4.3.4) states
/// "A ØMQ context is thread safe and may be shared among as many application threads as
/// necessary, without any additional locking required on the part of the caller." The only
/// Swift-side mutable state, the open/terminated flag that keeps ``socket(_:)`` from using a
/// freed context, sits in a `Mutex`.
///
/// Lifetime: every ``ZMQSocket`` keeps its context alive, so dropping the last reference to a
/// context can only happen after all its sockets are closed, and `deinit` then terminates it
/// without blocking. Call ``terminate()`` explicitly before `exit()` (which skips `deinit`).
/// Never `fork()` a process after creating a context (libzmq is not fork-safe): spawn
/// workers with `Foundation.Process`/`posix_spawn`.
public final class ZMQContext: @unchecked Sendable {
    private enum State { case open, terminating, terminated }

    private let handle: UnsafeMutableRawPointer
    private let state = Mutex(State.open)

    /// Creates a context.
    ///
    /// - Parameter ioThreads: libzmq I/O threads (`ZMQ_IO_THREADS`); 1 is right for up to a
    ///   gigabyte per second of traffic.
    /// - Throws: ``ZMQError`` if libzmq cannot create the context or rejects the option.
    public init(ioThreads: Int = 1) throws(ZMQError) {
        guard let handle = zmq_ctx_new() else { throw ZMQError.current("zmq_ctx_new") }
        self.handle = handle
        if zmq_ctx_set(handle, ZMQ_IO_THREADS, Int32(clamping: ioThreads)) != 0 {
            let error = ZMQError.current("zmq_ctx_set(ZMQ_IO_THREADS, \(ioThreads))")
            _ = zmq_ctx_term(handle)
            throw error
        }
    }

    deinit {
        terminate()
    }

    /// Creates a socket of this context. The socket is owned by the calling thread
    /// (see ``ZMQSocket``).
    ///
    /// - Throws: ``ZMQError/terminated`` after ``shutdown()``/``terminate()``,
    ///   ``ZMQError/tooManyOpenFiles`` at `ZMQ_MAX_SOCKETS`.
    public func socket(_ type: ZMQSocketType) throws(ZMQError) -> ZMQSocket {
        let created: Result<UnsafeMutableRawPointer, ZMQError> = state.withLock { state in
            guard state == .open else {
                return .failure(ZMQError(code: ETERM, operation: "zmq_socket(\(type))"))
            }
            guard let socket = zmq_socket(handle, type.rawValue) else {
                return .failure(.current("zmq_socket(\(type))"))
            }
            return .success(socket)
        }
        return try ZMQSocket(handle: created.get(), type: type, context: self)
    }

    /// Makes every blocking call on this context's sockets return ``ZMQError/terminated``
    /// (`zmq_ctx_shutdown`), without waiting. Sockets must still be closed, then the context
    /// terminated. Idempotent.
    public func shutdown() {
        state.withLock { state in
            if state == .open { _ = zmq_ctx_shutdown(handle) }
        }
    }

    /// Terminates the context (`zmq_ctx_term`, retried on `EINTR`).
    ///
    /// Blocks until every socket of the context is closed and, for each, its pending output
    /// is delivered or its `ZMQ_LINGER` period expired. Idempotent; later calls return at once.
    public func terminate() {
        let mine = state.withLock { state -> Bool in
            guard state == .open else { return false }
            state = .terminating
            return true
        }
        guard mine else { return }
        _ = retryingInterrupts { zmq_ctx_term(handle) }
        state.withLock { $0 = .terminated }
    }

    /// Whether ``terminate()`` has not been called yet. (After ``shutdown()`` the context is
    /// still open in this sense, but libzmq refuses new sockets with ``ZMQError/terminated``.)
    public var isOpen: Bool { state.withLock { $0 == .open } }
}
