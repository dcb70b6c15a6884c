// Typed errors for every libzmq (and eventfd) call, and the one helper all calls go through.

internal import CZeroMQ

/// A failed libzmq call: the errno it reported and the operation that failed.
///
/// Equality and hashing use the error code only, so the static values pattern-match any
/// operation:
///
/// ```swift
/// do { try socket.send(frames: frames, dontWait: true) }
/// catch .hostUnreachable { … }          // typed throws: the pattern is a ZMQError
/// catch { … }
/// ```
public struct ZMQError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The errno value (`zmq_errno()`), including libzmq's own codes such as `ETERM`.
    public let code: Int32
    /// The call that failed, e.g. `"zmq_bind(ipc:///tmp/x/work.sock)"`. Not part of equality.
    public let operation: String

    public init(code: Int32, operation: String = "") {
        self.code = code
        self.operation = operation
    }

    /// The text libzmq gives for the code (`zmq_strerror`).
    public var message: String { String(cString: zmq_strerror(code)) }

    public var description: String {
        operation.isEmpty ? "\(message) (errno \(code))" : "\(operation): \(message) (errno \(code))"
    }

    public static func == (lhs: ZMQError, rhs: ZMQError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    // MARK: Codes

    /// `EAGAIN`: non-blocking mode and nothing to do now, or a send/receive timeout expired.
    public static let again = ZMQError(code: EAGAIN)
    /// `ETERM`: the context was shut down or terminated.
    public static let terminated = ZMQError(code: ETERM)
    /// `EHOSTUNREACH`: a ROUTER with `ZMQ_ROUTER_MANDATORY` has no peer with that routing id.
    public static let hostUnreachable = ZMQError(code: EHOSTUNREACH)
    /// `EINTR`: interrupted by a signal. The wrapper retries these; they are not normally seen.
    public static let interrupted = ZMQError(code: EINTR)
    /// `EFSM`: the socket's state machine forbids the call (e.g. two sends on a REQ).
    public static let wrongState = ZMQError(code: EFSM)
    /// `EINVAL`: an invalid argument (bad option value, malformed endpoint).
    public static let invalidArgument = ZMQError(code: EINVAL)
    /// `EPROTONOSUPPORT`: the endpoint's transport is not supported.
    public static let protocolNotSupported = ZMQError(code: EPROTONOSUPPORT)
    /// `ENOTSUP`: the operation is not supported by this socket type.
    public static let notSupported = ZMQError(code: ENOTSUP)
    /// `EADDRINUSE`: the endpoint is already bound.
    public static let addressInUse = ZMQError(code: EADDRINUSE)
    /// `EADDRNOTAVAIL`: the address is not local, or the endpoint was never bound/connected.
    public static let addressNotAvailable = ZMQError(code: EADDRNOTAVAIL)
    /// `ENAMETOOLONG`: an ipc:// path longer than the 107 bytes a Unix socket allows.
    public static let nameTooLong = ZMQError(code: ENAMETOOLONG)
    /// `ENOENT`: an ipc:// directory or an endpoint that does not exist.
    public static let noSuchEntry = ZMQError(code: ENOENT)
    /// `ENOTSOCK`: the socket was already closed.
    public static let notASocket = ZMQError(code: ENOTSOCK)
    /// `EMSGSIZE`: a received message exceeded the receive limits (``ZMQReceiveLimits``); it was discarded.
    public static let messageTooLarge = ZMQError(code: EMSGSIZE)
    /// `EMFILE`: too many open sockets or file descriptors.
    public static let tooManyOpenFiles = ZMQError(code: EMFILE)

    /// The error for the current `zmq_errno()`.
    static func current(_ operation: @autoclosure () -> String) -> ZMQError {
        ZMQError(code: zmq_errno(), operation: operation())
    }
}

/// Runs a libzmq call that reports failure with a negative result and `zmq_errno()`, again
/// and again while it fails with `EINTR`. Every blocking or failing call of this module goes
/// through here (``check(_:_:)`` for the ones that throw at once); `zmq_poll` alone retries
/// itself, because it must shorten its timeout on each retry.
@inline(__always)
func retryingInterrupts(_ call: () -> Int32) -> Int32 {
    while true {
        let result = call()
        if result >= 0 || zmq_errno() != EINTR { return result }
    }
}

/// Runs a libzmq call through ``retryingInterrupts(_:)`` and turns a failure into a
/// ``ZMQError`` naming `operation`.
///
/// - Returns: the call's non-negative result.
@inline(__always)
@discardableResult
func check(_ operation: @autoclosure () -> String, _ call: () -> Int32) throws(ZMQError) -> Int32 {
    let result = retryingInterrupts(call)
    if result >= 0 { return result }
    throw ZMQError.current(operation())
}
