// Socket types, socket options, poll events and receive limits: plain values, no C types.

internal import CZeroMQ

/// The socket types of libzmq 4.3.4 (stable API; draft types are not built by Debian).
public enum ZMQSocketType: Sendable, Hashable, CustomStringConvertible {
    case pair, pub, sub, req, rep, dealer, router, pull, push, xpub, xsub, stream

    var rawValue: Int32 {
        switch self {
        case .pair: ZMQ_PAIR
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .req: ZMQ_REQ
        case .rep: ZMQ_REP
        case .dealer: ZMQ_DEALER
        case .router: ZMQ_ROUTER
        case .pull: ZMQ_PULL
        case .push: ZMQ_PUSH
        case .xpub: ZMQ_XPUB
        case .xsub: ZMQ_XSUB
        case .stream: ZMQ_STREAM
        }
    }

    public var description: String {
        switch self {
        case .pair: "PAIR"
        case .pub: "PUB"
        case .sub: "SUB"
        case .req: "REQ"
        case .rep: "REP"
        case .dealer: "DEALER"
        case .router: "ROUTER"
        case .pull: "PULL"
        case .push: "PUSH"
        case .xpub: "XPUB"
        case .xsub: "XSUB"
        case .stream: "STREAM"
        }
    }
}

/// A socket option with its value (`zmq_setsockopt`). See `man zmq_setsockopt` for each.
///
/// Durations are whole milliseconds as libzmq takes them; `-1` means "infinite" where libzmq
/// allows it (linger, send/receive timeouts).
public enum ZMQSocketOption: Sendable, Hashable {
    /// `ZMQ_LINGER`: how long pending output survives `close()`; `-1` infinite, `0` discard.
    case linger(milliseconds: Int)
    /// `ZMQ_SNDHWM`: queued outbound messages per peer; `0` unlimited.
    case sendHighWaterMark(Int)
    /// `ZMQ_RCVHWM`: queued inbound messages per peer; `0` unlimited.
    case receiveHighWaterMark(Int)
    /// `ZMQ_ROUTING_ID` (`ZMQ_IDENTITY`): 1…255 bytes, first byte not 0. Set before connect/bind.
    case routingId([UInt8])
    /// `ZMQ_ROUTER_MANDATORY`: a ROUTER fails unroutable sends with ``ZMQError/hostUnreachable``
    /// instead of dropping them silently.
    case routerMandatory(Bool)
    /// `ZMQ_SNDTIMEO`: a blocking send fails with ``ZMQError/again`` after this; `-1` infinite.
    case sendTimeout(milliseconds: Int)
    /// `ZMQ_RCVTIMEO`: a blocking receive returns "nothing" after this; `-1` infinite.
    case receiveTimeout(milliseconds: Int)
    /// `ZMQ_HEARTBEAT_IVL`: ZMTP PING interval on each connection; `0` off.
    case heartbeatInterval(milliseconds: Int)
    /// `ZMQ_HEARTBEAT_TTL`: how long the remote peer keeps the connection without traffic.
    case heartbeatTTL(milliseconds: Int)
    /// `ZMQ_HEARTBEAT_TIMEOUT`: how long to wait for a PONG before closing the connection.
    case heartbeatTimeout(milliseconds: Int)
    /// `ZMQ_MAXMSGSIZE`: inbound frames larger than this disconnect the peer; `-1` unlimited.
    case maxMessageSize(Int64)
    /// `ZMQ_IMMEDIATE`: queue messages only to completed connections.
    case immediate(Bool)
    /// `ZMQ_RECONNECT_IVL`: first reconnect delay; `-1` no reconnect.
    case reconnectInterval(milliseconds: Int)
    /// `ZMQ_RECONNECT_IVL_MAX`: exponential reconnect back-off ceiling; `0` no back-off.
    case reconnectIntervalMax(milliseconds: Int)
    /// `ZMQ_CURVE_SERVER`: this socket is the CURVE server (needs ``curveSecretKey(_:)``).
    case curveServer(Bool)
    /// `ZMQ_CURVE_PUBLICKEY`: this socket's long-term public key (client side).
    case curvePublicKey(ZMQCurveKey)
    /// `ZMQ_CURVE_SECRETKEY`: this socket's long-term secret key (client and server).
    case curveSecretKey(ZMQCurveKey)
    /// `ZMQ_CURVE_SERVERKEY`: the server's public key (client side).
    case curveServerKey(ZMQCurveKey)
    /// `ZMQ_ZAP_DOMAIN`: the ZAP (RFC 27) domain; with a ZAP handler bound at
    /// `inproc://zeromq.zap.01` every connection is authenticated, NULL mechanism included.
    case zapDomain(String)
}

/// A 32-byte CURVE key. Written on the wire to libzmq as its 40-character Z85 text.
public struct ZMQCurveKey: Sendable, Hashable, CustomStringConvertible {
    /// The 32 key bytes.
    public let bytes: [UInt8]

    /// A key from its 32 raw bytes; `nil` for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    /// A key from its 40-character Z85 text (as `zmq_curve_keypair` prints it); `nil` if it is
    /// not valid Z85 of that length.
    public init?(z85: String) {
        let text = Array(z85.utf8)
        guard text.count == 40 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 32)
        let decoded: Bool = (text + [0]).withUnsafeBufferPointer { source in
            bytes.withUnsafeMutableBufferPointer { target in
                source.baseAddress.map { base in
                    base.withMemoryRebound(to: CChar.self, capacity: 41) {
                        zmq_z85_decode(target.baseAddress, $0) != nil
                    }
                } ?? false
            }
        }
        guard decoded else { return nil }
        self.bytes = bytes
    }

    /// The 40-character Z85 text.
    public var z85: String {
        var text = [CChar](repeating: 0, count: 41)
        bytes.withUnsafeBufferPointer { source in
            text.withUnsafeMutableBufferPointer { target in
                _ = zmq_z85_encode(target.baseAddress, source.baseAddress, 32)
            }
        }
        return String(decoding: text.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The Z85 text, like libzmq prints keys. (It is a key: do not log secret keys.)
    public var description: String { z85 }
}

/// Poll events of a socket or file descriptor (`ZMQ_POLLIN`, `ZMQ_POLLOUT`, `ZMQ_POLLERR`).
public struct ZMQPollEvents: OptionSet, Sendable, Hashable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// A message can be received (socket) / the fd is readable.
    public static let readable = ZMQPollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// A message can be sent without blocking / the fd is writable.
    public static let writable = ZMQPollEvents(rawValue: Int16(ZMQ_POLLOUT))
    /// An error condition on a raw file descriptor (never set for zmq sockets).
    public static let error = ZMQPollEvents(rawValue: Int16(ZMQ_POLLERR))
}

/// Bounds on what one ``ZMQSocket/receiveMultipart(dontWait:)`` call accepts, so a hostile or
/// broken peer cannot make the receiver allocate without limit. A message over either bound is
/// received to its end, discarded, and reported as ``ZMQError/messageTooLarge``.
///
/// Pair it with ``ZMQSocketOption/maxMessageSize(_:)``, which bounds each *frame* inside libzmq
/// (and disconnects the peer) before the bytes are even buffered.
public struct ZMQReceiveLimits: Sendable, Hashable {
    /// Most frames one message may have (ROUTER identity and REQ delimiter frames included).
    public var maxFrames: Int
    /// Most bytes all frames of one message may have together.
    public var maxBytes: Int

    public init(maxFrames: Int, maxBytes: Int) {
        self.maxFrames = maxFrames
        self.maxBytes = maxBytes
    }

    /// 64 frames, 64 MiB.
    public static let `default` = ZMQReceiveLimits(maxFrames: 64, maxBytes: 64 << 20)
}
