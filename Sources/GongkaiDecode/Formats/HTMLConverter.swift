// HTML → normalised text, for reports as government sites serve them: the article among navigation,
// sidebars and footers; tables with rowspan/colspan (spanned positions become empty cells); <br> and <p>
// inside cells joined with no separator; &nbsp; kept as NBSP (the parser trims it); numeric and named
// entities; scripts, styles and the head skipped; the charset from the BOM or <meta charset>/http-equiv
// (GB2312/GBK/GB18030 through the GB18030 converter), else UTF-8 validity.
//
// The tokenizer and tree builder are hand-written and tolerant (no dependency exists for this): unclosed
// <p>/<li>/<td>/<tr>, stray end tags, end tags that would cross a table cell, unquoted attributes, comments
// left open, nesting deeper than `maxDepth`. The article is the smallest element holding most of the six
// section headings (一、总体情况 … 六、其他需要报告的事项); the report title, when it sits above the article
// (an <h1> over the content <div>), is taken from just before it, else from <title>.

import GongkaiCore

#if canImport(Glibc)
import Glibc
#endif

enum HTMLConverter {
    /// Elements nested deeper than this are read as text of their parent (no unbounded stacks).
    static let maxDepth = 256

    static func convert(_ bytes: [UInt8]) -> Result<ConvertedText, FormatFailure> {
        let (utf8, encoding) = decode(bytes)
        return convert(utf8: utf8, encoding: encoding)
    }

    static func convert(utf8: [UInt8], encoding: String) -> Result<ConvertedText, FormatFailure> {
        let text = utf8.withUnsafeBufferPointer { b -> [UInt8] in
            var document = HTMLDocument(b)
            document.build()
            var renderer = HTMLRenderer(document)
            renderer.render()
            return renderer.output()
        }
        return .success(ConvertedText(utf8: text, format: "html", encoding: encoding))
    }

    // MARK: Charset

    /// Bytes → UTF-8: a BOM decides, then a declared charset (<meta charset>, http-equiv, <?xml encoding>),
    /// then UTF-8 validity (with GB18030 as the fallback, as for text files).
    static func decode(_ bytes: [UInt8]) -> (utf8: [UInt8], encoding: String) {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            return (Array(bytes[3...]), "utf-8-bom")
        }
        if let declared = declaredCharset(bytes) {
            switch declared {
            case "gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "csgb2312", "gb_2312-80", "windows-936", "x-euc-cn":
                if let utf8 = GB18030.decode(bytes) { return (utf8, "gb18030") }
            case "utf-8", "utf8", "unicode-1-1-utf-8":
                if UTF8Check.scan(bytes).invalid == 0 { return (bytes, "utf-8") }
            case "big5", "big5-hkscs", "x-x-big5", "cp950":
                if let utf8 = GB18030.convert(bytes, from: "BIG5-HKSCS", to: "UTF-8") { return (utf8, "big5") }
            default:
                if declared.count <= 32, declared.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }),
                    let utf8 = GB18030.convert(bytes, from: declared.uppercased(), to: "UTF-8")
                {
                    return (utf8, declared)
                }
            }
        }
        switch TextDecoder.decode(bytes) {
        case .success(let decoded): return (decoded.utf8, decoded.encoding)
        case .failure: return (Array(String(decoding: bytes, as: UTF8.self).utf8), "utf-8-repaired")
        }
    }

    /// The charset named in the first 4 KiB: `<meta charset="…">`, `<meta http-equiv="Content-Type"
    /// content="text/html; charset=…">` or `<?xml … encoding="…"?>`, lowercased.
    static func declaredCharset(_ bytes: [UInt8]) -> String? {
        let n = min(bytes.count, 4096)
        var lower = [UInt8](repeating: 0, count: n)
        for i in 0..<n {
            let c = bytes[i]
            lower[i] = c >= 0x41 && c <= 0x5A ? c + 0x20 : c
        }
        func find(_ needle: [UInt8], from: Int, to: Int) -> Int? {
            var i = from
            while i + needle.count <= to {
                if lower[i] == needle[0], lower[i..<(i + needle.count)].elementsEqual(needle) { return i }
                i += 1
            }
            return nil
        }
        func value(after i: Int, to end: Int) -> String? {
            var k = i
            while k < end, lower[k] == 0x20 || lower[k] == 0x09 || lower[k] == 0x0A || lower[k] == 0x0D { k += 1 }
            guard k < end, lower[k] == 0x3D else { return nil }  // =
            k += 1
            while k < end, lower[k] == 0x20 || lower[k] == 0x22 || lower[k] == 0x27 || lower[k] == 0x09 { k += 1 }
            let start = k
            while k < end {
                let c = lower[k]
                let ok = (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x5F || c == 0x2E || c == 0x3A
                if !ok { break }
                k += 1
            }
            return k > start ? String(decoding: lower[start..<k], as: UTF8.self) : nil
        }
        if n > 5, lower[0..<5].elementsEqual(Array("<?xml".utf8)), let end = find([0x3F, 0x3E], from: 0, to: n),
            let at = find(Array("encoding".utf8), from: 0, to: end), let v = value(after: at + 8, to: end)
        {
            return v
        }
        var from = 0
        while let meta = find(Array("<meta".utf8), from: from, to: n) {
            let end = find([0x3E], from: meta, to: n) ?? n
            if let at = find(Array("charset".utf8), from: meta, to: end), let v = value(after: at + 7, to: end) { return v }
            from = end
        }
        return nil
    }
}

// MARK: - Tags

enum HTMLTag: UInt8 {
    case other
    case html, head, body, title, script, style, noscript, template, textarea, select, iframe, object, svg, math, xmp
    case br, p, div, table, tr, td, th, thead, tbody, tfoot, caption, colgroup, col
    case li, ul, ol, dl, dt, dd, h1, h2, h3, h4, h5, h6, section, article, header, footer, nav, aside, main
    case blockquote, pre, hr, center, form, address, figure, figcaption, fieldset, legend, details, summary, menu, dir
    case img, meta, link, input, area, base, wbr, source, embed, param, track, option, button, frameset, frame, noframes

    private static let byName: [UInt64: HTMLTag] = {
        var map: [UInt64: HTMLTag] = [:]
        let names: [(String, HTMLTag)] = [
            ("html", .html), ("head", .head), ("body", .body), ("title", .title), ("script", .script), ("style", .style),
            ("noscript", .noscript), ("template", .template), ("textarea", .textarea), ("select", .select),
            ("iframe", .iframe), ("object", .object), ("svg", .svg), ("math", .math), ("xmp", .xmp), ("br", .br), ("p", .p),
            ("div", .div), ("table", .table), ("tr", .tr), ("td", .td), ("th", .th), ("thead", .thead), ("tbody", .tbody),
            ("tfoot", .tfoot), ("caption", .caption), ("colgroup", .colgroup), ("col", .col), ("li", .li), ("ul", .ul),
            ("ol", .ol), ("dl", .dl), ("dt", .dt), ("dd", .dd), ("h1", .h1), ("h2", .h2), ("h3", .h3), ("h4", .h4),
            ("h5", .h5), ("h6", .h6), ("section", .section), ("article", .article), ("header", .header),
            ("footer", .footer), ("nav", .nav), ("aside", .aside), ("main", .main), ("blockquo", .blockquote),
            ("pre", .pre), ("hr", .hr), ("center", .center), ("form", .form), ("address", .address), ("figure", .figure),
            ("figcapti", .figcaption), ("fieldset", .fieldset), ("legend", .legend), ("details", .details),
            ("summary", .summary), ("menu", .menu), ("dir", .dir), ("img", .img), ("meta", .meta), ("link", .link),
            ("input", .input), ("area", .area), ("base", .base), ("wbr", .wbr), ("source", .source), ("embed", .embed),
            ("param", .param), ("track", .track), ("option", .option), ("button", .button), ("frameset", .frameset),
            ("frame", .frame), ("noframes", .noframes),
        ]
        for (name, tag) in names { map[pack(Array(name.utf8)[...])] = tag }
        return map
    }()

    /// A tag name's first 8 bytes, lowercased, as one integer (names are looked up without a String).
    static func pack(_ name: ArraySlice<UInt8>) -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        for c in name.prefix(8) {
            let l = c >= 0x41 && c <= 0x5A ? c + 0x20 : c
            v |= UInt64(l) << shift
            shift += 8
        }
        return v
    }

    static func lookup(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> HTMLTag {
        guard range.count <= 10 else { return .other }
        var v: UInt64 = 0
        var shift: UInt64 = 0
        for i in range.prefix(8) {
            let c = b[i]
            let l = c >= 0x41 && c <= 0x5A ? c + 0x20 : c
            v |= UInt64(l) << shift
            shift += 8
        }
        guard let tag = byName[v] else { return .other }
        // The two long names are stored by their first 8 bytes: check the length too.
        if tag == .blockquote || tag == .figcaption { return range.count == 10 ? tag : .other }
        return range.count <= 8 ? tag : .other
    }

    var isVoid: Bool {
        switch self {
        case .br, .hr, .img, .meta, .link, .input, .area, .base, .wbr, .source, .embed, .param, .track, .col, .frame: return true
        default: return false
        }
    }

    /// Content read as raw text up to the matching end tag.
    var isRawText: Bool {
        switch self {
        case .script, .style, .textarea, .title, .xmp, .noscript, .iframe, .noframes: return true
        default: return false
        }
    }

    /// Subtrees whose text is never the report (the head, form controls, embedded graphics).
    var isSkipped: Bool {
        switch self {
        case .head, .select, .svg, .math, .object, .template, .option, .frameset: return true
        default: return false
        }
    }

    /// Elements that break lines in running text.
    var isBlock: Bool {
        switch self {
        case .p, .div, .table, .tr, .td, .th, .thead, .tbody, .tfoot, .caption, .li, .ul, .ol, .dl, .dt, .dd, .h1, .h2,
            .h3, .h4, .h5, .h6, .section, .article, .header, .footer, .nav, .aside, .main, .blockquote, .pre, .hr, .center,
            .form, .address, .figure, .figcaption, .fieldset, .legend, .details, .summary, .menu, .dir, .body, .html:
            return true
        default: return false
        }
    }

    /// Starting one of these closes an open <p>.
    var closesParagraph: Bool {
        switch self {
        case .p, .div, .table, .ul, .ol, .dl, .h1, .h2, .h3, .h4, .h5, .h6, .section, .article, .header, .footer, .nav,
            .aside, .main, .blockquote, .pre, .hr, .center, .form, .address, .figure, .figcaption, .fieldset, .details,
            .menu, .dir, .li, .dd, .dt:
            return true
        default: return false
        }
    }

    var isCell: Bool { self == .td || self == .th }
    var isHeading: Bool { self.rawValue >= HTMLTag.h1.rawValue && self.rawValue <= HTMLTag.h6.rawValue }
}

// MARK: - Tree

/// The page as a flat list of events in document order (start, end, text), with one record per element.
struct HTMLDocument {
    struct Element {
        var tag: HTMLTag
        var parent: Int32
        var depth: Int32
        var rowspan: Int32 = 1
        var colspan: Int32 = 1
        /// Index of the start event; the end event index is set when the element closes.
        var startEvent: Int32 = 0
        var endEvent: Int32 = 0
        /// Tables: whether one holds another, and the most cells in a row (for frames).
        var nestedTable = false
        var maxCells: Int32 = 0
        /// Rows: cells so far.
        var cells: Int32 = 0
    }

    enum Event {
        case start(Int32)
        case end(Int32)
        /// Decoded text in `text[start..<end]`.
        case text(Int32, Int32)
    }

    let b: UnsafeBufferPointer<UInt8>
    var elements: [Element] = []
    var events: [Event] = []
    var text: [UInt8] = []
    var title: [UInt8] = []
    private var open: [Int32] = []

    init(_ b: UnsafeBufferPointer<UInt8>) {
        self.b = b
        elements.reserveCapacity(b.count / 40)
        events.reserveCapacity(b.count / 16)
        text.reserveCapacity(b.count / 3)
    }

    mutating func build() {
        let n = b.count
        var i = 0
        var textStart = 0
        while i < n {
            guard b[i] == 0x3C else {  // '<'
                i += 1
                continue
            }
            let next = i + 1 < n ? b[i + 1] : 0
            let isTag = isLetter(next) || next == 0x2F || next == 0x21 || next == 0x3F
            if !isTag {
                i += 1
                continue
            }
            addText(textStart, i)
            i = markup(at: i)
            textStart = i
        }
        addText(textStart, n)
        while let top = open.last { close(top) }
    }

    // MARK: Markup

    private mutating func markup(at i: Int) -> Int {
        let n = b.count
        let c = b[i + 1]
        if c == 0x21 {  // <!
            if i + 3 < n, b[i + 2] == 0x2D, b[i + 3] == 0x2D {  // <!-- … -->
                var k = i + 4
                while k + 2 < n {
                    if b[k] == 0x2D, b[k + 1] == 0x2D, b[k + 2] == 0x3E { return k + 3 }
                    if b[k] == 0x2D, b[k + 1] == 0x2D, b[k + 2] == 0x21, k + 3 < n, b[k + 3] == 0x3E { return k + 4 }
                    k += 1
                }
                return n
            }
            return indexAfter(0x3E, from: i + 2)  // <!DOCTYPE …>, <![if …]>, <![endif]>: bogus comments
        }
        if c == 0x3F { return indexAfter(0x3E, from: i + 2) }  // <?xml …?>
        let closing = c == 0x2F
        var k = closing ? i + 2 : i + 1
        let nameStart = k
        while k < n, !isNameEnd(b[k]) { k += 1 }
        let name = nameStart..<k
        let tagEnd = endOfTag(from: k)
        if name.isEmpty { return tagEnd }  // "</>" or "</ …>"
        let tag = HTMLTag.lookup(b, name)
        if closing {
            endTag(tag, name: name)
            return tagEnd
        }
        let attributes = k..<max(k, tagEnd - 1)
        if tag.isRawText {
            let contentEnd = rawTextEnd(name, from: tagEnd)
            if tag == .title, title.isEmpty { decode(tagEnd, contentEnd.contentEnd, into: &title) }
            return contentEnd.after
        }
        startTag(tag, attributes: attributes)
        return tagEnd
    }

    /// Where raw text (script, style, title…) ends: the matching `</name`, case-insensitive.
    private func rawTextEnd(_ name: Range<Int>, from i: Int) -> (contentEnd: Int, after: Int) {
        let n = b.count
        var k = i
        while k + 1 < n {
            if b[k] == 0x3C, b[k + 1] == 0x2F, k + 2 + name.count <= n {
                var match = true
                for (offset, j) in name.enumerated() {
                    let a = b[k + 2 + offset], e = b[j]
                    if (a | 0x20) != (e | 0x20) {
                        match = false
                        break
                    }
                }
                if match { return (k, endOfTag(from: k + 2 + name.count)) }
            }
            k += 1
        }
        return (n, n)
    }

    private mutating func startTag(_ tag: HTMLTag, attributes: Range<Int>) {
        // Implied end tags, as browsers apply them.
        if tag.closesParagraph { closeInScope(.p, boundary: .button) }
        switch tag {
        case .li: closeInScope(.li, boundary: .list)
        case .dt, .dd:
            closeInScope(.dt, boundary: .list)
            closeInScope(.dd, boundary: .list)
        case .tr: closeTableParts(upTo: [.table, .thead, .tbody, .tfoot], closing: [.td, .th, .tr])
        case .td, .th: closeTableParts(upTo: [.table, .tr, .thead, .tbody, .tfoot], closing: [.td, .th])
        case .thead, .tbody, .tfoot: closeTableParts(upTo: [.table], closing: [.td, .th, .tr, .thead, .tbody, .tfoot])
        case .h1, .h2, .h3, .h4, .h5, .h6:
            if let top = open.last, elements[Int(top)].tag.isHeading { close(top) }
        default: break
        }
        // Elements the renderer does not distinguish (span, font, a, strong, o:p, custom tags) are not
        // recorded: their end tags are ignored too, so that unclosed ones cannot pile up.
        if tag == .other { return }
        if tag.isVoid {
            if tag == .br || tag == .hr {
                // Recorded as an empty element: <br> breaks lines, <hr> is a block.
                let index = newElement(tag)
                close(index, pushed: false)
            }
            return
        }
        if open.count >= HTMLConverter.maxDepth { return }
        let index = newElement(tag)
        if tag.isCell {
            if let v = attribute(attributes, "rowspan") { elements[Int(index)].rowspan = Int32(clamping: max(1, min(v, 1000))) }
            if let v = attribute(attributes, "colspan") { elements[Int(index)].colspan = Int32(clamping: max(1, min(v, 1000))) }
            if let row = nearestOpen(.tr, boundary: .table) {
                elements[Int(row)].cells += elements[Int(index)].colspan
                if let table = nearestOpen(.table, boundary: nil) {
                    elements[Int(table)].maxCells = max(elements[Int(table)].maxCells, elements[Int(row)].cells)
                }
            } else if let table = nearestOpen(.table, boundary: nil) {
                elements[Int(table)].maxCells = max(elements[Int(table)].maxCells, 2)
            }
        }
        if tag == .table {
            for o in open where elements[Int(o)].tag == .table { elements[Int(o)].nestedTable = true }
        }
        open.append(index)
    }

    private mutating func newElement(_ tag: HTMLTag) -> Int32 {
        let index = Int32(elements.count)
        let parent = open.last ?? -1
        elements.append(Element(tag: tag, parent: parent, depth: Int32(open.count), startEvent: Int32(events.count)))
        events.append(.start(index))
        return index
    }

    private mutating func endTag(_ tag: HTMLTag, name: Range<Int>) {
        if tag == .br {  // </br> is read as <br>
            let index = newElement(.br)
            close(index, pushed: false)
            return
        }
        if tag == .other { return }  // unknown end tags close nothing (their start tags opened nothing either)
        // Find the element among the open ones; an end tag does not close across a table cell or table
        // unless it is a table end tag itself.
        let tableTag = tag == .td || tag == .th || tag == .tr || tag == .table || tag == .thead || tag == .tbody
            || tag == .tfoot || tag == .caption || tag == .body || tag == .html
        var k = open.count - 1
        while k >= 0 {
            let t = elements[Int(open[k])].tag
            if t == tag {
                while open.count > k { close(open[open.count - 1]) }
                return
            }
            if !tableTag && (t == .td || t == .th || t == .table || t == .caption) { return }
            if tableTag && t == .table && tag != .table && tag != .body && tag != .html { return }
            k -= 1
        }
    }

    private enum Scope { case button, list }

    private mutating func closeInScope(_ tag: HTMLTag, boundary: Scope) {
        var k = open.count - 1
        while k >= 0 {
            let t = elements[Int(open[k])].tag
            if t == tag {
                while open.count > k { close(open[open.count - 1]) }
                return
            }
            switch t {
            case .table, .td, .th, .caption, .html, .body, .button, .object: return
            case .ul where boundary == .list && tag == .li, .ol where boundary == .list && tag == .li: return
            case .dl where boundary == .list: return
            default: break
            }
            k -= 1
        }
    }

    private mutating func closeTableParts(upTo boundaries: [HTMLTag], closing: [HTMLTag]) {
        // Close open cells/rows back to the nearest boundary, but only if such a boundary is open.
        var k = open.count - 1
        var lowest = -1
        while k >= 0 {
            let t = elements[Int(open[k])].tag
            if boundaries.contains(t) { break }
            if closing.contains(t) { lowest = k }
            if t == .table { break }
            k -= 1
        }
        if lowest >= 0 { while open.count > lowest { close(open[open.count - 1]) } }
    }

    private func nearestOpen(_ tag: HTMLTag, boundary: HTMLTag?) -> Int32? {
        var k = open.count - 1
        while k >= 0 {
            let t = elements[Int(open[k])].tag
            if t == tag { return open[k] }
            if let boundary, t == boundary { return nil }
            k -= 1
        }
        return nil
    }

    private mutating func close(_ index: Int32, pushed: Bool = true) {
        if pushed, let last = open.last, last == index { open.removeLast() }
        elements[Int(index)].endEvent = Int32(events.count)
        events.append(.end(index))
    }

    // MARK: Text

    private mutating func addText(_ start: Int, _ end: Int) {
        guard end > start else { return }
        if let top = open.last, isInSkipped(top) { return }
        let from = text.count
        decode(start, end, into: &text)
        if text.count > from { events.append(.text(Int32(from), Int32(text.count))) }
    }

    private func isInSkipped(_ element: Int32) -> Bool {
        var e = element
        var steps = 0
        while e >= 0 && steps < HTMLConverter.maxDepth + 1 {
            if elements[Int(e)].tag.isSkipped { return true }
            e = elements[Int(e)].parent
            steps += 1
        }
        return false
    }

    private func decode(_ start: Int, _ end: Int, into out: inout [UInt8]) {
        var i = start
        var run = start
        while i < end {
            if b[i] == 0x26 {  // &
                if i > run { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[run..<i])) }
                // The common case first: &nbsp;
                if i + 5 < end, b[i + 1] == 0x6E, b[i + 2] == 0x62, b[i + 3] == 0x73, b[i + 4] == 0x70, b[i + 5] == 0x3B {
                    out.append(0xC2)
                    out.append(0xA0)
                    i += 6
                } else if let next = Entities.decode(b, i, end, html: true, into: &out) {
                    i = next
                } else {
                    out.append(0x26)
                    i += 1
                }
                run = i
                continue
            }
            i += 1
        }
        if end > run { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[run..<end])) }
    }

    // MARK: Scanning helpers

    @inline(__always)
    private func isLetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }

    @inline(__always)
    private func isNameEnd(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x3E || c == 0x2F || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C
    }

    private func indexAfter(_ byte: UInt8, from i: Int) -> Int {
        var k = i
        while k < b.count {
            if b[k] == byte { return k + 1 }
            k += 1
        }
        return b.count
    }

    /// After the `>` that ends a tag, skipping quoted attribute values (an unclosed quote ends at the next `>`
    /// after a newline, as browsers recover).
    private func endOfTag(from i: Int) -> Int {
        let n = b.count
        var k = i
        var quote: UInt8 = 0
        var quoteStart = 0
        while k < n {
            let c = b[k]
            if quote != 0 {
                if c == quote { quote = 0 }
                else if k - quoteStart > 4096 { quote = 0; k = quoteStart }  // a runaway quote: give up on it
            } else if c == 0x22 || c == 0x27 {
                // A quote only opens a value right after `=` (possibly with spaces).
                var j = k - 1
                while j >= i, b[j] == 0x20 || b[j] == 0x09 { j -= 1 }
                if j >= i, b[j] == 0x3D {
                    quote = c
                    quoteStart = k
                }
            } else if c == 0x3E {
                return k + 1
            } else if c == 0x3C, k > i {
                return k  // a new tag starts: this one was never closed
            }
            k += 1
        }
        return n
    }

    /// An integer attribute value (`rowspan="3"`, `colspan=2`), case-insensitive name.
    private func attribute(_ range: Range<Int>, _ name: StaticString) -> Int? {
        let nameBytes = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        var k = range.lowerBound
        let end = range.upperBound
        while k < end {
            while k < end, b[k] == 0x20 || b[k] == 0x09 || b[k] == 0x0A || b[k] == 0x0D || b[k] == 0x2F { k += 1 }
            let nameStart = k
            while k < end, b[k] != 0x3D, b[k] != 0x20, b[k] != 0x09, b[k] != 0x0A, b[k] != 0x0D, b[k] != 0x2F { k += 1 }
            let attrName = nameStart..<k
            while k < end, b[k] == 0x20 || b[k] == 0x09 { k += 1 }
            var valueRange = k..<k
            if k < end, b[k] == 0x3D {
                k += 1
                while k < end, b[k] == 0x20 || b[k] == 0x09 { k += 1 }
                if k < end, b[k] == 0x22 || b[k] == 0x27 {
                    let quote = b[k]
                    k += 1
                    let vs = k
                    while k < end, b[k] != quote { k += 1 }
                    valueRange = vs..<k
                    k += 1
                } else {
                    let vs = k
                    while k < end, b[k] != 0x20, b[k] != 0x09, b[k] != 0x0A, b[k] != 0x0D { k += 1 }
                    valueRange = vs..<k
                }
            }
            if attrName.count == nameBytes.count,
                zip(attrName, nameBytes).allSatisfy({ (b[$0.0] | 0x20) == $0.1 })
            {
                var v = 0
                var digits = 0
                for j in valueRange {
                    let c = b[j]
                    if c == 0x20 && digits == 0 { continue }
                    guard c >= 0x30 && c <= 0x39 else { break }
                    if v < 100_000 { v = v * 10 + Int(c - 0x30) }
                    digits += 1
                }
                return digits > 0 ? v : nil
            }
            if k == nameStart { k += 1 }
        }
        return nil
    }
}

// MARK: - Rendering

/// Walks the events into paragraphs and table rows, then keeps those of the article.
struct HTMLRenderer {
    enum Item {
        case paragraph([UInt8], owner: Int32)
        case row([[UInt8]], owner: Int32)
        case tableEnd(owner: Int32)
    }

    private let doc: HTMLDocument
    private var items: [Item] = []
    private var line: [UInt8] = []
    private var pendingSpace = false
    /// Block elements open around the text, innermost last (the owner of a paragraph).
    private var blocks: [Int32] = []
    private struct TableState {
        var element: Int32
        var grid = TableGrid()
        var row: [TableGrid.Cell]? = nil
        var cellOpen = false
        var cellSpan: (Int, Int) = (1, 1)
    }
    private var tables: [TableState] = []
    /// The text of the open cell (data tables never hold other tables, so one buffer serves).
    private var cellText: [UInt8] = []

    init(_ doc: HTMLDocument) {
        self.doc = doc
        items.reserveCapacity(256)
        line.reserveCapacity(512)
        cellText.reserveCapacity(256)
    }

    private func isDataTable(_ e: Int32) -> Bool {
        let element = doc.elements[Int(e)]
        return !element.nestedTable && element.maxCells > 1
    }

    mutating func render() {
        var skipping = 0  // depth inside skipped subtrees
        for event in doc.events {
            switch event {
            case .start(let e):
                let tag = doc.elements[Int(e)].tag
                if skipping > 0 || tag.isSkipped {
                    skipping += 1
                    continue
                }
                start(e, tag)
            case .end(let e):
                let tag = doc.elements[Int(e)].tag
                if skipping > 0 {
                    skipping -= 1
                    continue
                }
                end(e, tag)
            case .text(let s, let t):
                if skipping > 0 { continue }
                appendText(Int(s), Int(t))
            }
        }
        flushLine()
        while !tables.isEmpty { endTable() }
    }

    private var inCell: Bool { !tables.isEmpty && tables[tables.count - 1].cellOpen }

    private mutating func start(_ e: Int32, _ tag: HTMLTag) {
        if tag == .table, isDataTable(e) {
            if inCell {
                // A data table inside a data table's cell (nesting was capped): read it as the cell's text.
                return
            }
            flushLine()
            tables.append(TableState(element: e))
            return
        }
        if let top = tables.last, top.element != e {
            switch tag {
            case .tr:
                endRow()
                tables[tables.count - 1].row = []
                return
            case .td, .th:
                endCell()
                let element = doc.elements[Int(e)]
                if tables[tables.count - 1].row == nil { tables[tables.count - 1].row = [] }
                tables[tables.count - 1].cellOpen = true
                tables[tables.count - 1].cellSpan = (Int(element.colspan), Int(element.rowspan))
                cellText.removeAll(keepingCapacity: true)
                pendingSpace = false
                return
            case .caption:
                return
            default:
                if inCell { return }  // blocks and <br> inside a cell: no separator
            }
        }
        if tag == .br {
            flushLine()
            return
        }
        if tag.isBlock {
            flushLine()
            blocks.append(e)
        }
    }

    private mutating func end(_ e: Int32, _ tag: HTMLTag) {
        if let top = tables.last {
            if top.element == e {
                endTable()
                return
            }
            switch tag {
            case .tr: endRow(); return
            case .td, .th: endCell(); return
            case .caption:
                if !inCell { flushLine() }
                return
            default:
                if inCell || tag == .br { return }
            }
        }
        if tag.isBlock {
            flushLine()
            if let last = blocks.last, last == e { blocks.removeLast() }
            else if let k = blocks.lastIndex(of: e) { blocks.removeSubrange(k...) }
        }
    }

    private mutating func endCell() {
        guard !tables.isEmpty, tables[tables.count - 1].cellOpen else { return }
        let span = tables[tables.count - 1].cellSpan
        tables[tables.count - 1].cellOpen = false
        var row = tables[tables.count - 1].row ?? []
        tables[tables.count - 1].row = nil
        row.append(TableGrid.Cell(text: cellText, colspan: span.0, rowspan: span.1))
        tables[tables.count - 1].row = row
        cellText.removeAll(keepingCapacity: true)
        pendingSpace = false
    }

    private mutating func endRow() {
        endCell()
        guard !tables.isEmpty, let row = tables[tables.count - 1].row else { return }
        tables[tables.count - 1].row = nil
        tables[tables.count - 1].grid.rows.append(row)
    }

    private mutating func endTable() {
        endRow()
        guard let table = tables.popLast() else { return }
        for row in table.grid.expanded(maxSpan: 64) { items.append(.row(row, owner: table.element)) }
        items.append(.tableEnd(owner: table.element))
        pendingSpace = false
    }

    /// Appends text with HTML whitespace collapsing; a collapsed space between two CJK characters is dropped
    /// (a line break in the source between 商业 and 企业 is not a space in the text).
    private mutating func appendText(_ start: Int, _ end: Int) {
        let cell = inCell
        let source = doc.text  // one reference, not a copy of the whole document inside the closure
        source.withUnsafeBufferPointer { text in
            var i = start
            while i < end {
                let c = text[i]
                if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C {
                    pendingSpace = true
                    i += 1
                    continue
                }
                var j = i + 1
                while j < end {
                    let d = text[j]
                    if d == 0x20 || d == 0x09 || d == 0x0A || d == 0x0D || d == 0x0C { break }
                    j += 1
                }
                let run = UnsafeBufferPointer(rebasing: text[i..<j])
                if cell {
                    if pendingSpace, !cellText.isEmpty, !(Self.endsWide(cellText) && Self.startsWide(run)) { cellText.append(0x20) }
                    cellText.append(contentsOf: run)
                } else {
                    if pendingSpace, !line.isEmpty, !(Self.endsWide(line) && Self.startsWide(run)) { line.append(0x20) }
                    line.append(contentsOf: run)
                }
                pendingSpace = false
                i = j
            }
        }
    }

    /// CJK ideographs, CJK and full-width punctuation (3-byte UTF-8 from U+2E80 to U+FFEF).
    private static func endsWide(_ bytes: [UInt8]) -> Bool {
        let n = bytes.count
        guard n >= 3 else { return false }
        let lead = bytes[n - 3]
        return lead >= 0xE2 && lead <= 0xEF && bytes[n - 2] & 0xC0 == 0x80 && (lead > 0xE2 || bytes[n - 2] >= 0xBA)
    }

    private static func startsWide(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 3 else { return false }
        let lead = bytes[0]
        return lead >= 0xE2 && lead <= 0xEF && (lead > 0xE2 || bytes[1] >= 0xBA)
    }

    private mutating func flushLine() {
        pendingSpace = false
        if line.isEmpty { return }
        items.append(.paragraph(line, owner: blocks.last ?? -1))
        line.removeAll(keepingCapacity: true)
    }

    // MARK: Article

    /// The text of the article, with its title in front when the title sits outside it.
    func output() -> [UInt8] {
        var out = TabText(capacity: doc.text.count)
        let (first, last) = articleRange()
        if first <= last, !hasTitle(items[first...last]) , let title = titleBefore(first) {
            out.paragraph(title)
        }
        guard first <= last else { return out.bytes }
        for item in items[first...last] {
            switch item {
            case .paragraph(let text, _): out.paragraph(text)
            case .row(let cells, _): out.row(cells)
            case .tableEnd: out.blankLine()
            }
        }
        return out.bytes
    }

    private func owner(_ item: Item) -> Int32 {
        switch item {
        case .paragraph(_, let o), .row(_, let o), .tableEnd(let o): return o
        }
    }

    /// The items of the smallest element that holds the most section headings (all items when fewer than
    /// two headings are found anywhere).
    private func articleRange() -> (Int, Int) {
        guard !items.isEmpty else { return (0, -1) }
        var masks = [UInt8](repeating: 0, count: doc.elements.count)
        var any = false
        for item in items {
            guard case .paragraph(let text, let o) = item else { continue }
            let section = HeadingMatcher.section(text)
            guard section > 0 else { continue }
            any = true
            var e = o
            var steps = 0
            while e >= 0 && steps <= HTMLConverter.maxDepth {
                masks[Int(e)] |= 1 << UInt8(section - 1)
                e = doc.elements[Int(e)].parent
                steps += 1
            }
        }
        guard any else { return (0, items.count - 1) }
        var best: Int32 = -1
        var bestCount = 0
        var bestDepth: Int32 = -1
        for (index, mask) in masks.enumerated() where mask != 0 {
            let count = mask.nonzeroBitCount
            let depth = doc.elements[index].depth
            if count > bestCount || (count == bestCount && depth > bestDepth) {
                best = Int32(index)
                bestCount = count
                bestDepth = depth
            }
        }
        guard bestCount >= 2, best >= 0 else { return (0, items.count - 1) }
        let element = doc.elements[Int(best)]
        let lo = element.startEvent, hi = element.endEvent
        func inside(_ o: Int32) -> Bool {
            o >= 0 && doc.elements[Int(o)].startEvent >= lo && doc.elements[Int(o)].startEvent <= hi
        }
        guard let first = items.firstIndex(where: { inside(owner($0)) }),
            let last = items.lastIndex(where: { inside(owner($0)) })
        else { return (0, items.count - 1) }
        return (first, last)
    }

    private static let reportWord = Array("报告".utf8)

    /// A report title: short, names a report, and is not a sentence (an introduction that mentions the
    /// report, 根据《条例》…现公布…年度报告。, is not the title).
    private static func isTitle(_ text: [UInt8]) -> Bool {
        text.count <= 180 && HeadingMatcher.contains(text, reportWord) && !HeadingMatcher.contains(text, Array("。".utf8))
            && !HeadingMatcher.contains(text, Array("，".utf8))
    }

    /// Whether the article's first paragraphs (before its first heading) already state the title.
    private func hasTitle(_ slice: ArraySlice<Item>) -> Bool {
        for item in slice.prefix(6) {
            guard case .paragraph(let text, _) = item else { continue }
            if HeadingMatcher.section(text) > 0 { return false }
            if Self.isTitle(text) { return true }
        }
        return false
    }

    /// The nearest short paragraph above the article that names a report, else the page <title> (the part
    /// of it that names a report, without the site name).
    private func titleBefore(_ first: Int) -> [UInt8]? {
        var k = first - 1
        var looked = 0
        while k >= 0 && looked < 16 {
            if case .paragraph(let text, _) = items[k] {
                looked += 1
                if Self.isTitle(text), HeadingMatcher.contains(text, Array("年".utf8)) {
                    return text
                }
            }
            k -= 1
        }
        guard !doc.title.isEmpty else { return nil }
        // "XX局2022年政府信息公开工作年度报告_XX市人民政府网": keep the part that names the report.
        var parts: [[UInt8]] = [[]]
        let title = String(decoding: doc.title, as: UTF8.self)
        for scalar in title.unicodeScalars {
            if "_|｜-—–".unicodeScalars.contains(scalar) { parts.append([]) } else { UTF8.encode(scalar) { parts[parts.count - 1].append($0) } }
        }
        return parts.first { HeadingMatcher.contains($0, Self.reportWord) } ?? nil
    }
}

/// Section headings as the article finder sees them (a short line naming one of the six sections).
enum HeadingMatcher {
    private static let keywords: [(Int, [[UInt8]])] = [
        (1, [Array("总体情况".utf8)]), (2, [Array("主动公开政府信息".utf8)]), (3, [Array("收到和处理政府信息公开申请".utf8)]),
        (4, [Array("行政复议".utf8), Array("行政诉讼".utf8)]), (5, [Array("存在的主要问题".utf8)]),
        (6, [Array("其他需要报告的事项".utf8)]),
    ]
    private static let sentenceMarks: [[UInt8]] = ["。", "；", "，"].map { Array($0.utf8) }

    static func section(_ text: [UInt8]) -> Int {
        guard text.count <= 120 else { return 0 }
        for (section, words) in keywords where words.allSatisfy({ contains(text, $0) }) {
            for mark in sentenceMarks where contains(text, mark) { return 0 }
            return section
        }
        return 0
    }

    static func contains(_ text: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= text.count, let first = needle.first else { return false }
        return text.withUnsafeBufferPointer { t in
            needle.withUnsafeBufferPointer { n in
                guard let tb = t.baseAddress, let nb = n.baseAddress else { return false }
                var i = 0
                let last = t.count - n.count
                while i <= last {
                    guard let found = memchr(tb + i, Int32(first), last - i + 1) else { return false }
                    i = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - tb
                    if memcmp(tb + i, nb, n.count) == 0 { return true }
                    i += 1
                }
                return false
            }
        }
    }
}
