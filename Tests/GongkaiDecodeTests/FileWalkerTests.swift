import Foundation
import GongkaiDecode
import XCTest

/// Directories are walked lazily, recursively when asked, filtered by a shell pattern on file names.
final class FileWalkerTests: XCTestCase {
    func testWalksRecursivelyWithAGlobAndReportsMissingRootsAsPaths() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gk-walk-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("a/b"), withIntermediateDirectories: true)
        for name in ["1.txt", "2.html", "a/3.txt", "a/b/4.txt", "a/b/5.pdf"] {
            XCTAssertTrue(fm.createFile(atPath: root.appendingPathComponent(name).path, contents: Data("x".utf8)))
        }
        let all = Set(FileWalker(roots: [root.path], options: .init(recursive: true, glob: nil)))
        XCTAssertEqual(all.count, 5)
        let txt = Set(FileWalker(roots: [root.path], options: .init(recursive: true, glob: "*.txt")).map {
            String($0.dropFirst(root.path.count + 1))
        })
        XCTAssertEqual(txt, ["1.txt", "a/3.txt", "a/b/4.txt"])
        let top = Set(FileWalker(roots: [root.path], options: .init(recursive: false, glob: nil)).map {
            String($0.dropFirst(root.path.count + 1))
        })
        XCTAssertEqual(top, ["1.txt", "2.html"])
        let missing = root.appendingPathComponent("nope.txt").path
        XCTAssertEqual(Array(FileWalker(roots: [missing])), [missing], "a missing file is returned so that it is recorded, not lost")
    }

    func testWalkingAHugeDirectoryHoldsOnlyOneHandlePerLevel() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gk-walk-big-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for i in 0..<3000 {
            XCTAssertTrue(FileManager.default.createFile(atPath: root.appendingPathComponent("\(i).txt").path, contents: nil))
        }
        var walker = FileWalker(roots: [root.path])
        var count = 0
        var seen = Set<String>()
        while let path = walker.next() {
            count += 1
            seen.insert(path)
        }
        XCTAssertEqual(count, 3000)
        XCTAssertEqual(seen.count, 3000, "each file once")
    }
}
