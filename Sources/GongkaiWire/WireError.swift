// Why bytes from the wire were refused. Decoding is total: every failure is one of these.

/// A message or report that could not be decoded. Receivers drop and count these (metric
/// `gongkai.wire.malformed`); none is fatal to the process.
public enum WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Frame 0 is not a gongkai protocol tag (`GKW<n>` / `GKC<n>`): another protocol, or noise.
    case foreignProtocol
    /// Frame 0 is this protocol with a major version this build does not speak, e.g. `GKW2` → 2.
    case unsupportedVersion(Int)
    /// Frame 1 holds a command byte this version does not define.
    case unknownCommand(UInt8)
    /// A control request or reply names a verb this version does not define.
    case unknownVerb(String)
    /// The bytes ended inside the named field.
    case truncated(String)
    /// The named field is longer than its limit (sizes in bytes or elements).
    case tooLarge(field: String, size: Int, limit: Int)
    /// Anything else that is not a valid message: wrong frame count, a bad enum value, invalid
    /// UTF-8, a flag that is neither 0 nor 1, trailing bytes in a report…
    case malformed(String)

    public var description: String {
        switch self {
        case .foreignProtocol: "foreign protocol (frame 0 is not a gongkai tag)"
        case .unsupportedVersion(let version): "unsupported protocol version \(version)"
        case .unknownCommand(let command): "unknown command 0x\(String(command, radix: 16))"
        case .unknownVerb(let verb): "unknown verb \"\(verb)\""
        case .truncated(let field): "truncated in \(field)"
        case .tooLarge(let field, let size, let limit): "\(field) is \(size), over the limit of \(limit)"
        case .malformed(let reason): "malformed: \(reason)"
        }
    }
}
