// Lazy directory walking: one open directory handle per level, entries in readdir order, never a whole
// directory listed into memory (a 200,000-file directory costs the same memory as a 20-file one).

#if canImport(Glibc)
import Glibc
#endif

public struct FileWalker: IteratorProtocol, Sequence {
    public struct Options: Sendable {
        public var recursive: Bool
        /// A shell pattern matched against file names (not paths), e.g. `*.txt`.
        public var glob: String?
        public init(recursive: Bool = true, glob: String? = nil) {
            self.recursive = recursive
            self.glob = glob
        }
    }

    private var roots: [String]
    private var stack: [(dir: OpaquePointer, path: String)] = []
    private let options: Options
    /// Paths that could not be opened (reported once, then skipped).
    public private(set) var errors: [String] = []

    public init(roots: [String], options: Options = Options()) {
        self.roots = roots.reversed()
        self.options = options
    }

    public mutating func next() -> String? {
        while true {
            if let top = stack.last {
                guard let entry = readdir(top.dir) else {
                    closedir(top.dir)
                    stack.removeLast()
                    continue
                }
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
                }
                if name == "." || name == ".." { continue }
                let path = top.path.hasSuffix("/") ? top.path + name : top.path + "/" + name
                var type = entry.pointee.d_type
                if type == UInt8(DT_UNKNOWN) || type == UInt8(DT_LNK) {
                    var st = stat()
                    if stat(path, &st) != 0 { continue }
                    type = (st.st_mode & S_IFMT) == S_IFDIR ? UInt8(DT_DIR) : (st.st_mode & S_IFMT) == S_IFREG ? UInt8(DT_REG) : 0
                }
                if type == UInt8(DT_DIR) {
                    if options.recursive, let dir = opendir(path) { stack.append((dir, path)) }
                    continue
                }
                if type == UInt8(DT_REG), matches(name) { return path }
                continue
            }
            guard let root = roots.popLast() else { return nil }
            var st = stat()
            if stat(root, &st) != 0 {
                errors.append(root)
                // A missing file is still returned: the reader records it as io_error, so nothing is lost silently.
                return root
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                if let dir = opendir(root) { stack.append((dir, root)) } else { errors.append(root) }
                continue
            }
            return root
        }
    }

    private func matches(_ name: String) -> Bool {
        guard let glob = options.glob else { return true }
        return fnmatch(glob, name, 0) == 0
    }
}
