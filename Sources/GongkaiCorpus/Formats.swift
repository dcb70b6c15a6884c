// A drafted report written as a .docx or as a saved government web page, with real tables: table 2 with
// colspans, table 3 with its three header rows and the rowspans of 三、本年度办理结果 / （三）不予公开 …,
// table 4 with its spanned header; cells written on two lines (商业 / 企业) as two paragraphs in the cell.
//
// The text renderer (Render.swift) draws the report once, in the one-cell-per-line layout; this reads that
// layout back into paragraphs and tables (its inverse, exact by construction) and writes them as
// WordprocessingML or HTML. PDF is not generated: it needs LibreOffice at generation time (see
// scripts/make-format-fixtures.py for how the PDF fixtures were made).

import Foundation
import GongkaiCore
import GongkaiDecode

/// The file formats the generator writes.
public enum DocumentFormat: String, Sendable, Hashable, CaseIterable {
    /// `pdf`: the generator gives the .docx bytes of the report; `gongkai corpus generate` converts them with
    /// LibreOffice (`soffice --headless --convert-to pdf`), where it is installed.
    case txt, docx, html, pdf

    public var fileExtension: String { rawValue }
}

// MARK: - Blocks

enum Block {
    case paragraph(String)
    /// Rows of cells; a cell is its lines.
    case table([[[String]]])
}

extension Draft {
    /// The report as paragraphs and tables (the same words and numbers as the text renderer writes).
    mutating func renderBlocks(_ rng: inout SeededRandom) -> [Block] {
        cellPerLine = true
        lineEnding = "\n"
        let text = render(&rng)
        var blocks: [Block] = []
        var rows: [[[String]]] = []
        var row: [[String]]? = nil
        var lastWasCell = false
        func endRow() {
            if let r = row { rows.append(r) }
            row = nil
        }
        func endTable() {
            endRow()
            if !rows.isEmpty { blocks.append(.table(rows)) }
            rows = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("\t") {
                if row == nil { row = [] }
                let content = String(line.dropFirst())
                row?.append(content.isEmpty ? [] : [content])
                lastWasCell = true
            } else if line.isEmpty {
                endRow()
                lastWasCell = false
            } else if lastWasCell, var r = row, !r.isEmpty {
                r[r.count - 1].append(String(line))  // the second line of a cell written on two lines
                row = r
            } else {
                endTable()
                lastWasCell = false
                let paragraph = line.replacingOccurrences(of: "[bookmark: _GoBack]", with: "")
                blocks.append(.paragraph(paragraph))
            }
        }
        endTable()
        return blocks
    }
}

// MARK: - Merged cells

/// A cell placed in a table grid.
struct GridCell {
    var lines: [String]
    var column: Int
    var colspan = 1
    var rowspan = 1
}

enum TableShape {
    static func cellText(_ lines: [String]) -> String { lines.joined() }

    /// Rows with merged cells as the State Council template draws them.
    static func grid(_ rows: [[[String]]]) -> (width: Int, rows: [[GridCell]]) {
        let all = rows.flatMap { $0 }.map(cellText)
        if all.contains("信息内容") { return table2(rows) }
        if all.contains("申请人情况") { return table3(rows) }
        if all.contains("行政复议"), all.contains("行政诉讼") { return table4(rows) }
        let width = rows.map(\.count).max() ?? 1
        return (width, rows.map { r in r.enumerated().map { GridCell(lines: $0.element, column: $0.offset) } })
    }

    /// Short rows end in a cell spanning the rest of the row.
    static func table2(_ rows: [[[String]]]) -> (Int, [[GridCell]]) {
        let width = rows.map(\.count).max() ?? 1
        return (width, rows.map { r in
            var cells = r.enumerated().map { GridCell(lines: $0.element, column: $0.offset) }
            if !cells.isEmpty, cells.count < width { cells[cells.count - 1].colspan = width - cells.count + 1 }
            return cells
        })
    }

    static func level(_ label: String) -> Int {
        let t = label.unicodeScalars
        guard let first = t.first else { return 2 }
        if "一二三四五六七八九十".unicodeScalars.contains(first) { return 0 }
        if first == "（" || first == "(" { return 1 }
        return 2
    }

    /// A 10-column grid: three label columns and seven values.
    static func table3(_ rows: [[[String]]]) -> (Int, [[GridCell]]) {
        guard let firstData = rows.firstIndex(where: { r in r.contains { cellText($0).contains("本年新收") } }) else {
            return (10, [])
        }
        let header = rows[..<firstData].flatMap { $0 }.filter { !$0.isEmpty }
        func find(_ name: String) -> [String] { header.first { cellText($0) == name } ?? [name] }
        let orgs = header.filter { ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"].contains(cellText($0)) }
        var grid: [[GridCell]] = [
            [GridCell(lines: header.first ?? [], column: 0, colspan: 3, rowspan: 3), GridCell(lines: find("申请人情况"), column: 3, colspan: 7)],
            [GridCell(lines: find("自然人"), column: 3, rowspan: 2), GridCell(lines: find("法人或其他组织"), column: 4, colspan: 5),
             GridCell(lines: find("总计"), column: 9, rowspan: 2)],
            orgs.enumerated().map { GridCell(lines: $0.element, column: 4 + $0.offset) },
        ]
        let data = rows[firstData...].map { r -> (labels: [[String]], values: [[String]]) in
            (r.dropLast(7).filter { !$0.isEmpty }, Array(r.suffix(7)))
        }
        for (i, row) in data.enumerated() {
            var cells: [GridCell] = []
            let levels = row.labels.map { level(cellText($0)) }
            for (label, lv) in zip(row.labels, levels) {
                switch lv {
                case 0 where levels.contains(1):
                    var span = 1
                    while i + span < data.count, !data[i + span].labels.contains(where: { level(cellText($0)) == 0 }) { span += 1 }
                    cells.append(GridCell(lines: label, column: 0, rowspan: span))
                case 0:
                    cells.append(GridCell(lines: label, column: 0, colspan: 3))
                case 1 where levels.contains(2):
                    var span = 1
                    while i + span < data.count, !data[i + span].labels.contains(where: { level(cellText($0)) < 2 }) { span += 1 }
                    cells.append(GridCell(lines: label, column: 1, rowspan: span))
                case 1:
                    cells.append(GridCell(lines: label, column: 1, colspan: 2))
                default:
                    cells.append(GridCell(lines: label, column: 2))
                }
            }
            cells += row.values.enumerated().map { GridCell(lines: $0.element, column: 3 + $0.offset) }
            grid.append(cells)
        }
        return (10, grid)
    }

    static func table4(_ rows: [[[String]]]) -> (Int, [[GridCell]]) {
        guard rows.count >= 4 else { return (15, rows.map { r in r.enumerated().map { GridCell(lines: $0.element, column: $0.offset) } }) }
        let second = rows[1].filter { !$0.isEmpty }
        let third = rows[2].filter { !$0.isEmpty }
        var grid: [[GridCell]] = [[GridCell(lines: rows[0][0], column: 0, colspan: 5), GridCell(lines: rows[0][1], column: 5, colspan: 10)]]
        var row2: [GridCell] = second.prefix(5).enumerated().map { GridCell(lines: $0.element, column: $0.offset, rowspan: 2) }
        if second.count >= 7 {
            row2.append(GridCell(lines: second[5], column: 5, colspan: 5))
            row2.append(GridCell(lines: second[6], column: 10, colspan: 5))
        }
        grid.append(row2)
        grid.append(third.enumerated().map { GridCell(lines: $0.element, column: 5 + $0.offset) })
        grid.append(rows[3].enumerated().map { GridCell(lines: $0.element, column: $0.offset) })
        return (15, grid)
    }

    /// For each row, the columns covered by a cell from an earlier row (rowspan) and where that cell starts.
    static func covered(_ grid: [[GridCell]]) -> [[Int: (colspan: Int, first: Bool)]] {
        var cover = [[Int: (colspan: Int, first: Bool)]](repeating: [:], count: grid.count)
        for (r, cells) in grid.enumerated() {
            for c in cells where c.rowspan > 1 {
                for dr in 1..<c.rowspan where r + dr < grid.count { cover[r + dr][c.column] = (c.colspan, false) }
            }
        }
        return cover
    }
}

// MARK: - Writers

enum FormatWriter {
    static func xml(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Column widths in twips (about 16 cm in all): wide label columns, narrow value columns.
    static func columnWidths(_ width: Int) -> [Int] {
        switch width {
        case 10: return [900, 1200, 2100] + Array(repeating: 700, count: 7)
        case 4: return [2200, 2300, 2300, 2300]
        default: return Array(repeating: 9000 / max(width, 1), count: width)
        }
    }

    /// A minimal valid .docx: [Content_Types].xml, _rels/.rels and word/document.xml with w:tbl tables
    /// (w:gridSpan, w:vMerge), paragraph properties with tab stops, text split over several runs.
    static func docx(_ blocks: [Block], rng: inout SeededRandom) -> [UInt8] {
        var body = ""
        func run(_ text: String, size: Int = 32) -> String {
            // Word splits text into runs at formatting and proofing boundaries.
            let scalars = Array(text.unicodeScalars)
            var parts: [String] = []
            if scalars.count > 6, rng.chance(0.5) {
                let cut = rng.int(1...(scalars.count - 1))
                parts = [String(String.UnicodeScalarView(scalars[..<cut])), String(String.UnicodeScalarView(scalars[cut...]))]
            } else {
                parts = [text]
            }
            return parts.map { "<w:r><w:rPr><w:rFonts w:hint=\"eastAsia\"/><w:sz w:val=\"\(size)\"/></w:rPr><w:t xml:space=\"preserve\">\(xml($0))</w:t></w:r>" }
                .joined(separator: rng.chance(0.3) ? "<w:proofErr w:type=\"spellStart\"/>" : "")
        }
        func paragraph(_ text: String, centred: Bool = false) -> String {
            let pPr = centred ? "<w:pPr><w:jc w:val=\"center\"/></w:pPr>"
                : "<w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"420\"/></w:tabs><w:ind w:firstLine=\"640\"/></w:pPr>"
            return "<w:p>\(pPr)\(text.isEmpty ? "" : run(text, size: centred ? 21 : 32))</w:p>"
        }
        for block in blocks {
            switch block {
            case .paragraph(let text):
                body += paragraph(text)
            case .table(let rows):
                let (width, grid) = TableShape.grid(rows)
                let cover = TableShape.covered(grid)
                body += "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/><w:jc w:val=\"center\"/><w:tblBorders>"
                    + "<w:top w:val=\"single\" w:sz=\"4\"/><w:left w:val=\"single\" w:sz=\"4\"/><w:bottom w:val=\"single\" w:sz=\"4\"/>"
                    + "<w:right w:val=\"single\" w:sz=\"4\"/><w:insideH w:val=\"single\" w:sz=\"4\"/><w:insideV w:val=\"single\" w:sz=\"4\"/>"
                    + "</w:tblBorders></w:tblPr><w:tblGrid>"
                    + columnWidths(width).map { "<w:gridCol w:w=\"\($0)\"/>" }.joined() + "</w:tblGrid>"
                for (r, cells) in grid.enumerated() {
                    body += "<w:tr>"
                    let byColumn = Dictionary(cells.map { ($0.column, $0) }, uniquingKeysWith: { a, _ in a })
                    var column = 0
                    while column < width {
                        if let c = byColumn[column] {
                            var tcPr = ""
                            if c.colspan > 1 { tcPr += "<w:gridSpan w:val=\"\(c.colspan)\"/>" }
                            if c.rowspan > 1 { tcPr += "<w:vMerge w:val=\"restart\"/>" }
                            let paragraphs = c.lines.isEmpty ? "<w:p/>" : c.lines.map { paragraph($0, centred: true) }.joined()
                            body += "<w:tc><w:tcPr><w:tcW w:w=\"0\" w:type=\"auto\"/>\(tcPr)<w:vAlign w:val=\"center\"/></w:tcPr>\(paragraphs)</w:tc>"
                            column += c.colspan
                        } else if let cov = cover[r][column] {
                            let span = cov.colspan > 1 ? "<w:gridSpan w:val=\"\(cov.colspan)\"/>" : ""
                            body += "<w:tc><w:tcPr>\(span)<w:vMerge/></w:tcPr><w:p/></w:tc>"
                            column += cov.colspan
                        } else {
                            body += "<w:tc><w:tcPr><w:tcW w:w=\"0\" w:type=\"auto\"/></w:tcPr><w:p/></w:tc>"
                            column += 1
                        }
                    }
                    body += "</w:tr>"
                }
                body += "</w:tbl>"
            }
        }
        let document = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
            + "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "
            + "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>"
            + body
            + "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\"/></w:sectPr>"
            + "</w:body></w:document>"
        let contentTypes = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
            + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
            + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
            + "</Types>"
        let rels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
            + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
            + "Target=\"word/document.xml\"/></Relationships>"
        return ZipWriter.archive([
            ("[Content_Types].xml", Array(contentTypes.utf8)), ("_rels/.rels", Array(rels.utf8)), ("word/document.xml", Array(document.utf8)),
        ]) ?? []
    }

    /// A page as a government site serves it: header, navigation, breadcrumb, the title above the article,
    /// the article (tables with rowspan/colspan, &nbsp; in blank cells, <br> in cells written on two lines),
    /// related links and a footer. `gbk`: encoded in GB18030 with <meta charset="gbk">.
    static func html(_ blocks: [Block], site: String, gbk: Bool, rng: inout SeededRandom) -> [UInt8] {
        var rest = blocks[...]
        var title = ""
        while case .paragraph(let p)? = rest.first, title.count < 80 {
            rest = rest.dropFirst()
            title += p.trimmingCharacters(in: .whitespaces)
            if p.contains("报告") { break }
        }
        func text(_ s: String) -> String {
            xml(s).replacingOccurrences(of: "\u{00A0}", with: "&nbsp;").replacingOccurrences(of: "\u{3000}", with: rng.chance(0.5) ? "&#12288;" : "\u{3000}")
        }
        var article = ""
        for block in rest {
            switch block {
            case .paragraph(let p):
                article += rng.chance(0.5) ? "<p style=\"text-indent:2em\">\(text(p))</p>\n"
                    : "<p class=\"MsoNormal\"><span style=\"font-family:仿宋_GB2312\">\(text(p))</span></p>\n"
            case .table(let rows):
                let (_, grid) = TableShape.grid(rows)
                article += "<table border=\"1\" cellspacing=\"0\" cellpadding=\"0\" style=\"border-collapse:collapse\">\n<tbody>\n"
                for cells in grid {
                    article += "<tr>"
                    for c in cells {
                        var attributes = ""
                        if c.colspan > 1 { attributes += " colspan=\"\(c.colspan)\"" }
                        if c.rowspan > 1 { attributes += " rowspan=\"\(c.rowspan)\"" }
                        let content = c.lines.isEmpty ? "&nbsp;" : c.lines.map(text).joined(separator: "<br>")
                        article += "<td\(attributes) valign=\"middle\">\(content)</td>"
                    }
                    article += "</tr>\n"
                }
                article += "</tbody>\n</table>\n"
            }
        }
        let charset = gbk ? "<meta charset=\"gbk\">" : "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
        let page = """
            <!DOCTYPE html>
            <html lang="zh-CN">
            <head>
            \(charset)
            <title>\(xml(title))_\(xml(site))</title>
            <link rel="stylesheet" href="/css/main.css">
            <script>var pageId = "ndbg"; if (a < b) { document.write("<p>一、总体情况</p>"); }</script>
            <style>.nav li { float: left; } /* 二、主动公开政府信息情况 */</style>
            </head>
            <body>
            <div class="top">欢迎访问\(xml(site))网站 <a href="/wza/">无障碍</a> | <a href="/m/">手机版</a></div>
            <div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>
            <div class="crumb">当前位置：<a href="/">首页</a>&nbsp;&gt;&nbsp;<a href="/zwgk/">政务公开</a>&nbsp;&gt;&nbsp;政府信息公开年报</div>
            <div class="main"><div class="left"><h3>信息公开</h3><ul><li>政府信息公开指南</li><li>政府信息公开制度</li><li>政府信息公开年报</li></ul></div>
            <div class="detail">
            <h1 class="title">\(xml(title))</h1>
            <div class="info">来源：\(xml(site))&nbsp;&nbsp;&nbsp;浏览次数：<span id="hits">\(rng.int(100...9999))</span></div>
            <div class="content" id="zoom">
            \(article)
            </div>
            <div class="tools"><a href="javascript:window.print()">【打印】</a><a href="javascript:window.close()">【关闭】</a></div>
            </div></div>
            <div class="footer"><p>主办：\(xml(site))办公室&nbsp;&nbsp;网站标识码：\(rng.int(1_000_000_000...9_999_999_999))</p><p>版权所有&copy;\(xml(site))</p></div>
            </body>
            </html>

            """
        if gbk { return GB18030.encode(Array(page.utf8)) ?? Array(page.utf8) }
        return Array(page.utf8)
    }
}

// MARK: - Choosing and writing a format

/// How a generated corpus divides its reports among file formats.
public struct FormatMix: Sendable, Hashable {
    /// Relative shares; formats with no share are not written.
    public var shares: [DocumentFormat: Double]

    public init(shares: [DocumentFormat: Double]) {
        self.shares = shares
    }

    /// Plain text only (the default, and what corpora were before formats existed).
    public static let textOnly = FormatMix(shares: [.txt: 1])

    /// The same share for each format listed.
    public static func equal(_ formats: [DocumentFormat]) -> FormatMix {
        FormatMix(shares: Dictionary(formats.map { ($0, 1.0) }, uniquingKeysWith: { a, _ in a }))
    }

    /// The format of report `index`, from its own random stream, so that a text-only corpus is the same
    /// byte for byte as before and adding formats does not change the reports' content.
    func pick(index: Int, seed: UInt64) -> DocumentFormat {
        let total = DocumentFormat.allCases.reduce(0.0) { $0 + max(0, shares[$1] ?? 0) }
        guard total > 0 else { return .txt }
        if shares.count == 1, let only = shares.first(where: { $0.value > 0 })?.key { return only }
        var rng = SeededRandom(seed: (seed ^ 0x00F0_12A7_5EED_F0F0) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index) &* 0xBF58_476D_1CE4_E5B9)
        var roll = Double(rng.next() >> 11) / Double(1 << 53) * total
        for format in DocumentFormat.allCases {
            let share = max(0, shares[format] ?? 0)
            if roll < share { return format }
            roll -= share
        }
        return DocumentFormat.allCases.last { (shares[$0] ?? 0) > 0 } ?? .txt
    }
}

extension Draft {
    /// The report as a .docx or .html file. The parser reads both to tab rows.
    mutating func generated(_ format: DocumentFormat, baseName: String, rng: inout SeededRandom) -> GeneratedReport {
        glued = false  // glued digits are a text-copy artefact; a .docx or web table has cells
        // Full-width digits make three-digit numbers wrap inside narrow PDF cells, which pdftotext cannot join back.
        if format == .pdf { fullWidthDigits = false }
        let blocks = renderBlocks(&rng)
        truth.layout = .tabRows
        let bytes: [UInt8]
        var encoding = "utf-8"
        switch format {
        case .docx, .pdf:
            bytes = FormatWriter.docx(blocks, rng: &rng)
        case .html:
            let gbk = rng.chance(0.25)
            if gbk { encoding = "gb18030" }
            bytes = FormatWriter.html(blocks, site: (truth.region ?? "") + "人民政府", gbk: gbk, rng: &rng)
        case .txt:
            bytes = Array(render(&rng).utf8)
        }
        let name = baseName + "." + format.fileExtension
        truth.source = name
        truth.encoding = encoding
        truth.format = format.rawValue
        return GeneratedReport(fileName: name, bytes: bytes, truth: truth, errors: errors, encoding: encoding,
                               lineEnding: "\n", layout: .tabRows, format: format, glued: false)
    }
}

extension FormatMix {
    /// Reads `txt,docx,html` (equal shares) or `txt=0.6,docx=0.2,html=0.2`; nil when a name or share is wrong.
    public init?(parsing text: String) {
        var shares: [DocumentFormat: Double] = [:]
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let name = parts.first, let format = DocumentFormat(rawValue: name.lowercased()) else { return nil }
            var share = 1.0
            if parts.count == 2 {
                guard let value = Double(parts[1]), value >= 0, value.isFinite else { return nil }
                share = value
            }
            shares[format, default: 0] += share
        }
        guard shares.values.contains(where: { $0 > 0 }) else { return nil }
        self.init(shares: shares)
    }
}
