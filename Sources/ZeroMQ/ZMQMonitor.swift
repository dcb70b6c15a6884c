// Socket monitoring (`zmq_socket_monitor`): libzmq reports connection events of a socket as
// two-frame messages on an inproc PAIR endpoint. Used to see handshakes that fail before any
// message or ZAP request exists (a plain client on a CURVE endpoint, a wrong server key).

internal import CZeroMQ

/// Handshake failures a monitor can report (`ZMQ_EVENT_HANDSHAKE_FAILED_*`, stable since libzmq 4.3).
public struct ZMQMonitorEvents: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// `ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL`: the handshake failed for a system reason (value: errno).
    public static let handshakeFailedNoDetail = ZMQMonitorEvents(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL))
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL`: a ZMTP or ZAP protocol error (value: `ZMQ_PROTOCOL_ERROR_*`),
    /// e.g. a peer of another security mechanism, or CURVE boxes that do not open (a wrong key).
    public static let handshakeFailedProtocol = ZMQMonitorEvents(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL))
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH`: the ZAP handler refused the peer (value: its status code, e.g. 400).
    public static let handshakeFailedAuth = ZMQMonitorEvents(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH))

    /// Every handshake failure.
    public static let handshakeFailures: ZMQMonitorEvents = [.handshakeFailedNoDetail, .handshakeFailedProtocol, .handshakeFailedAuth]
}

/// One event read from a monitor socket.
public struct ZMQMonitorEvent: Sendable, Hashable, CustomStringConvertible {
    /// The event (one flag).
    public var event: ZMQMonitorEvents
    /// The event's value: an errno, a `ZMQ_PROTOCOL_ERROR_*` code or a ZAP status.
    public var value: UInt32
    /// The monitored socket's endpoint the event belongs to (for a listener, its bound address:
    /// libzmq 4.3's stable monitor format does not carry the peer's address).
    public var endpoint: String

    public init(event: ZMQMonitorEvents, value: UInt32, endpoint: String) {
        self.event = event
        self.value = value
        self.endpoint = endpoint
    }

    /// Decodes a monitor message: frame 1 is a 16-bit event and a 32-bit value in host byte order,
    /// frame 2 the endpoint. `nil` for anything else.
    public init?(frames: [[UInt8]]) {
        guard frames.count == 2, frames[0].count == 6 else { return nil }
        (event, value) = frames[0].withUnsafeBytes { raw in
            (ZMQMonitorEvents(rawValue: raw.loadUnaligned(as: UInt16.self)), raw.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
        }
        endpoint = String(decoding: frames[1], as: UTF8.self)
    }

    /// What went wrong, in words, for the handshake failures; the raw event otherwise.
    public var description: String {
        switch event {
        case .handshakeFailedProtocol:
            switch Int32(bitPattern: value) {
            case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
                return "security mechanism mismatch (e.g. a plain client on a CURVE endpoint)"
            case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
                return "CURVE cryptographic error (e.g. a client using the wrong server public key)"
            case let code:
                return "ZMTP protocol error 0x\(String(UInt32(bitPattern: code), radix: 16))"
            }
        case .handshakeFailedAuth:
            return "refused by the authentication handler (status \(value))"
        case .handshakeFailedNoDetail:
            return "handshake failed: \(String(cString: zmq_strerror(Int32(bitPattern: value)))) (errno \(value))"
        default:
            return "event 0x\(String(event.rawValue, radix: 16)) value \(value)"
        }
    }
}

extension ZMQSocket {
    /// Starts publishing `events` of this socket on `endpoint` (an `inproc://` name), where a PAIR
    /// socket of the same context can connect to read them as ``ZMQMonitorEvent``s. Call before
    /// connecting the PAIR socket; one monitor per socket.
    public func monitor(_ endpoint: String, events: ZMQMonitorEvents) throws(ZMQError) {
        guard let handle = pollHandle else { throw ZMQError(code: ENOTSOCK, operation: "zmq_socket_monitor on a closed socket") }
        try check("zmq_socket_monitor(\(endpoint))") { zmq_socket_monitor(handle, endpoint, Int32(events.rawValue)) }
    }
}
