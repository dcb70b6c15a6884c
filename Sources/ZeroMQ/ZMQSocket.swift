// A libzmq socket: options, endpoints, multipart send and bounded multipart receive.

internal import CZeroMQ

/// A libzmq socket.
///
/// Not `Sendable`: libzmq sockets are not thread-safe ("MUST NOT be used from multiple threads
/// under any circumstances", `man zmq`). Create, use and close a socket on one dedicated OS
/// thread — never on the Swift concurrency pool, whose threads a blocking call would starve.
///
/// Creation sets `ZMQ_LINGER` to ``defaultLinger`` (libzmq's own default, infinite, makes
/// `zmq_ctx_term` hang when a peer is gone) and both high-water marks to
/// ``defaultHighWaterMark``; change them with ``set(_:)``.
///
/// Close explicitly with ``close()`` where the socket should die: a class reference may be
/// released right after its last use, not at the end of the scope, which with a short linger
/// can discard output that was still queued. `deinit` also closes.
public final class ZMQSocket {
    /// `ZMQ_LINGER` set on every new socket: 1 s, bounded so termination cannot hang.
    public static let defaultLinger = 1000
    /// `ZMQ_SNDHWM` and `ZMQ_RCVHWM` set on every new socket (libzmq's default, made explicit).
    public static let defaultHighWaterMark = 1000

    /// The socket type.
    public let type: ZMQSocketType
    /// Bounds applied by ``receiveMultipart(dontWait:)``.
    public var receiveLimits: ZMQReceiveLimits = .default

    private var handle: UnsafeMutableRawPointer?
    /// One message struct at a stable heap address, reused by every receive of this socket.
    private let message: UnsafeMutablePointer<zmq_msg_t>
    /// Keeps the context alive (and un-terminated) while the socket exists.
    private let context: ZMQContext

    init(handle: UnsafeMutableRawPointer, type: ZMQSocketType, context: ZMQContext) throws(ZMQError) {
        self.handle = handle
        self.type = type
        self.context = context
        self.message = .allocate(capacity: 1)
        do throws(ZMQError) {
            try set(.linger(milliseconds: Self.defaultLinger))
            try set(.sendHighWaterMark(Self.defaultHighWaterMark))
            try set(.receiveHighWaterMark(Self.defaultHighWaterMark))
        } catch {
            close()
            throw error
        }
    }

    deinit {
        close()
        message.deallocate()
    }

    /// Whether ``close()`` has not been called.
    public var isOpen: Bool { handle != nil }

    /// Closes the socket (`zmq_close`). Pending output is delivered in the background for up to
    /// the linger period. Idempotent.
    public func close() {
        guard let handle else { return }
        self.handle = nil
        _ = zmq_close(handle)
    }

    private func open(_ operation: @autoclosure () -> String) throws(ZMQError) -> UnsafeMutableRawPointer {
        guard let handle else { throw ZMQError(code: ENOTSOCK, operation: operation() + " on a closed socket") }
        return handle
    }

    /// The raw handle for ``ZMQPoller``; `nil` once closed.
    var pollHandle: UnsafeMutableRawPointer? { handle }

    // MARK: Endpoints

    /// Binds to an endpoint (`tcp://127.0.0.1:*`, `ipc:///path`, `inproc://name`).
    ///
    /// - Throws: e.g. ``ZMQError/addressInUse``, ``ZMQError/nameTooLong`` (ipc path over 107
    ///   bytes), ``ZMQError/protocolNotSupported``, ``ZMQError/invalidArgument``.
    public func bind(_ endpoint: String) throws(ZMQError) {
        let handle = try open("zmq_bind(\(endpoint))")
        try check("zmq_bind(\(endpoint))") { zmq_bind(handle, endpoint) }
    }

    /// Connects to an endpoint. libzmq connects (and reconnects) in the background.
    public func connect(_ endpoint: String) throws(ZMQError) {
        let handle = try open("zmq_connect(\(endpoint))")
        try check("zmq_connect(\(endpoint))") { zmq_connect(handle, endpoint) }
    }

    /// Stops listening on an endpoint given to ``bind(_:)`` (for a `*` port, pass
    /// ``lastEndpoint()``). libzmq does not remove ipc socket files; the caller unlinks them.
    public func unbind(_ endpoint: String) throws(ZMQError) {
        let handle = try open("zmq_unbind(\(endpoint))")
        try check("zmq_unbind(\(endpoint))") { zmq_unbind(handle, endpoint) }
    }

    /// Disconnects from an endpoint given to ``connect(_:)``.
    public func disconnect(_ endpoint: String) throws(ZMQError) {
        let handle = try open("zmq_disconnect(\(endpoint))")
        try check("zmq_disconnect(\(endpoint))") { zmq_disconnect(handle, endpoint) }
    }

    // MARK: Options

    /// Sets one option (`zmq_setsockopt`).
    public func set(_ option: ZMQSocketOption) throws(ZMQError) {
        switch option {
        case .linger(let ms): try setInt(ZMQ_LINGER, ms, "ZMQ_LINGER")
        case .sendHighWaterMark(let n): try setInt(ZMQ_SNDHWM, n, "ZMQ_SNDHWM")
        case .receiveHighWaterMark(let n): try setInt(ZMQ_RCVHWM, n, "ZMQ_RCVHWM")
        case .routingId(let id): try setBytes(ZMQ_ROUTING_ID, id, "ZMQ_ROUTING_ID")
        case .routerMandatory(let on): try setInt(ZMQ_ROUTER_MANDATORY, on ? 1 : 0, "ZMQ_ROUTER_MANDATORY")
        case .sendTimeout(let ms): try setInt(ZMQ_SNDTIMEO, ms, "ZMQ_SNDTIMEO")
        case .receiveTimeout(let ms): try setInt(ZMQ_RCVTIMEO, ms, "ZMQ_RCVTIMEO")
        case .heartbeatInterval(let ms): try setInt(ZMQ_HEARTBEAT_IVL, ms, "ZMQ_HEARTBEAT_IVL")
        case .heartbeatTTL(let ms): try setInt(ZMQ_HEARTBEAT_TTL, ms, "ZMQ_HEARTBEAT_TTL")
        case .heartbeatTimeout(let ms): try setInt(ZMQ_HEARTBEAT_TIMEOUT, ms, "ZMQ_HEARTBEAT_TIMEOUT")
        case .maxMessageSize(let size):
            let handle = try open("zmq_setsockopt(ZMQ_MAXMSGSIZE)")
            var value = size
            try check("zmq_setsockopt(ZMQ_MAXMSGSIZE, \(size))") {
                zmq_setsockopt(handle, ZMQ_MAXMSGSIZE, &value, MemoryLayout<Int64>.size)
            }
        case .immediate(let on): try setInt(ZMQ_IMMEDIATE, on ? 1 : 0, "ZMQ_IMMEDIATE")
        case .reconnectInterval(let ms): try setInt(ZMQ_RECONNECT_IVL, ms, "ZMQ_RECONNECT_IVL")
        case .reconnectIntervalMax(let ms): try setInt(ZMQ_RECONNECT_IVL_MAX, ms, "ZMQ_RECONNECT_IVL_MAX")
        case .curveServer(let on): try setInt(ZMQ_CURVE_SERVER, on ? 1 : 0, "ZMQ_CURVE_SERVER")
        case .curvePublicKey(let key): try setBytes(ZMQ_CURVE_PUBLICKEY, key.bytes, "ZMQ_CURVE_PUBLICKEY")
        case .curveSecretKey(let key): try setBytes(ZMQ_CURVE_SECRETKEY, key.bytes, "ZMQ_CURVE_SECRETKEY")
        case .curveServerKey(let key): try setBytes(ZMQ_CURVE_SERVERKEY, key.bytes, "ZMQ_CURVE_SERVERKEY")
        case .zapDomain(let domain): try setBytes(ZMQ_ZAP_DOMAIN, Array(domain.utf8), "ZMQ_ZAP_DOMAIN")
        }
    }

    /// Sets several options in order; stops at the first failure.
    public func set(_ options: [ZMQSocketOption]) throws(ZMQError) {
        for option in options { try set(option) }
    }

    private func setInt(_ name: Int32, _ value: Int, _ label: String) throws(ZMQError) {
        let handle = try open("zmq_setsockopt(\(label))")
        guard let narrow = Int32(exactly: value) else {
            throw ZMQError(code: EINVAL, operation: "zmq_setsockopt(\(label), \(value))")
        }
        var int = narrow
        try check("zmq_setsockopt(\(label), \(value))") {
            zmq_setsockopt(handle, name, &int, MemoryLayout<Int32>.size)
        }
    }

    private func setBytes(_ name: Int32, _ bytes: [UInt8], _ label: String) throws(ZMQError) {
        let handle = try open("zmq_setsockopt(\(label))")
        try check("zmq_setsockopt(\(label))") {
            bytes.withUnsafeBytes { zmq_setsockopt(handle, name, $0.baseAddress, $0.count) }
        }
    }

    private func getInt(_ name: Int32, _ label: String) throws(ZMQError) -> Int32 {
        let handle = try open("zmq_getsockopt(\(label))")
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        try check("zmq_getsockopt(\(label))") { zmq_getsockopt(handle, name, &value, &size) }
        return value
    }

    private func getBytes(_ name: Int32, capacity: Int, _ label: String) throws(ZMQError) -> [UInt8] {
        let handle = try open("zmq_getsockopt(\(label))")
        var buffer = [UInt8](repeating: 0, count: capacity)
        var size = capacity
        try check("zmq_getsockopt(\(label))") {
            buffer.withUnsafeMutableBytes { zmq_getsockopt(handle, name, $0.baseAddress, &size) }
        }
        return Array(buffer.prefix(size))
    }

    /// `ZMQ_LINGER` in milliseconds (`-1` infinite).
    public func linger() throws(ZMQError) -> Int { Int(try getInt(ZMQ_LINGER, "ZMQ_LINGER")) }

    /// `ZMQ_SNDHWM`.
    public func sendHighWaterMark() throws(ZMQError) -> Int { Int(try getInt(ZMQ_SNDHWM, "ZMQ_SNDHWM")) }

    /// `ZMQ_RCVHWM`.
    public func receiveHighWaterMark() throws(ZMQError) -> Int { Int(try getInt(ZMQ_RCVHWM, "ZMQ_RCVHWM")) }

    /// `ZMQ_ROUTING_ID`: the routing id set on this socket (empty if none was set).
    public func routingId() throws(ZMQError) -> [UInt8] {
        try getBytes(ZMQ_ROUTING_ID, capacity: 256, "ZMQ_ROUTING_ID")
    }

    /// `ZMQ_LAST_ENDPOINT`: the endpoint last bound or connected, with a `*` port resolved
    /// (`tcp://127.0.0.1:41234`).
    public func lastEndpoint() throws(ZMQError) -> String {
        var bytes = try getBytes(ZMQ_LAST_ENDPOINT, capacity: 1024, "ZMQ_LAST_ENDPOINT")
        if let end = bytes.firstIndex(of: 0) { bytes.removeSubrange(end...) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `ZMQ_FD`: a file descriptor that becomes readable when ``events()`` *may* have changed
    /// (edge-triggered; always re-check ``events()`` and drain until `EAGAIN`). Owned by libzmq:
    /// never read, write or close it.
    public func fd() throws(ZMQError) -> Int32 {
        let handle = try open("zmq_getsockopt(ZMQ_FD)")
        var value: Int32 = -1
        var size = MemoryLayout<Int32>.size
        try check("zmq_getsockopt(ZMQ_FD)") { zmq_getsockopt(handle, ZMQ_FD, &value, &size) }
        return value
    }

    /// `ZMQ_EVENTS`: whether a message can be received (`.readable`) or sent (`.writable`) now.
    public func events() throws(ZMQError) -> ZMQPollEvents {
        ZMQPollEvents(rawValue: Int16(truncatingIfNeeded: try getInt(ZMQ_EVENTS, "ZMQ_EVENTS")))
    }

    // MARK: Messages

    /// Sends one multipart message (`zmq_send` with `ZMQ_SNDMORE` on all but the last frame).
    ///
    /// libzmq delivers a multipart message atomically: the peer receives all frames or none.
    ///
    /// - Parameters:
    ///   - frames: at least one frame; frames may be empty.
    ///   - dontWait: fail fast instead of blocking when the message cannot be queued now
    ///     (high-water mark reached, or no connected peer on a socket with `ZMQ_IMMEDIATE`).
    /// - Returns: `true` when queued; `false` only with `dontWait` when nothing was sent
    ///   because libzmq answered `EAGAIN` for the first frame.
    /// - Throws: ``ZMQError`` (e.g. ``ZMQError/hostUnreachable`` on a ROUTER with
    ///   `ZMQ_ROUTER_MANDATORY`, ``ZMQError/again`` after `ZMQ_SNDTIMEO`,
    ///   ``ZMQError/terminated``). An empty `frames` array is ``ZMQError/invalidArgument``.
    @discardableResult
    public func send(frames: [[UInt8]], dontWait: Bool = false) throws(ZMQError) -> Bool {
        let handle = try open("zmq_send")
        guard !frames.isEmpty else { throw ZMQError(code: EINVAL, operation: "zmq_send(no frames)") }
        let last = frames.count - 1
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = index < last ? ZMQ_SNDMORE : 0
            if dontWait { flags |= ZMQ_DONTWAIT }
            let sent: Int32 =
                if frame.isEmpty {
                    // Never hand libzmq a NULL buffer, even for an empty frame.
                    withUnsafeBytes(of: UInt8(0)) { Self.sendFrame(handle, UnsafeRawBufferPointer(rebasing: $0[0..<0]), flags) }
                } else {
                    frame.withUnsafeBytes { Self.sendFrame(handle, $0, flags) }
                }
            if sent < 0 {
                let code = zmq_errno()
                if code == EAGAIN && dontWait && index == 0 { return false }
                throw ZMQError(code: code, operation: "zmq_send(frame \(index) of \(frames.count))")
            }
        }
        return true
    }

    private static func sendFrame(_ handle: UnsafeMutableRawPointer, _ buffer: UnsafeRawBufferPointer, _ flags: Int32) -> Int32 {
        retryingInterrupts { zmq_send(handle, buffer.baseAddress, buffer.count, flags) }
    }

    /// Receives one multipart message (`zmq_msg_recv` until `ZMQ_RCVMORE` is off).
    ///
    /// A message with more frames or bytes than ``receiveLimits`` is received to its end
    /// (so the next call starts at a message boundary), discarded, and reported as
    /// ``ZMQError/messageTooLarge``.
    ///
    /// - Parameter dontWait: return `nil` at once if no message is waiting.
    /// - Returns: the frames, or `nil` when no message arrived (`dontWait`, or `ZMQ_RCVTIMEO`
    ///   expired).
    /// - Throws: ``ZMQError/messageTooLarge``, ``ZMQError/terminated``, ``ZMQError/wrongState``…
    public func receiveMultipart(dontWait: Bool = false) throws(ZMQError) -> [[UInt8]]? {
        let handle = try open("zmq_msg_recv")
        let limits = receiveLimits
        zmq_msg_init(message)
        defer { zmq_msg_close(message) }

        var frames: [[UInt8]] = []
        var total = 0
        var oversized = false
        var first = true
        while true {
            // Later frames of a message are already here (atomic delivery): never EAGAIN.
            let flags: Int32 = first && dontWait ? ZMQ_DONTWAIT : 0
            let size = retryingInterrupts { zmq_msg_recv(message, handle, flags) }
            if size < 0 {
                let code = zmq_errno()
                if first && code == EAGAIN { return nil }
                throw ZMQError(code: code, operation: "zmq_msg_recv(frame \(frames.count))")
            }
            first = false
            let count = zmq_msg_size(message)
            total += count
            if !oversized && (frames.count >= limits.maxFrames || total > limits.maxBytes) {
                oversized = true
                frames = []
            }
            if !oversized {
                if count == 0 {
                    frames.append([])
                } else if let data = zmq_msg_data(message) {
                    frames.append([UInt8](UnsafeRawBufferPointer(start: data, count: count)))
                } else {
                    frames.append([])
                }
            }
            if zmq_msg_more(message) == 0 { break }
        }
        if oversized {
            throw ZMQError(
                code: EMSGSIZE,
                operation: "zmq_msg_recv(message over \(limits.maxFrames) frames or \(limits.maxBytes) bytes, \(total) bytes discarded)"
            )
        }
        return frames
    }
}

@available(*, unavailable, message: "libzmq sockets are not thread-safe; keep each on one thread")
extension ZMQSocket: Sendable {}
