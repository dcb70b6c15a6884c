// .docx → normalised text: the package is opened in memory with ZIPFoundation, the main document part
// (word/document.xml, or wherever _rels/.rels points) is inflated under a size cap, and WordprocessingML is
// read with a small hand-written scanner (faster than Foundation's XMLParser, and it never allocates a
// String per element). Paragraphs in order; tables from w:tbl with w:gridSpan (extra empty cells),
// w:vMerge continuations (empty cells) and w:gridBefore/w:gridAfter; several paragraphs in a cell joined with
// no separator (商业 / 企业 → 商业企业); text boxes (w:txbxContent), deleted text and VML fallbacks skipped;
// a table that holds another table, or has one column, is a frame: its paragraphs and inner tables are read
// as if it were not there.

import Foundation
import GongkaiCore
import ZIPFoundation

enum DocxConverter {
    /// The largest main document part inflated (a zip bomb stops here).
    static let maxPartSize = 64 * 1024 * 1024

    static func convert(_ bytes: [UInt8]) -> Result<ConvertedText, FormatFailure> {
        let archive: Archive
        do {
            archive = try Archive(data: Data(bytes), accessMode: .read)
        } catch {
            return .failure(FormatFailure(status: .unsupportedFormat,
                                          message: "ZIP 文件已损坏或不完整，无法作为 .docx 读取 (corrupt or truncated zip archive)",
                                          format: "zip"))
        }
        guard let part = mainDocumentPath(archive), let entry = archive[part] else {
            return .failure(FormatFailure(status: .unsupportedFormat, message: otherPackageMessage(archive), format: "zip"))
        }
        if entry.uncompressedSize > UInt64(maxPartSize) {
            return .failure(FormatFailure(status: .tooLarge,
                                          message: "\(part) 解压后过大 (\(entry.uncompressedSize) 字节，上限 \(maxPartSize)) (document part too large)",
                                          format: "docx"))
        }
        guard let xml = extract(archive, entry, limit: maxPartSize) else {
            return .failure(FormatFailure(status: .unsupportedFormat,
                                          message: "\(part) 无法解压：ZIP 数据损坏 (corrupt zip entry \(part))", format: "docx"))
        }
        let text = xml.withUnsafeBufferPointer { buffer in
            var scanner = WordScanner(xml: buffer)
            return scanner.run()
        }
        return .success(ConvertedText(utf8: text, format: "docx", encoding: "utf-8"))
    }

    /// The part `_rels/.rels` names as the office document, else `word/document.xml`.
    static func mainDocumentPath(_ archive: Archive) -> String? {
        if let rels = archive["_rels/.rels"], let data = extract(archive, rels, limit: 1 << 20) {
            let text = String(decoding: data, as: UTF8.self)
            for relationship in text.components(separatedBy: "<Relationship").dropFirst() {
                guard let tagEnd = relationship.firstIndex(of: ">") else { continue }
                let tag = relationship[..<tagEnd]
                guard let type = attribute("Type", in: tag), type.hasSuffix("/officeDocument"),
                    var target = attribute("Target", in: tag)
                else { continue }
                if target.hasPrefix("/") { target.removeFirst() }
                if archive[target] != nil { return target }
            }
        }
        return archive["word/document.xml"] != nil ? "word/document.xml" : nil
    }

    private static func attribute(_ name: String, in tag: Substring) -> String? {
        guard let range = tag.range(of: name + "=") else { return nil }
        let rest = tag[range.upperBound...]
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        let value = rest.dropFirst()
        guard let end = value.firstIndex(of: quote) else { return nil }
        return String(value[..<end])
    }

    private static func otherPackageMessage(_ archive: Archive) -> String {
        if let mimetype = archive["mimetype"], let data = extract(archive, mimetype, limit: 256) {
            let type = String(decoding: data, as: UTF8.self)
            if type.contains("opendocument.text") {
                return "OpenDocument 文本 (.odt) 暂不支持，请另存为 .docx (OpenDocument text is not supported; save as .docx)"
            }
            return "OpenDocument 文件 (\(type)) 不是 Word 文档 (not a Word document)"
        }
        if archive["xl/workbook.xml"] != nil { return "Excel 工作簿 (.xlsx) 不是 Word 文档 (a spreadsheet, not a Word document)" }
        if archive["ppt/presentation.xml"] != nil { return "PowerPoint 演示文稿 (.pptx) 不是 Word 文档 (a presentation, not a Word document)" }
        return "ZIP 压缩包中没有 Word 文档 (word/document.xml) (zip archive without a Word document)"
    }

    /// One part of a package by path (for tests and tools), or nil.
    static func extractPart(_ bytes: [UInt8], path: String) -> [UInt8]? {
        let archive: Archive
        do { archive = try Archive(data: Data(bytes), accessMode: .read) } catch { return nil }
        guard let entry = archive[path] else { return nil }
        return extract(archive, entry, limit: maxPartSize)
    }

    /// Inflates one entry, or nil when it is damaged (CRC mismatch, bad deflate data) or larger than `limit`.
    static func extract(_ archive: Archive, _ entry: Entry, limit: Int) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(min(Int(clamping: entry.uncompressedSize), limit))
        do {
            // The CRC is checked here, with a faster CRC-32 than ZIPFoundation's on Linux.
            _ = try archive.extract(entry, bufferSize: 64 * 1024, skipCRC32: true) { chunk in
                if out.count + chunk.count > limit { throw CocoaError(.fileReadTooLarge) }
                out.append(contentsOf: chunk)
            }
        } catch {
            return nil
        }
        guard ZipCRC32.checksum(out) == entry.checksum else { return nil }
        return out
    }
}

/// One pass over document.xml.
private struct WordScanner {
    let b: UnsafeBufferPointer<UInt8>
    var out: TabText
    /// The WordprocessingML namespace prefix (`w` in every real file), found on the root element.
    var prefix: [UInt8] = Array("w".utf8)

    enum Block { case paragraph([UInt8]), table(Int) }
    struct CellBuild {
        var blocks: [Block] = []
        var colspan = 1
        var continuesMerge = false
    }
    struct TableBuild {
        var rows: [[CellBuild]] = []
        var row: [CellBuild]? = nil
        var cell: CellBuild? = nil
        var gridAfter = 0
        var nested = false
    }

    var paragraph: [UInt8] = []
    var inParagraph = false
    var inText = false
    var tables: [TableBuild] = []
    var finished: [TableBuild] = []
    /// Tables nested deeper than this are read as the cell text of their parent (no unbounded recursion).
    static let maxTableDepth = 32

    init(xml: UnsafeBufferPointer<UInt8>) {
        b = xml
        out = TabText(capacity: xml.count / 4)
        paragraph.reserveCapacity(512)
    }

    mutating func run() -> [UInt8] {
        let n = b.count
        var i = 0
        var textStart = 0
        while i < n {
            let c = b[i]
            if c != 0x3C {  // '<'
                if c == 0x26, inText {  // '&'
                    appendText(textStart, i)
                    var decoded: [UInt8] = []
                    if let next = Entities.decode(b, i, n, html: false, into: &decoded) {
                        paragraph.append(contentsOf: decoded)
                        i = next
                    } else {
                        paragraph.append(0x26)
                        i += 1
                    }
                    textStart = i
                    continue
                }
                i += 1
                continue
            }
            if inText { appendText(textStart, i) }
            i = tag(at: i)
            textStart = i
        }
        // An unterminated document: keep what was read.
        if inParagraph { endParagraph() }
        while !tables.isEmpty { endTable() }
        return out.bytes
    }

    private mutating func appendText(_ start: Int, _ end: Int) {
        if end > start { paragraph.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<end])) }
    }

    // MARK: Tags

    /// Handles the markup at `b[i] == '<'` and returns the index after it.
    private mutating func tag(at i: Int) -> Int {
        let n = b.count
        var k = i + 1
        guard k < n else { return n }
        switch b[k] {
        case 0x3F:  // <? … ?>
            return skip(past: [0x3F, 0x3E], from: k)
        case 0x21:  // <!-- … -->, <![CDATA[ … ]]>, <!DOCTYPE …>
            if starts(k + 1, "--") { return skip(past: Array("-->".utf8), from: k + 3) }
            if starts(k + 1, "[CDATA[") {
                let contentStart = k + 8
                let end = skip(past: Array("]]>".utf8), from: contentStart)
                if inText, end - 3 >= contentStart { appendText(contentStart, end - 3) }
                return end
            }
            return skip(past: [0x3E], from: k)
        default:
            break
        }
        let closing = b[k] == 0x2F
        if closing { k += 1 }
        let nameStart = k
        while k < n, !isNameEnd(b[k]) { k += 1 }
        let name = nameStart..<k
        let tagEnd = endOfTag(from: k)
        let selfClosing = tagEnd - 2 > nameStart && b[tagEnd - 2] == 0x2F
        let attributes = k..<max(k, tagEnd - 1)
        if !closing, isRootCandidate {
            // The root element (w:document) declares the namespace prefixes.
            isRootCandidate = false
            findPrefix(attributes)
        }
        guard let local = localName(name) else {
            // Other namespaces: mc:Fallback repeats mc:Choice content (VML); skip it.
            if !closing, !selfClosing, localEquals(name, "Fallback") { return skipElement(name, from: tagEnd) }
            return tagEnd
        }
        if closing {
            endElement(local)
        } else {
            if startElement(local, attributes: attributes, selfClosing: selfClosing, name: name) == .skipSubtree {
                return selfClosing ? tagEnd : skipElement(name, from: tagEnd)
            }
            if selfClosing { endElementIfContainer(local) }
        }
        return tagEnd
    }

    private var isRootCandidate = true

    private enum Action { case proceed, skipSubtree }

    private mutating func startElement(_ local: Range<Int>, attributes: Range<Int>, selfClosing: Bool, name: Range<Int>) -> Action {
        switch local.count {
        case 1:
            if b[local.lowerBound] == 0x70 { startParagraph() }  // p
            else if b[local.lowerBound] == 0x74, !selfClosing { inText = true }  // t
        case 2:
            if eq(local, "tr") { startRow() }
            else if eq(local, "tc") { startCell() }
            else if eq(local, "br") || eq(local, "cr") { if inParagraph { paragraph.append(0x0A) } }
        case 3:
            if eq(local, "tbl") { startTable() }
            else if eq(local, "tab") { if inParagraph { paragraph.append(0x09) } }
            else if eq(local, "del") { return .skipSubtree }
            else if eq(local, "pPr") || eq(local, "rPr") { return .skipSubtree }
        case 6:
            if eq(local, "tblPr") || eq(local, "sectPr") { return .skipSubtree }
            if eq(local, "vMerge") {
                let value = attributeValue(attributes, "val")
                if value == nil || value.map({ eq($0, "continue") }) == true { setCellContinuesMerge() }
            }
        case 7:
            if eq(local, "tblGrid") { return .skipSubtree }
        case 8:
            if eq(local, "gridSpan"), let v = attributeValue(attributes, "val") { setCellColspan(intValue(v)) }
            else if eq(local, "moveFrom") { return .skipSubtree }
        case 9:
            if eq(local, "gridAfter"), let v = attributeValue(attributes, "val") { setGridAfter(intValue(v)) }
        case 10:
            if eq(local, "gridBefore"), let v = attributeValue(attributes, "val") { addGridBefore(intValue(v)) }
        case 11:
            if eq(local, "txbxContent") { return .skipSubtree }
        case 13:
            if eq(local, "noBreakHyphen") { if inParagraph { paragraph.append(0x2D) } }
        default:
            break
        }
        return .proceed
    }

    private mutating func endElement(_ local: Range<Int>) {
        switch local.count {
        case 1:
            if b[local.lowerBound] == 0x70 { endParagraph() }
            else if b[local.lowerBound] == 0x74 { inText = false }
        case 2:
            if eq(local, "tr") { endRow() } else if eq(local, "tc") { endCell() }
        case 3:
            if eq(local, "tbl") { endTable() }
        default:
            break
        }
    }

    /// `<w:p/>`, `<w:tc/>`: an empty container still counts (an empty paragraph in a cell, an empty cell).
    private mutating func endElementIfContainer(_ local: Range<Int>) {
        if local.count == 1, b[local.lowerBound] == 0x70 { endParagraph() }
        else if local.count == 2, eq(local, "tc") { endCell() }
        else if local.count == 2, eq(local, "tr") { endRow() }
        else if local.count == 3, eq(local, "tbl") { endTable() }
    }

    // MARK: Paragraphs and tables

    private mutating func startParagraph() {
        if inParagraph { endParagraph() }
        inParagraph = true
        paragraph.removeAll(keepingCapacity: true)
    }

    private mutating func endParagraph() {
        guard inParagraph else { return }
        inParagraph = false
        inText = false
        if !tables.isEmpty {
            // A paragraph in a table but outside any cell (malformed) gets a cell of its own.
            let outsideCell = tables[tables.count - 1].cell == nil
            if outsideCell { startCell() }
            let text = paragraph
            updateCell { $0.blocks.append(.paragraph(text)) }
            if outsideCell { endCell() }
        } else {
            out.paragraph(paragraph)
        }
        paragraph.removeAll(keepingCapacity: true)
    }

    private mutating func startTable() {
        if inParagraph { endParagraph() }
        if tables.count >= Self.maxTableDepth { return }
        if !tables.isEmpty {
            tables[tables.count - 1].nested = true
            if tables[tables.count - 1].cell == nil { startCell() }
        }
        tables.append(TableBuild())
    }

    private mutating func endTable() {
        guard var table = tables.popLast() else { return }
        if table.cell != nil {
            tables.append(table)
            endCell()
            table = tables.removeLast()
        }
        if table.row != nil {
            tables.append(table)
            endRow()
            table = tables.removeLast()
        }
        if tables.isEmpty {
            emit(table)
        } else {
            finished.append(table)
            if tables[tables.count - 1].cell == nil { startCell() }
            let index = finished.count - 1
            updateCell { $0.blocks.append(.table(index)) }
        }
    }

    private mutating func startRow() {
        guard !tables.isEmpty else { return }
        if tables[tables.count - 1].row != nil { endRow() }
        tables[tables.count - 1].row = []
        tables[tables.count - 1].gridAfter = 0
    }

    private mutating func endRow() {
        guard !tables.isEmpty else { return }
        if tables[tables.count - 1].cell != nil { endCell() }
        guard var row = tables[tables.count - 1].row else { return }
        row.append(contentsOf: repeatElement(CellBuild(), count: tables[tables.count - 1].gridAfter))
        tables[tables.count - 1].rows.append(row)
        tables[tables.count - 1].row = nil
    }

    private mutating func startCell() {
        guard !tables.isEmpty else { return }
        if tables[tables.count - 1].cell != nil { endCell() }
        if tables[tables.count - 1].row == nil { tables[tables.count - 1].row = [] }
        tables[tables.count - 1].cell = CellBuild()
    }

    private mutating func endCell() {
        guard !tables.isEmpty else { return }
        if inParagraph { endParagraph() }
        guard let cell = tables[tables.count - 1].cell else { return }
        var row = tables[tables.count - 1].row ?? []
        tables[tables.count - 1].row = nil
        tables[tables.count - 1].cell = nil
        row.append(cell)
        tables[tables.count - 1].row = row
    }

    /// Applies `change` to the open cell of the innermost table, if there is one.
    private mutating func updateCell(_ change: (inout CellBuild) -> Void) {
        guard !tables.isEmpty, var cell = tables[tables.count - 1].cell else { return }
        tables[tables.count - 1].cell = nil  // so that `cell` is the only reference and appends do not copy
        change(&cell)
        tables[tables.count - 1].cell = cell
    }

    private mutating func setCellColspan(_ n: Int) {
        updateCell { $0.colspan = max(1, min(n, 64)) }
    }

    private mutating func setCellContinuesMerge() {
        updateCell { $0.continuesMerge = true }
    }

    private mutating func addGridBefore(_ n: Int) {
        guard !tables.isEmpty, let row = tables[tables.count - 1].row else { return }
        tables[tables.count - 1].row = row + repeatElement(CellBuild(), count: max(0, min(n, 64)))
    }

    private mutating func setGridAfter(_ n: Int) {
        guard !tables.isEmpty else { return }
        tables[tables.count - 1].gridAfter = max(0, min(n, 64))
    }

    private mutating func emit(_ table: TableBuild) {
        var grid = TableGrid()
        grid.hasNestedTable = table.nested
        grid.rows = table.rows.map { row in
            row.map { cell in
                TableGrid.Cell(text: cell.continuesMerge ? [] : Self.joined(cell.blocks, finished), colspan: cell.colspan)
            }
        }
        if grid.isLayoutFrame {
            for row in table.rows {
                for cell in row where !cell.continuesMerge {
                    for block in cell.blocks {
                        switch block {
                        case .paragraph(let p): out.paragraph(p)
                        case .table(let index): emit(finished[index])
                        }
                    }
                }
            }
            return
        }
        out.blankLine()
        for row in grid.expanded() { out.row(row) }
        out.blankLine()
    }

    /// A cell's text: its paragraphs with no separator; an inner table's cells likewise (only reached when
    /// nesting is deeper than `maxTableDepth`, where the parent is not a frame).
    private static func joined(_ blocks: [Block], _ finished: [TableBuild]) -> [UInt8] {
        var text: [UInt8] = []
        for block in blocks {
            switch block {
            case .paragraph(let p): text.append(contentsOf: p)
            case .table(let index):
                for row in finished[index].rows { for cell in row { text.append(contentsOf: joined(cell.blocks, finished)) } }
            }
        }
        return text
    }

    // MARK: Scanning helpers

    private func starts(_ i: Int, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard i + n <= b.count else { return false }
        let p = s.utf8Start
        for k in 0..<n where b[i + k] != p[k] { return false }
        return true
    }

    private func skip(past terminator: [UInt8], from i: Int) -> Int {
        let n = b.count
        var k = i
        while k + terminator.count <= n {
            if b[k] == terminator[0] {
                var match = true
                for t in 1..<terminator.count where b[k + t] != terminator[t] {
                    match = false
                    break
                }
                if match { return k + terminator.count }
            }
            k += 1
        }
        return n
    }

    /// The index after the `>` that ends a tag, skipping quoted attribute values.
    private func endOfTag(from i: Int) -> Int {
        let n = b.count
        var k = i
        var quote: UInt8 = 0
        while k < n {
            let c = b[k]
            if quote != 0 {
                if c == quote { quote = 0 }
            } else if c == 0x22 || c == 0x27 {
                quote = c
            } else if c == 0x3E {
                return k + 1
            }
            k += 1
        }
        return n
    }

    /// Skips an element's content up to its matching end tag (same qualified name), counting nested ones.
    private func skipElement(_ name: Range<Int>, from i: Int) -> Int {
        let n = b.count
        var depth = 1
        var k = i
        while k < n {
            guard b[k] == 0x3C else {
                k += 1
                continue
            }
            var j = k + 1
            let closing = j < n && b[j] == 0x2F
            if closing { j += 1 }
            let start = j
            while j < n, !isNameEnd(b[j]) { j += 1 }
            let end = endOfTag(from: j)
            if j - start == name.count, b[start..<j].elementsEqual(b[name]) {
                if closing {
                    depth -= 1
                    if depth == 0 { return end }
                } else if !(end - 2 > start && b[end - 2] == 0x2F) {
                    depth += 1
                }
            }
            k = end
        }
        return n
    }

    @inline(__always)
    private func isNameEnd(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x3E || c == 0x2F || c == 0x09 || c == 0x0A || c == 0x0D
    }

    /// The local part of a name in the WordprocessingML namespace, or nil for other namespaces.
    private func localName(_ name: Range<Int>) -> Range<Int>? {
        var colon = name.lowerBound
        while colon < name.upperBound, b[colon] != 0x3A { colon += 1 }
        if colon == name.upperBound { return prefix.isEmpty ? name : nil }
        guard colon - name.lowerBound == prefix.count else { return nil }
        for (k, p) in prefix.enumerated() where b[name.lowerBound + k] != p { return nil }
        return (colon + 1)..<name.upperBound
    }

    private func localEquals(_ name: Range<Int>, _ s: StaticString) -> Bool {
        var colon = name.lowerBound
        while colon < name.upperBound, b[colon] != 0x3A { colon += 1 }
        let local = colon == name.upperBound ? name : (colon + 1)..<name.upperBound
        return eq(local, s)
    }

    private func eq(_ r: Range<Int>, _ s: StaticString) -> Bool {
        guard r.count == s.utf8CodeUnitCount else { return false }
        let p = s.utf8Start
        for k in 0..<r.count where b[r.lowerBound + k] != p[k] { return false }
        return true
    }

    /// The value of the attribute whose local name is `name` (`w:val` → "val").
    private func attributeValue(_ range: Range<Int>, _ name: StaticString) -> Range<Int>? {
        var k = range.lowerBound
        let end = range.upperBound
        while k < end {
            while k < end, b[k] == 0x20 || b[k] == 0x09 || b[k] == 0x0A || b[k] == 0x0D || b[k] == 0x2F { k += 1 }
            let nameStart = k
            while k < end, b[k] != 0x3D, b[k] != 0x20, b[k] != 0x09, b[k] != 0x0A, b[k] != 0x0D { k += 1 }
            let attrName = nameStart..<k
            while k < end, b[k] == 0x20 || b[k] == 0x09 || b[k] == 0x0A || b[k] == 0x0D { k += 1 }
            guard k < end, b[k] == 0x3D else { continue }
            k += 1
            while k < end, b[k] == 0x20 || b[k] == 0x09 || b[k] == 0x0A || b[k] == 0x0D { k += 1 }
            guard k < end, b[k] == 0x22 || b[k] == 0x27 else { continue }
            let quote = b[k]
            k += 1
            let valueStart = k
            while k < end, b[k] != quote { k += 1 }
            let value = valueStart..<k
            k += 1
            if localEquals(attrName, name) { return value }
        }
        return nil
    }

    private func intValue(_ r: Range<Int>) -> Int {
        var v = 0
        for k in r {
            let c = b[k]
            guard c >= 0x30 && c <= 0x39 else { break }
            if v < 1_000_000 { v = v * 10 + Int(c - 0x30) }
        }
        return v
    }

    /// Reads `xmlns:X="…wordprocessingml…/main"` on the root element to learn the prefix.
    private mutating func findPrefix(_ attributes: Range<Int>) {
        let main2006 = Array("http://schemas.openxmlformats.org/wordprocessingml/2006/main".utf8)
        let strict = Array("http://purl.oclc.org/ooxml/wordprocessingml/main".utf8)
        var k = attributes.lowerBound
        let end = attributes.upperBound
        while k < end {
            guard b[k] == 0x78, k + 5 <= end, starts(k, "xmlns") else {
                k += 1
                continue
            }
            var j = k + 5
            var declared: [UInt8] = []
            if j < end, b[j] == 0x3A {
                j += 1
                while j < end, b[j] != 0x3D, b[j] != 0x20 { declared.append(b[j]); j += 1 }
            }
            while j < end, b[j] != 0x22, b[j] != 0x27 { j += 1 }
            guard j < end else { return }
            let quote = b[j]
            j += 1
            let valueStart = j
            while j < end, b[j] != quote { j += 1 }
            let value = Array(b[valueStart..<j])
            if value == main2006 || value == strict {
                prefix = declared
                return
            }
            k = j + 1
        }
    }
}
