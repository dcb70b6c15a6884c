// The six section headings, in the forms reports write them: 一、总体情况 / 1、 总体情况 / 6、其他需要报告的事项,
// with or without numbering, with Word bookmark residue ([bookmark: _GoBack]) in front.

enum Headings {
    private static let keywords: [(section: Int, all: [StaticBytes])] = [
        (1, [StaticBytes("总体情况")]),
        (2, [StaticBytes("主动公开政府信息")]),
        (3, [StaticBytes("收到和处理政府信息公开申请")]),
        (4, [StaticBytes("行政复议"), StaticBytes("行政诉讼")]),
        (5, [StaticBytes("存在的主要问题")]),
        (6, [StaticBytes("其他需要报告的事项")]),
    ]
    private static let bookmark = StaticBytes("[bookmark:")
    private static let openParens = [StaticBytes("（"), StaticBytes("(")]
    private static let sentenceEnd = [StaticBytes("。"), StaticBytes("，"), StaticBytes("："), StaticBytes("；")]

    /// The section number (1…6) a paragraph is the heading of, or 0.
    static func section(_ b: Bytes, _ line: Span) -> Int {
        if line.count > 160 { return 0 }
        var span = line
        while UTF8Bytes.hasPrefix(b, span, bookmark) {
            var i = span.start
            while i < span.end && b[i] != 0x5D { i += 1 }  // ]
            span = UTF8Bytes.trim(b, Span(min(i + 1, span.end), span.end))
        }
        if span.isEmpty || span.count > 96 { return 0 }
        // Sub-numbered lines such as （一）… or (1) … are subsections, not section headings.
        for p in openParens where UTF8Bytes.hasPrefix(b, span, p) { return 0 }
        var found = 0
        let mask = UTF8Bytes.byteMask(b, span)
        for (section, all) in keywords {
            var matched = true
            for k in all where !UTF8Bytes.contains(b, span, mask: mask, k) {
                matched = false
                break
            }
            if matched {
                found = section
                break
            }
        }
        if found == 0 { return 0 }
        // A sentence that mentions a section's name is not its heading.
        for p in sentenceEnd where UTF8Bytes.contains(b, span, p) { return 0 }
        return found
    }

    static func looksLikeHeading(_ b: Bytes, _ line: Span) -> Bool { section(b, line) != 0 }
}
