import Foundation
import GongkaiStore
import GongkaiWire
import XCTest
import ZeroMQ

/// Remote workers over tcp:// with CURVE: `gongkai keys`, the startup checks, and a real coordinator
/// that serves authorised tcp workers and local ipc workers on one socket while unlisted, plain and
/// wrong-key peers are refused, logged, counted and never sent a task.
final class RemoteWorkerTests: ClusterTestCase {
    override class func tearDown() {
        ClusterCorpus.removeAll()
        super.tearDown()
    }

    override func setUpWithError() throws {
        try XCTSkipUnless(hasCapability("curve"), "libzmq built without CURVE")
    }

    func testKeysGenerateWritesASecretAndAPublicFileAndRefusesToOverwriteThem() throws {
        // Given an empty directory
        let dir = try temporaryDirectory("keys")
        let out = dir.path + "/keys"

        // When a key pair is generated
        let first = try Harness.run(["keys", "generate", "--out", out, "--name", "w1"])

        // Then NAME.key is the secret (0600), NAME.pub the public key (0644), one Z85 line each, and they match
        XCTAssertEqual(first.status, 0, first.stderr)
        let secretPath = out + "/w1.key"
        let publicPath = out + "/w1.pub"
        XCTAssertEqual(try Self.mode(secretPath), 0o600)
        XCTAssertEqual(try Self.mode(publicPath), 0o644)
        XCTAssertEqual(try Self.mode(out), 0o700)
        let secretText = try String(contentsOfFile: secretPath, encoding: .utf8)
        let publicText = try String(contentsOfFile: publicPath, encoding: .utf8)
        let secret = try XCTUnwrap(ZMQCurveKey(z85: String(secretText.dropLast())), secretText)
        let publicKey = try XCTUnwrap(ZMQCurveKey(z85: String(publicText.dropLast())), publicText)
        XCTAssertTrue(secretText.hasSuffix("\n") && publicText.hasSuffix("\n"))
        XCTAssertEqual(try curvePublicKey(secret: secret), publicKey)
        XCTAssertTrue(first.stdout.contains(publicKey.z85), first.stdout)
        XCTAssertEqual(try Harness.run(["keys", "show", secretPath]).stdout, publicKey.z85 + "\n")
        XCTAssertEqual(try Harness.run(["keys", "show", publicPath]).stdout, publicKey.z85 + "\n")

        // When it is generated again, without and then with --force
        let again = try Harness.run(["keys", "generate", "--out", out, "--name", "w1"])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("w1.key exists; not overwriting keys (use --force"), again.stderr)
        XCTAssertEqual(try String(contentsOfFile: secretPath, encoding: .utf8), secretText, "a refused generate must not touch the key")
        let forced = try Harness.run(["keys", "generate", "--out", out, "--name", "w1", "--force"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertNotEqual(try String(contentsOfFile: secretPath, encoding: .utf8), secretText)
        XCTAssertEqual(try Self.mode(secretPath), 0o600)

        // Then bad names and secret keys others can read are refused with what to do
        let badName = try Harness.run(["keys", "generate", "--out", out, "--name", "../x"])
        XCTAssertEqual(badName.status, 1)
        XCTAssertTrue(badName.stderr.contains("must be letters, digits"), badName.stderr)
        chmod(secretPath, 0o644)
        let exposed = try Harness.run(["keys", "show", secretPath])
        XCTAssertEqual(exposed.status, 1)
        XCTAssertTrue(exposed.stderr.contains("chmod 600 \(secretPath)"), exposed.stderr)
        let notAKey = dir.path + "/not.key"
        _ = FileManager.default.createFile(atPath: notAKey, contents: Data("hello\n".utf8), attributes: [.posixPermissions: 0o600])
        let garbage = try Harness.run(["keys", "show", notAKey])
        XCTAssertEqual(garbage.status, 1)
        XCTAssertTrue(garbage.stderr.contains("\(notAKey):1: not a CURVE public key"), garbage.stderr)
    }

    func testTcpWithoutKeysIsRefusedAtStartupWithWhatToDo() throws {
        let dir = try temporaryDirectory("nokeys")
        let keys = try Self.makeKeys(in: dir, names: ["server", "w1"])
        let run = dir.path + "/r"
        let store = dir.path + "/s.sqlite"

        // serve: tcp for workers or control clients without keys, or half the keys
        for arguments in [["--bind", "tcp://127.0.0.1:5999"], ["--control-bind", "tcp://127.0.0.1:5999"],
                          ["--bind", "tcp://127.0.0.1:5999", "--server-key", keys["server"]!.secret]] {
            let result = try Harness.run(["serve", "--workers", "0", "--run-dir", run, "--store", store] + arguments, timeout: 30)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("needs --server-key"), result.stderr)
        }
        // serve: an allow-list with a line that is not a key names the file and line
        let list = dir.path + "/authorized"
        try "# workers\n\(try Self.publicKey(keys["w1"]!.public)) w1\nnot-a-key\n".write(toFile: list, atomically: true, encoding: .utf8)
        let badList = try Harness.run(["serve", "--workers", "0", "--run-dir", run, "--store", store, "--bind", "tcp://127.0.0.1:5999",
                                       "--server-key", keys["server"]!.secret, "--authorized-keys", list], timeout: 30)
        XCTAssertEqual(badList.status, 1)
        XCTAssertTrue(badList.stderr.contains("\(list):3: not a CURVE public key"), badList.stderr)

        // worker: tcp without keys; keys on ipc
        let worker = try Harness.run(["worker", "--connect", "tcp://127.0.0.1:5999"], timeout: 30)
        XCTAssertEqual(worker.status, 2)
        XCTAssertTrue(worker.stderr.contains("needs --key (this worker's secret key file) and --server-key"), worker.stderr)
        let swapped = try Harness.run(["worker", "--connect", "tcp://127.0.0.1:5999", "--key", keys["w1"]!.public,
                                       "--server-key", keys["server"]!.public], timeout: 30)
        XCTAssertEqual(swapped.status, 4)
        XCTAssertTrue(swapped.stderr.contains("w1.pub is a public key file; a secret key file (NAME.key) is needed here"), swapped.stderr)
        let ipc = try Harness.run(["worker", "--connect", "ipc://\(run)/work.sock", "--key", keys["w1"]!.secret,
                                   "--server-key", keys["server"]!.public], timeout: 30)
        XCTAssertEqual(ipc.status, 2)
        XCTAssertTrue(ipc.stderr.contains("are for tcp:// endpoints"), ipc.stderr)
        // control client: a tcp endpoint without keys
        let status = try Harness.run(["status", "--endpoint", "tcp://127.0.0.1:5999"], timeout: 30)
        XCTAssertEqual(status.status, 2)
        XCTAssertTrue(status.stderr.contains("needs --key and --server-key"), status.stderr)
    }

    /// The issue's acceptance test: an authorised tcp worker processes a job; an unlisted key, a plain
    /// socket and a wrong server key never get a task and are logged and counted; local ipc workers
    /// share the same socket; tcp control clients need a listed key; SIGHUP admits a newly listed key.
    func testAuthorisedTcpWorkerProcessesTheJobWhileRefusedPeersNeverReceiveATask() throws {
        // Given keys for the coordinator, one listed worker and one unlisted, and a coordinator
        // with no local workers, CURVE on tcp for workers and control
        let corpus = try ClusterCorpus.directory(count: 200)
        let dir = try temporaryDirectory("curve")
        let keys = try Self.makeKeys(in: dir, names: ["server", "w1", "intruder"])
        let list = dir.path + "/authorized"
        try "# gongkai workers\n\n\(try Self.publicKey(keys["w1"]!.public)) worker-host-1\n".write(toFile: list, atomically: true, encoding: .utf8)
        let workPort = try Self.freePort()
        let controlPort = try Self.freePort()
        let work = "tcp://127.0.0.1:\(workPort)"
        let controlTcp = "tcp://127.0.0.1:\(controlPort)"
        let serve = try startServe(in: dir, workers: 0, arguments: [
            "--bind", work, "--control-bind", controlTcp, "--server-key", keys["server"]!.secret, "--authorized-keys", list,
        ])
        try serve.waitUntilReady(workers: 0)
        let serverPublic = try Self.publicKey(keys["server"]!.public)

        // When refused peers connect, one after the other so each refusal can be told apart: raw
        // sockets that send READY (plain, wrong server key, unlisted key) and a worker process with the unlisted key
        let context = try ZMQContext()
        defer { context.terminate() }
        let plain = try Self.rawWorker(context, work, curve: nil)
        try Self.waitForStats(serve, "the plain peer's failed handshake") { ($0.handshakeFailed ?? 0) >= 1 }
        XCTAssertTrue(serve.log.contains("refused a connection on \(work): "), serve.log)
        let wrongServer = try Self.rawWorker(
            context, work, curve: try Self.clientKeys(keys["w1"]!, server: try Self.publicKey(keys["intruder"]!.public)))
        try Self.waitForStats(serve, "the wrong-server-key handshake") { _ in serve.log.contains("CURVE cryptographic error") }
        let unlisted = try Self.rawWorker(context, work, curve: try Self.clientKeys(keys["intruder"]!, server: serverPublic))
        try Self.waitForStats(serve, "the unlisted key's ZAP refusal") { ($0.zapRefused ?? 0) >= 1 }
        let intruder = try startGongkai(["worker", "--connect", work, "--id", "intruder", "--key", keys["intruder"]!.secret,
                                         "--server-key", keys["server"]!.public], in: dir, logName: "intruder")
        XCTAssertTrue(intruder.waitForLog("refused by the authentication handler (status 400)", timeout: 10), intruder.log)

        // and the listed worker joins over tcp, and a job runs
        let remote = try startGongkai(["worker", "--connect", work, "--id", "remote-w1", "--key", keys["w1"]!.secret,
                                       "--server-key", keys["server"]!.public], in: dir, logName: "remote")
        try serve.waitUntilReady(workers: 1)
        let job = try serve.submit(SubmitRequest(paths: [corpus.path], glob: "*.txt", name: "over curve"))
        let status = try serve.waitForJob(job, timeout: 60)

        // Then every report went through the tcp worker and is stored once
        XCTAssertEqual(status.total, 200)
        XCTAssertEqual(status.done + status.failed, 200)
        let store = try SummaryStore(path: serve.storePath, readOnly: true)
        let hashes = try assertStoredAsGenerated(store, count: 200, sample: 50)
        XCTAssertEqual(try store.counts().documents, hashes.count)
        XCTAssertEqual(try store.counts().tasks, 200)
        try assertEveryTaskDone(store, job: job, expected: 200)
        XCTAssertTrue(serve.log.contains("worker remote-w1 ready"), serve.log)
        XCTAssertTrue(serve.log.contains("receives file contents"), serve.log)

        // And the refused peers received nothing at all, never registered, and were logged and counted
        for (name, socket) in [("plain", plain), ("unlisted", unlisted), ("wrong server key", wrongServer)] {
            XCTAssertNil(try socket.receiveMultipart(dontWait: true), "\(name) peer received a message")
        }
        let stats = try XCTUnwrap(try serve.status().stats)
        XCTAssertEqual(stats.workers, 1)
        XCTAssertEqual(stats.committed, 200)
        XCTAssertGreaterThanOrEqual(stats.zapRefused ?? 0, 2, "the unlisted raw socket and worker process")
        XCTAssertGreaterThanOrEqual(stats.handshakeFailed ?? 0, 2, "the plain and the wrong-server-key sockets")
        let intruderPrefix = String(try Self.publicKey(keys["intruder"]!.public).z85.prefix(8))
        XCTAssertTrue(serve.log.contains("refused a CURVE connection from 127.0.0.1: public key \(intruderPrefix)… is not in \(list)"), serve.log)
        XCTAssertFalse(serve.log.contains("worker intruder ready"), serve.log)
        XCTAssertTrue(remote.process.isRunning && intruder.process.isRunning)

        // When a local worker joins over ipc (NULL mechanism on the same ROUTER) and the corpus runs again
        _ = try startGongkai(["worker", "--connect", serve.workEndpoint, "--id", "local-1"], in: dir, logName: "local")
        try serve.waitUntilReady(workers: 2)
        let again = try serve.waitForJob(try serve.submit(SubmitRequest(paths: [corpus.path], glob: "*.txt")), timeout: 60)

        // Then it completes with both workers, adding no document
        XCTAssertEqual(again.done + again.failed, 200)
        XCTAssertEqual(try store.counts().documents, hashes.count)
        XCTAssertTrue(serve.log.contains("worker local-1 ready: pid"), serve.log)

        // And the tcp control endpoint answers a listed key and stays silent to an unlisted one
        let listed = try Harness.run(["status", "--endpoint", controlTcp, "--key", keys["w1"]!.secret,
                                      "--server-key", keys["server"]!.public, "--json"], timeout: 30)
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertTrue(listed.stdout.contains("\"zap_refused\""), listed.stdout)
        let human = try Harness.run(["status", "--run-dir", serve.runDirectory], timeout: 30)
        XCTAssertTrue(human.stdout.contains(" connection(s) refused ("), human.stdout)
        let refused = try Harness.run(["status", "--endpoint", controlTcp, "--key", keys["intruder"]!.secret,
                                       "--server-key", keys["server"]!.public, "--timeout", "1"], timeout: 30)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("no reply"), refused.stderr)

        // When the unlisted key is added to the allow-list and the coordinator gets SIGHUP
        try "\(try Self.publicKey(keys["intruder"]!.public)) intruder\n".appendLine(to: list)
        serve.signal(SIGHUP)
        let deadline = Date().addingTimeInterval(10)
        while !serve.log.contains("SIGHUP: reloaded 2 authorised public key(s)") && Date() < deadline { usleep(50_000) }

        // Then a new connection with that key passes authentication (it is told to READY first), and serve still runs
        let admitted = try Self.rawWorker(context, work, curve: try Self.clientKeys(keys["intruder"]!, server: serverPublic),
                                          message: WorkerMessage.heartbeat.encode())
        try admitted.set(.receiveTimeout(milliseconds: 5000))
        let reply = try XCTUnwrap(try admitted.receiveMultipart(), "an admitted key must reach the coordinator")
        XCTAssertEqual(try WorkerMessage.decode(reply), .disconnect(reason: "no READY"))
        XCTAssertTrue(serve.process.isRunning)

        // When the list is broken and SIGHUP comes again, the previous list stays in force
        try "garbage\n".appendLine(to: list)
        serve.signal(SIGHUP)
        let kept = "SIGHUP: cannot reload the allow-list (keeping the previous 2 key(s)): \(list):5: not a CURVE public key"
        while !serve.log.contains(kept) && Date() < deadline.addingTimeInterval(10) { usleep(50_000) }
        XCTAssertTrue(serve.log.contains(kept), serve.log)
        let stillListed = try Harness.run(["status", "--endpoint", controlTcp, "--key", keys["intruder"]!.secret,
                                           "--server-key", keys["server"]!.public], timeout: 30)
        XCTAssertEqual(stillListed.status, 0, stillListed.stderr)
        for socket in [plain, unlisted, wrongServer, admitted] { socket.close() }
    }

    // MARK: Helpers

    /// Polls STATUS until `condition` holds for its stats (10 s at most).
    private static func waitForStats(_ serve: ServeProcess, _ what: String, _ condition: (ClusterStats) -> Bool) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let stats = try serve.status().stats, condition(stats) { return }
            usleep(50_000)
        }
        throw ClusterTestError("no sign of \(what) within 10 s:\n\(serve.log.suffix(3000))")
    }

    private static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? Int ?? -1) & 0o777
    }

    /// `gongkai keys generate` for each name; returns the key file paths by name.
    private static func makeKeys(in dir: URL, names: [String]) throws -> [String: (secret: String, public: String)] {
        var paths: [String: (secret: String, public: String)] = [:]
        for name in names {
            let result = try Harness.run(["keys", "generate", "--out", dir.path + "/keys", "--name", name])
            guard result.status == 0 else { throw ClusterTestError("keys generate failed: \(result.stderr)") }
            paths[name] = (dir.path + "/keys/\(name).key", dir.path + "/keys/\(name).pub")
        }
        return paths
    }

    private static func publicKey(_ path: String) throws -> ZMQCurveKey {
        let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let key = ZMQCurveKey(z85: text) else { throw ClusterTestError("\(path) is not a key") }
        return key
    }

    /// The socket options of a CURVE client holding the key pair at `paths`.
    private static func clientKeys(_ paths: (secret: String, public: String), server: ZMQCurveKey) throws -> [ZMQSocketOption] {
        let secret = try publicKey(paths.secret)
        return [.curveServerKey(server), .curvePublicKey(try publicKey(paths.public)), .curveSecretKey(secret)]
    }

    /// A DEALER that connects like a worker and sends `message` (default: a READY).
    private static func rawWorker(_ context: ZMQContext, _ endpoint: String, curve: [ZMQSocketOption]?,
                                  message: [[UInt8]]? = nil) throws -> ZMQSocket {
        let socket = try context.socket(.dealer)
        try socket.set(.linger(milliseconds: 0))
        if let curve { try socket.set(curve) }
        try socket.connect(endpoint)
        let ready = WorkerMessage.ready(ReadyMessage(workerId: "raw", pid: 1, hostname: "elsewhere", credit: 16, localPaths: false))
        _ = try socket.send(frames: message ?? ready.encode(), dontWait: true)
        return socket
    }

    /// A tcp port on 127.0.0.1 that was free a moment ago.
    private static func freePort() throws -> Int {
        let context = try ZMQContext()
        defer { context.terminate() }
        let socket = try context.socket(.router)
        defer { socket.close() }
        try socket.bind("tcp://127.0.0.1:*")
        guard let port = Int(try socket.lastEndpoint().split(separator: ":").last ?? "") else {
            throw ClusterTestError("no port in \(try socket.lastEndpoint())")
        }
        return port
    }
}

private extension String {
    func appendLine(to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(utf8))
    }
}
