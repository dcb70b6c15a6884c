# Baseline per-file command: prints the numbers of the table-3 rows (label + 7 cells) and of the table-4
# row (15 cells) of the report files it is given, one line per row. Handles both layouts the seeds show:
# tab-separated rows, and one cell per line (rows separated by blank lines). No validation, no metadata.
BEGIN { labels = "本年新收|上年结转|予以公开|部分公开|国家秘密|禁止公开|三安全一稳定|第三方合法权益|内部事务|过程性信息|行政执法案卷|行政查询事项|不掌握|另行制作|仍不明确|信访举报投诉|重复申请|公开出版物|大量反复|重新出具|逾期不补正|缴纳费用|其他|总计|结转下年度" }
FNR == 1 { section = 0; row = ""; n = 0 }
/收到和处理政府信息公开申请/ { section = 3 }
/行政复议、行政诉讼/ && section == 3 { section = 4 }
/存在的主要问题/ { section = 5 }
section == 3 || section == 4 {
    line = $0; sub(/\r$/, "", line)
    if (line ~ /\t/ && line !~ /^\t[^\t]*$/) {           # a tab-separated row
        k = split(line, cell, "\t"); nums = ""; c = 0
        for (i = 1; i <= k; i++) if (cell[i] ~ /^[ 　]*[0-9]+[ ]*$/) { nums = nums " " cell[i]; c++ }
        if ((c >= 7 && line ~ labels) || c >= 15) print FILENAME ":" nums
    } else if (line ~ /^\t/) {                           # one cell per line
        v = substr(line, 2)
        if (v ~ /^[ 　 ]*[0-9]+[ ]*$/) { row = row " " v; n++ } else if (v != "") { row = ""; n = 0 }
    } else if (line == "") {
        if (n >= 7) print FILENAME ":" row
        row = ""; n = 0
    }
}
