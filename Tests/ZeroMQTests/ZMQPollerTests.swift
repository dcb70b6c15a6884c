import Foundation
import Synchronization
import XCTest
import ZeroMQ

final class ZMQPollerTests: XCTestCase {
    var context: ZMQContext!

    override func setUpWithError() throws { context = try ZMQContext() }
    override func tearDown() { context.terminate() }

    func testPollTimesOutWithNothingReady() throws {
        let socket = try context.socket(.router)
        try socket.bind("inproc://poll-timeout")
        let poller = ZMQPoller()
        poller.add(socket)
        let started = ContinuousClock.now
        XCTAssertEqual(try poller.poll(timeout: .milliseconds(50)), 0)
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(45))
        XCTAssertEqual(poller.events(at: 0), [])
        XCTAssertEqual(try poller.poll(timeout: .zero), 0)
    }

    func testEventfdWakesAPollFromAnotherThread() throws {
        // Given a poll loop waiting on a socket and a wake-up fd with a long timeout
        let socket = try context.socket(.router)
        try socket.bind("inproc://poll-wakeup")
        let wakeup = try Wakeup()
        let poller = ZMQPoller()
        let socketIndex = poller.add(socket)
        let wakeIndex = poller.add(fd: wakeup.fd)

        // When another thread signals
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 0.05)
            wakeup.signal()
            wakeup.signal()
        }
        let started = ContinuousClock.now
        let ready = try poller.poll(timeout: .seconds(30))

        // Then the poll returns at once with the fd readable, and a drain resets it
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10))
        XCTAssertEqual(ready, 1)
        XCTAssertTrue(poller.events(at: wakeIndex).contains(.readable))
        XCTAssertFalse(poller.events(at: socketIndex).contains(.readable))
        XCTAssertTrue(wakeup.drain())
        XCTAssertFalse(wakeup.drain())
        XCTAssertEqual(try poller.poll(timeout: .zero), 0)
        wakeup.close()
        wakeup.close()
        XCTAssertEqual(wakeup.fd, -1)
        wakeup.signal()  // harmless after close
    }

    func testPollReportsClosedSocket() throws {
        let socket = try context.socket(.pull)
        let poller = ZMQPoller()
        poller.add(socket)
        socket.close()
        XCTAssertThrowsError(try poller.poll(timeout: .zero)) { XCTAssertEqual($0 as? ZMQError, .notASocket) }
    }

    func testShutdownUnblocksAReceiveOnAnotherThread() throws {
        // Given a thread blocked in receive on its own socket
        let context = try ZMQContext()
        let outcome = Mutex<ZMQError?>(nil)
        let started = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do throws(ZMQError) {
                let socket = try context.socket(.pull)
                try socket.bind("inproc://blocked")
                started.signal()
                _ = try socket.receiveMultipart()
                socket.close()
            } catch {
                outcome.withLock { $0 = error }
            }
            finished.signal()
        }
        started.wait()
        Thread.sleep(forTimeInterval: 0.05)

        // When the context is shut down
        context.shutdown()

        // Then the receive fails with ETERM, and terminate completes once the socket is gone
        XCTAssertEqual(finished.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(outcome.withLock { $0 }, .terminated)
        context.terminate()
    }

    func testPollRetriesInterruptedWaitsWithTheRemainingTimeout() throws {
        // Given a SIGUSR1 handler installed without SA_RESTART, so signals interrupt zmq_poll
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        var previous = sigaction()
        XCTAssertEqual(sigaction(SIGUSR1, &action, &previous), 0)
        defer { sigaction(SIGUSR1, &previous, nil) }

        let socket = try context.socket(.pull)
        try socket.bind("inproc://eintr")
        let poller = ZMQPoller()
        poller.add(socket)
        let target = pthread_self()
        let stop = Mutex(false)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            while !stop.withLock({ $0 }) {
                pthread_kill(target, SIGUSR1)
                usleep(5_000)
            }
            done.signal()
        }

        // When the poll is interrupted every 5 ms
        let started = ContinuousClock.now
        let ready = try poller.poll(timeout: .milliseconds(200))
        let elapsed = ContinuousClock.now - started
        stop.withLock { $0 = true }
        done.wait()

        // Then it neither throws nor returns early, nor waits much past its deadline
        XCTAssertEqual(ready, 0)
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(195))
        XCTAssertLessThan(elapsed, .seconds(5))
    }
}
