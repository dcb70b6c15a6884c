// Bounds-checked reading and appending of wire fields.

/// A read cursor over bytes from the wire. Every read is checked against the ceiling and
/// throws ``WireError`` instead of trapping, so no input can crash the reader.
///
/// Integers are big-endian and fixed-width (`u8`…`u64`), or LEB128 varints (the report codec).
public struct WireReader: Sendable {
    /// The bytes being read.
    public let bytes: [UInt8]
    /// The index of the next byte to read.
    public private(set) var cursor: Int
    /// One past the last byte this reader may read.
    public let ceiling: Int

    /// A reader of `bytes[start..<ceiling]` (the whole array by default).
    public init(_ bytes: [UInt8], from start: Int = 0, ceiling: Int? = nil) {
        self.bytes = bytes
        let end = min(max(ceiling ?? bytes.count, 0), bytes.count)
        self.ceiling = end
        self.cursor = min(max(start, 0), end)
    }

    /// Bytes left before the ceiling.
    @inline(__always) public var remaining: Int { ceiling - cursor }
    /// Whether every byte was read.
    @inline(__always) public var isAtEnd: Bool { cursor == ceiling }

    @inline(__always)
    private mutating func take(_ count: Int, _ field: StaticString) throws(WireError) -> Int {
        guard count >= 0, count <= ceiling - cursor else { throw WireError.truncated("\(field)") }
        let start = cursor
        cursor += count
        return start
    }

    /// Fails unless every byte was read.
    public func expectEnd(_ what: StaticString) throws(WireError) {
        if cursor != ceiling { throw WireError.malformed("\(ceiling - cursor) trailing bytes after \(what)") }
    }

    // MARK: Fixed width, big-endian

    /// One byte.
    @inline(__always)
    public mutating func u8(_ field: StaticString) throws(WireError) -> UInt8 {
        guard cursor < ceiling else { throw WireError.truncated("\(field)") }
        defer { cursor += 1 }
        return bytes[cursor]
    }

    /// A big-endian `UInt16`.
    @inline(__always)
    public mutating func u16(_ field: StaticString) throws(WireError) -> UInt16 {
        let at = try take(2, field)
        return UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1])
    }

    /// A big-endian `UInt32`.
    @inline(__always)
    public mutating func u32(_ field: StaticString) throws(WireError) -> UInt32 {
        let at = try take(4, field)
        return UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }

    /// A big-endian `UInt64`.
    @inline(__always)
    public mutating func u64(_ field: StaticString) throws(WireError) -> UInt64 {
        let at = try take(8, field)
        var value: UInt64 = 0
        for index in at..<(at + 8) { value = value << 8 | UInt64(bytes[index]) }
        return value
    }

    /// A one-byte flag: 0 or 1; anything else is malformed.
    @inline(__always)
    public mutating func bool(_ field: StaticString) throws(WireError) -> Bool {
        switch try u8(field) {
        case 0: return false
        case 1: return true
        case let other: throw WireError.malformed("\(field) flag is \(other), not 0 or 1")
        }
    }

    /// An IEEE 754 double as its 8 big-endian bytes.
    @inline(__always)
    public mutating func double(_ field: StaticString) throws(WireError) -> Double {
        Double(bitPattern: try u64(field))
    }

    // MARK: Varints (LEB128)

    /// An unsigned LEB128 varint of at most 10 bytes.
    @inline(__always)
    public mutating func varint(_ field: StaticString) throws(WireError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard cursor < ceiling else { throw WireError.truncated("\(field)") }
            let byte = bytes[cursor]
            cursor += 1
            if shift == 63 && byte > 1 { throw WireError.malformed("\(field) varint overflows 64 bits") }
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw WireError.malformed("\(field) varint longer than 10 bytes") }
        }
    }

    /// A zigzag-encoded signed varint.
    @inline(__always)
    public mutating func signedVarint(_ field: StaticString) throws(WireError) -> Int64 {
        let raw = try varint(field)
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// A varint count or length, checked against `limit`.
    @inline(__always)
    public mutating func count(_ field: StaticString, limit: Int) throws(WireError) -> Int {
        let raw = try varint(field)
        guard raw <= UInt64(limit) else {
            throw WireError.tooLarge(field: "\(field)", size: raw > UInt64(Int.max) ? Int.max : Int(raw), limit: limit)
        }
        return Int(raw)
    }

    // MARK: Byte runs and strings

    /// Moves past `length` bytes.
    @inline(__always)
    public mutating func skip(_ length: Int, _ field: StaticString) throws(WireError) {
        _ = try take(length, field)
    }

    /// `length` raw bytes.
    public mutating func raw(_ length: Int, _ field: StaticString) throws(WireError) -> [UInt8] {
        let at = try take(length, field)
        return Array(bytes[at..<(at + length)])
    }

    /// `length` bytes that must be valid UTF-8.
    @inline(__always)
    public mutating func utf8(_ length: Int, _ field: StaticString) throws(WireError) -> String {
        let at = try take(length, field)
        if length == 0 { return "" }
        let text: String? = bytes.withUnsafeBufferPointer { buffer in
            let run = UnsafeBufferPointer(rebasing: buffer[at..<(at + length)])
            // Validated here, then built on the stdlib's concrete (non-generic) fast path.
            return UTF8Validation.isValid(run) ? String(decoding: run, as: UTF8.self) : nil
        }
        guard let text else { throw WireError.malformed("\(field) is not valid UTF-8") }
        return text
    }

    /// `string`: u16 length + UTF-8, at most `limit` bytes.
    public mutating func string16(_ field: StaticString, limit: Int) throws(WireError) -> String {
        let length = Int(try u16(field))
        guard length <= limit else { throw WireError.tooLarge(field: "\(field)", size: length, limit: limit) }
        return try utf8(length, field)
    }

    /// `bytes`: u32 length + bytes, at most `limit` bytes.
    public mutating func bytes32(_ field: StaticString, limit: Int) throws(WireError) -> [UInt8] {
        let length = Int(try u32(field))
        guard length <= limit else { throw WireError.tooLarge(field: "\(field)", size: length, limit: limit) }
        return try raw(length, field)
    }

    /// A varint length + UTF-8, at most `limit` bytes (the report codec's strings).
    @inline(__always)
    public mutating func string(_ field: StaticString, limit: Int) throws(WireError) -> String {
        try utf8(try count(field, limit: limit), field)
    }
}

/// Appends wire fields to a byte array (the inverse of ``WireReader``).
public struct WireWriter: Sendable {
    /// The bytes written so far.
    public var bytes: [UInt8]

    /// A writer with room for `capacity` bytes before it reallocates.
    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// A writer that appends to existing bytes.
    public init(appendingTo bytes: [UInt8]) { self.bytes = bytes }

    /// One byte.
    @inline(__always) public mutating func u8(_ value: UInt8) { bytes.append(value) }

    /// A big-endian `UInt16`.
    @inline(__always) public mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    /// A big-endian `UInt32`.
    @inline(__always) public mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// A big-endian `UInt64`.
    @inline(__always) public mutating func u64(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// `0x01` or `0x00`.
    @inline(__always) public mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// The IEEE 754 bit pattern, big-endian.
    @inline(__always) public mutating func double(_ value: Double) { u64(value.bitPattern) }

    /// An unsigned LEB128 varint.
    @inline(__always) public mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: rest))
    }

    /// A zigzag-encoded signed varint.
    @inline(__always) public mutating func signedVarint(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Bytes as they are, without a length.
    @inline(__always) public mutating func raw(_ value: [UInt8]) { bytes.append(contentsOf: value) }

    /// `string`: u16 length + UTF-8. A string longer than `limit` bytes (at most 65535) is cut
    /// to the longest prefix of whole characters that fits, so the receiver never rejects it.
    public mutating func string16(_ value: String, limit: Int = Int(UInt16.max)) {
        var value = value
        value.withUTF8 { utf8 in
            let length = Self.fittingPrefix(utf8, min(limit, Int(UInt16.max)))
            u16(UInt16(length))
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[0..<length]))
        }
    }

    /// `bytes`: u32 length + bytes. Not truncated: a receiver rejects a run over its limit.
    public mutating func bytes32(_ value: [UInt8]) {
        u32(UInt32(clamping: value.count))
        bytes.append(contentsOf: value.prefix(Int(UInt32.max)))
    }

    /// A varint length + UTF-8 (the report codec's strings), cut like ``string16(_:limit:)``
    /// to at most `limit` bytes.
    @inline(__always) public mutating func string(_ value: String, limit: Int) {
        var value = value
        value.withUTF8 { utf8 in
            let length = utf8.count <= limit ? utf8.count : Self.fittingPrefix(utf8, limit)
            varint(UInt64(length))
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[0..<length]))
        }
    }

    /// The length of the longest prefix of `utf8` of at most `limit` bytes that ends on a
    /// character (scalar) boundary.
    static func fittingPrefix(_ utf8: UnsafeBufferPointer<UInt8>, _ limit: Int) -> Int {
        if utf8.count <= limit { return utf8.count }
        var end = max(limit, 0)
        while end > 0 && utf8[end] & 0xC0 == 0x80 { end -= 1 }
        return end
    }
}

/// Strict UTF-8 validation (Unicode 15, table 3-7): no overlong forms, no surrogates, nothing
/// above U+10FFFF, no truncated sequences.
enum UTF8Validation {
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var index = 0
        let count = bytes.count
        while index < count {
            // ASCII fast path, 8 bytes at a time
            while index + 8 <= count {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                index += 8
            }
            guard index < count else { return true }
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            @inline(__always) func continuation(_ offset: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
                index + offset < count && bytes[index + offset] >= low && bytes[index + offset] <= high
            }
            switch lead {
            case 0xC2...0xDF:
                guard continuation(1) else { return false }
                index += 2
            case 0xE0:
                guard continuation(1, 0xA0), continuation(2) else { return false }
                index += 3
            case 0xE1...0xEC, 0xEE...0xEF:
                guard continuation(1), continuation(2) else { return false }
                index += 3
            case 0xED:
                guard continuation(1, 0x80, 0x9F), continuation(2) else { return false }
                index += 3
            case 0xF0:
                guard continuation(1, 0x90), continuation(2), continuation(3) else { return false }
                index += 4
            case 0xF1...0xF3:
                guard continuation(1), continuation(2), continuation(3) else { return false }
                index += 4
            case 0xF4:
                guard continuation(1, 0x80, 0x8F), continuation(2), continuation(3) else { return false }
                index += 4
            default:
                return false
            }
        }
        return true
    }
}
