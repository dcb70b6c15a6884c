// Figures the running text states: 主动公开 199 条, 收到申请 9 件, 行政复议 2 件, 行政处罚 4 件, 收取费用 0 元.
// Works clause by clause (split at 。，；,;) on UTF-8 bytes; numbers followed by 年/月/日 are dates, not figures.

enum NarrativeReader {
    /// The needles, loaded once per document rather than once per clause.
    struct Keywords {
        let proactive = NarrativeReader.proactive
        let received = NarrativeReader.received
        let application = NarrativeReader.application
        let review = NarrativeReader.review
        let litigation = NarrativeReader.litigation
        let penalty = NarrativeReader.penalty
        let licence = NarrativeReader.licence
        let adminFee = NarrativeReader.adminFee
        let charge = NarrativeReader.charge
        let chargeFee = NarrativeReader.chargeFee
        let fee = NarrativeReader.fee
        let negations = NarrativeReader.negations
        let unitItems = NarrativeReader.unitItems
        let unitCases = NarrativeReader.unitCases
        let unitMoney = NarrativeReader.unitMoney
    }

    private static let proactive = StaticBytes("主动公开")
    private static let received = StaticBytes("收到")
    private static let application = StaticBytes("申请")
    private static let review = StaticBytes("行政复议")
    private static let litigation = StaticBytes("行政诉讼")
    private static let penalty = StaticBytes("行政处罚")
    private static let licence = StaticBytes("行政许可")
    private static let adminFee = StaticBytes("行政事业性收费")
    private static let charge = StaticBytes("收取")
    private static let chargeFee = StaticBytes("收费")
    private static let fee = StaticBytes("费")
    private static let negations: [StaticBytes] = ["未", "无", "没有", "不存在"].map(StaticBytes.init)

    private static let unitItems: [StaticBytes] = ["条"].map(StaticBytes.init)
    private static let unitCases: [StaticBytes] = ["件", "项", "起", "宗", "例", "个"].map(StaticBytes.init)
    private static let unitMoney: [StaticBytes] = ["万元", "元"].map(StaticBytes.init)

    static func read(_ b: Bytes, paragraphs: [Span]) -> Narrative {
        var n = Narrative()
        let k = Keywords()
        for p in paragraphs {
            var clauseStart = p.start
            // Only a clause with a digit or a negation (未, 无, 没有) can state a figure.
            var hasDigitOrNegation = false
            var i = p.start
            while i <= p.end {
                var breakLength = 0
                if i < p.end {
                    let c = b[i]
                    if c == 0x2C || c == 0x3B {  // , ;
                        breakLength = 1
                    } else if c < 0x80 {
                        if c >= 0x30 && c <= 0x39 { hasDigitOrNegation = true }
                        i += 1
                        continue
                    } else if c == 0xEF || c == 0xE3 {
                        // ，；！？：are EF BC xx; 。 is E3 80 82; full-width digits are EF BC 90…99.
                        breakLength = clauseBreakLength(b, i, p.end)
                        if breakLength == 0 {
                            if c == 0xEF, i + 2 < p.end, b[i + 1] == 0xBC, b[i + 2] >= 0x90, b[i + 2] <= 0x99 { hasDigitOrNegation = true }
                            i = afterContinuationBytes(b, i + 1, p.end)
                            continue
                        }
                    } else {
                        // 未 E6 9C AA, 无 E6 97 A0, 没 E6 B2 A1
                        if c == 0xE6, i + 2 < p.end {
                            let m = b[i + 1], l = b[i + 2]
                            if (m == 0x9C && l == 0xAA) || (m == 0x97 && l == 0xA0) || (m == 0xB2 && l == 0xA1) { hasDigitOrNegation = true }
                        }
                        // Most of the text: a three-byte character, stepped over whole.
                        if c >= 0xE0, i + 2 < p.end, b[i + 1] & 0xC0 == 0x80, b[i + 2] & 0xC0 == 0x80 {
                            i += 3
                        } else {
                            i = afterContinuationBytes(b, i + 1, p.end)
                        }
                        continue
                    }
                }
                let clause = Span(clauseStart, i)
                if hasDigitOrNegation && clause.count >= 6 { readClause(b, clause, k, into: &n) }
                hasDigitOrNegation = false
                if i == p.end { break }
                i += breakLength
                clauseStart = i
            }
        }
        return n
    }

    /// The length of the clause break at `i` (。 E3 80 82, or ，；！？：EF BC 8C/9B/81/9F/9A), or 0.
    @inline(__always)
    private static func clauseBreakLength(_ b: Bytes, _ i: Int, _ end: Int) -> Int {
        guard i + 3 <= end else { return 0 }
        let c = b[i], m = b[i + 1], l = b[i + 2]
        if c == 0xEF && m == 0xBC && (l == 0x8C || l == 0x9B || l == 0x81 || l == 0x9F || l == 0x9A) { return 3 }
        if c == 0xE3 && m == 0x80 && l == 0x82 { return 3 }
        return 0
    }

    /// The index after the UTF-8 continuation bytes (10xxxxxx) from `i` on. None of them is a break, a digit or
    /// the lead byte of a negation, so the scan steps over them whether or not the text is well formed.
    @inline(__always)
    private static func afterContinuationBytes(_ b: Bytes, _ i: Int, _ end: Int) -> Int {
        var i = i
        while i < end && b[i] & 0xC0 == 0x80 { i += 1 }
        return i
    }

    private static func readClause(_ b: Bytes, _ c: Span, _ k: Keywords, into n: inout Narrative) {
        if n.proactiveItems == nil, let at = UTF8Bytes.find(b, c, k.proactive) {
            n.proactiveItems = figure(b, Span(at, c.end), units: k.unitItems, money: false)?.micros.wholeValue
        }
        if n.applicationsReceived == nil, let at = UTF8Bytes.find(b, c, k.received), UTF8Bytes.contains(b, Span(at, c.end), k.application) {
            if let f = figure(b, Span(at, c.end), units: k.unitCases, money: false) {
                n.applicationsReceived = f.micros.wholeValue
            } else if negated(b, Span(c.start, at + k.received.count), k) {
                n.applicationsReceived = 0
            }
        }
        let reviewAt = UTF8Bytes.find(b, c, k.review)
        let litigationAt = UTF8Bytes.find(b, c, k.litigation)
        if n.reviews == nil, let at = reviewAt {
            if let f = figure(b, Span(at, c.end), units: k.unitCases, money: false) { n.reviews = f.micros.wholeValue }
            else if negated(b, Span(c.start, at), k) { n.reviews = 0 }
        }
        if n.lawsuits == nil, let at = litigationAt {
            if let f = figure(b, Span(at, c.end), units: k.unitCases, money: false) { n.lawsuits = f.micros.wholeValue }
            else if negated(b, Span(c.start, at), k) || (reviewAt.map { negated(b, Span(c.start, $0), k) } ?? false) { n.lawsuits = 0 }
        }
        if n.penalties == nil, let at = UTF8Bytes.find(b, c, k.penalty), let f = figure(b, Span(at, c.end), units: k.unitCases, money: false) {
            n.penalties = f.micros.wholeValue
        }
        if n.licences == nil, let at = UTF8Bytes.find(b, c, k.licence), let f = figure(b, Span(at, c.end), units: k.unitCases, money: false) {
            n.licences = f.micros.wholeValue
        }
        if let at = UTF8Bytes.find(b, c, k.adminFee) {
            if n.adminFees == nil, let f = figure(b, Span(at, c.end), units: k.unitMoney, money: true) { n.adminFees = f.amount }
        } else if n.processingFees == nil {
            let at = UTF8Bytes.find(b, c, k.charge) ?? UTF8Bytes.find(b, c, k.chargeFee)
            if let at, UTF8Bytes.contains(b, Span(at, c.end), k.fee) {
                if let f = figure(b, Span(at, c.end), units: k.unitMoney, money: true) { n.processingFees = f.amount }
                else if negated(b, Span(c.start, at), k) { n.processingFees = Amount(micros: 0) }
            }
        }
    }

    private static func negated(_ b: Bytes, _ span: Span, _ k: Keywords) -> Bool {
        for w in k.negations where UTF8Bytes.contains(b, span, w) { return true }
        return false
    }

    struct Figure {
        var micros: Int64
        var amount: Amount
    }

    /// The first number in `span` that is followed by one of `units` (and not by 年/月/日/%).
    private static func figure(_ b: Bytes, _ span: Span, units: [StaticBytes], money: Bool) -> Figure? {
        var i = span.start
        while i < span.end {
            guard let (micros, end) = number(b, i, span.end) else {
                i += 1
                continue
            }
            var j = end
            while j < span.end, b[j] == 0x20 { j += 1 }
            for (index, u) in units.enumerated() where UTF8Bytes.hasPrefix(b, Span(j, span.end), u) {
                // Money: 万元 (index 0) as written, 元 converted to 万元.
                let amount = money && index == 1 ? Amount(micros: micros / 10_000) : Amount(micros: micros)
                return Figure(micros: micros, amount: amount)
            }
            i = end
        }
        return nil
    }

    /// A number (ASCII or full-width digits, `,` separators, one decimal point) starting exactly at `i`.
    private static func number(_ b: Bytes, _ i: Int, _ end: Int) -> (Int64, Int)? {
        var k = i
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var digits = 0
        var inFraction = false
        while k < end {
            let c = b[k]
            var d: Int64 = -1
            var step = 1
            if c >= 0x30 && c <= 0x39 { d = Int64(c - 0x30) }
            else if c == 0xEF, k + 2 < end, b[k + 1] == 0xBC, b[k + 2] >= 0x90, b[k + 2] <= 0x99 { d = Int64(b[k + 2] - 0x90); step = 3 }
            else if c == 0x2C, digits > 0, !inFraction, k + 1 < end, b[k + 1] >= 0x30, b[k + 1] <= 0x39 { k += 1; continue }
            else if c == 0x2E, digits > 0, !inFraction, k + 1 < end, b[k + 1] >= 0x30, b[k + 1] <= 0x39 { inFraction = true; k += 1; continue }
            else { break }
            if digits == 0 && k > 0 && i == k {
                // Do not start in the middle of a number.
                let p = b[k - 1]
                if p >= 0x30 && p <= 0x39 { return nil }
            }
            if inFraction {
                if fractionDigits < 6 { fraction = fraction * 10 + d; fractionDigits += 1 }
            } else {
                if whole > 900_000_000_000 { return nil }
                whole = whole * 10 + d
            }
            digits += 1
            k += step
        }
        guard digits > 0 else { return nil }
        while fractionDigits < 6 { fraction *= 10; fractionDigits += 1 }
        return (whole * 1_000_000 + fraction, k)
    }
}

extension Int64 {
    /// Whole units of a value held in millionths.
    var wholeValue: Int64 { self / 1_000_000 }
}
