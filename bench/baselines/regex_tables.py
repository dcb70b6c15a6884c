#!/usr/bin/env python3
"""Baseline: what a user would otherwise write. Reads each report file and regex-extracts the
table-3 rows (label + 7 numbers) and the table-4 row (15 numbers). No validation, no metadata, no
narrative, no JSON: it only finds the numbers. Serial by default; --pool N uses multiprocessing.Pool(N).

Usage: regex_tables.py [--pool N] [--chunksize C] FILE_OR_DIR...
Prints one summary line: files, rows found, seconds, files/s.
"""
import multiprocessing
import os
import re
import sys
import time

ROW_LABELS = [
    "本年新收", "上年结转", "予以公开", "部分公开", "国家秘密", "禁止公开", "三安全一稳定", "第三方合法权益",
    "内部事务", "过程性信息", "行政执法案卷", "行政查询事项", "不掌握", "另行制作", "仍不明确", "信访举报投诉",
    "重复申请", "公开出版物", "大量反复", "重新出具", "逾期不补正", "缴纳费用", "其他", "总计", "结转下年度",
]
# A table-3 row: its label, the rest of the label cell, then seven cells, each introduced by a tab
# (one cell per line: "\t0\n"; tab-separated rows: "\t0\t0..."). Written so that it cannot backtrack.
TABLE3 = re.compile(
    "(" + "|".join(ROW_LABELS) + r")[^\t\n]*\n?" + r"\t[ \u3000\u00a0]*([^\t\n]*)\n?" * 7
)
# The table-4 row: fifteen numeric cells in a row.
TABLE4 = re.compile(r"(?:\t?[ \u3000\u00a0]*[0-9]+[ \u00a0]*\n?){15}")


def extract(path):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    # Search only the tables' own sections: 三、收到和处理… up to 五、, as a careful script would.
    start = text.find("收到和处理政府信息公开申请")
    end = text.find("存在的主要问题", start + 1)
    region = text[start:end] if start >= 0 else text
    rows = TABLE3.findall(region)
    t4 = TABLE4.search(region, region.find("行政复议"))
    return len(rows) + (1 if t4 else 0)


def files(args):
    for a in args:
        if os.path.isdir(a):
            for root, _, names in os.walk(a):
                for n in names:
                    if n.endswith(".txt"):
                        yield os.path.join(root, n)
        else:
            yield a


def main():
    argv = sys.argv[1:]
    pool = 0
    chunksize = 256
    if "--pool" in argv:
        i = argv.index("--pool")
        pool = int(argv[i + 1])
        del argv[i : i + 2]
    if "--chunksize" in argv:
        i = argv.index("--chunksize")
        chunksize = int(argv[i + 1])
        del argv[i : i + 2]
    paths = list(files(argv))
    start = time.perf_counter()
    if pool:
        with multiprocessing.Pool(pool) as p:
            found = sum(p.imap_unordered(extract, paths, chunksize=chunksize))
    else:
        found = sum(map(extract, paths))
    elapsed = time.perf_counter() - start
    print(f'{{"baseline":"python-regex{"-pool" + str(pool) if pool else ""}","files":{len(paths)},"rows":{found},'
          f'"seconds":{elapsed:.3f},"files_per_s":{len(paths) / elapsed:.0f}}}')


if __name__ == "__main__":
    main()
