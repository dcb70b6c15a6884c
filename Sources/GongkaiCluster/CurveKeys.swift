// CURVE key files: a secret key file (`NAME.key`, mode 0600) and a public key file (`NAME.pub`), each
// one line of ZeroMQ's Z85 text, and the coordinator's allow-list of worker public keys (a file of
// keys or a directory of `*.pub` files). Used by `gongkai keys`, `serve` and `worker`.

import Foundation
import ZeroMQ

/// A key file or allow-list that cannot be used, with a message that says what to do.
public struct KeyFileError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A CURVE key pair: a secret key and the public key derived from it.
public struct CurveKeyPair: Sendable, Hashable {
    public let publicKey: ZMQCurveKey
    public let secretKey: ZMQCurveKey

    /// A new random key pair (`zmq_curve_keypair`).
    public static func generate() throws(KeyFileError) -> CurveKeyPair {
        try CurveSupport.require()
        let pair: (public: String, secret: String)
        do {
            pair = try curveKeypair()
        } catch {
            throw KeyFileError("cannot generate a CURVE key pair: \(error)")
        }
        guard let publicKey = ZMQCurveKey(z85: pair.public), let secretKey = ZMQCurveKey(z85: pair.secret) else {
            throw KeyFileError("libzmq returned a key that is not Z85")
        }
        return CurveKeyPair(publicKey: publicKey, secretKey: secretKey)
    }

    /// The pair of a secret key (its public key is derived with `zmq_curve_public`).
    public init(secretKey: ZMQCurveKey) throws(KeyFileError) {
        try CurveSupport.require()
        do {
            publicKey = try curvePublicKey(secret: secretKey)
        } catch {
            throw KeyFileError("cannot derive the public key: \(error)")
        }
        self.secretKey = secretKey
    }

    private init(publicKey: ZMQCurveKey, secretKey: ZMQCurveKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }
}

public enum CurveSupport {
    /// Throws unless the linked libzmq has CURVE (`zmq_has("curve")`).
    public static func require() throws(KeyFileError) {
        guard hasCapability("curve") else {
            let v = zmqVersion()
            throw KeyFileError(
                "the installed libzmq \(v.major).\(v.minor).\(v.patch) was built without CURVE (zmq_has(\"curve\") is false); install one built with libsodium (Debian's libzmq5 is)")
        }
    }
}

public enum CurveKeyFile {
    /// Reads a public key file: its first line that is not blank or a `#` comment starts with the 40-character Z85 key.
    public static func readPublic(_ path: String) throws(KeyFileError) -> ZMQCurveKey {
        try readKey(path, what: "public key file")
    }

    private static func readKey(_ path: String, what: String) throws(KeyFileError) -> ZMQCurveKey {
        let text = try read(path, what: what)
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            switch try KeyLine(line, at: "\(path):\(number + 1)") {
            case .key(let key, _): return key
            case .comment: continue
            }
        }
        throw KeyFileError("\(what) \(path) holds no key (expected one line of 40 Z85 characters, as `gongkai keys generate` writes)")
    }

    /// Reads a secret key file and derives its public key. The file must not be readable or
    /// writable by group or others (like ssh, a secret anyone can read is refused).
    public static func readSecret(_ path: String) throws(KeyFileError) -> CurveKeyPair {
        if path.hasSuffix(".pub") {
            throw KeyFileError("\(path) is a public key file; a secret key file (NAME.key) is needed here")
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw KeyFileError("cannot read secret key file \(path): \(String(cString: strerror(errno)))")
        }
        let mode = info.st_mode & 0o777
        if mode & 0o077 != 0 {
            throw KeyFileError(
                "secret key file \(path) is accessible by group or others (mode \(String(mode, radix: 8))); run chmod 600 \(path)")
        }
        return try CurveKeyPair(secretKey: try readKey(path, what: "secret key file"))
    }

    /// Writes `NAME.key` (the secret key, mode 0600) and `NAME.pub` (the public key, mode 0644) in
    /// `directory`, creating it (mode 0700) if missing. Existing files are refused unless `force`.
    ///
    /// - Returns: the paths written, secret first.
    public static func write(_ pair: CurveKeyPair, directory: String, name: String, force: Bool) throws(KeyFileError) -> (secret: String, public: String) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard !name.isEmpty, !name.hasPrefix("."), name.allSatisfy(allowed.contains) else {
            throw KeyFileError("key name \"\(name)\" must be letters, digits, '.', '_' or '-', not starting with '.'")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw KeyFileError("cannot create \(directory): \(error.localizedDescription)")
        }
        let secretPath = directory + "/" + name + ".key"
        let publicPath = directory + "/" + name + ".pub"
        for path in [secretPath, publicPath] where FileManager.default.fileExists(atPath: path) {
            guard force else { throw KeyFileError("\(path) exists; not overwriting keys (use --force to replace them)") }
            unlink(path)
        }
        try create(secretPath, mode: 0o600, text: pair.secretKey.z85 + "\n")
        try create(publicPath, mode: 0o644, text: pair.publicKey.z85 + "\n")
        return (secretPath, publicPath)
    }

    /// Creates a new file (`O_EXCL`) with exactly `mode`, whatever the umask.
    private static func create(_ path: String, mode: mode_t, text: String) throws(KeyFileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw KeyFileError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fchmod(fd, mode) == 0 else {
            unlink(path)
            throw KeyFileError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func read(_ path: String, what: String) throws(KeyFileError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KeyFileError("cannot read \(what) \(path)")
        }
        guard data.count <= 1 << 20, let text = String(data: data, encoding: .utf8) else {
            throw KeyFileError("\(path) is not a key file (not UTF-8 text under 1 MiB)")
        }
        return text
    }
}

/// One line of a key file or allow-list. A key line starts with the 40-character Z85 key, optionally
/// followed by whitespace and a name; a line that is blank or starts with `#` (and is not a key —
/// `#` is a Z85 character) is a comment.
enum KeyLine {
    case key(ZMQCurveKey, name: String?)
    case comment

    init(_ line: Substring, at place: String) throws(KeyFileError) {
        let trimmed = line.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
        let fields = trimmed.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
        if let first = fields.first, first.utf8.count == 40, let key = ZMQCurveKey(z85: String(first)) {
            let name = fields.count > 1 ? fields[1].trimmingCharacters(in: .whitespaces) : nil
            self = .key(key, name: name)
        } else if trimmed.isEmpty || trimmed.hasPrefix("#") {
            self = .comment
        } else {
            throw KeyFileError("\(place): not a CURVE public key (expected 40 Z85 characters, then an optional name)")
        }
    }
}

/// The public keys allowed to connect over CURVE, each with a name for the logs.
public struct AuthorizedKeys: Sendable, Equatable {
    /// Key → name (the text after the key in a list file, or the `.pub` file's name; else the key's first 8 characters).
    public let names: [ZMQCurveKey: String]
    /// The file or directory the keys were read from.
    public let source: String

    public init(names: [ZMQCurveKey: String], source: String) {
        self.names = names
        self.source = source
    }

    public var count: Int { names.count }

    /// The name of an allowed key, or `nil` when it is not allowed.
    public func name(of key: ZMQCurveKey) -> String? { names[key] }

    /// Reads an allow-list: a file with one public key per line (optionally followed by a name;
    /// blank lines and `#` comments ignored), or a directory whose `*.pub` files each hold one key.
    public static func load(_ path: String) throws(KeyFileError) -> AuthorizedKeys {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw KeyFileError("no allow-list at \(path) (a file of public keys, or a directory of *.pub files)")
        }
        var names: [ZMQCurveKey: String] = [:]
        if isDirectory.boolValue {
            let entries: [String]
            do {
                entries = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".pub") }.sorted()
            } catch {
                throw KeyFileError("cannot list \(path): \(error.localizedDescription)")
            }
            for entry in entries {
                let key = try CurveKeyFile.readPublic(path + "/" + entry)
                names[key] = names[key] ?? String(entry.dropLast(4))
            }
        } else {
            let text = try CurveKeyFile.read(path, what: "allow-list")
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if case .key(let key, let name) = try KeyLine(line, at: "\(path):\(number + 1)") {
                    names[key] = names[key] ?? name ?? String(key.z85.prefix(8))
                }
            }
        }
        return AuthorizedKeys(names: names, source: path)
    }
}

/// What a coordinator needs to serve CURVE on its tcp endpoints.
public struct CurveServerKeys: Sendable {
    /// The coordinator's own key pair (`--server-key`).
    public var server: CurveKeyPair
    /// The workers' and clients' keys it accepts (`--authorized-keys`).
    public var authorized: AuthorizedKeys

    public init(server: CurveKeyPair, authorized: AuthorizedKeys) {
        self.server = server
        self.authorized = authorized
    }

    /// Reads `--server-key` (a secret key file) and `--authorized-keys`.
    public static func load(serverKey: String, authorizedKeys: String) throws(KeyFileError) -> CurveServerKeys {
        CurveServerKeys(server: try CurveKeyFile.readSecret(serverKey), authorized: try AuthorizedKeys.load(authorizedKeys))
    }
}

/// What a worker or control client needs to connect over CURVE.
public struct CurveClientKeys: Sendable {
    /// Its own key pair (`--key`).
    public var client: CurveKeyPair
    /// The coordinator's public key (`--server-key`).
    public var serverKey: ZMQCurveKey

    public init(client: CurveKeyPair, serverKey: ZMQCurveKey) {
        self.client = client
        self.serverKey = serverKey
    }

    /// Reads `--key` (a secret key file) and `--server-key` (a public key file).
    public static func load(key: String, serverKey: String) throws(KeyFileError) -> CurveClientKeys {
        CurveClientKeys(client: try CurveKeyFile.readSecret(key), serverKey: try CurveKeyFile.readPublic(serverKey))
    }

    /// The socket options that make a DEALER or REQ a CURVE client of the coordinator.
    public var socketOptions: [ZMQSocketOption] {
        [.curveServerKey(serverKey), .curvePublicKey(client.publicKey), .curveSecretKey(client.secretKey)]
    }
}
