import XCTest
import ZeroMQ

final class CurveTests: XCTestCase {
    func testLibraryReportsVersionAndCapabilities() {
        let version = zmqVersion()
        XCTAssertGreaterThanOrEqual(version.major, 4)
        XCTAssertTrue(hasCapability("ipc"))
        XCTAssertFalse(hasCapability("no-such-capability"))
    }

    func testKeypairIsFortyCharacterZ85AndConvertsToBytes() throws {
        try XCTSkipUnless(hasCapability("curve"), "libzmq built without CURVE")
        let pair = try curveKeypair()
        XCTAssertEqual(pair.public.utf8.count, 40)
        XCTAssertEqual(pair.secret.utf8.count, 40)
        let key = try XCTUnwrap(ZMQCurveKey(z85: pair.public))
        XCTAssertEqual(key.bytes.count, 32)
        XCTAssertEqual(key.z85, pair.public)
        XCTAssertEqual(ZMQCurveKey(bytes: key.bytes), key)
        XCTAssertNil(ZMQCurveKey(z85: "too short"))
        XCTAssertNil(ZMQCurveKey(bytes: [1, 2, 3]))
    }

    func testCurveEncryptedDealerRouterRoundTrip() throws {
        try XCTSkipUnless(hasCapability("curve"), "libzmq built without CURVE")
        let context = try ZMQContext()
        defer { context.terminate() }
        let (serverPublic, serverSecret) = try Self.keyPair()
        let (clientPublic, clientSecret) = try Self.keyPair()

        let router = try context.socket(.router)
        try router.set([.curveServer(true), .curveSecretKey(serverSecret), .receiveTimeout(milliseconds: 5000)])
        try router.bind("tcp://127.0.0.1:*")
        let dealer = try context.socket(.dealer)
        try dealer.set([
            .curveServerKey(serverPublic), .curvePublicKey(clientPublic), .curveSecretKey(clientSecret),
            .routingId(Array("c".utf8)), .receiveTimeout(milliseconds: 5000),
        ])
        try dealer.connect(try router.lastEndpoint())

        try dealer.send(frames: [Array("secret".utf8)])
        XCTAssertEqual(try router.receiveMultipart(), [Array("c".utf8), Array("secret".utf8)])
        dealer.close()
        router.close()
    }

    func testPublicKeyIsDerivedFromTheSecretKey() throws {
        try XCTSkipUnless(hasCapability("curve"), "libzmq built without CURVE")
        let pair = try curveKeypair()
        let secret = try XCTUnwrap(ZMQCurveKey(z85: pair.secret))
        XCTAssertEqual(try curvePublicKey(secret: secret).z85, pair.public)
    }

    /// libzmq copies a socket's options into each listener at bind time: one ROUTER can take NULL
    /// peers on ipc (bound first) and only CURVE peers on tcp (bound after `ZMQ_CURVE_SERVER`).
    func testOneRouterServesNullOnIpcAndCurveOnTcpAndReportsPlainTcpPeersByMonitor() throws {
        try XCTSkipUnless(hasCapability("curve"), "libzmq built without CURVE")
        let context = try ZMQContext()
        defer { context.terminate() }
        let (serverPublic, serverSecret) = try Self.keyPair()
        let (clientPublic, clientSecret) = try Self.keyPair()
        let path = "/tmp/gk-mix-\(getpid()).sock"
        defer { unlink(path) }

        let router = try context.socket(.router)
        try router.set(.receiveTimeout(milliseconds: 3000))
        try router.monitor("inproc://mix-monitor", events: .handshakeFailures)
        let monitor = try context.socket(.pair)
        try monitor.set(.receiveTimeout(milliseconds: 3000))
        try monitor.connect("inproc://mix-monitor")
        try router.bind("ipc://\(path)")
        try router.set([.curveServer(true), .curveSecretKey(serverSecret)])
        try router.bind("tcp://127.0.0.1:*")
        let tcp = try router.lastEndpoint()

        // A NULL peer on ipc gets through.
        let local = try context.socket(.dealer)
        try local.set([.routingId(Array("ipc".utf8)), .receiveTimeout(milliseconds: 3000)])
        try local.connect("ipc://\(path)")
        try local.send(frames: [Array("plain".utf8)])
        XCTAssertEqual(try router.receiveMultipart(), [Array("ipc".utf8), Array("plain".utf8)])

        // A CURVE peer on tcp gets through, and the reply reaches it.
        let remote = try context.socket(.dealer)
        try remote.set([
            .curveServerKey(serverPublic), .curvePublicKey(clientPublic), .curveSecretKey(clientSecret),
            .routingId(Array("tcp".utf8)), .receiveTimeout(milliseconds: 3000),
        ])
        try remote.connect(tcp)
        try remote.send(frames: [Array("sealed".utf8)])
        XCTAssertEqual(try router.receiveMultipart(), [Array("tcp".utf8), Array("sealed".utf8)])
        try router.send(frames: [Array("tcp".utf8), Array("back".utf8)])
        XCTAssertEqual(try remote.receiveMultipart(), [Array("back".utf8)])

        // A NULL peer on tcp delivers nothing; the monitor reports the failed handshake: the mechanism
        // mismatch, or (when the peer hung up on seeing CURVE before the server read its greeting) a
        // broken connection.
        let plain = try context.socket(.dealer)
        try plain.set([.routingId(Array("plain".utf8)), .linger(milliseconds: 0)])
        try plain.connect(tcp)
        try plain.send(frames: [Array("let me in".utf8)], dontWait: true)
        let event = try XCTUnwrap(try monitor.receiveMultipart().flatMap(ZMQMonitorEvent.init(frames:)))
        if event.event == .handshakeFailedProtocol {
            XCTAssertTrue(event.description.contains("mechanism mismatch"), event.description)
        } else {
            XCTAssertEqual(event.event, .handshakeFailedNoDetail, event.description)
            XCTAssertTrue(event.description.hasPrefix("handshake failed: "), event.description)
        }
        XCTAssertEqual(event.endpoint, tcp)
        try router.set(.receiveTimeout(milliseconds: 300))
        XCTAssertNil(try router.receiveMultipart(), "a plain tcp peer must deliver nothing")

        for socket in [plain, remote, local, monitor, router] { socket.close() }
    }

    /// A new key pair as key values (public, secret).
    private static func keyPair() throws -> (ZMQCurveKey, ZMQCurveKey) {
        let pair = try curveKeypair()
        return (try XCTUnwrap(ZMQCurveKey(z85: pair.public)), try XCTUnwrap(ZMQCurveKey(z85: pair.secret)))
    }
}
