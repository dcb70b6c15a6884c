// Agency, year, region and publication date from the title and the sign-off.

enum Metadata {
    struct Title {
        var year: Int?
        var agency: String?
    }

    /// `硚口区人力资源局2022年政府信息公开工作年度报告` → (2022, 硚口区人力资源局);
    /// `2022年度XX市人民政府政府信息公开工作年度报告` → (2022, XX市人民政府).
    static func fromTitle(_ raw: String) -> Title {
        let scalars = withoutSpaces(raw)
        var result = Title()
        guard let (yearStart, yearEnd, year) = findYear(scalars) else { return result }
        result.year = year
        var agency = string(scalars[0..<yearStart])
        if agency.isEmpty {
            // Year first: the agency sits between 年(度) and 政府信息公开 / 信息公开.
            var after = yearEnd
            if after < scalars.count, scalars[after] == "度" { after += 1 }
            let rest = Array(scalars[after...])
            for marker in agencyEndMarkers {
                if let at = index(of: marker, in: rest) {
                    agency = string(rest[0..<at])
                    break
                }
            }
        }
        for prefix in ["关于", "《"] where agency.hasPrefix(prefix) { agency.removeFirst(prefix.count) }
        if agency.hasSuffix("的") { agency.removeLast() }
        result.agency = agency.isEmpty ? nil : agency
        return result
    }

    private static let agencyEndMarkers: [[Unicode.Scalar]] = ["政府信息公开", "信息公开"].map { Array($0.unicodeScalars) }

    private static func index(of needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        for i in 0...(haystack.count - needle.count) where matches(needle, in: haystack, at: i) { return i }
        return nil
    }

    /// The first `19xx年`/`20xx年` in a text.
    static func firstYear(in text: String) -> Int? {
        let scalars = withoutSpaces(text)
        return findYear(scalars)?.2
    }

    private static func findYear(_ s: [Unicode.Scalar]) -> (Int, Int, Int)? {
        var i = 0
        while i + 4 < s.count {
            if let y = fourDigits(s, i), (1990...2100).contains(y), s[i + 4] == "年", i == 0 || digit(s[i - 1]) == nil {
                return (i, i + 5, y)
            }
            i += 1
        }
        return nil
    }

    private static func fourDigits(_ s: [Unicode.Scalar], _ i: Int) -> Int? {
        var v = 0
        for k in 0..<4 {
            guard let d = digit(s[i + k]) else { return nil }
            v = v * 10 + d
        }
        return v
    }

    /// The text's scalars, spaces left out.
    private static func withoutSpaces(_ text: String) -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars where !isSpace(c) { scalars.append(c) }
        return scalars
    }

    /// A String of scalars, encoded once (appending to a String's scalar view goes scalar by scalar).
    private static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(scalars.count * 3)
        for c in scalars { UTF8.encode(c) { utf8.append($0) } }
        return String(decoding: utf8, as: UTF8.self)
    }

    static func digit(_ c: Unicode.Scalar) -> Int? {
        switch c.value {
        case 0x30...0x39: return Int(c.value - 0x30)
        case 0xFF10...0xFF19: return Int(c.value - 0xFF10)
        default: return nil
        }
    }

    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c.value == 0xA0 || c.value == 0x3000 || c.value == 0xFEFF
    }

    private static let chineseDigits: [Unicode.Scalar: Int] = [
        "〇": 0, "○": 0, "零": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    ]

    /// A date such as `2023年1月5日`, `2023-01-05`, `2023.1.5`, `2023/1/5` or `二〇二三年一月五日`.
    static func date(in text: String) -> ReportDate? {
        let s = withoutSpaces(text)
        var i = 0
        while i < s.count {
            if let (y, next) = readYear(s, i), let date = readMonthDay(s, next, year: y) { return date }
            i += 1
        }
        return nil
    }

    private static func readYear(_ s: [Unicode.Scalar], _ i: Int) -> (Int, Int)? {
        guard i + 4 < s.count else { return nil }
        if let y = fourDigits(s, i), (1990...2100).contains(y) { return (y, i + 4) }
        var y = 0
        for k in 0..<4 {
            guard let d = chineseDigits[s[i + k]] else { return nil }
            y = y * 10 + d
        }
        return (1990...2100).contains(y) ? (y, i + 4) : nil
    }

    private static func readMonthDay(_ s: [Unicode.Scalar], _ start: Int, year: Int) -> ReportDate? {
        guard start < s.count else { return nil }
        let sep = s[start]
        let chinese = sep == "年"
        guard chinese || sep == "-" || sep == "." || sep == "/" || sep == "．" else { return nil }
        var i = start + 1
        guard let month = readSmall(s, &i), (1...12).contains(month), i < s.count else { return nil }
        if chinese { guard s[i] == "月" else { return nil } } else { guard s[i] == sep else { return nil } }
        i += 1
        guard let day = readSmall(s, &i), (1...31).contains(day) else { return nil }
        if chinese { guard i < s.count, s[i] == "日" || s[i] == "号" else { return nil } }
        return ReportDate(year: year, month: month, day: day)
    }

    /// 1–2 Arabic digits, or a Chinese number up to 三十一 (十, 十二, 二十, 二十五, 三十一).
    private static func readSmall(_ s: [Unicode.Scalar], _ i: inout Int) -> Int? {
        var v = 0
        var n = 0
        while i < s.count, n < 2, let d = digit(s[i]) {
            v = v * 10 + d
            n += 1
            i += 1
        }
        if n > 0 { return v }
        var tens = 0
        var units = 0
        var seen = false
        if i < s.count, let d = chineseDigits[s[i]], d > 0 {
            units = d
            seen = true
            i += 1
        }
        if i < s.count, s[i] == "十" {
            tens = seen ? units : 1
            units = 0
            seen = true
            i += 1
            if i < s.count, let d = chineseDigits[s[i]], d > 0 {
                units = d
                i += 1
            }
        }
        return seen ? tens * 10 + units : nil
    }

    /// Division suffixes as scalars, longest first where one ends another (自治区 before 区).
    private static let divisionSuffixes: [[Unicode.Scalar]] = ["特别行政区", "自治区", "自治州", "自治县", "自治旗", "省", "市", "区", "县", "州", "旗", "盟"]
        .map { Array($0.unicodeScalars) }

    /// The administrative divisions an agency's name starts with: 武汉市硚口区人力资源局 → 武汉市硚口区.
    /// The sign-off often carries the fuller name (硚口区人力资源局 signed 武汉市硚口区人力资源局).
    static func region(agency: String?, signature: String?) -> String? {
        var name = agency
        if let signature, let agency, signature.utf8.count > agency.utf8.count,
            signature.utf8.suffix(agency.utf8.count).elementsEqual(agency.utf8)
        {
            name = signature
        }
        guard let name else { return nil }
        let chars = Array(name.unicodeScalars)
        var end = 0
        var levels = 0
        while levels < 3 {
            var found = -1
            // A division name has at least two characters before its suffix (梅州市, not 梅州).
            var j = end + 2
            while j < min(chars.count - 1, end + 10) {
                for suffix in divisionSuffixes where matches(suffix, in: chars, at: j) {
                    found = j + suffix.count
                    break
                }
                if found >= 0 { break }
                j += 1
            }
            guard found > 0 else { break }
            end = found
            levels += 1
        }
        return end > 0 ? string(chars[0..<end]) : nil
    }

    /// Whether `needle` is written in `haystack` starting at `at`.
    private static func matches(_ needle: [Unicode.Scalar], in haystack: [Unicode.Scalar], at: Int) -> Bool {
        guard at + needle.count <= haystack.count else { return false }
        for k in 0..<needle.count where haystack[at + k] != needle[k] { return false }
        return true
    }
}
