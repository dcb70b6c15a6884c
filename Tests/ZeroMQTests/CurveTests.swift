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
        let server = try curveKeypair()
        let client = try curveKeypair()
        let serverPublic = try XCTUnwrap(ZMQCurveKey(z85: server.public))
        let serverSecret = try XCTUnwrap(ZMQCurveKey(z85: server.secret))
        let clientPublic = try XCTUnwrap(ZMQCurveKey(z85: client.public))
        let clientSecret = try XCTUnwrap(ZMQCurveKey(z85: client.secret))

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
}
