import GongkaiCore

// The text every format converter writes, in the "tab rows" layout the parser reads: one line per paragraph,
// one line per table row with its cells separated by tabs. Cell text never holds a tab or a line break
// (a cell written on two lines, 商业 / 企业, is joined with no separator: 商业企业).

/// What a converter made of a document: normalised UTF-8 text and how it was read.
struct ConvertedText: Sendable {
    var utf8: [UInt8]
    /// `docx`, `html`, `pdf`.
    var format: String
    /// The encoding the document's text was in (`utf-8`, `gb18030`, …).
    var encoding: String
}

/// Why a document in a known format could not be read, and the format it was.
struct FormatFailure: Error, Sendable {
    var status: ReportStatus
    var message: String
    var format: String
}

/// Builds normalised text line by line.
struct TabText {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// A paragraph of running text. Line breaks inside it become separate lines; tabs become spaces (a tab
    /// would make the line a table row). Blank paragraphs are dropped.
    mutating func paragraph(_ text: [UInt8]) {
        var lineStart = 0
        var i = 0
        while i <= text.count {
            if i == text.count || text[i] == 0x0A || text[i] == 0x0D {
                appendLine(text, lineStart, i)
                lineStart = i + 1
            }
            i += 1
        }
    }

    private mutating func appendLine(_ text: [UInt8], _ start: Int, _ end: Int) {
        var s = start, e = end
        while s < e, isASCIISpace(text[s]) { s += 1 }
        while e > s, isASCIISpace(text[e - 1]) { e -= 1 }
        if s == e { return }
        for k in s..<e {
            let c = text[k]
            bytes.append(c == 0x09 || c == 0x0B || c == 0x0C ? 0x20 : c)
        }
        bytes.append(0x0A)
    }

    /// One table row. Cells are cleaned (line breaks joined, tabs as spaces, ASCII space trimmed). A row
    /// whose only text is not in its first cell loses its leading empty cells, so that it is read as a row
    /// and not as a cell of the one-cell-per-line layout; a row with one cell gets a trailing empty one.
    /// Rows with no text are kept only when they have three or more cells (a row of blank values).
    mutating func row(_ cells: [[UInt8]]) {
        var cleaned: [[UInt8]] = cells.map(Self.clean)
        let nonEmpty = cleaned.reduce(0) { $0 + ($1.isEmpty ? 0 : 1) }
        if nonEmpty == 0 {
            if cleaned.count < 3 { return }
        } else if nonEmpty == 1, cleaned[0].isEmpty {
            cleaned.removeFirst(cleaned.firstIndex { !$0.isEmpty } ?? 0)
        }
        if cleaned.count == 1 { cleaned.append([]) }
        for (k, cell) in cleaned.enumerated() {
            if k > 0 { bytes.append(0x09) }
            bytes.append(contentsOf: cell)
        }
        bytes.append(0x0A)
    }

    /// An empty line (between blocks; the parser ignores it).
    mutating func blankLine() {
        if let last = bytes.last, last == 0x0A, bytes.count >= 2, bytes[bytes.count - 2] == 0x0A { return }
        if !bytes.isEmpty { bytes.append(0x0A) }
    }

    static func clean(_ cell: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(cell.count)
        for c in cell {
            switch c {
            case 0x0A, 0x0D: continue
            case 0x09, 0x0B, 0x0C: out.append(0x20)
            default: out.append(c)
            }
        }
        var s = 0, e = out.count
        while s < e, out[s] == 0x20 { s += 1 }
        while e > s, out[e - 1] == 0x20 { e -= 1 }
        if s == 0 && e == out.count { return out }
        return Array(out[s..<e])
    }

    @inline(__always)
    private func isASCIISpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0B || c == 0x0C }
}

/// A table being assembled by a converter: rows of cells, each cell with its text and how many grid
/// columns it spans. Spanned positions become empty cells when the table is written.
struct TableGrid {
    struct Cell {
        var text: [UInt8]
        var colspan: Int = 1
        var rowspan: Int = 1
    }
    var rows: [[Cell]] = []
    /// Set when a cell holds another table: the table is then a layout frame, not a data table.
    var hasNestedTable = false

    /// Rows as lines of cells, with colspans and rowspans expanded into empty cells (the HTML table model).
    /// Spans are capped (`maxSpan`) so that a hostile `colspan="100000"` cannot blow the grid up.
    func expanded(maxSpan: Int = 64) -> [[[UInt8]]] {
        var out: [[[UInt8]]] = []
        out.reserveCapacity(rows.count)
        // For each column, how many more rows a cell from above still covers.
        var coveredUntil: [Int] = []
        for (r, row) in rows.enumerated() {
            var line: [[UInt8]] = []
            var col = 0
            func skipCovered() {
                while col < coveredUntil.count, coveredUntil[col] > r {
                    line.append([])
                    col += 1
                }
            }
            for cell in row {
                skipCovered()
                let colspan = max(1, min(cell.colspan, maxSpan))
                let rowspan = max(1, min(cell.rowspan, rows.count - r))
                // A spanning label goes in the last column it spans, right before the values it labels, so that
                // a blank first or last value keeps its place (the parser drops empty cells from the ends of a
                // row that has too many); a spanning value stays in its first column.
                if Self.startsWithDigit(cell.text) {
                    line.append(cell.text)
                    line.append(contentsOf: repeatElement([], count: colspan - 1))
                } else {
                    line.append(contentsOf: repeatElement([], count: colspan - 1))
                    line.append(cell.text)
                }
                for k in 0..<colspan {
                    let c = col + k
                    if c >= coveredUntil.count { coveredUntil.append(contentsOf: repeatElement(0, count: c - coveredUntil.count + 1)) }
                    if rowspan > 1 { coveredUntil[c] = r + rowspan }
                }
                col += colspan
            }
            skipCovered()
            out.append(line)
        }
        return out
    }

    /// A value rather than a label: the first non-space character is a digit (ASCII or full-width) or a sign.
    static func startsWithDigit(_ text: [UInt8]) -> Bool {
        var i = 0
        while i < text.count {
            let c = text[i]
            if c == 0x20 || c == 0x09 { i += 1; continue }
            if c == 0xC2, i + 1 < text.count, text[i + 1] == 0xA0 { i += 2; continue }  // NBSP
            if c == 0xE3, i + 2 < text.count, text[i + 1] == 0x80, text[i + 2] == 0x80 { i += 3; continue }  // 　
            if (c >= 0x30 && c <= 0x39) || c == 0x2B || c == 0x2D { return true }
            // Full-width digits ０-９ (EF BC 90-99) and dashes used for zero (— –).
            if c == 0xEF, i + 2 < text.count, text[i + 1] == 0xBC, text[i + 2] >= 0x90 && text[i + 2] <= 0x99 { return true }
            if c == 0xE2, i + 2 < text.count, text[i + 1] == 0x80, text[i + 2] == 0x94 || text[i + 2] == 0x93 { return true }
            return false
        }
        return false
    }

    /// Whether this is a frame around text rather than a table of values: it holds another table, or it has
    /// a single column.
    var isLayoutFrame: Bool {
        if hasNestedTable { return true }
        return rows.allSatisfy { row in row.count <= 1 && (row.first?.colspan ?? 1) <= 1 }
    }
}
