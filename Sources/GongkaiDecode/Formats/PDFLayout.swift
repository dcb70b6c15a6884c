// `pdftotext -layout` text → paragraphs and tab-separated table rows.
//
// pdftotext lays each page out on a character grid: table cells become runs of text separated by two or
// more spaces, a cell written on several lines spreads its lines above and below the line that holds the
// row's numbers (cells are vertically centred), a merged cell's text (三、本年度办理结果, （三）不予公开)
// floats beside the rows it spans, and every page has its own column positions. What this does, page by page
// and then across pages:
//
// 1. Page furniture: page numbers (`— 3 —`, `- 3 -`, `第 3 页 共 5 页`, a bare `3`) at the top or bottom of a
//    page, a running header repeated at the top of each page, and a table's header rows repeated at the top
//    of the next page are dropped; form feeds end pages.
// 2. Table regions: lines with two or more cells or a number, plus the short label lines between and around
//    them; a section heading or a sentence ends a region.
// 3. In a region, the value zone starts at the leftmost number. A line with numbers is a data row; a line
//    with no number that reaches into the value zone is a header row (kept as it is); a line with no number
//    left of the value zone is a fragment of a row label. A fragment that starts with a numbering (一、 （一）
//    1.) starts the label of the next data row; other fragments continue the row above, or start the row
//    below when that row's number line has no label of its own (vertically centred cells). A row's label is
//    its fragments joined in reading order, without the merged group cells to its left.
// 4. Blank value cells are put back where a row has fewer numbers than the table's columns and the numbers it
//    has line up with them; a numbered label line with no numbers at all (a row of blanks) gets blank cells.
// 5. Outside regions, lines are joined into paragraphs: a paragraph ends at a short line, an indented line, a
//    heading or a blank line; a paragraph that runs on to the next page is joined across the page break.

enum PDFLayout {
    static func convert(_ utf8: [UInt8]) -> [UInt8] {
        var pages = splitPages(utf8)
        removeFurniture(&pages)
        var lines: [Line] = []
        for (p, page) in pages.enumerated() {
            var first = true
            for text in page {
                var line = Line(text, page: p)
                line.pageStart = first
                first = false
                lines.append(line)
            }
        }
        var builder = Builder(lines: lines)
        builder.run()
        return builder.out.bytes
    }

    /// Non-whitespace scalars in the converted text.
    static func visibleCount(_ utf8: [UInt8]) -> Int {
        String(decoding: utf8, as: UTF8.self).unicodeScalars.reduce(0) { $0 + ($1.properties.isWhitespace ? 0 : 1) }
    }

    // MARK: Pages

    typealias Page = [[Unicode.Scalar]]

    static func splitPages(_ utf8: [UInt8]) -> [Page] {
        var pages: [Page] = [[]]
        var line: [Unicode.Scalar] = []
        for scalar in String(decoding: utf8, as: UTF8.self).unicodeScalars {
            switch scalar {
            case "\n":
                pages[pages.count - 1].append(line)
                line.removeAll(keepingCapacity: true)
            case "\r": continue
            case "\u{0C}":
                if !line.isEmpty { pages[pages.count - 1].append(line) }
                line.removeAll(keepingCapacity: true)
                pages.append([])
            case "\t": line.append(" ")
            default: line.append(scalar)
            }
        }
        if !line.isEmpty { pages[pages.count - 1].append(line) }
        while let last = pages.last, last.allSatisfy(isBlank), pages.count > 1 { pages.removeLast() }
        return pages
    }

    static func isBlank(_ line: [Unicode.Scalar]) -> Bool { line.allSatisfy { $0 == " " || $0.properties.isWhitespace } }

    static func trimmed(_ line: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var s = 0, e = line.count
        while s < e, line[s].properties.isWhitespace { s += 1 }
        while e > s, line[e - 1].properties.isWhitespace { e -= 1 }
        return Array(line[s..<e])
    }

    /// Segments joined by one space: how a line reads regardless of where the page put its columns.
    static func normalised(_ line: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        var space = false
        for c in line {
            if c == " " || c.properties.isWhitespace {
                space = !out.isEmpty
                continue
            }
            if space { out.append(" ") }
            space = false
            out.append(c)
        }
        return out
    }

    /// Page numbers as footers and headers write them.
    static func isPageNumber(_ line: [Unicode.Scalar], bare: Bool) -> Bool {
        let t = trimmed(line).filter { $0 != " " }
        guard !t.isEmpty, t.count <= 16 else { return false }
        let digits = t.filter { $0.properties.numericType != nil && $0.value < 0x80 || ($0.value >= 0xFF10 && $0.value <= 0xFF19) }
        guard !digits.isEmpty else { return false }
        let dashes: Set<Unicode.Scalar> = ["—", "–", "-", "－", "─", "―", "·", "•"]
        let s = String(String.UnicodeScalarView(t))
        // — 3 —, - 3 -, ·3·
        if let first = t.first, let last = t.last, dashes.contains(first), dashes.contains(last),
            t.dropFirst().dropLast().allSatisfy({ dashes.contains($0) || digits.contains($0) })
        {
            return true
        }
        // 第 3 页, 第3页共5页, 第 3 页 / 共 5 页
        if s.hasPrefix("第"), s.contains("页"), t.allSatisfy({ digits.contains($0) || "第页共/，,".unicodeScalars.contains($0) }) { return true }
        // 3/5, Page 3 of 5
        if t.allSatisfy({ digits.contains($0) || $0 == "/" }), t.contains("/") { return true }
        if s.lowercased().hasPrefix("page"), s.dropFirst(4).allSatisfy({ $0.isNumber || $0 == "o" || $0 == "f" || $0 == "O" || $0 == "F" }) {
            return true
        }
        return bare && t.count <= 4 && t.allSatisfy { digits.contains($0) }
    }

    static func removeFurniture(_ pages: inout [Page]) {
        for p in pages.indices {
            // Page numbers among the last three and first two non-blank lines; a bare number only as the very
            // last or first line.
            let nonBlank = pages[p].indices.filter { !isBlank(pages[p][$0]) }
            var drop = Set<Int>()
            for (rank, index) in nonBlank.reversed().prefix(3).enumerated() where isPageNumber(pages[p][index], bare: rank == 0) {
                drop.insert(index)
            }
            for (rank, index) in nonBlank.prefix(2).enumerated() where isPageNumber(pages[p][index], bare: rank == 0) {
                drop.insert(index)
            }
            if !drop.isEmpty { pages[p] = pages[p].enumerated().filter { !drop.contains($0.offset) }.map(\.element) }
        }
        // A running header: the same first line on consecutive pages.
        var firsts: [[Unicode.Scalar]?] = pages.map { page in page.first { !isBlank($0) }.map(normalised) }
        for p in pages.indices.dropFirst() where firsts[p] != nil && firsts[p] == firsts[p - 1] {
            if let k = pages[p].firstIndex(where: { !isBlank($0) }) { pages[p].remove(at: k) }
            firsts[p] = firsts[p - 1]
        }
        // A table's header rows repeated at the top of the next page.
        var seen: [[Unicode.Scalar]] = []
        for p in pages.indices {
            if p > 0 {
                let body = pages[p].indices.filter { !isBlank(pages[p][$0]) }
                let heads = body.map { normalised(pages[p][$0]) }
                var bestK = 0
                if !heads.isEmpty {
                    for start in seen.indices where seen[start] == heads[0] {
                        var k = 0
                        while k < heads.count, start + k < seen.count, seen[start + k] == heads[k], isHeaderLike(pages[p][body[k]]) { k += 1 }
                        bestK = max(bestK, k)
                    }
                }
                let single = bestK == 1 && Line(pages[p][body[0]], page: p).segments.count >= 2
                if bestK >= 2 || single {
                    let remove = Set(body.prefix(bestK))
                    pages[p] = pages[p].enumerated().filter { !remove.contains($0.offset) }.map(\.element)
                }
            }
            seen.append(contentsOf: pages[p].filter { !isBlank($0) }.map(normalised))
        }
    }

    /// Header rows hold text (CJK) and no numbers.
    private static func isHeaderLike(_ line: [Unicode.Scalar]) -> Bool {
        let l = Line(line, page: 0)
        return l.segments.allSatisfy { !$0.isNumber } && line.contains { $0.value >= 0x3400 && $0.value <= 0x9FFF }
    }
}

// MARK: - Lines and segments

struct Segment {
    var text: [Unicode.Scalar]
    var start: Int
    var end: Int
    var isNumber: Bool
    var center: Double { Double(start + end) / 2 }
}

struct Line {
    var raw: [Unicode.Scalar]
    var page: Int
    var segments: [Segment] = []
    var pageStart = false

    init(_ raw: [Unicode.Scalar], page: Int) {
        self.raw = raw
        self.page = page
        var i = 0
        let n = raw.count
        while i < n {
            while i < n, raw[i] == " " { i += 1 }
            guard i < n else { break }
            let start = i
            var end = i
            while i < n {
                if raw[i] == " " {
                    // Two spaces end a cell; one space is inside it.
                    if i + 1 < n, raw[i + 1] != " " { i += 1; continue }
                    break
                }
                i += 1
                end = i
            }
            let text = Array(raw[start..<end])
            // Numbers in narrow columns may be one space apart ("22 0"): each is a cell of its own.
            let tokens = text.split(separator: " ")
            if tokens.count >= 2, tokens.allSatisfy({ Line.isValue(Array($0)) }) {
                var offset = start
                for token in tokens {
                    while offset < end, raw[offset] == " " { offset += 1 }
                    segments.append(Segment(text: Array(token), start: offset, end: offset + token.count, isNumber: true))
                    offset += token.count
                }
            } else {
                segments.append(Segment(text: text, start: start, end: end, isNumber: Line.isValue(text)))
            }
        }
    }

    var isBlank: Bool { segments.isEmpty }
    /// How wide the text is on the page, in CJK characters: pdftotext gives every character one column, but
    /// Latin letters and digits are half as wide as CJK characters.
    var visualWidth: Double {
        var w = Double(max(0, segments.count - 1)) * 0.5
        for s in segments { for c in s.text { w += c.value >= 0x2E80 ? 1 : 0.5 } }
        return w
    }
    var indent: Int { segments.first?.start ?? 0 }
    var end: Int { segments.last?.end ?? 0 }
    var text: [Unicode.Scalar] { segments.flatMap { $0.text + [" "] }.dropLast() }
    var utf8: [UInt8] {
        var out: [UInt8] = []
        for (k, s) in segments.enumerated() {
            if k > 0 { out.append(0x20) }
            for c in s.text { UTF8.encode(c) { out.append($0) } }
        }
        return out
    }

    /// A cell value: a number (full-width digits, separators, sign, decimals, a unit) or a zero mark.
    static func isValue(_ text: [Unicode.Scalar]) -> Bool {
        let t = text.filter { $0 != " " }
        if t.isEmpty { return false }
        let zeroMarks: Set<String> = ["—", "——", "–", "－", "-", "--", "/", "／", "无", "─"]
        let s = String(String.UnicodeScalarView(t))
        if zeroMarks.contains(s) { return true }
        var body = Substring(s)
        for unit in ["万元", "元", "件", "项", "条", "个", "次", "%", "％"] where body.hasSuffix(unit) && body.count > unit.count {
            body = body.dropLast(unit.count)
            break
        }
        var sawDigit = false
        for (k, c) in body.unicodeScalars.enumerated() {
            if c.value >= 0x30 && c.value <= 0x39 || (c.value >= 0xFF10 && c.value <= 0xFF19) {
                sawDigit = true
            } else if k == 0 && "+-＋－−".unicodeScalars.contains(c) {
                continue
            } else if sawDigit && ",，.．".unicodeScalars.contains(c) {
                continue
            } else {
                return false
            }
        }
        return sawDigit
    }
}

// MARK: - Building the text

private struct Builder {
    var lines: [Line]
    var out = TabText(capacity: 16 * 1024)
    /// Per page: the left margin of running text and the right edge of a full line.
    var margin: [Int] = []
    var fullWidth: [Double] = []

    init(lines: [Line]) {
        self.lines = lines
        let pages = (lines.map(\.page).max() ?? 0) + 1
        margin = Array(repeating: 0, count: pages)
        fullWidth = Array(repeating: 0.0, count: pages)
        for p in 0..<pages {
            let singles = lines.filter { $0.page == p && $0.segments.count == 1 && !$0.segments[0].isNumber }
            fullWidth[p] = singles.map(\.visualWidth).max() ?? 0
            // The left margin: where the page's longer single-cell lines (running text, headings) start.
            let long = singles.filter { $0.segments[0].text.count >= 10 }
            margin[p] = (long.isEmpty ? singles : long).map(\.indent).min() ?? 0
        }
    }

    mutating func run() {
        let regions = findRegions()
        var i = 0
        var paragraph: [UInt8] = []
        var previous: Line? = nil
        func flush() {
            if !paragraph.isEmpty { out.paragraph(paragraph) }
            paragraph.removeAll()
            previous = nil
        }
        var r = 0
        while i < lines.count {
            if r < regions.count, regions[r].lowerBound == i {
                flush()
                out.blankLine()
                emitTable(regions[r])
                out.blankLine()
                i = regions[r].upperBound
                r += 1
                continue
            }
            let line = lines[i]
            i += 1
            if line.isBlank {
                // Blank lines at the foot of a page (where the footer was) do not end a paragraph.
                let restOfPageBlank = lines[i...].prefix { $0.page == line.page }.allSatisfy(\.isBlank)
                if !restOfPageBlank { flush() }
                continue
            }
            if let prev = previous, continues(prev, line) {
                appendJoined(&paragraph, line.utf8)
            } else {
                flush()
                paragraph = line.utf8
            }
            previous = line
        }
        flush()
    }

    /// Whether `line` runs on from `prev` in the same paragraph.
    private func continues(_ prev: Line, _ line: Line) -> Bool {
        if HeadingMatcher.section(line.utf8) > 0 || HeadingMatcher.section(prev.utf8) > 0 { return false }
        let width = fullWidth[prev.page]
        guard width > 0, prev.visualWidth >= width * 0.85 else { return false }
        return line.indent <= margin[line.page] + 1
    }

    private func appendJoined(_ paragraph: inout [UInt8], _ next: [UInt8]) {
        // Latin words keep a space between lines; CJK text and numbers run on.
        if let a = paragraph.last, let b = next.first, isLatinLetter(a), isLatinLetter(b) { paragraph.append(0x20) }
        paragraph.append(contentsOf: next)
    }

    private func isLatinLetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }

    // MARK: Regions

    private func isCore(_ line: Line) -> Bool {
        line.segments.count >= 2 || (line.segments.count == 1 && line.segments[0].isNumber)
    }

    private func endsSentence(_ line: Line) -> Bool {
        guard let last = line.segments.last?.text.last else { return false }
        return "。；：，".unicodeScalars.contains(last)
    }

    /// A single-cell line that may belong to a table it touches.
    private func isTableish(_ line: Line, sandwiched: Bool) -> Bool {
        guard line.segments.count == 1 else { return false }
        if HeadingMatcher.section(line.utf8) > 0 { return false }
        let length = line.segments[0].text.count
        if sandwiched {
            if let last = line.segments[0].text.last, last == "。" { return false }
            return line.visualWidth < max(fullWidth[line.page], 1) * 0.85 || length <= 24
        }
        return !endsSentence(line) && length <= 30 && line.indent >= margin[line.page] + 4
    }

    private func findRegions() -> [Range<Int>] {
        var regions: [Range<Int>] = []
        var i = 0
        while i < lines.count {
            guard isCore(lines[i]) else {
                i += 1
                continue
            }
            var lo = i
            var hi = i + 1
            // Grow forward over core lines, blank lines and short label lines that lead back to a core line.
            while hi < lines.count {
                if isCore(lines[hi]) {
                    hi += 1
                    continue
                }
                var k = hi
                while k < lines.count, !isCore(lines[k]), lines[k].isBlank || isTableish(lines[k], sandwiched: true) { k += 1 }
                if k < lines.count, isCore(lines[k]), k > hi {
                    hi = k
                    continue
                }
                break
            }
            // Label lines just after the last core line (a row of blanks, a wrapped label) and before the
            // first (a title row over the table).
            while hi < lines.count, isTableish(lines[hi], sandwiched: false) || (lines[hi].isBlank && hi + 1 < lines.count && isTableish(lines[hi + 1], sandwiched: false)) {
                hi += 1
            }
            while hi > lo, lines[hi - 1].isBlank { hi -= 1 }
            while lo > 0, isTableish(lines[lo - 1], sandwiched: false) { lo -= 1 }
            let core = lines[lo..<hi].filter(isCore)
            if core.count >= 2 || core.contains(where: { $0.segments.contains(where: \.isNumber) }) {
                if let last = regions.last, last.upperBound > lo { lo = last.upperBound }
                if lo < hi { regions.append(lo..<hi) }
            }
            i = hi
        }
        return regions
    }

    // MARK: Tables

    private enum Kind { case data, header, fragment }

    private struct Row {
        var header: [[UInt8]]? = nil
        var fragments: [Segment] = []
        var values: [Segment] = []
        /// Fragment lines above the number line (to balance vertically centred labels).
        var above = 0
        var blankRow = false
        var page = 0
    }

    private struct PageColumns {
        var zone = Int.max
        var centres: [Double] = []
        /// Where the row labels of the page's data rows lie.
        var labels: ClosedRange<Int>? = nil
    }

    private mutating func emitTable(_ range: Range<Int>) {
        // Label cells are split where a numbering follows a single space ("（六）其他处 1.申请人…" is a merged
        // group cell and a row label side by side).
        let region = lines[range].filter { !$0.isBlank }.map { line -> Line in
            var l = line
            l.segments = l.segments.flatMap { $0.isNumber ? [$0] : splitAtNumbering($0) }
            return l
        }
        guard !region.isEmpty else { return }
        // Each page's part of the table has its own columns: the value zone starts at its leftmost number,
        // and the value columns are the centres of the values on its rows with the most of them.
        var columnsByPage: [Int: PageColumns] = [:]
        for page in Set(region.map(\.page)) {
            let part = region.filter { $0.page == page }
            var c = PageColumns()
            c.zone = part.flatMap { $0.segments.filter(\.isNumber).map(\.start) }.min() ?? Int.max
            let dataLines = part.filter { line in line.segments.contains { $0.isNumber && $0.start >= c.zone } }
            let valueRows = dataLines.map { line in line.segments.filter { $0.start >= c.zone } }
            let most = valueRows.map(\.count).max() ?? 0
            var centres = [Double](repeating: 0, count: most)
            let full = valueRows.filter { $0.count == most }
            for values in full { for (k, v) in values.enumerated() { centres[k] += v.center } }
            c.centres = full.isEmpty ? [] : centres.map { $0 / Double(full.count) }
            let labelSegments = dataLines.flatMap { line in line.segments.filter { $0.start < c.zone } }
            if let lo = labelSegments.map(\.start).min(), let hi = labelSegments.map(\.end).max() { c.labels = lo...hi }
            columnsByPage[page] = c
        }
        func kind(_ line: Line) -> Kind {
            let columns = columnsByPage[line.page] ?? PageColumns()
            if line.segments.contains(where: { $0.isNumber && $0.start >= columns.zone }) { return .data }
            if columns.zone == Int.max {
                // A page with the table's header and no numbers: rows of several cells are header rows.
                return line.segments.count >= 2 ? .header : .fragment
            }
            if line.segments.contains(where: { $0.end > columns.zone }) { return .header }
            // Text between the page's row labels and its values (a title row centred over the table) is a
            // header row; text left of the row labels is a merged group cell.
            if let labels = columns.labels, line.segments.allSatisfy({ $0.start > labels.upperBound }) {
                return .header
            }
            return .fragment
        }

        var rows: [Row] = []
        var lastData: Int? = nil
        var unit: [Segment]? = nil
        var unitLines = 0
        var unitPage = 0
        var floating: [[Segment]] = []

        func give(_ fragments: [[Segment]], toRow index: Int?) {
            guard let index else {
                // No row to continue (the table starts here): the lines are rows of their own.
                for f in fragments { rows.append(Row(header: f.map { Self.utf8($0.text) })) }
                return
            }
            for f in fragments { rows[index].fragments.append(contentsOf: f) }
        }
        func closeUnit() {
            // A numbered label that no number line claimed: a merged group cell left of the row labels (it
            // names no row: dropped), or a row whose values are all blank.
            guard let u = unit else { return }
            unit = nil
            let rightmost = u.map(\.end).max() ?? 0
            if let last = lastData, let neighbour = rows[last].fragments.map(\.start).max(), rightmost <= neighbour + 1 { return }
            var row = Row(fragments: u)
            row.blankRow = true
            row.page = unitPage
            rows.append(row)
        }

        for line in region {
            switch kind(line) {
            case .header:
                give(floating, toRow: lastData)
                floating = []
                closeUnit()
                rows.append(Row(header: line.segments.map { Self.utf8($0.text) }))
                lastData = nil
            case .fragment:
                // Of several label cells on one line, those left of the last are merged group cells
                // (（五）不予处理 beside the rows it spans): only the last can start or continue a row label.
                var line = line
                if line.segments.count > 1, let last = line.segments.last { line.segments = [last] }
                // A numbered cell left of a row label still waiting for its numbers is a group cell too.
                if let u = unit, let itemStart = u.map(\.start).max(), let segment = line.segments.last, segment.end <= itemStart,
                    isNumbered(line.segments)
                {
                    continue
                }
                if isNumbered(line.segments) {
                    give(floating, toRow: lastData)
                    floating = []
                    closeUnit()
                    unit = line.segments
                    unitLines = 1
                    unitPage = line.page
                } else if unit != nil {
                    unit?.append(contentsOf: line.segments)
                    unitLines += 1
                } else {
                    floating.append(line.segments)
                }
            case .data:
                let zone = columnsByPage[line.page]?.zone ?? Int.max
                let values = line.segments.filter { $0.start >= zone }
                let own = line.segments.filter { $0.start < zone }
                var row = Row(values: values)
                row.page = line.page
                // A numbered label on the number line starts the row, unless it is a merged group cell to the
                // left of a label that started on the line above ("4.保护第三方…" over "（三）不予 0 0 0").
                let ownNumbered = own.filter { isNumbered([$0]) }
                let unitStart = unit.flatMap { u in u.max(by: { $0.start < $1.start })?.start }
                let groupOnly = unitStart.map { start in ownNumbered.allSatisfy { $0.end <= start } } ?? false
                if !ownNumbered.isEmpty && !groupOnly {
                    // The label starts on the number line: fragments above belong to the row before.
                    give(floating, toRow: lastData)
                    floating = []
                    closeUnit()
                    row.fragments = own
                } else if let u = unit {
                    row.fragments = u + own
                    row.above = unitLines
                    unit = nil
                    give(floating, toRow: lastData)
                    floating = []
                } else {
                    // Fragments between two number lines: the row before takes as many below its number
                    // line as it had above (centred cells); a number line with no label takes the rest.
                    let k = floating.count
                    let previousAbove = lastData.map { rows[$0].above } ?? 0
                    let below: Int
                    if lastData == nil {
                        below = 0
                    } else if own.isEmpty {
                        below = min(previousAbove, max(0, k - 1))
                    } else {
                        below = previousAbove > 0 ? min(previousAbove, k) : k
                    }
                    give(Array(floating.prefix(below)), toRow: lastData)
                    let mine = floating.dropFirst(below)
                    row.fragments = mine.flatMap { $0 } + own
                    row.above = mine.count
                    floating = []
                }
                rows.append(row)
                lastData = rows.count - 1
            }
        }
        give(floating, toRow: lastData)
        closeUnit()

        for row in rows {
            if let header = row.header {
                out.row(header)
                continue
            }
            let columns = columnsByPage[row.page] ?? PageColumns()
            var cells: [[UInt8]] = [label(row.fragments)]
            cells.append(contentsOf: valueCells(row.values, centres: columns.centres, blankRow: row.blankRow))
            out.row(cells)
        }
    }

    static func utf8(_ text: [Unicode.Scalar]) -> [UInt8] {
        var out: [UInt8] = []
        for c in text { UTF8.encode(c) { out.append($0) } }
        return out
    }

    /// A row's label: its fragments in reading order, without the merged group cells to their left. The
    /// label's own column starts where its numbering (1. （一） 一、) stands; a line that continues it starts
    /// there or to the right (left-aligned or centred text), a group cell to the left.
    private func label(_ fragments: [Segment]) -> [UInt8] {
        let numbered = fragments.filter { isNumbered([$0]) }
        let anchor = numbered.map(\.start).max() ?? fragments.map(\.start).min() ?? 0
        var out: [UInt8] = []
        for f in fragments where f.start >= anchor - 1 {
            for c in f.text { UTF8.encode(c) { out.append($0) } }
        }
        return out
    }

    /// Value cells, with blanks put back where the row's values line up with the table's columns.
    private func valueCells(_ values: [Segment], centres: [Double], blankRow: Bool) -> [[UInt8]] {
        let columns = centres.count
        func text(_ s: Segment) -> [UInt8] {
            var out: [UInt8] = []
            for c in s.text where !(s.isNumber && c == " ") { UTF8.encode(c) { out.append($0) } }
            return out
        }
        if blankRow { return columns >= 5 ? Array(repeating: [], count: columns) : [[]] }
        guard values.count < centres.count, centres.count >= 2, !values.isEmpty else { return values.map(text) }
        var gap = Double.infinity
        for k in 1..<centres.count { gap = min(gap, centres[k] - centres[k - 1]) }
        let tolerance = max(1.5, gap * 0.3)
        var placed = [[UInt8]](repeating: [], count: centres.count)
        var lastColumn = -1
        for v in values {
            guard let (k, d) = centres.enumerated().map({ ($0.offset, abs($0.element - v.center)) }).min(by: { $0.1 < $1.1 }),
                d <= tolerance, k > lastColumn
            else { return values.map(text) }
            placed[k] = text(v)
            lastColumn = k
        }
        return placed
    }

    /// Splits a label segment before a numbering that follows a single space.
    private func splitAtNumbering(_ segment: Segment) -> [Segment] {
        let t = segment.text
        var parts: [Segment] = []
        var from = 0
        for (k, c) in t.enumerated() where c == " " && k + 1 < t.count && Self.numbering(t, at: k + 1) {
            if k > from {
                parts.append(Segment(text: Array(t[from..<k]), start: segment.start + from, end: segment.start + k, isNumber: false))
            }
            from = k + 1
        }
        if from == 0 { return [segment] }
        parts.append(Segment(text: Array(t[from...]), start: segment.start + from, end: segment.end, isNumber: false))
        return parts
    }

    private func isNumbered(_ segments: [Segment]) -> Bool {
        segments.contains { segment in
            let t = segment.text
            var starts = [0]
            for (k, c) in t.enumerated() where c == " " { starts.append(k + 1) }
            return starts.contains { Self.numbering(t, at: $0) }
        }
    }

    /// 一、 二、 （一） (一) 1. 1、 1．at `i`.
    private static func numbering(_ t: [Unicode.Scalar], at i: Int) -> Bool {
        guard i < t.count else { return false }
        let chineseNumerals = "一二三四五六七八九十".unicodeScalars
        var k = i
        if t[k] == "（" || t[k] == "(" {
            k += 1
            let s = k
            while k < t.count, chineseNumerals.contains(t[k]) || (t[k].value >= 0x30 && t[k].value <= 0x39) { k += 1 }
            return k > s && k < t.count && (t[k] == "）" || t[k] == ")")
        }
        let s = k
        while k < t.count, chineseNumerals.contains(t[k]) { k += 1 }
        if k > s { return k < t.count && t[k] == "、" }
        while k < t.count, t[k].value >= 0x30 && t[k].value <= 0x39 { k += 1 }
        return k > s && k < t.count && (t[k] == "." || t[k] == "、" || t[k] == "．") && k - s <= 2
    }
}
