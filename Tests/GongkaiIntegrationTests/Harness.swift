import Foundation
import XCTest

/// Runs the built `gongkai` binary as a real process.
enum Harness {
    /// The directory that holds the test bundle also holds the `gongkai` executable it depends on.
    static var binary: URL {
        var dir = Bundle(for: Marker.self).bundleURL
        if dir.pathExtension == "xctest" { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("gongkai")
    }

    final class Marker {}

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `gongkai ARGS` to completion (stdin from /dev/null unless `input` is given).
    @discardableResult
    static func run(_ arguments: [String], input: String? = nil, environment: [String: String] = [:],
                    timeout: TimeInterval = 120) throws -> Result {
        try runTool(binary.path, arguments, input: input, environment: environment, timeout: timeout)
    }

    static func temporaryDirectory(_ name: String) throws -> URL {
        // Short paths: ipc:// socket paths must fit in 108 bytes.
        let url = URL(fileURLWithPath: "/tmp/gk-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The seed reports shipped with the core tests.
    static var seedsDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("GongkaiCoreTests/Fixtures/seeds")
    }
}

extension Harness {
    /// Runs any program to completion (stdin from /dev/null unless `input` is given).
    static func runTool(_ executable: String, _ arguments: [String], input: String? = nil,
                        environment: [String: String] = [:], timeout: TimeInterval = 60) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        // Output goes to files, so a chatty process can never block on a full pipe.
        let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("gk-out-\(UUID().uuidString)")
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("gk-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        let inPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        try process.run()
        if let input {
            inPipe.fileHandleForWriting.write(Data(input.utf8))
            try inPipe.fileHandleForWriting.close()
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            XCTFail("\(executable) \(arguments.joined(separator: " ")) did not finish in \(timeout) s")
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    /// Starts `gongkai serve ARGS` and waits until its control socket exists.
    static func startServer(_ arguments: [String], runDirectory: String) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve"] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: runDirectory + "/control.sock") && Date() < deadline && process.isRunning {
            usleep(20_000)
        }
        guard FileManager.default.fileExists(atPath: runDirectory + "/control.sock") else {
            process.terminate()
            throw HarnessError(description: "gongkai serve \(arguments.joined(separator: " ")) did not come up within 30 s")
        }
        return process
    }

    /// SIGTERM, then wait (SIGKILL after 60 s).
    static func stopServer(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
}
