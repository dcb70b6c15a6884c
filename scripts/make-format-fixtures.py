#!/usr/bin/env python3
"""Makes the .docx, .html and .pdf fixtures of Tests/GongkaiDecodeTests from the five seed reports.

The seeds (Tests/GongkaiCoreTests/Fixtures/seeds/*.txt) are text extracted from real reports; their tables
lost the merged cells the originals had. This script rebuilds each seed as a real document:

1. It reads the seed into paragraphs and tables (both text layouts: one cell per line, and tab rows).
2. It rebuilds each table with merged cells as the State Council template draws them: table 2 with
   colspans, table 3 with its 3-row header and the rowspans of 三、本年度办理结果 / （三）不予公开 …,
   table 4 with its 3-row header. Cell text is kept as the seed has it (padding, NBSP, full-width spaces,
   cells written on two lines such as 商业 / 企业).
3. It writes a flat OpenDocument file (.fodt: page footers with page numbers, repeated header rows, fixed
   column widths so that long labels wrap) and has LibreOffice convert it to .docx and .pdf:
       soffice --headless --convert-to docx:"MS Word 2007 XML" seed.fodt
       soffice --headless --convert-to pdf seed.fodt
4. It writes an .html page as a government site serves it: site header, navigation, breadcrumb, the title
   outside the article, a meta line, the article (Word-style <p class=MsoNormal><span> markup, &nbsp; in
   blank cells, <br> inside cells), related links and a footer. Seed 002 is written in GBK with
   <meta charset="gbk">, seed 003 declares gb2312 in an http-equiv meta, the others are UTF-8.

Needs python3 and LibreOffice (Debian: apt-get install libreoffice-writer-nogui fonts-wqy-zenhei).
CI does not run this script: it uses the committed files. Run it from the repository root:
    python3 scripts/make-format-fixtures.py
"""

import glob
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "Tests/GongkaiCoreTests/Fixtures/seeds")
OUT = os.path.join(ROOT, "Tests/GongkaiDecodeTests/Fixtures")

# ---------------------------------------------------------------------------------------------------------
# 1. Seed text → blocks


def read_seed(path):
    """Returns [("p", text) | ("table", rows)], rows being lists of cells; a cell is a list of lines."""
    text = open(path, encoding="utf-8").read()
    lines = text.split("\n")
    # Tab rows have a tab after content; cell lines only start with one.
    tab_layout = sum(1 for l in lines if re.search(r"[^\t]\t", l)) > 10
    blocks = []
    if tab_layout:
        table = None
        for line in lines:
            if "\t" in line:
                cells = [[c] if c.strip() else [] for c in line.split("\t")]
                # Trailing empty cells of a tab row are what merged cells left behind.
                while cells and not cells[-1]:
                    cells.pop()
                if table is None:
                    table = []
                    blocks.append(("table", table))
                table.append(cells)
            else:
                if line.strip() == "":
                    continue  # blank lines between rows do not end a table
                table = None
                blocks.append(("p", clean_paragraph(line)))
    else:
        table = None
        row = None
        last_was_cell = False
        for line in lines:
            if line.startswith("\t"):
                if table is None:
                    table = []
                    blocks.append(("table", table))
                if row is None:
                    row = []
                    table.append(row)
                content = line[1:]
                row.append([content] if content.strip() else [])
                last_was_cell = True
            elif line.strip() == "":
                row = None
                last_was_cell = False
            elif last_was_cell and len(line.strip()) <= 36:
                row[-1].append(line)  # a cell written on two lines: 商业 / 企业
            else:
                row = None
                table = None
                last_was_cell = False
                blocks.append(("p", clean_paragraph(line)))
    return [b for b in blocks if b[0] == "table" or b[1].strip()], tab_layout


def clean_paragraph(line):
    # "[bookmark: _GoBack]" is residue of the tool that extracted the seed, not document content.
    return re.sub(r"\[bookmark: [^\]]*\]", "", line).rstrip()


# ---------------------------------------------------------------------------------------------------------
# 2. Tables with merged cells


class Cell:
    def __init__(self, lines, col, colspan=1, rowspan=1):
        self.lines = lines  # paragraphs of the cell ([] when blank)
        self.col = col
        self.colspan = colspan
        self.rowspan = rowspan


def text(cell):
    return "".join(l.strip() for l in cell)


def table_kind(rows):
    joined = " ".join(text(c) for r in rows for c in r)
    if "信息内容" in joined:
        return "t2"
    if "申请人情况" in joined or "自然人" in joined:
        return "t3"
    if "行政复议" in joined and "行政诉讼" in joined:
        return "t4"
    return "plain"


def build_t2(rows):
    width = max(len(r) for r in rows)
    grid = []
    for r in rows:
        cells = [Cell(c, i) for i, c in enumerate(r)]
        if len(cells) < width:
            cells[-1].colspan = width - len(cells) + 1
        grid.append(cells)
    return width, grid, [3.6] + [(16.0 - 3.6) / (width - 1)] * (width - 1)


LEVEL0 = re.compile(r"^[一二三四五六七八九十]+、")
LEVEL1 = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")
LEVEL2 = re.compile(r"^\d+[.．、]")


def level(label):
    t = text(label)
    if LEVEL0.match(t):
        return 0
    if LEVEL1.match(t):
        return 1
    if LEVEL2.match(t):
        return 2
    return 2


def build_t3(rows):
    first_data = next(i for i, r in enumerate(rows) if any("本年新收" in text(c) for c in r))
    header = [c for r in rows[:first_data] for c in r if c]
    names = [text(c) for c in header]
    note = header[0]
    applicants = next(c for c in header if text(c) == "申请人情况")
    natural = next(c for c in header if text(c) == "自然人")
    legal = next(c for c in header if text(c) == "法人或其他组织")
    total = next(c for c in header if text(c) == "总计")
    orgs = [c for c, n in zip(header, names) if n in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")]
    grid = [
        [Cell(note, 0, 3, 3), Cell(applicants, 3, 7)],
        [Cell(natural, 3, 1, 2), Cell(legal, 4, 5), Cell(total, 9, 1, 2)],
        [Cell(o, 4 + i) for i, o in enumerate(orgs)],
    ]
    data = rows[first_data:]
    parsed = []
    for r in data:
        values = r[-7:]
        labels = [c for c in r[:-7] if c]
        parsed.append((labels, values))
    for i, (labels, values) in enumerate(parsed):
        cells = []
        levels = [level(l) for l in labels]
        for label, lv in zip(labels, levels):
            if lv == 0:
                if 1 in levels:  # 三、本年度办理结果: spans the result rows
                    span = 1
                    while i + span < len(parsed) and not any(level(l) == 0 for l in parsed[i + span][0]):
                        span += 1
                    cells.append(Cell(label, 0, 1, span))
                else:
                    cells.append(Cell(label, 0, 3))
            elif lv == 1:
                if 2 in levels:  # （三）不予公开: spans its numbered rows
                    span = 1
                    while i + span < len(parsed) and not any(level(l) in (0, 1) for l in parsed[i + span][0]):
                        span += 1
                    cells.append(Cell(label, 1, 1, span))
                else:
                    cells.append(Cell(label, 1, 2))
            else:
                cells.append(Cell(label, 2))
        cells += [Cell(v, 3 + k) for k, v in enumerate(values)]
        grid.append(cells)
    return 10, grid, [1.7, 2.3, 4.3] + [1.1] * 7


def build_t4(rows):
    h1 = next(i for i, r in enumerate(rows) if any(text(c) == "行政复议" for c in r))
    h2 = next(i for i, r in enumerate(rows) if any("未经复议" in text(c) for c in r))
    labels2 = [c for c in rows[h2] if c]
    labels3 = [c for c in rows[h2 + 1] if c]
    values = rows[h2 + 2]
    review = next(c for c in rows[h1] if text(c) == "行政复议")
    litigation = next(c for c in rows[h1] if text(c) == "行政诉讼")
    grid = [
        [Cell(review, 0, 5), Cell(litigation, 5, 10)],
        [Cell(labels2[k], k, 1, 2) for k in range(5)] + [Cell(labels2[5], 5, 5), Cell(labels2[6], 10, 5)],
        [Cell(l, 5 + k) for k, l in enumerate(labels3)],
        [Cell(v, k) for k, v in enumerate(values[:15])],
    ]
    return 15, grid, [16.0 / 15] * 15


def build_plain(rows):
    width = max(len(r) for r in rows)
    return width, [[Cell(c, i) for i, c in enumerate(r)] for r in rows], [16.0 / width] * width


def spanned(rows):
    kind = table_kind(rows)
    builder = {"t2": build_t2, "t3": build_t3, "t4": build_t4}.get(kind, build_plain)
    width, grid, widths = builder(rows)
    return kind, width, grid, widths


def covered(width, grid):
    """For each row, the columns covered by a cell that starts in an earlier row or column."""
    cover = [set() for _ in grid]
    for r, cells in enumerate(grid):
        for c in cells:
            for dr in range(c.rowspan):
                for dc in range(c.colspan):
                    if dr or dc:
                        if r + dr < len(grid):
                            cover[r + dr].add(c.col + dc)
    return cover


# ---------------------------------------------------------------------------------------------------------
# 3. Flat ODT → .docx and .pdf

FOOTERS = {
    "000": '— <text:page-number text:select-page="current">1</text:page-number> —',
    "001": '- <text:page-number text:select-page="current">1</text:page-number> -',
    "002": '— <text:page-number text:select-page="current">1</text:page-number> —',
    "003": '第 <text:page-number text:select-page="current">1</text:page-number> 页 共 '
           '<text:page-count>1</text:page-count> 页',
    "004": '<text:page-number text:select-page="current">1</text:page-number>',
}


def x(s):
    return html.escape(s, quote=True)


def odt_text(s):
    # Runs of spaces must be written as text:s in ODF.
    out = []
    for part in re.split(r"( {2,})", s):
        if part.startswith("  "):
            out.append('<text:s text:c="%d"/>' % len(part))
        else:
            out.append(x(part))
    return "".join(out)


def fodt(prefix, blocks):
    body = []
    title_done = False
    for n, block in enumerate(blocks):
        if block[0] == "p":
            style = "Body"
            if not title_done and n < 3 and len(block[1]) < 40 and not re.match(r"^\s*[一1]、", block[1]):
                style = "Title"
            else:
                title_done = True
            body.append('<text:p text:style-name="%s">%s</text:p>' % (style, odt_text(block[1])))
            continue
        kind, width, grid, widths = spanned(block[1])
        cover = covered(width, grid)
        t = ['<table:table table:name="%s%d" table:style-name="Tbl">' % (kind, n)]
        for k, w in enumerate(widths):
            t.append('<table:table-column table:style-name="Col%s_%d"/>' % (kind, k))
        # Table 3's header repeats on the next page in seeds 000 and 003; table 4's in all.
        header_rows = 3 if (kind == "t3" and prefix in ("000", "003")) or kind == "t4" else 0
        for r, cells in enumerate(grid):
            if header_rows and r == 0:
                t.append("<table:table-header-rows>")
            by_col = {c.col: c for c in cells}
            row = ["<table:table-row>"]
            for col in range(width):
                if col in by_col:
                    c = by_col[col]
                    attrs = ""
                    if c.colspan > 1:
                        attrs += ' table:number-columns-spanned="%d"' % c.colspan
                    if c.rowspan > 1:
                        attrs += ' table:number-rows-spanned="%d"' % c.rowspan
                    paras = "".join('<text:p text:style-name="Cellp">%s</text:p>' % odt_text(l) for l in c.lines)
                    row.append('<table:table-cell table:style-name="Cell" office:value-type="string"%s>%s</table:table-cell>'
                               % (attrs, paras or '<text:p text:style-name="Cellp"/>'))
                elif col in cover[r]:
                    row.append("<table:covered-table-cell/>")
                else:
                    row.append('<table:table-cell table:style-name="Cell"><text:p text:style-name="Cellp"/></table:table-cell>')
            row.append("</table:table-row>")
            t.append("".join(row))
            if header_rows and r == header_rows - 1:
                t.append("</table:table-header-rows>")
        t.append("</table:table>")
        body.append("".join(t))
    col_styles = []
    for block in blocks:
        if block[0] == "table":
            kind, width, grid, widths = spanned(block[1])
            for k, w in enumerate(widths):
                col_styles.append('<style:style style:name="Col%s_%d" style:family="table-column">'
                                  '<style:table-column-properties style:column-width="%.2fcm"/></style:style>' % (kind, k, w))
    font = "WenQuanYi Zen Hei"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.2"
 office:mimetype="application/vnd.oasis.opendocument.text">
<office:font-face-decls><style:font-face style:name="{font}" svg:font-family="'{font}'"/></office:font-face-decls>
<office:styles>
<style:default-style style:family="paragraph"><style:text-properties style:font-name="{font}" style:font-name-asian="{font}"
 fo:font-size="10.5pt" style:font-size-asian="10.5pt" fo:language="zh" fo:country="CN" style:language-asian="zh" style:country-asian="CN"/></style:default-style>
<style:style style:name="Standard" style:family="paragraph"/>
<style:style style:name="Footer" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/></style:style>
</office:styles>
<office:automatic-styles>
<style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" fo:margin-top="2.2cm"
 fo:margin-bottom="1.6cm" fo:margin-left="2.5cm" fo:margin-right="2.5cm"/><style:footer-style><style:header-footer-properties
 fo:min-height="0.8cm" fo:margin-top="0.3cm"/></style:footer-style></style:page-layout>
<style:style style:name="Title" style:family="paragraph"><style:paragraph-properties fo:text-align="center" fo:margin-bottom="0.2cm"/>
 <style:text-properties fo:font-size="16pt" style:font-size-asian="16pt" fo:font-weight="bold" style:font-weight-asian="bold"/></style:style>
<style:style style:name="Body" style:family="paragraph"><style:paragraph-properties fo:text-indent="0.74cm" fo:line-height="140%"/></style:style>
<style:style style:name="Cellp" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/>
 <style:text-properties fo:font-size="9pt" style:font-size-asian="9pt"/></style:style>
<style:style style:name="Tbl" style:family="table"><style:table-properties style:width="16cm" table:align="center"/></style:style>
<style:style style:name="Cell" style:family="table-cell"><style:table-cell-properties fo:border="0.5pt solid #000000" fo:padding="0.04cm"
 style:vertical-align="middle"/></style:style>
{"".join(col_styles)}
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1"><style:footer>
<text:p text:style-name="Footer">{FOOTERS[prefix]}</text:p></style:footer></style:master-page></office:master-styles>
<office:body><office:text>
{chr(10).join(body)}
</office:text></office:body>
</office:document>
"""


# ---------------------------------------------------------------------------------------------------------
# 4. HTML pages

SITES = {
    "000": ("武汉市硚口区人民政府", "utf-8", '<meta charset="utf-8">'),
    "001": ("资阳市人民政府", "utf-8", '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'),
    "002": ("红旗区人民政府", "gbk", '<meta charset="gbk">'),
    "003": ("新乡市人民政府", "gbk", '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'),
    "004": ("梅州市人民政府", "utf-8", ""),  # no declaration: UTF-8 found by validity
}


def html_cell_text(lines, style):
    if not lines:
        return "&nbsp;"
    if style == "word":
        return "".join('<p class="MsoNormal" align="center" style="text-align:center"><span style="font-size:10.5pt;'
                       'font-family:仿宋_GB2312">%s</span></p>' % x(l).replace("\u00a0", "&nbsp;") for l in lines)
    return "<br>".join(x(l).replace("\u00a0", "&nbsp;") for l in lines)


def html_article(prefix, blocks):
    style = "word" if prefix in ("000", "003") else "plain"
    out = []
    for n, block in enumerate(blocks):
        if block[0] == "p":
            t = x(block[1]).replace("\u00a0", "&nbsp;")
            if style == "word":
                out.append('<p class="MsoNormal" style="text-indent:32.0pt;line-height:28.0pt"><span style="font-size:16.0pt;'
                           'font-family:仿宋_GB2312">%s</span><span lang="EN-US"><o:p></o:p></span></p>' % t)
            else:
                out.append("<p style=\"text-indent:2em;\">%s</p>" % t)
            continue
        kind, width, grid, widths = spanned(block[1])
        t = ['<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" width="600" '
             'style="border-collapse:collapse;border:none">']
        if prefix == "001":
            t.append("<tbody>")
        for cells in grid:
            tr = ["<tr>"]
            for c in cells:
                attrs = ""
                if c.colspan > 1:
                    attrs += ' colspan="%d"' % c.colspan
                if c.rowspan > 1:
                    attrs += " rowspan=%d" % c.rowspan  # unquoted, as old editors write it
                tr.append('<td%s valign="center" style="border:solid windowtext 1.0pt;padding:0cm 5.4pt">%s</td>'
                          % (attrs, html_cell_text(c.lines, style)))
            tr.append("</tr>")
            t.append("".join(tr))
        if prefix == "001":
            t.append("</tbody>")
        t.append("</table>")
        out.append("\n".join(t))
    return "\n".join(out)


def html_page(prefix, blocks):
    site, encoding, meta = SITES[prefix]
    # The title (the paragraphs up to the one that says 报告) goes above the article, outside it.
    title_lines = []
    rest = list(blocks)
    while rest and rest[0][0] == "p" and len(title_lines) < 3:
        title_lines.append(rest.pop(0)[1].strip())
        if "报告" in title_lines[-1]:
            break
    title = "".join(title_lines)
    article = html_article(prefix, rest)
    nav = "".join('<li><a href="/%s/">%s</a></li>' % (k, v) for k, v in [
        ("index", "首页"), ("zwgk", "政务公开"), ("zwfw", "政务服务"), ("hdjl", "互动交流"), ("zjxx", "走进" + site[:3]),
    ])
    related_years = [2021, 2020, 2019]
    related = "".join('<li><a href="/zwgk/ndbg/%d.html">%s</a><span>%d-01-2%d</span></li>'
                      % (y, x(title.replace("2022", str(y)).replace("2023", str(y))), y + 1, y % 10) for y in related_years)
    title_markup = ('<div class="article-title">%s</div>' % x(title)) if prefix == "004" else ("<h1>%s</h1>" % x(title))
    page = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
{meta}
<meta name="SiteName" content="{x(site)}">
<meta name="ArticleTitle" content="{x(title)}">
<title>{x(title)}_{x(site)}</title>
<link rel="stylesheet" href="/css/common.css" type="text/css">
<style type="text/css">
  body {{ font-family: "Microsoft YaHei", SimSun; }} .nav li {{ float: left; }} /* 一、总体情况 in a comment is not content */
  td > p {{ margin: 0 }}
</style>
<script type="text/javascript">
  var _hmt = _hmt || []; var s = "<div>二、主动公开政府信息情况</div>"; if (a < b && b > c) {{ document.write(s); }}
</script>
</head>
<body>
<!--[if lt IE 9]><p class="browsehappy">您的浏览器版本过低，请升级浏览器。</p><![endif]-->
<div class="top-bar"><span>今天是：<script>document.write(new Date().toLocaleDateString());</script></span>
<a href="/wza/">无障碍浏览</a> | <a href="/en/">English</a> | <a href="/m/">移动版</a></div>
<div class="header"><a href="/"><img src="/images/logo.png" alt="{x(site)}"></a>
<form action="/search" method="get"><input type="text" name="q" placeholder="请输入关键字"><input type="submit" value="搜索"></form></div>
<div class="nav"><ul>{nav}</ul></div>
<div class="main">
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/ndbg/">政府信息公开年报</a></div>
<div class="sidebar"><h3>政府信息公开</h3><ul><li><a href="/zwgk/zn/">政府信息公开指南</a></li><li><a href="/zwgk/zd/">政府信息公开制度</a></li>
<li><a href="/zwgk/ndbg/">政府信息公开年报</a></li><li><a href="/zwgk/ysq/">依申请公开</a></li></ul></div>
<div class="article">
{title_markup}
<div class="info">发布时间：2023-01-20&nbsp;&nbsp;&nbsp;来源：{x(site)}办公室&nbsp;&nbsp;&nbsp;浏览次数：<span id="count">1024</span>&nbsp;&nbsp;字号：<a>大</a> <a>中</a> <a>小</a></div>
<div class="TRS_Editor" id="zoom">
{article}
</div>
<div class="share">分享到：<a class="wx">微信</a><a class="wb">微博</a> <a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
</div>
<div class="related"><h3>相关文章</h3><ul>{related}</ul></div>
</div>
<div class="footer">
<p>主办单位：{x(site)}办公室&nbsp;&nbsp;承办单位：{x(site)}大数据中心</p>
<p>网站标识码：4201040001&nbsp;&nbsp;<a href="https://beian.miit.gov.cn/">鄂ICP备05003351号</a>&nbsp;&nbsp;公安机关备案号：42010402000123</p>
<p>版权所有&copy; 2023 {x(site)} 联系电话：027-12345678 &middot; 建议使用1366&times;768分辨率</p>
</div>
<script src="/js/jquery.min.js"></script><script>$(function(){{ $(".nav li").hover(); }});</script>
</body>
</html>
"""
    if encoding == "gbk":
        data = page.encode("gbk", errors="xmlcharrefreplace")
    else:
        data = page.encode("utf-8")
    return data


# ---------------------------------------------------------------------------------------------------------


def soffice(args, cwd):
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        sys.exit("make-format-fixtures: LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui fonts-wqy-zenhei")
    profile = "file://" + os.path.join(cwd, "lo-profile")
    subprocess.run([exe, "-env:UserInstallation=" + profile, "--headless", "--norestore"] + args, cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL)


def main():
    for sub in ("docx", "html", "pdf"):
        os.makedirs(os.path.join(OUT, sub), exist_ok=True)
    work = tempfile.mkdtemp(prefix="gk-fixtures-")
    try:
        fodts = []
        for path in sorted(glob.glob(os.path.join(SEEDS, "*.txt"))):
            prefix = os.path.basename(path)[:3]
            blocks, _ = read_seed(path)
            name = "seed" + prefix
            with open(os.path.join(work, name + ".fodt"), "w", encoding="utf-8") as f:
                f.write(fodt(prefix, blocks))
            fodts.append(name + ".fodt")
            with open(os.path.join(OUT, "html", name + ".html"), "wb") as f:
                f.write(html_page(prefix, blocks))
        soffice(["--convert-to", 'docx:MS Word 2007 XML'] + fodts, work)
        soffice(["--convert-to", "pdf"] + fodts, work)
        for fodt_name in fodts:
            name = fodt_name[:-5]
            # Rewrite the .docx with maximum compression and fixed timestamps so that a re-run changes nothing
            # unless the content changed.
            src = os.path.join(work, name + ".docx")
            dst = os.path.join(OUT, "docx", name + ".docx")
            with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
                for info in zin.infolist():
                    data = zin.read(info.filename)
                    if info.filename == "docProps/core.xml":
                        data = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>", b"", data)
                    zi = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
                    zi.compress_type = zipfile.ZIP_DEFLATED
                    zout.writestr(zi, data)
            shutil.copy(os.path.join(work, name + ".pdf"), os.path.join(OUT, "pdf", name + ".pdf"))
        print("wrote %d seeds as .docx, .html and .pdf to %s" % (len(fodts), OUT))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
