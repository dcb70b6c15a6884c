// One statement parameter that carries a whole column of a batch, so that a batch of documents is
// one `INSERT … SELECT * FROM unnest($1::text[], $2::bigint[], …)` with one parameter per column.

import PostgresNIO

/// A one-dimensional PostgreSQL array in the binary wire format, whose elements may be NULL
/// (postgres-nio's own array encoding has no NULL elements).
struct ColumnArray: PostgresDynamicTypeEncodable {
    /// The element type: the column's.
    enum Element: Sendable {
        case int8
        case float8
        case text

        var arrayType: PostgresDataType {
            switch self {
            case .int8: return .int8Array
            case .float8: return .float8Array
            case .text: return .textArray
            }
        }

        var elementType: PostgresDataType {
            switch self {
            case .int8: return .int8
            case .float8: return .float8
            case .text: return .text
            }
        }

        /// The SQL cast that names the array's type: `bigint[]`, ….
        var sqlArray: String {
            switch self {
            case .int8: return "bigint[]"
            case .float8: return "double precision[]"
            case .text: return "text[]"
            }
        }
    }

    let element: Element
    /// The elements so far: each a 4-byte length (-1 for NULL) and its bytes.
    private var elements = ByteBuffer()
    private var count: Int32 = 0
    private var hasNull = false

    init(_ element: Element) { self.element = element }

    mutating func appendNull() {
        elements.writeInteger(Int32(-1))
        count += 1
        hasNull = true
    }

    mutating func append(_ value: Int64) {
        elements.writeInteger(Int32(8))
        elements.writeInteger(value)
        count += 1
    }

    mutating func append(_ value: Double) {
        elements.writeInteger(Int32(8))
        elements.writeInteger(value.bitPattern)
        count += 1
    }

    mutating func append(_ value: String) {
        let lengthAt = elements.writerIndex
        elements.writeInteger(Int32(0))
        let length = elements.writeString(value)
        elements.setInteger(Int32(length), at: lengthAt)
        count += 1
    }

    var psqlType: PostgresDataType { element.arrayType }
    var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        // Header: dimensions, has-NULL flag, element type; then per dimension its size and lower bound.
        byteBuffer.writeInteger(Int32(count == 0 ? 0 : 1))
        byteBuffer.writeInteger(Int32(hasNull ? 1 : 0))
        byteBuffer.writeInteger(element.elementType.rawValue)
        guard count > 0 else { return }
        byteBuffer.writeInteger(count)
        byteBuffer.writeInteger(Int32(1))
        var elements = elements
        byteBuffer.writeBuffer(&elements)
    }
}
