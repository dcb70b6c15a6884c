import GongkaiCore
import GongkaiWire

/// A deterministic PRNG (SplitMix64) so fuzz runs are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum SampleReports {
    /// A report with every stored field set, including edge values.
    static func everyField() -> Report {
        var report = Report(
            source: "/数据/2023/北京市朝阳区人民政府 2023年政府信息公开工作年度报告.txt",
            sha256: String(repeating: "ab", count: 32),
            byteCount: 7_087,
            status: .incomplete,
            statusMessage: "表四缺失 (table 4 missing)"
        )
        report.format = "docx"
        report.encoding = "gb18030"
        report.layout = .mixed
        report.year = 2023
        report.agency = "北京市朝阳区人民政府"
        report.region = "北京市"
        report.published = ReportDate(year: 2024, month: 1, day: 31)
        report.sections = [1, 2, 3, 4, 5, 6]

        var table2 = Table2(template: .y2019)
        table2.fields = [
            Table2.Field(row: "regulations", field: "new_made", value: .count(3)),
            Table2.Field(row: "licensing", field: "change", value: .count(-12)),
            Table2.Field(row: "penalty", field: "decisions", value: .count(nil)),
            Table2.Field(row: "fees", field: "change", value: .count(Int64.min)),
            Table2.Field(row: "procurement", field: "amount_10k_yuan",
                         value: .amount(Amount(micros: 27_660_000), written: "27.66万元", unit: "万元")),
            Table2.Field(row: "procurement", field: "projects",
                         value: .amount(nil, written: "无", unit: nil)),
        ]
        var odd = Table2Value.count(Int64.max)
        odd.kind = .amount
        odd.amount = Amount(micros: -1)
        odd.written = ""
        odd.unit = "元"
        table2.fields.append(Table2.Field(row: "", field: "", value: odd))
        report.table2 = table2

        var table3 = Table3(template: .y2021)
        for index in table3.cells.indices where index % 5 != 0 {
            table3.cells[index] = Int64(index * 37 % 1000) - (index == 7 ? 2_000 : 0)
        }
        table3.cells[1] = Int64.max
        table3.cells[2] = Int64.min
        for index in table3.present.indices { table3.present[index] = index % 3 != 1 }
        report.table3 = table3

        var table4 = Table4()
        for index in table4.cells.indices where index != 4 { table4.cells[index] = Int64(index) }
        report.table4 = table4

        var narrative = Narrative()
        narrative.proactiveItems = 1_234
        narrative.applicationsReceived = 56
        narrative.reviews = 0
        narrative.lawsuits = 2
        narrative.penalties = 789
        narrative.licences = 10_000
        narrative.processingFees = Amount(micros: 1_500)
        narrative.adminFees = Amount(micros: 0)
        narrative.applicationsMatched = "new_plus_carried_over"
        report.narrative = narrative

        report.findings = [
            Finding(rule: .table3Balance, cells: ["table3.new.total", "table3.carried_over.total"],
                    message: "第一项加第二项之和不等于第三项加第四项之和", found: 57, expected: 56),
            Finding(rule: .cellBlank, cells: ["table4.review.pending"], message: "空白单元格"),
            Finding(rule: .crossInForce, cells: [], message: "", found: -0.5, expected: .infinity),
            Finding(rule: .narrativeFees, cells: ["table2.fees.amount_10k_yuan"], message: "fees",
                    found: 1e-300, expected: nil),
        ]
        return report
    }

    /// A typical parsed report: 2021 template, full tables, a couple of findings.
    static func typical(seed: UInt64 = 1) -> Report {
        var random = SeededGenerator(seed: seed)
        var report = Report(
            source: "/srv/corpus/2023/\(seed)/某某市某某区人民政府2023年政府信息公开工作年度报告.txt",
            sha256: "9f2c4e1d0b7a6c5e3f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70",
            byteCount: 7_000 + Int(seed % 500),
            status: .ok
        )
        report.encoding = "utf-8"
        report.layout = .tabRows
        report.year = 2023
        report.agency = "某某市某某区人民政府"
        report.region = "某某市"
        report.published = ReportDate(year: 2024, month: 1, day: 15)
        report.sections = [1, 2, 3, 4, 5, 6]
        var table2 = Table2(template: .y2021)
        for (row, fields) in Table2.layout(of: .y2021) {
            for field in fields {
                let value: Table2Value = Table2.isAmount(field: field)
                    ? .amount(Amount(micros: Int64.random(in: 0..<50_000_000, using: &random)), written: "12.5", unit: "万元")
                    : .count(Int64.random(in: 0..<500, using: &random))
                table2.fields.append(Table2.Field(row: row, field: field, value: value))
            }
        }
        report.table2 = table2
        var table3 = Table3(template: .y2021)
        for index in table3.cells.indices { table3.cells[index] = Int64.random(in: 0..<300, using: &random) }
        for index in table3.present.indices { table3.present[index] = true }
        report.table3 = table3
        var table4 = Table4()
        for index in table4.cells.indices { table4.cells[index] = Int64.random(in: 0..<20, using: &random) }
        report.table4 = table4
        report.narrative.proactiveItems = 1_520
        report.narrative.applicationsReceived = 87
        report.narrative.reviews = 3
        report.narrative.lawsuits = 1
        report.narrative.applicationsMatched = "new"
        report.findings = [
            Finding(rule: .table3RowTotal, cells: ["table3.granted.total"], message: "总计列不等于各申请人列之和",
                    found: 41, expected: 40),
            Finding(rule: .latePublication, cells: [], message: "发布日期晚于1月31日"),
        ]
        return report
    }

    static let allMessages: [WorkerMessage] = [
        .ready(ReadyMessage(workerId: "w1", pid: 4242, hostname: "node-1", credit: 16, localPaths: true)),
        .ready(ReadyMessage(protocolVersion: 7, workerId: "", pid: .max, hostname: "主机", credit: 0, localPaths: false)),
        .task(TaskMessage(taskId: 1, attempt: 1, path: "/corpus/a.txt", sizeLimit: 64 << 20)),
        .task(TaskMessage(taskId: .max, attempt: .max, path: "/数据/报告.txt", sizeLimit: 0, content: Array("内容".utf8))),
        .task(TaskMessage(taskId: 9, attempt: 2, path: "", sizeLimit: 1, content: [])),
        .result(ResultMessage(taskId: 1, attempt: 1, elapsedMicros: 85, report: everyField())),
        .result(ResultMessage(taskId: 2, attempt: 3, elapsedMicros: .max, report: [])),
        .heartbeat,
        .disconnect(reason: "worker shutting down"),
        .disconnect(reason: ""),
        .refuse(reason: "protocol revision 7 not supported (coordinator speaks 1)"),
    ]
}
