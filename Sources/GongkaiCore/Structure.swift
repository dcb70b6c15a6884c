// Text → paragraphs and table rows, for both layouts the reports come in:
// one cell per line (each cell line starts with a tab, rows separated by blank lines, a cell may run over
// several lines) and one row per line (cells separated by tabs).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One paragraph of running text, or one table row.
struct Item {
    enum Kind { case paragraph, row }
    var kind: Kind
    /// The paragraph's text (trimmed), or the row's first cell index into `Structure.cells`.
    var span: Span
    var firstCell: Int
    var cellCount: Int
}

struct Structure {
    /// The working buffer: the document's bytes followed by joined multi-line cells.
    var buffer: [UInt8]
    /// All cells of all rows, trimmed, as spans into `buffer`.
    var cells: [Span] = []
    var items: [Item] = []
    var cellLineRows = 0
    var tabRows = 0

    var layout: Layout {
        switch (cellLineRows > 0, tabRows > 2) {
        case (true, true): return .mixed
        case (true, false): return .cellPerLine
        case (false, true): return .tabRows
        case (false, false): return .none
        }
    }

    init(utf8 bytes: [UInt8]) {
        buffer = bytes
        cells.reserveCapacity(512)
        items.reserveCapacity(256)
        build()
    }

    private enum LineKind { case blank, text, cell, tabRow, markdownRow, markdownRule }

    private mutating func build() {
        var scan = LineScan(cells: cells, items: items)
        buffer.withUnsafeBufferPointer { scan.run($0) }
        // Materialise multi-line cells: join their parts with no separator (商业 + 企业 = 商业企业). A cell's parts
        // are consecutive in `joins`, and consecutive joins never name the same cell (a new one needs a new cell line).
        var joinedBytes = 0
        for join in scan.joins { joinedBytes += join.part.count }
        buffer.reserveCapacity(buffer.count + joinedBytes)
        var k = 0
        while k < scan.joins.count {
            let cell = scan.joins[k].cell
            let start = buffer.count
            while k < scan.joins.count && scan.joins[k].cell == cell {
                let part = scan.joins[k].part
                // Byte by byte: appending a slice of the buffer to itself would copy the whole buffer each time.
                for i in part.start..<part.end { buffer.append(buffer[i]) }
                k += 1
            }
            scan.cells[cell] = Span(start, buffer.count)
        }
        cells = scan.cells
        items = scan.items
        cellLineRows = scan.cellLineRows
        tabRows = scan.tabRows
    }

    /// The state of one pass over the lines. A struct with mutating methods (not locals captured by nested
    /// functions) so that its accesses are checked at compile time rather than on every line.
    private struct LineScan {
        var cells: [Span]
        var items: [Item]
        var cellLineRows = 0
        var tabRows = 0
        /// Parts of multi-line cells, joined after the scan (appending to the buffer while it is read is not allowed).
        var joins: [(cell: Int, part: Span)] = []
        /// First cell index of an open cell-per-line row, or -1.
        var openRowStart = -1
        var lastCellHasContinuation = false

        init(cells: [Span], items: [Item]) {
            self.cells = cells
            self.items = items
        }

        mutating func closeRow() {
            if openRowStart >= 0 {
                items.append(Item(kind: .row, span: Span(0, 0), firstCell: openRowStart, cellCount: cells.count - openRowStart))
                cellLineRows += 1
                openRowStart = -1
            }
        }

        mutating func run(_ b: Bytes) {
            let documentEnd = b.count
            guard let base = b.baseAddress, documentEnd > 0 else { return }
            var lineStart = 0
            // Lines end at LF, CRLF or CR. When every CR is part of a CRLF (or there is none), memchr finds
            // line ends and tabs far faster than a byte loop over long paragraphs; a text with lone CRs
            // (old Mac line ends, possibly mixed with LFs) takes the byte loop.
            var loneCR = false
            if let cr = memchr(base, 0x0D, documentEnd) {
                let at = UnsafePointer(cr.assumingMemoryBound(to: UInt8.self)) - base
                loneCR = at + 1 >= documentEnd || b[at + 1] != 0x0A
            }
            while lineStart < documentEnd {
                var lineEnd = documentEnd
                var tabs = 0
                if loneCR {
                    var k = lineStart
                    while k < documentEnd {
                        let c = b[k]
                        if c == 0x0A || c == 0x0D { break }
                        if c == 0x09 { tabs = 1 }
                        k += 1
                    }
                    lineEnd = k
                } else {
                    if let found = memchr(base + lineStart, 0x0A, documentEnd - lineStart) {
                        lineEnd = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - base
                    }
                }
                var raw = Span(lineStart, lineEnd)
                if raw.end > raw.start, b[raw.end - 1] == 0x0D { raw.end -= 1 }
                if !loneCR {
                    // A cell line starts with its tab: only other lines need the search.
                    if raw.isEmpty {
                        tabs = 0
                    } else {
                        tabs = b[raw.start] == 0x09 || memchr(base + lineStart, 0x09, raw.count) != nil ? 1 : 0
                    }
                }
                if lineEnd >= documentEnd {
                    lineStart = documentEnd
                } else if b[lineEnd] == 0x0D, lineEnd + 1 < documentEnd, b[lineEnd + 1] == 0x0A {
                    lineStart = lineEnd + 2
                } else {
                    lineStart = lineEnd + 1
                }
                line(b, raw: raw, hasTab: tabs != 0)
            }
            closeRow()
        }

        /// Classifies one line (without its line end) and adds it to the open row, a new row or a paragraph.
        mutating func line(_ b: Bytes, raw: Span, hasTab: Bool) {
            let kind: LineKind
            let trimmed = UTF8Bytes.trim(b, raw)
            var firstTab = raw.start
            if !hasTab {
                if trimmed.count >= 2 && b[trimmed.start] == 0x7C && b[trimmed.end - 1] == 0x7C {
                    // A markdown table row from a PDF converter: | a | b |, or its |---|:--:| rule.
                    var rule = true
                    for k in trimmed.start..<trimmed.end where !(b[k] == 0x7C || b[k] == 0x2D || b[k] == 0x3A || b[k] == 0x20) {
                        rule = false
                        break
                    }
                    kind = rule ? .markdownRule : .markdownRow
                } else {
                    kind = trimmed.isEmpty ? .blank : .text
                }
            } else {
                // A cell line: nothing before the first tab, and no other tab inside the content
                // (trailing tabs after the content are tolerated).
                while b[firstTab] != 0x09 { firstTab += 1 }
                let before = firstTab == raw.start ? Span(firstTab, firstTab) : UTF8Bytes.trim(b, Span(raw.start, firstTab))
                var otherTab = false
                var k = firstTab + 1
                while k < trimmed.end {
                    if b[k] == 0x09 { otherTab = true; break }
                    k += 1
                }
                kind = before.isEmpty && !otherTab ? .cell : .tabRow
            }

            switch kind {
            case .blank:
                closeRow()
                lastCellHasContinuation = false
            case .cell:
                if openRowStart < 0 { openRowStart = cells.count }
                // Only whitespace comes before the tab, so the trimmed line is the trimmed cell.
                cells.append(trimmed)
                lastCellHasContinuation = false
            case .text:
                if openRowStart >= 0, cells.count > openRowStart, trimmed.count <= 36,
                    !Headings.looksLikeHeading(b, trimmed)
                {
                    // Continuation of a multi-line cell (商业\n企业).
                    if !lastCellHasContinuation {
                        let cellIndex = cells.count - 1
                        joins.append((cellIndex, cells[cellIndex]))
                        lastCellHasContinuation = true
                    }
                    joins.append((cells.count - 1, trimmed))
                } else {
                    closeRow()
                    lastCellHasContinuation = false
                    items.append(Item(kind: .paragraph, span: trimmed, firstCell: 0, cellCount: 0))
                }
            case .markdownRule:
                closeRow()
                lastCellHasContinuation = false
            case .tabRow, .markdownRow:
                closeRow()
                lastCellHasContinuation = false
                let first = cells.count
                // Markdown rows split at | (inside the outer pipes); tab rows at tabs.
                let separator: UInt8 = kind == .markdownRow ? 0x7C : 0x09
                let rowSpan = kind == .markdownRow ? Span(trimmed.start + 1, trimmed.end - 1) : raw
                var cellStart = rowSpan.start
                var k = rowSpan.start
                while k <= rowSpan.end {
                    if k == rowSpan.end || b[k] == separator {
                        cells.append(UTF8Bytes.trim(b, Span(cellStart, k)))
                        cellStart = k + 1
                    }
                    k += 1
                }
                // Empty cells stay, leading and trailing: whether one is a blank value or a colspan
                // artefact is decided against the template's cell count (ParseState.normalise).
                items.append(Item(kind: .row, span: Span(0, 0), firstCell: first, cellCount: cells.count - first))
                tabRows += 1
            }
        }
    }
}
