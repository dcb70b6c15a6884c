import GongkaiCore

extension GeneratedReport {
    /// One manifest line (JSON): the file, how it was written, its true values and its injected errors.
    public func manifestLine() -> [UInt8] {
        var w = JSONWriter(pretty: false)
        w.beginObject()
        w.key("file"); w.stringValue(fileName)
        w.key("format"); w.stringValue(format.rawValue)
        w.key("encoding"); w.stringValue(encoding)
        w.key("line_ending"); w.stringValue(lineEnding == "\n" ? "lf" : lineEnding == "\r\n" ? "crlf" : "cr")
        w.key("layout"); w.stringValue(layout.rawValue)
        w.key("truth"); truth.writeJSON(to: &w)
        w.key("errors"); w.beginArray()
        for e in errors {
            w.beginObject()
            w.key("kind"); w.stringValue(e.kind.rawValue)
            w.key("rule"); w.stringValue(e.rule.rawValue)
            w.key("cell"); w.stringValue(e.cell)
            w.key("collateral"); w.beginArray()
            for r in e.collateral { w.stringValue(r.rawValue) }
            w.endArray()
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.bytes + [0x0A]
    }
}
