import Foundation
import Synchronization
import XCTest
import ZeroMQ

/// A private short directory for ipc:// endpoints (Unix socket paths are limited to 107 bytes).
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/gkz-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw NSError(domain: "mkdtemp", code: Int(errno))
        }
        path = String(cString: made)
    }

    func endpoint(_ name: String) -> String { "ipc://\(path)/\(name)" }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

final class ZMQSocketTests: XCTestCase {
    var context: ZMQContext!
    var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        context = try ZMQContext(ioThreads: 1)
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        context.terminate()
        context = nil
        directory = nil
    }

    /// A connected DEALER → ROUTER pair over ipc; the dealer has routing id `id`.
    private func dealerRouter(id: String = "w1") throws -> (dealer: ZMQSocket, router: ZMQSocket) {
        let router = try context.socket(.router)
        try router.set([.routerMandatory(true), .receiveTimeout(milliseconds: 5000)])
        try router.bind(directory.endpoint("work.sock"))
        let dealer = try context.socket(.dealer)
        try dealer.set([.routingId(Array(id.utf8)), .receiveTimeout(milliseconds: 5000)])
        try dealer.connect(directory.endpoint("work.sock"))
        return (dealer, router)
    }

    func testMultipartMessageRoundTripsOverIPCWithEmptyAndLargeFrames() throws {
        // Given a connected pair
        let (dealer, router) = try dealerRouter()
        let large = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let frames: [[UInt8]] = [Array("GKW1".utf8), [], [0x03], large, []]

        // When the dealer sends a multipart message with empty and 100 KB frames
        XCTAssertTrue(try dealer.send(frames: frames))

        // Then the router receives the same frames after the dealer's routing id
        let received = try XCTUnwrap(try router.receiveMultipart())
        XCTAssertEqual(received.count, frames.count + 1)
        XCTAssertEqual(received.first, Array("w1".utf8))
        XCTAssertEqual(Array(received.dropFirst()), frames)
        dealer.close()
        router.close()
    }

    func testSingleEmptyFrameRoundTrips() throws {
        let (dealer, router) = try dealerRouter()
        try dealer.send(frames: [[]])
        let received = try XCTUnwrap(try router.receiveMultipart())
        XCTAssertEqual(received, [Array("w1".utf8), []])
    }

    func testRouterRepliesToTheRightDealerByRoutingId() throws {
        // Given two dealers with distinct routing ids on one router
        let (first, router) = try dealerRouter(id: "first")
        let second = try context.socket(.dealer)
        try second.set([.routingId(Array("second".utf8)), .receiveTimeout(milliseconds: 5000)])
        try second.connect(directory.endpoint("work.sock"))
        try first.send(frames: [Array("hello".utf8)])
        try second.send(frames: [Array("hello".utf8)])
        var seen: Set<[UInt8]> = []
        for _ in 0..<2 {
            let message = try XCTUnwrap(try router.receiveMultipart())
            seen.insert(message[0])
        }
        XCTAssertEqual(seen, [Array("first".utf8), Array("second".utf8)])
        XCTAssertEqual(try second.routingId(), Array("second".utf8))

        // When the router addresses each by id
        try router.send(frames: [Array("second".utf8), Array("to-second".utf8)])
        try router.send(frames: [Array("first".utf8), Array("to-first".utf8)])

        // Then each dealer gets only its own message, without the id frame
        XCTAssertEqual(try second.receiveMultipart(), [Array("to-second".utf8)])
        XCTAssertEqual(try first.receiveMultipart(), [Array("to-first".utf8)])
        XCTAssertNil(try first.receiveMultipart(dontWait: true))
    }

    func testRouterMandatoryThrowsHostUnreachableForUnknownRoutingId() throws {
        let (_, router) = try dealerRouter()
        XCTAssertThrowsError(try router.send(frames: [Array("nobody".utf8), [1]])) { error in
            XCTAssertEqual(error as? ZMQError, .hostUnreachable)
        }
        // Typed throws keep the type: a `catch .code` pattern works.
        do {
            try router.send(frames: [Array("nobody".utf8), [1]])
            XCTFail("expected EHOSTUNREACH")
        } catch .hostUnreachable {
            // expected
        } catch {
            XCTFail("unexpected \(error)")
        }
    }

    func testReceiveWithDontWaitReturnsNilWhenNothingIsQueued() throws {
        let (dealer, router) = try dealerRouter()
        XCTAssertNil(try router.receiveMultipart(dontWait: true))
        XCTAssertNil(try dealer.receiveMultipart(dontWait: true))
    }

    func testReceiveTimeoutReturnsNil() throws {
        let (dealer, _) = try dealerRouter()
        try dealer.set(.receiveTimeout(milliseconds: 20))
        XCTAssertNil(try dealer.receiveMultipart())
    }

    func testSendWithDontWaitReturnsFalseWhenNoPeerCanTakeIt() throws {
        // Given a PUSH with ZMQ_IMMEDIATE connected to an endpoint nobody bound
        let push = try context.socket(.push)
        try push.set([.immediate(true), .linger(milliseconds: 0)])
        try push.connect(directory.endpoint("absent.sock"))
        // Then a non-blocking send reports "not sent" instead of throwing
        XCTAssertFalse(try push.send(frames: [[1, 2, 3]], dontWait: true))
        // And a blocking send with a timeout throws EAGAIN
        try push.set(.sendTimeout(milliseconds: 10))
        XCTAssertThrowsError(try push.send(frames: [[1]])) { XCTAssertEqual($0 as? ZMQError, .again) }
    }

    func testOversizedMessageIsDiscardedAndTheNextOneStillArrives() throws {
        // Given a router that accepts at most 4 frames and 1000 bytes per message
        let (dealer, router) = try dealerRouter()
        router.receiveLimits = ZMQReceiveLimits(maxFrames: 4, maxBytes: 1000)

        // When a peer sends too many frames, then too many bytes, then a good message
        try dealer.send(frames: Array(repeating: [7], count: 10))
        try dealer.send(frames: [[UInt8](repeating: 1, count: 600), [UInt8](repeating: 2, count: 600)])
        try dealer.send(frames: [Array("ok".utf8)])

        // Then the first two are reported as too large, and the stream stays in step
        XCTAssertThrowsError(try router.receiveMultipart()) { XCTAssertEqual($0 as? ZMQError, .messageTooLarge) }
        XCTAssertThrowsError(try router.receiveMultipart()) { XCTAssertEqual($0 as? ZMQError, .messageTooLarge) }
        XCTAssertEqual(try router.receiveMultipart(), [Array("w1".utf8), Array("ok".utf8)])
    }

    func testMaxMessageSizeOptionIsAccepted() throws {
        let socket = try context.socket(.router)
        XCTAssertNoThrow(try socket.set(.maxMessageSize(1 << 20)))
        XCTAssertNoThrow(try socket.set([.heartbeatInterval(milliseconds: 1000), .heartbeatTTL(milliseconds: 5000), .heartbeatTimeout(milliseconds: 5000)]))
        XCTAssertNoThrow(try socket.set([.reconnectInterval(milliseconds: 100), .reconnectIntervalMax(milliseconds: 32000)]))
        XCTAssertNoThrow(try socket.set(.zapDomain("gongkai")))
    }

    func testNewSocketHasBoundedLingerAndExplicitHighWaterMarks() throws {
        let socket = try context.socket(.dealer)
        XCTAssertEqual(try socket.linger(), ZMQSocket.defaultLinger)
        XCTAssertEqual(try socket.sendHighWaterMark(), ZMQSocket.defaultHighWaterMark)
        XCTAssertEqual(try socket.receiveHighWaterMark(), ZMQSocket.defaultHighWaterMark)
        try socket.set(.linger(milliseconds: 0))
        XCTAssertEqual(try socket.linger(), 0)
    }

    func testEventsAndFileDescriptorReflectPendingInput() throws {
        let (dealer, router) = try dealerRouter()
        XCTAssertGreaterThanOrEqual(try router.fd(), 0)
        XCTAssertFalse(try router.events().contains(.readable))
        XCTAssertTrue(try dealer.events().contains(.writable))
        try dealer.send(frames: [[1]])
        let poller = ZMQPoller()
        poller.add(router)
        XCTAssertEqual(try poller.poll(timeout: .seconds(5)), 1)
        XCTAssertTrue(try router.events().contains(.readable))
    }

    func testTcpWildcardPortResolvesThroughLastEndpoint() throws {
        let rep = try context.socket(.rep)
        try rep.bind("tcp://127.0.0.1:*")
        let endpoint = try rep.lastEndpoint()
        XCTAssertTrue(endpoint.hasPrefix("tcp://127.0.0.1:"), endpoint)
        let req = try context.socket(.req)
        try req.set(.receiveTimeout(milliseconds: 5000))
        try req.connect(endpoint)
        try req.send(frames: [Array("ping".utf8)])
        XCTAssertEqual(try rep.receiveMultipart(), [Array("ping".utf8)])
        try rep.send(frames: [Array("pong".utf8)])
        XCTAssertEqual(try req.receiveMultipart(), [Array("pong".utf8)])
        try rep.unbind(endpoint)
        try req.disconnect(endpoint)
    }
}
