// zmq_poll over sockets and raw file descriptors, retried on EINTR with the remaining timeout.

internal import CZeroMQ

/// A reusable `zmq_poll` set of sockets and raw file descriptors (for example a ``Wakeup``).
///
/// Owned by one thread, like the sockets it holds (it keeps them alive). Add items once, then
/// call ``poll(timeout:)`` in the loop and read each item's ``events(at:)``.
///
/// ```swift
/// let poller = ZMQPoller()
/// let work = poller.add(router)                // index 0
/// let wake = poller.add(fd: wakeup.fd)         // index 1
/// while running {
///     _ = try poller.poll(timeout: .seconds(1))
///     if poller.events(at: wake).contains(.readable) { wakeup.drain() }
///     if poller.events(at: work).contains(.readable) { while let m = try router.receiveMultipart(dontWait: true) { … } }
/// }
/// ```
public final class ZMQPoller {
    private var sockets: [ZMQSocket?] = []
    private var items: [zmq_pollitem_t] = []

    public init() {}

    /// The number of items.
    public var count: Int { items.count }

    /// Adds a socket; returns its index.
    @discardableResult
    public func add(_ socket: ZMQSocket, events: ZMQPollEvents = .readable) -> Int {
        sockets.append(socket)
        items.append(zmq_pollitem_t(socket: socket.pollHandle, fd: -1, events: events.rawValue, revents: 0))
        return items.count - 1
    }

    /// Adds a raw file descriptor (poll(2) semantics); returns its index.
    @discardableResult
    public func add(fd: Int32, events: ZMQPollEvents = .readable) -> Int {
        sockets.append(nil)
        items.append(zmq_pollitem_t(socket: nil, fd: fd, events: events.rawValue, revents: 0))
        return items.count - 1
    }

    /// Changes the events polled for the item at `index` (e.g. add `.writable` while output waits).
    public func setEvents(_ events: ZMQPollEvents, at index: Int) {
        items[index].events = events.rawValue
    }

    /// The events the last ``poll(timeout:)`` reported for the item at `index`.
    public func events(at index: Int) -> ZMQPollEvents {
        ZMQPollEvents(rawValue: items[index].revents)
    }

    /// Waits until an item is ready or the timeout passes (`zmq_poll`).
    ///
    /// A signal interrupting the wait (`EINTR`) does not end it: the poll is repeated with the
    /// time that remains.
    ///
    /// - Parameter timeout: `nil` waits forever; `.zero` checks without waiting.
    /// - Returns: how many items have events (0 on timeout).
    /// - Throws: ``ZMQError/terminated`` when a socket's context was shut down,
    ///   ``ZMQError/notASocket`` when a socket of the set was closed.
    public func poll(timeout: Duration?) throws(ZMQError) -> Int {
        for index in items.indices {
            items[index].revents = 0
            if let socket = sockets[index] {
                guard let handle = socket.pollHandle else {
                    throw ZMQError(code: ENOTSOCK, operation: "zmq_poll(item \(index) is a closed socket)")
                }
                items[index].socket = handle
            }
        }
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        var waitMilliseconds = timeout.map(Self.milliseconds) ?? -1
        while true {
            let ready = items.withUnsafeMutableBufferPointer { buffer in
                zmq_poll(buffer.baseAddress, Int32(buffer.count), waitMilliseconds)
            }
            if ready >= 0 { return Int(ready) }
            let code = zmq_errno()
            guard code == EINTR else { throw ZMQError(code: code, operation: "zmq_poll(\(items.count) items)") }
            if let deadline {
                let remaining = clock.now.duration(to: deadline)
                waitMilliseconds = remaining <= .zero ? 0 : Self.milliseconds(remaining)
            }
        }
    }

    /// Waits at most `timeoutMilliseconds` (`-1` forever, `0` no wait). See ``poll(timeout:)``.
    public func poll(timeoutMilliseconds: Int) throws(ZMQError) -> Int {
        try poll(timeout: timeoutMilliseconds < 0 ? nil : .milliseconds(timeoutMilliseconds))
    }

    /// Whole milliseconds, rounded up so a short wait does not become a busy loop.
    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 { return 0 }
        let millis = seconds.multipliedReportingOverflow(by: 1000)
        if millis.overflow { return Int.max }
        let fraction = (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int(clamping: millis.partialValue + fraction)
    }
}

@available(*, unavailable, message: "a poller holds sockets, which are not thread-safe")
extension ZMQPoller: Sendable {}
