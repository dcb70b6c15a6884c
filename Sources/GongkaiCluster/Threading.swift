// Thread plumbing for the cluster roles: joinable OS threads, a monotonic clock, and the two
// hand-off structures between threads (a mailbox that wakes a poll loop through an eventfd, and a
// blocking queue for threads that have no poll loop). Sockets never cross threads; these carry
// Sendable values only.

import Dispatch
import Synchronization
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// Monotonic time in nanoseconds (`CLOCK_MONOTONIC`), for leases, heartbeats and batching.
enum Monotonic {
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    static func seconds(_ nanoseconds: Int64) -> Double { Double(nanoseconds) / 1e9 }

    /// Blocks the calling thread for `duration` (this module's threads are OS threads, not tasks).
    static func sleep(_ duration: Duration) {
        usleep(UInt32(clamping: nanoseconds(duration) / 1000))
    }
}

/// Retry waits that double from `first` up to `limit`, for a store that cannot be reached.
struct Backoff {
    private var upcoming: Duration
    let limit: Duration

    init(first: Duration = .milliseconds(100), limit: Duration = .seconds(5)) {
        upcoming = first
        self.limit = limit
    }

    /// The wait before the next retry; the one after it is twice as long, at most `limit`.
    mutating func next() -> Duration {
        defer { upcoming = min(upcoming * 2, limit) }
        return upcoming
    }
}

/// A POSIX thread that runs one closure and can be joined. The cluster's blocking loops (zmq_poll,
/// SQLite, the parser) run on these, never on the Swift concurrency pool.
final class OSThread: Sendable {
    private final class Body: Sendable {
        let name: String
        let run: @Sendable () -> Void
        init(name: String, run: @escaping @Sendable () -> Void) {
            self.name = name
            self.run = run
        }
    }

    private let handle: pthread_t

    /// Starts the thread at once. `name` is for error messages, and becomes the thread's name for
    /// `top -H`, `ps -L`, `perf` and `/proc/PID/task/TID/comm` (Linux keeps its first 15 bytes).
    init(name: String, _ run: @escaping @Sendable () -> Void) throws {
        let body = Unmanaged.passRetained(Body(name: name, run: run)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let body = Unmanaged<Body>.fromOpaque(raw).takeRetainedValue()
            OSThread.nameCurrentThread(body.name)
            body.run()
            return nil
        }, body)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(body).release()
            throw ClusterError("cannot start thread \(name): \(String(cString: strerror(rc)))")
        }
        handle = thread
    }

    /// Names the calling thread (first 15 bytes). Glibc's `pthread_setname_np` is not visible to
    /// Swift and `prctl` is variadic, so this writes `/proc/thread-self/comm`, which is what both
    /// do on Linux. Best effort: a thread without a name works the same.
    private static func nameCurrentThread(_ name: String) {
        #if os(Linux)
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        #endif
    }

    /// Waits for the closure to return.
    func join() {
        _ = pthread_join(handle, nil)
    }
}

/// A many-producers, one-consumer mailbox for a thread that sleeps in `zmq_poll`: producers
/// append and signal the consumer's ``Wakeup``; the consumer polls `wakeup.fd`, drains it, then
/// takes everything at once. At most one signal is sent between two ``takeAll()``.
final class Mailbox<Message: Sendable>: Sendable {
    private struct State {
        var messages: [Message] = []
        var signalled = false
    }

    private let state = Mutex(State())
    /// The eventfd the consumer polls.
    let wakeup: Wakeup

    init() throws(ZMQError) {
        wakeup = try Wakeup()
    }

    /// Appends a message and wakes the consumer.
    func post(_ message: sending Message) {
        post(message, wake: true)
    }

    /// Appends a message; wakes the consumer only if `wake` (a consumer that also takes on a timer
    /// can then be woken once per batch instead of once per message).
    func post(_ message: sending Message, wake: Bool) {
        let signal = state.withLock { state -> Bool in
            state.messages.append(message)
            guard wake && !state.signalled else { return false }
            state.signalled = true
            return true
        }
        if signal { wakeup.signal() }
    }

    /// Everything posted so far, oldest first.
    func takeAll() -> [Message] {
        state.withLock { state in
            state.signalled = false
            guard !state.messages.isEmpty else { return [] }
            let taken = state.messages
            state.messages = []
            return taken
        }
    }
}

/// A bounded-by-the-caller FIFO between threads where the consumer blocks on a semaphore: the
/// producer signals only when the consumer said it is waiting for at least `n` items, so a busy
/// consumer costs no system call per item.
final class BlockingQueue<Element: Sendable>: Sendable {
    private struct State: ~Copyable {
        var items: [Element] = []
        var head = 0
        /// The consumer sleeps until at least this many items are queued; 0 = not waiting.
        var wantsAtLeast = 0
        var closed = false

        var count: Int { items.count - head }

        mutating func take(max: Int) -> [Element] {
            let n = Swift.min(max, count)
            guard n > 0 else { return [] }
            let taken = Array(items[head..<(head + n)])
            head += n
            if head == items.count {
                items.removeAll(keepingCapacity: items.count <= 65_536)
                head = 0
            } else if head >= 4096 && head * 2 >= items.count {
                items.removeFirst(head)
                head = 0
            }
            return taken
        }
    }

    private let state = Mutex(State())
    private let semaphore = DispatchSemaphore(value: 0)

    init() {}

    /// Appends one item. Never blocks: the caller bounds the queue by watching ``count``.
    func push(_ element: sending Element) {
        let wake = state.withLock { state -> Bool in
            state.items.append(element)
            if state.wantsAtLeast > 0 && state.count >= state.wantsAtLeast {
                state.wantsAtLeast = 0
                return true
            }
            return false
        }
        if wake { semaphore.signal() }
    }

    /// Appends several items under one lock, with at most one wake-up.
    func push(contentsOf elements: sending [Element]) {
        guard !elements.isEmpty else { return }
        let wake = state.withLock { state -> Bool in
            state.items.append(contentsOf: elements)
            if state.wantsAtLeast > 0 && state.count >= state.wantsAtLeast {
                state.wantsAtLeast = 0
                return true
            }
            return false
        }
        if wake { semaphore.signal() }
    }

    /// Items queued now.
    var count: Int { state.withLock { $0.count } }

    /// Makes every waiting and later ``take(max:atLeast:until:)`` return at once (with what is left).
    func close() {
        state.withLock { $0.closed = true }
        semaphore.signal()
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Takes up to `max` items. If fewer than `atLeast` are queued, waits until that many are, the
    /// queue is closed, or the monotonic `deadline` (ns) passes, then takes what there is.
    func take(max: Int, atLeast: Int = 1, until deadline: Int64) -> [Element] {
        while true {
            let taken = state.withLock { state -> [Element]? in
                if state.count >= atLeast || state.closed || Monotonic.now() >= deadline {
                    state.wantsAtLeast = 0
                    return state.take(max: max)
                }
                state.wantsAtLeast = atLeast
                return nil
            }
            if let taken { return taken }
            let remaining = deadline - Monotonic.now()
            if remaining > 0 {
                _ = semaphore.wait(timeout: .now() + .nanoseconds(Int(remaining)))
            }
        }
    }
}

/// An error of the cluster runtime whose text is all the operator needs.
public struct ClusterError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
