import XCTest
import ZeroMQ

final class ZMQErrorTests: XCTestCase {
    var context: ZMQContext!

    override func setUpWithError() throws { context = try ZMQContext() }
    override func tearDown() { context.terminate() }

    func testBindToUnknownTransportThrowsProtocolNotSupported() throws {
        let socket = try context.socket(.router)
        XCTAssertThrowsError(try socket.bind("bogus://nowhere")) { error in
            let zmq = error as? ZMQError
            XCTAssertEqual(zmq, .protocolNotSupported)
            XCTAssertTrue(zmq?.operation.contains("bogus://nowhere") ?? false)
            XCTAssertTrue(zmq?.description.contains("errno") ?? false)
        }
    }

    func testBindToMalformedEndpointThrowsInvalidArgument() throws {
        let socket = try context.socket(.router)
        XCTAssertThrowsError(try socket.bind("tcp://")) { XCTAssertEqual($0 as? ZMQError, .invalidArgument) }
    }

    func testBindToOverlongIpcPathThrowsNameTooLong() throws {
        let socket = try context.socket(.router)
        let path = "/tmp/" + String(repeating: "x", count: 120)
        XCTAssertThrowsError(try socket.bind("ipc://\(path)")) { XCTAssertEqual($0 as? ZMQError, .nameTooLong) }
    }

    func testSecondBindOfTheSameTcpPortThrowsAddressInUse() throws {
        let first = try context.socket(.router)
        try first.bind("tcp://127.0.0.1:*")
        let second = try context.socket(.router)
        XCTAssertThrowsError(try second.bind(try first.lastEndpoint())) { XCTAssertEqual($0 as? ZMQError, .addressInUse) }
    }

    func testClosedSocketThrowsNotASocketAndCloseIsIdempotent() throws {
        let socket = try context.socket(.dealer)
        socket.close()
        socket.close()
        XCTAssertFalse(socket.isOpen)
        XCTAssertThrowsError(try socket.connect("inproc://x")) { XCTAssertEqual($0 as? ZMQError, .notASocket) }
        XCTAssertThrowsError(try socket.send(frames: [[1]])) { XCTAssertEqual($0 as? ZMQError, .notASocket) }
        XCTAssertThrowsError(try socket.receiveMultipart(dontWait: true)) { XCTAssertEqual($0 as? ZMQError, .notASocket) }
    }

    func testSecondSendOnReqThrowsWrongState() throws {
        let req = try context.socket(.req)
        try req.set(.linger(milliseconds: 0))
        try req.connect("inproc://nobody-here")
        try req.send(frames: [[1]], dontWait: true)
        XCTAssertThrowsError(try req.send(frames: [[2]], dontWait: true)) { XCTAssertEqual($0 as? ZMQError, .wrongState) }
    }

    func testEmptyFrameListIsRejected() throws {
        let socket = try context.socket(.dealer)
        XCTAssertThrowsError(try socket.send(frames: [])) { XCTAssertEqual($0 as? ZMQError, .invalidArgument) }
    }

    func testInvalidRoutingIdIsRejected() throws {
        let socket = try context.socket(.dealer)
        XCTAssertThrowsError(try socket.set(.routingId([]))) { XCTAssertEqual($0 as? ZMQError, .invalidArgument) }
        XCTAssertThrowsError(try socket.set(.linger(milliseconds: Int(Int32.max) + 1))) {
            XCTAssertEqual($0 as? ZMQError, .invalidArgument)
        }
    }

    func testSocketAfterTerminateThrowsTerminated() throws {
        let context = try ZMQContext()
        context.terminate()
        context.terminate()
        XCTAssertFalse(context.isOpen)
        XCTAssertThrowsError(try context.socket(.dealer)) { XCTAssertEqual($0 as? ZMQError, .terminated) }
    }

    func testErrorsCompareByCodeOnly() {
        XCTAssertEqual(ZMQError(code: ZMQError.again.code, operation: "zmq_send"), .again)
        XCTAssertNotEqual(ZMQError.again, .terminated)
        XCTAssertEqual(Set([ZMQError.again, ZMQError(code: ZMQError.again.code, operation: "x")]).count, 1)
        XCTAssertFalse(ZMQError.terminated.message.isEmpty)
    }
}
