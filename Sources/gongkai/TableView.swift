import GongkaiCore

/// A human view of a report's three tables, for `gongkai parse --format table`.
enum TableView {
    static func render(_ r: Report) -> String {
        var out = "== \(r.source)\n"
        out += "status: \(r.status.rawValue)" + (r.statusMessage.map { " — \($0)" } ?? "") + "\n"
        out += "agency: \(r.agency ?? "-")  year: \(r.year.map(String.init) ?? "-")  region: \(r.region ?? "-")  published: \(r.published?.description ?? "-")\n"
        out += "layout: \(r.layout.rawValue)  encoding: \(r.encoding ?? "-")  sections: \(r.sections.map(String.init).joined(separator: ","))\n"
        func cell(_ v: Int64?) -> String { v.map(String.init) ?? "·" }
        func pad(_ s: String, _ width: Int) -> String {
            // CJK characters take two columns.
            let w = s.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 ? 2 : 1) }
            return s + String(repeating: " ", count: max(0, width - w))
        }
        if let t2 = r.table2 {
            out += "\n表二 主动公开政府信息情况 (template \(t2.template.rawValue))\n"
            for f in t2.fields {
                let value: String
                switch f.value.kind {
                case .count: value = cell(f.value.count)
                case .amount: value = (f.value.amount.map { "\($0) 万元" } ?? "·") + (f.value.written.map { "  (written: \($0))" } ?? "")
                }
                out += "  " + pad("\(f.row).\(f.field)", 36) + value + "\n"
            }
        }
        if let t3 = r.table3 {
            out += "\n表三 收到和处理政府信息公开申请情况 (template \(t3.template.rawValue))\n"
            out += "  " + pad("", 36) + Table3Column.allCases.map { pad($0.label, 14) }.joined() + "\n"
            for row in t3.rows {
                out += "  " + pad(row.code, 36) + Table3Column.allCases.map { pad(cell(t3[row, $0]), 14) }.joined() + "\n"
            }
        }
        if let t4 = r.table4 {
            out += "\n表四 政府信息公开行政复议、行政诉讼情况\n"
            out += "  " + pad("", 26) + Table4Column.allCases.map { pad($0.label, 10) }.joined() + "\n"
            for g in Table4Group.allCases {
                out += "  " + pad(g.label, 26) + Table4Column.allCases.map { pad(cell(t4[g, $0]), 10) }.joined() + "\n"
            }
        }
        if !r.findings.isEmpty {
            out += "\nfindings:\n"
            for f in r.findings { out += "  [\(f.severity.rawValue)] \(f.rule.rawValue): \(f.message)\n" }
        }
        return out + "\n"
    }
}
