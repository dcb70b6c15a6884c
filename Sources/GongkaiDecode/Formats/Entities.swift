// Character references in XML and HTML: &amp; &lt; &#26085; &#x65E5; and HTML's named entities
// (&nbsp; &ensp; &mdash; &ldquo; …), with and without the closing semicolon where browsers accept that.

enum Entities {
    /// Decodes the reference starting at `b[i]` (which is `&`) into `out`. Returns the index after it, or
    /// nil when the text is not a reference (then the `&` is literal).
    static func decode(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int, html: Bool, into out: inout [UInt8]) -> Int? {
        var k = i + 1
        guard k < end else { return nil }
        if b[k] == 0x23 {  // #
            k += 1
            var hex = false
            if k < end, b[k] == 0x78 || b[k] == 0x58 {
                hex = true
                k += 1
            }
            var value: UInt32 = 0
            var digits = 0
            while k < end {
                let c = b[k]
                var d: UInt32
                if c >= 0x30 && c <= 0x39 { d = UInt32(c - 0x30) }
                else if hex && c >= 0x61 && c <= 0x66 { d = UInt32(c - 0x61 + 10) }
                else if hex && c >= 0x41 && c <= 0x46 { d = UInt32(c - 0x41 + 10) }
                else { break }
                if value < 0x11_0000 { value = value * (hex ? 16 : 10) + d }
                digits += 1
                k += 1
            }
            if digits == 0 { return nil }
            if k < end, b[k] == 0x3B { k += 1 }
            appendScalar(html ? windows1252(value) : value, into: &out)
            return k
        }
        // A name: letters and digits, at most 32 of them.
        let nameStart = k
        while k < end, k - nameStart < 32, isAlnum(b[k]) { k += 1 }
        if k == nameStart { return nil }
        let hasSemicolon = k < end && b[k] == 0x3B
        let name = String(decoding: UnsafeBufferPointer(rebasing: b[nameStart..<k]), as: UTF8.self)
        if let scalar = xmlEntities[name] ?? (html ? htmlEntities[name] : nil) {
            if hasSemicolon || (html && legacyWithoutSemicolon.contains(name)) {
                appendScalar(scalar, into: &out)
                return hasSemicolon ? k + 1 : k
            }
        }
        if html && !hasSemicolon {
            // Browsers also accept a legacy name followed by more letters (&nbspx → NBSP + "x").
            for legacy in legacyWithoutSemicolon where name.hasPrefix(legacy) {
                if let scalar = xmlEntities[legacy] ?? htmlEntities[legacy] {
                    appendScalar(scalar, into: &out)
                    return nameStart + legacy.utf8.count
                }
            }
        }
        return nil
    }

    static func appendScalar(_ value: UInt32, into out: inout [UInt8]) {
        let scalar: Unicode.Scalar
        if value == 0 || value > 0x10_FFFF || (value >= 0xD800 && value <= 0xDFFF) {
            scalar = "\u{FFFD}"
        } else {
            scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        }
        UTF8.encode(scalar) { out.append($0) }
    }

    /// HTML maps &#128;–&#159; to the Windows-1252 characters they stood for in old pages (&#150; is –).
    private static func windows1252(_ value: UInt32) -> UInt32 {
        guard value >= 0x80 && value <= 0x9F else { return value }
        let table: [UInt32] = [
            0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
            0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
            0x0153, 0x9D, 0x017E, 0x0178,
        ]
        return table[Int(value - 0x80)]
    }

    @inline(__always)
    private static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }

    private static let xmlEntities: [String: UInt32] = ["amp": 0x26, "lt": 0x3C, "gt": 0x3E, "quot": 0x22, "apos": 0x27]

    /// Names old pages write without the semicolon, which browsers still decode.
    private static let legacyWithoutSemicolon: [String] = ["nbsp", "amp", "lt", "gt", "quot", "copy", "reg", "middot", "times"]

    /// The named entities Chinese government pages use (spaces, dashes, quotes, marks, common symbols).
    private static let htmlEntities: [String: UInt32] = [
        "nbsp": 0xA0, "ensp": 0x2002, "emsp": 0x2003, "thinsp": 0x2009, "zwnj": 0x200C, "zwj": 0x200D, "lrm": 0x200E,
        "rlm": 0x200F, "shy": 0xAD, "ndash": 0x2013, "mdash": 0x2014, "lsquo": 0x2018, "rsquo": 0x2019, "sbquo": 0x201A,
        "ldquo": 0x201C, "rdquo": 0x201D, "bdquo": 0x201E, "laquo": 0xAB, "raquo": 0xBB, "lsaquo": 0x2039,
        "rsaquo": 0x203A, "hellip": 0x2026, "middot": 0xB7, "bull": 0x2022, "prime": 0x2032, "Prime": 0x2033,
        "times": 0xD7, "divide": 0xF7, "plusmn": 0xB1, "minus": 0x2212, "deg": 0xB0, "permil": 0x2030,
        "copy": 0xA9, "reg": 0xAE, "trade": 0x2122, "sect": 0xA7, "para": 0xB6, "yen": 0xA5, "cent": 0xA2,
        "pound": 0xA3, "euro": 0x20AC, "curren": 0xA4, "iexcl": 0xA1, "iquest": 0xBF, "frac12": 0xBD, "frac14": 0xBC,
        "frac34": 0xBE, "sup1": 0xB9, "sup2": 0xB2, "sup3": 0xB3, "micro": 0xB5, "larr": 0x2190, "rarr": 0x2192,
        "uarr": 0x2191, "darr": 0x2193, "harr": 0x2194, "le": 0x2264, "ge": 0x2265, "ne": 0x2260, "asymp": 0x2248,
        "infin": 0x221E, "radic": 0x221A, "sum": 0x2211, "prod": 0x220F, "loz": 0x25CA, "star": 0x2606,
        "check": 0x2713, "cross": 0x2717, "acute": 0xB4, "uml": 0xA8, "macr": 0xAF, "cedil": 0xB8, "ordf": 0xAA,
        "ordm": 0xBA, "not": 0xAC, "brvbar": 0xA6, "dagger": 0x2020, "Dagger": 0x2021, "oline": 0x203E,
        "frasl": 0x2044, "alpha": 0x3B1, "beta": 0x3B2, "gamma": 0x3B3, "delta": 0x3B4, "pi": 0x3C0, "sigma": 0x3C3,
        "omega": 0x3C9, "Omega": 0x3A9, "mu": 0x3BC, "lambda": 0x3BB, "theta": 0x3B8, "epsilon": 0x3B5,
        "agrave": 0xE0, "aacute": 0xE1, "eacute": 0xE9, "egrave": 0xE8, "uuml": 0xFC, "ouml": 0xF6, "auml": 0xE4,
        "ccedil": 0xE7, "ntilde": 0xF1, "oslash": 0xF8, "szlig": 0xDF, "Eacute": 0xC9, "Uuml": 0xDC,
        "circ": 0x2C6, "tilde": 0x2DC, "emsp13": 0x2004, "emsp14": 0x2005, "numsp": 0x2007,
        "puncsp": 0x2008, "hairsp": 0x200A, "NewLine": 0x0A, "Tab": 0x09, "colon": 0x3A, "comma": 0x2C,
        "period": 0x2E, "excl": 0x21, "quest": 0x3F, "num": 0x23, "percnt": 0x25, "lpar": 0x28, "rpar": 0x29,
        "lsqb": 0x5B, "rsqb": 0x5D, "lcub": 0x7B, "rcub": 0x7D, "sol": 0x2F, "bsol": 0x5C, "verbar": 0x7C,
        "equals": 0x3D, "plus": 0x2B, "ast": 0x2A, "commat": 0x40, "dollar": 0x24, "Hat": 0x5E, "lowbar": 0x5F,
        "grave": 0x60, "semi": 0x3B,
    ]
}
