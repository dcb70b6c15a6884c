// The coordinator's ZAP (RFC 27) policy, without sockets: ipc peers (NULL mechanism) must run as the
// coordinator's uid; CURVE peers (tcp) must present a public key from the allow-list; anything else
// is refused. The coordinator feeds it each request read from inproc://zeromq.zap.01.

import ZeroMQ

/// One ZAP request, as libzmq sends it to the handler.
struct ZapRequest: Equatable {
    /// For ipc: `<host>:<uid>:<gid>:<pid>` (SO_PEERCRED); for tcp: the peer's IP address.
    var address: String
    var mechanism: String
    var credentials: [[UInt8]]

    /// Frames: version "1.0", request id, domain, address, routing id, mechanism, credentials… (the
    /// request id goes back in the reply as it came; the domain is always gongkai's).
    init?(frames: [[UInt8]]) {
        guard frames.count >= 6, frames[0] == Array("1.0".utf8) else { return nil }
        address = String(decoding: frames[3], as: UTF8.self)
        mechanism = String(decoding: frames[5], as: UTF8.self)
        credentials = Array(frames[6...])
    }
}

/// What the handler answers, and what the coordinator logs when it refuses.
struct ZapDecision: Equatable {
    var allowed: Bool
    var statusText: String
    /// `User-Id`: the ipc address (uid, gid, pid) or `curve:<key name>`.
    var userId: String
    /// The log line for a refusal (nil when allowed).
    var refusal: String?

    /// The reply frames: version, request id, status code, status text, user id, metadata.
    func reply(to requestId: [UInt8]) -> [[UInt8]] {
        [Array("1.0".utf8), requestId, Array((allowed ? "200" : "400").utf8), Array(statusText.utf8), Array(userId.utf8), []]
    }
}

struct Authenticator {
    /// The uid ipc peers must have: the coordinator's own.
    var uid: UInt32
    /// CURVE public keys let in; `nil` when the coordinator serves no CURVE endpoint.
    var authorized: AuthorizedKeys?

    /// Decides one request (`nil` request: frames that are not a ZAP 1.0 request).
    func decide(_ request: ZapRequest?) -> ZapDecision {
        guard let request else { return refuse("malformed ZAP request", log: "refused a connection: malformed ZAP request") }
        switch request.mechanism {
        case "NULL":
            // Only ipc peers have a credentials address of four fields (SO_PEERCRED).
            let parts = request.address.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 4, let peer = UInt32(parts[1]), UInt32(parts[2]) != nil, let pid = UInt32(parts[3]) else {
                return refuse("plain connections are accepted on ipc only",
                              log: "refused a plain (NULL mechanism) connection from \(request.address): only ipc peers may connect without CURVE")
            }
            guard peer == uid else {
                return refuse("uid \(peer) is not the coordinator's",
                              log: "refused a local connection from uid \(peer) (pid \(pid)): only uid \(uid) may connect")
            }
            return ZapDecision(allowed: true, statusText: "OK", userId: request.address, refusal: nil)
        case "CURVE":
            guard let raw = request.credentials.first, let key = ZMQCurveKey(bytes: raw) else {
                return refuse("malformed CURVE credentials", log: "refused a CURVE connection from \(request.address): malformed credentials")
            }
            guard let authorized else {
                return refuse("CURVE is not configured", log: "refused a CURVE connection from \(request.address): no allow-list is configured")
            }
            guard let name = authorized.name(of: key) else {
                return refuse("public key not authorised",
                              log: "refused a CURVE connection from \(request.address): public key \(key.z85.prefix(8))… is not in \(authorized.source)")
            }
            return ZapDecision(allowed: true, statusText: "OK", userId: "curve:\(name)", refusal: nil)
        default:
            return refuse("mechanism \(request.mechanism) is not accepted",
                          log: "refused a \(request.mechanism) connection from \(request.address): only CURVE (tcp) and local ipc peers are accepted")
        }
    }

    private func refuse(_ text: String, log: String) -> ZapDecision {
        ZapDecision(allowed: false, statusText: text, userId: "", refusal: log)
    }
}
