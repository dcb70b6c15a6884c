import Foundation
import GongkaiCore
import GongkaiCorpus
@testable import GongkaiDecode
import XCTest

/// The HTML converter's units: entities, merged cells, cells on several lines, the article among site
/// furniture, charsets; and fuzzed markup never crashes.
final class HTMLConverterTests: XCTestCase {
    private func text(_ html: String) throws -> String {
        String(decoding: try HTMLConverter.convert(Array(html.utf8)).get().utf8, as: UTF8.self)
    }

    private func lines(_ html: String) throws -> [String] {
        try text(html).split(separator: "\n").map(String.init)
    }

    func testEntitiesNamedNumericAndLegacy() throws {
        let out = try text("<p>A&amp;B &lt;C&gt; &#26085;&#x672C; &ldquo;三安全一稳定&rdquo; 1&nbsp;2 &nbspX &copy &#150; &#0; &bogus; &amp</p>")
        XCTAssertEqual(out, "A&B <C> 日本 “三安全一稳定” 1\u{00A0}2 \u{00A0}X © – \u{FFFD} &bogus; &\n")
    }

    func testRowspanAndColspanExpandIntoAGridWithEmptyCells() throws {
        let html = """
            <table>
            <tr><td rowspan="2">三、本年度办理结果</td><td colspan=2>（一）予以公开</td><td>5</td></tr>
            <tr><td rowspan=2>（三）不予公开</td><td>1.属于国家秘密</td><td>0</td></tr>
            <tr><td>A</td><td>2.其他法律行政法规禁止公开</td><td>7</td></tr>
            <tr><td colspan="3">四、结转下年度继续办理</td><td>&nbsp;</td></tr>
            <tr><td>行政许可</td><td colspan="3">18</td></tr>
            </table>
            """
        XCTAssertEqual(try lines(html), [
            "三、本年度办理结果\t\t（一）予以公开\t5",
            "\t（三）不予公开\t1.属于国家秘密\t0",
            "A\t\t2.其他法律行政法规禁止公开\t7",
            "\t\t四、结转下年度继续办理\t\u{00A0}",
            "行政许可\t18\t\t",
        ])
    }

    func testCellsWrittenOnSeveralLinesAreJoinedWithNoSeparator() throws {
        let html = "<table><tr><td>商业<br>企业</td><td><p>科研</p>\n  <p>机构</p></td><td>结果\n维持</td><td>a b</td></tr></table>"
        XCTAssertEqual(try lines(html), ["商业企业\t科研机构\t结果维持\ta b"])
    }

    func testUnclosedCellsRowsAndParagraphsAreClosedAsBrowsersDo() throws {
        let html = "<table><tr><td>规章<td>0<td>1<tr><td>行政规范性文件<td>2<td>3</table><p>一<p>二<div>三</span></div>"
        XCTAssertEqual(try lines(html), ["规章\t0\t1", "行政规范性文件\t2\t3", "一", "二", "三"])
    }

    func testScriptsStylesCommentsAndTheHeadAreNotText() throws {
        let html = """
            <html><head><title>标题</title><style>p { color: red } /* 一、总体情况 */</style>
            <script>if (a < b) { document.write("<p>二、主动公开</p>") }</script></head>
            <body><!-- 三、收到和处理 --><p>正文</p><script type="text/javascript">var x = "</p>";</script>
            <noscript>请启用脚本</noscript><select><option>选项</option></select></body></html>
            """
        XCTAssertEqual(try lines(html), ["正文"])
    }

    func testTheArticleIsFoundAmongNavigationAndTheTitleAboveItIsKept() throws {
        let headings = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                        "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
        let html = """
            <html><head><title>某局2022年政府信息公开工作年度报告_某市人民政府</title></head><body>
            <div class="nav"><a>首页</a> <a>政务公开</a><ul><li>政府信息公开年报</li><li>工作动态</li></ul></div>
            <div class="main"><h1>某局2022年政府信息公开工作年度报告</h1><div class="info">发布时间：2023-01-10</div>
            <div class="content">\(headings.map { "<p>\($0)</p><p>正文。</p>" }.joined())</div>
            <div class="related"><ul><li>某局2021年政府信息公开工作年度报告</li></ul></div></div>
            <div class="footer">主办单位：某市人民政府办公室 网站标识码 1234</div></body></html>
            """
        let out = try lines(html)
        XCTAssertEqual(out.first, "某局2022年政府信息公开工作年度报告")
        XCTAssertEqual(Array(out.dropFirst()), headings.flatMap { [$0, "正文。"] }, "no navigation, meta line, related links or footer")
        // With no title above the article, the page title's report part is used.
        let noH1 = html.replacingOccurrences(of: "<h1>某局2022年政府信息公开工作年度报告</h1>", with: "")
        XCTAssertEqual(try lines(noH1).first, "某局2022年政府信息公开工作年度报告")
    }

    func testCharsetFromMetaDecidesAndGBKIsDecoded() throws {
        let page = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body><p>硚口区人力资源局</p></body></html>"
        let gbk = try XCTUnwrap(GB18030.encode(Array(page.utf8)))
        let decoded = HTMLConverter.decode(gbk)
        XCTAssertEqual(decoded.encoding, "gb18030")
        XCTAssertEqual(String(decoding: try HTMLConverter.convert(gbk).get().utf8, as: UTF8.self), "硚口区人力资源局\n")
        XCTAssertEqual(HTMLConverter.declaredCharset(Array("<meta charset='GBK'>".utf8)), "gbk")
        XCTAssertEqual(HTMLConverter.declaredCharset(Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?><html>".utf8)), "utf-8")
        // No declaration: UTF-8 when valid, else GB18030 (as for text files).
        let undeclared = try XCTUnwrap(GB18030.encode(Array("<html><body><p>梅州市人力资源和社会保障局</p></body></html>".utf8)))
        XCTAssertEqual(HTMLConverter.decode(undeclared).encoding, "gb18030")
        XCTAssertEqual(HTMLConverter.decode(Array("\u{FEFF}<p>x</p>".utf8)).encoding, "utf-8-bom")
        // UTF-16 pages are found once decoded.
        var utf16: [UInt8] = [0xFF, 0xFE]
        for unit in "<html><body><p>一、总体情况</p></body></html>".utf16 { utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let r = DocumentReader.report(bytes: utf16, source: "u16.htm")
        XCTAssertEqual(r.format, "html")
        XCTAssertEqual(r.encoding, "utf-16le")
    }

    func testALayoutTableAroundTheReportIsReadAsText() throws {
        let html = """
            <table width="1000"><tr><td><p>一、总体情况</p><p>正文。</p>
            <table><tr><td>规章</td><td>0</td></tr><tr><td>行政许可</td><td>18</td></tr></table>
            <p>二、主动公开政府信息情况</p></td></tr></table>
            """
        XCTAssertEqual(try lines(html), ["一、总体情况", "正文。", "规章\t0", "行政许可\t18", "二、主动公开政府信息情况"])
    }

    func testFuzzedHTMLNeverCrashes() throws {
        // Given real pages, cut, spliced and sprinkled with markup debris
        let seeds = try FormatSeedTests.seedPrefixes.map { try FormatSeedTests.fixture("html", $0) }
        let debris = ["<", ">", "</td>", "<td rowspan=99999>", "<tr>", "<table>", "</table>", "&", "&#x110000;", "&#99999999;",
                      "<!--", "-->", "<script>", "\"", "'", "<p", "<br/>", "<td colspan=-3>", "</div></div></div>", "<![CDATA["]
            .map { Array($0.utf8) }
        var rng = SystemRandomNumberGenerator()
        for round in 0..<300 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<Int.random(in: 1...12, using: &rng) {
                switch Int.random(in: 0...3, using: &rng) {
                case 0: bytes.insert(contentsOf: debris.randomElement(using: &rng) ?? [], at: Int.random(in: 0...bytes.count, using: &rng))
                case 1: if !bytes.isEmpty { bytes = Array(bytes[0..<Int.random(in: 0..<bytes.count, using: &rng)]) }
                case 2: if bytes.count > 2 { bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
                default:
                    if bytes.count > 10 {
                        let a = Int.random(in: 0..<(bytes.count - 1), using: &rng)
                        bytes.removeSubrange(a..<min(bytes.count, a + Int.random(in: 1...2000, using: &rng)))
                    }
                }
            }
            // When read, Then a report comes back whatever the damage
            let r = DocumentReader.report(bytes: bytes, source: "fuzz-\(round).html")
            XCTAssertFalse(r.source.isEmpty)
        }
        // Deep nesting and huge spans stay bounded.
        let deep = String(repeating: "<div><table><tr><td>", count: 3000) + "一、总体情况" + String(repeating: "</td></tr></table></div>", count: 3000)
        _ = try text(deep)
        let wide = "<table><tr>" + String(repeating: "<td colspan=1000 rowspan=65000>0</td>", count: 50) + "</tr><tr><td>1</td></tr></table>"
        XCTAssertLessThan(try text(wide).utf8.count, 100_000)
    }
}
