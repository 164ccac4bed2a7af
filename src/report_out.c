/*
 * report_out.c - the 考核情况通报 draft (kaohe rank --report FILE.docx):
 * a short Word document in 公文 layout that the office edits in WPS or
 * Word before it is issued.
 *
 * Every sentence is built from the numbers of the batch: the year (the
 * rubrics'), how many units were assessed, each rubric's ranking table
 * with the grades, the vetoed units with their reasons, the five check
 * points most units lost points on (问题汇总, summary.h), and, with a
 * roster, the units that sent no checklist.  Nothing else is said.
 *
 * Layout after GB/T 9704 (党政机关公文格式): A4, margins top 37 mm,
 * bottom 35 mm, left 28 mm, right 26 mm; the title in 宋体 bold 二号
 * (22 pt), centred; body 仿宋 三号 (16 pt), two characters indented,
 * lines exactly 28 pt apart; headings 一、 in 黑体 and （一） in 楷体,
 * 三号; tables in 仿宋 小四; the page number "— 1 —" in the footer.
 *
 * The document is WordprocessingML: [Content_Types].xml, _rels/.rels,
 * word/document.xml, word/styles.xml, word/footer1.xml and
 * word/_rels/document.xml.rels, zipped by archive.c (minizip), written
 * through outfile.c (a temporary renamed into place).  All text is
 * XML-escaped, invalid UTF-8 replaced, control characters dropped.
 */
#include "batch.h"
#include "archive.h"
#include "outfile.h"
#include "platform.h"
#include "summary.h"
#include "text.h"
#include "xlsx_out.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define RP_TOP 5 /* shortfalls named */

/* Text as XML character data: & < > " escaped, control characters other
 * than tab dropped, invalid UTF-8 replaced. */
static void xml_text(kh_buf *b, const char *s)
{
    char *clean = NULL;
    if (!s)
        return;
    if (!kh_utf8_valid(s, strlen(s), NULL) && (clean = kh_utf8_clean(s, SIZE_MAX)))
        s = clean;
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&': kh_buf_puts(b, "&amp;"); break;
        case '<': kh_buf_puts(b, "&lt;"); break;
        case '>': kh_buf_puts(b, "&gt;"); break;
        case '"': kh_buf_puts(b, "&quot;"); break;
        default:
            if ((unsigned char)*p >= 0x20 || *p == '\t')
                kh_buf_putc(b, *p);
        }
    }
    kh_free(clean);
}

/* A paragraph of style (NULL: the body) holding text. */
static void para(kh_buf *b, const char *style, const char *text)
{
    kh_buf_puts(b, "<w:p>");
    if (style)
        kh_buf_printf(b, "<w:pPr><w:pStyle w:val=\"%s\"/></w:pPr>", style);
    kh_buf_puts(b, "<w:r><w:t xml:space=\"preserve\">");
    xml_text(b, text);
    kh_buf_puts(b, "</w:t></w:r></w:p>");
}

/* The same with printf-style text. */
static void paraf(kh_buf *b, const char *style, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void paraf(kh_buf *b, const char *style, const char *fmt, ...)
{
    kh_buf t = {0};
    va_list ap;
    va_start(ap, fmt);
    kh_buf_vprintf(&t, fmt, ap);
    va_end(ap);
    if (t.oom)
        b->oom = true;
    para(b, style, kh_buf_str(&t));
    kh_buf_free(&t);
}

/* One table cell of width w (twips). */
static void cell(kh_buf *b, unsigned w, const char *text, bool head)
{
    /* Children in the schema's order (Word refuses others): tcW, shd,
     * vAlign. */
    kh_buf_printf(b, "<w:tc><w:tcPr><w:tcW w:w=\"%u\" w:type=\"dxa\"/>"
                     "%s<w:vAlign w:val=\"center\"/></w:tcPr><w:p><w:pPr><w:pStyle w:val=\"%s\"/></w:pPr>"
                     "<w:r><w:t xml:space=\"preserve\">",
                  w, head ? "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"E7E6E6\"/>" : "",
                  head ? "TableHead" : "TableText");
    xml_text(b, text);
    kh_buf_puts(b, "</w:t></w:r></w:p></w:tc>");
}

/* The ranking table of one rubric: 名次 · 被考核单位 · 得分 · 等次. */
static void ranking_table(kh_buf *b, const kh_group *g, bool grades)
{
    static const unsigned w4[4] = {1200, 4600, 1600, 1600}, w3[3] = {1400, 5400, 2200};
    const unsigned *w = grades ? w4 : w3;
    int ncols = grades ? 4 : 3;
    kh_buf_puts(b, "<w:tbl><w:tblPr><w:tblStyle w:val=\"Grid\"/>"
                   "<w:tblW w:w=\"0\" w:type=\"auto\"/><w:jc w:val=\"center\"/><w:tblBorders>"
                   "<w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
                   "<w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
                   "<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
                   "<w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
                   "<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
                   "<w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
                   "</w:tblBorders></w:tblPr><w:tblGrid>");
    for (int c = 0; c < ncols; c++)
        kh_buf_printf(b, "<w:gridCol w:w=\"%u\"/>", w[c]);
    kh_buf_puts(b, "</w:tblGrid><w:tr><w:trPr><w:tblHeader/></w:trPr>");
    static const char *const head[4] = {"名次", "被考核单位", "得分", "等次"};
    for (int c = 0; c < ncols; c++)
        cell(b, w[c], head[c], true);
    kh_buf_puts(b, "</w:tr>");
    char num[KH_DEC_BUFSZ], rank[24];
    for (size_t i = 0; i < g->n; i++) {
        const kh_unit *u = g->units[i];
        if (u->rank > 0)
            snprintf(rank, sizeof rank, "%ld", u->rank);
        else
            snprintf(rank, sizeof rank, "%s", "一票否决");
        kh_buf_puts(b, "<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        cell(b, w[0], rank, false);
        cell(b, w[1], u->cl->unit, false);
        cell(b, w[2], kh_dec_format(u->total, num), false);
        if (grades)
            cell(b, w[3], u->grade ? u->grade : "", false);
        kh_buf_puts(b, "</w:tr>");
    }
    kh_buf_puts(b, "</w:tbl>");
}

/* "优秀 2 个：甲、乙；良好 1 个：丙。" of group g, grades in band order. */
static void grade_sentence(kh_buf *b, const kh_batch *bt, const kh_group *g)
{
    size_t ng = 0;
    const kh_grade *gr = kh_batch_grades_of(bt, g->rubric, &ng);
    kh_buf t = {0};
    kh_buf_puts(&t, "按等次：");
    bool any = false;
    for (size_t k = 0; k < ng; k++) {
        size_t n = 0;
        for (size_t i = 0; i < g->n; i++)
            n += g->units[i]->grade && strcmp(g->units[i]->grade, gr[k].name) == 0;
        kh_buf_printf(&t, "%s%s %zu 个", any ? "；" : "", gr[k].name, n);
        any = true;
        if (!n)
            continue;
        kh_buf_puts(&t, "（");
        size_t m = 0;
        for (size_t i = 0; i < g->n; i++)
            if (g->units[i]->grade && strcmp(g->units[i]->grade, gr[k].name) == 0)
                kh_buf_printf(&t, "%s%s", m++ ? "、" : "", g->units[i]->cl->unit);
        kh_buf_puts(&t, "）");
    }
    kh_buf_puts(&t, "。");
    if (t.oom)
        b->oom = true;
    if (any)
        para(b, NULL, kh_buf_str(&t));
    kh_buf_free(&t);
}

static const char *const cn_num[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};

static char *document_xml(const kh_batch *b, const kh_summary *sum, time_t now)
{
    size_t ng = 0;
    kh_group *g = kh_batch_groups(b, &ng);
    if (!g && b->nunits)
        return NULL;
    kh_buf x = {0};
    const char *year = NULL;
    for (size_t k = 0; k < ng && !year; k++)
        year = g[k].rubric->year;
    size_t nvetoed = 0;
    for (size_t i = 0; i < b->nunits; i++)
        nvetoed += b->units[i]->vetoed;
    const kh_roster *ro = b->roster;

    kh_buf_puts(&x, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                    "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "
                    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
                    "<w:body>");
    /* Two lines, broken where a reader pauses (a 公文 title is not cut
     * inside a word). */
    kh_buf_puts(&x, "<w:p><w:pPr><w:pStyle w:val=\"Title\"/></w:pPr><w:r><w:t>");
    kh_buf_printf(&x, "关于%s%s安全生产工作", year ? year : "", year ? "年度" : "");
    kh_buf_puts(&x, "</w:t></w:r><w:r><w:br/><w:t>考核情况的通报</w:t></w:r></w:p>");
    para(&x, "Draft", "（草稿）");

    /* The opening: which rubrics, how many units. */
    kh_buf t = {0};
    kh_buf_puts(&t, "根据");
    for (size_t k = 0; k < ng; k++)
        kh_buf_printf(&t, "%s《%s》", k ? "和" : "", g[k].rubric->title ? g[k].rubric->title
                                                                       : g[k].rubric->id);
    kh_buf_printf(&t, "，对 %zu 个单位%s%s安全生产工作进行了考核。现将考核情况通报如下。",
                  b->nunits, year ? year : "", year ? "年度" : "");
    para(&x, NULL, ng ? kh_buf_str(&t) : "本次没有计入排名的单位。");
    kh_buf_reset(&t);

    int h = 0;
    paraf(&x, "Heading1", "%s、考核基本情况", cn_num[h++]);
    if (ro)
        kh_buf_printf(&t, "按单位名单，应考核单位 %zu 个，", kh_roster_count(ro));
    kh_buf_printf(&t, "计入排名的单位 %zu 个", b->nunits);
    if (ng > 1) {
        kh_buf_puts(&t, "（");
        for (size_t k = 0; k < ng; k++)
            kh_buf_printf(&t, "%s%s %zu 个", k ? "，" : "",
                          g[k].rubric->unit_type ? g[k].rubric->unit_type : g[k].rubric->id,
                          g[k].n);
        kh_buf_puts(&t, "）");
    }
    kh_buf_printf(&t, "，其中一票否决 %zu 个", nvetoed);
    if (ro)
        kh_buf_printf(&t, "；未报送检查表的单位 %zu 个", b->nmissing);
    if (b->nrejected)
        kh_buf_printf(&t, "；另有 %zu 份检查表未通过审核，未计入排名", b->nrejected);
    kh_buf_puts(&t, "。");
    para(&x, NULL, kh_buf_str(&t));
    kh_buf_reset(&t);

    paraf(&x, "Heading1", "%s、考核结果", cn_num[h++]);
    if (!ng)
        para(&x, NULL, b->nrejected ? "没有可排名的单位：报送的检查表都未通过审核。"
                                    : "没有可排名的单位：没有收到检查表。");
    char num[KH_DEC_BUFSZ];
    for (size_t k = 0; k < ng; k++) {
        const kh_rubric *r = g[k].rubric;
        size_t ngr = 0;
        kh_batch_grades_of(b, r, &ngr);
        paraf(&x, "Heading2", "（%s）%s（%zu 个）", k < 10 ? cn_num[k] : "", r->unit_type ? r->unit_type : r->id,
              g[k].n);
        size_t ranked = 0;
        for (size_t i = 0; i < g[k].n; i++)
            ranked += g[k].units[i]->rank > 0;
        kh_buf_printf(&t, "满分 %s 分。", kh_dec_format(r->total, num));
        if (ranked) {
            kh_buf_printf(&t, "得分最高的是%s（%s 分）", g[k].units[0]->cl->unit,
                          kh_dec_format(g[k].units[0]->total, num));
            kh_buf_printf(&t, "，最低的是%s（%s 分）。", g[k].units[ranked - 1]->cl->unit,
                          kh_dec_format(g[k].units[ranked - 1]->total, num));
        }
        para(&x, NULL, kh_buf_str(&t));
        kh_buf_reset(&t);
        if (ngr)
            grade_sentence(&x, b, &g[k]);
        ranking_table(&x, &g[k], ngr > 0);
        para(&x, "Gap", "");
    }

    paraf(&x, "Heading1", "%s、一票否决的单位", cn_num[h++]);
    if (!nvetoed) {
        para(&x, NULL, "本次考核没有一票否决的单位。");
    } else {
        kh_buf_printf(&t, "%zu 个单位被一票否决，不排名次：", nvetoed);
        size_t m = 0;
        for (size_t k = 0; k < ng; k++)
            for (size_t i = 0; i < g[k].n; i++) {
                const kh_unit *u = g[k].units[i];
                if (!u->vetoed)
                    continue;
                kh_buf_printf(&t, "%s%s", m++ ? "；" : "", u->cl->unit);
                if (u->veto_reason)
                    kh_buf_printf(&t, "（%s）", u->veto_reason);
            }
        kh_buf_puts(&t, "。");
        para(&x, NULL, kh_buf_str(&t));
        kh_buf_reset(&t);
    }

    paraf(&x, "Heading1", "%s、存在的主要问题", cn_num[h++]);
    /* One more than named: to tell when the last named ties with the next. */
    const kh_sum_check *top[RP_TOP + 1];
    const kh_sum_rubric *of[RP_TOP + 1];
    size_t ntop = kh_summary_top(sum, top, of, RP_TOP + 1);
    bool tie = ntop > RP_TOP && top[RP_TOP]->nunits == top[RP_TOP - 1]->nunits;
    if (ntop > RP_TOP)
        ntop = RP_TOP;
    if (!ntop) {
        para(&x, NULL, "没有单位在任何检查点失分。");
    } else {
        paraf(&x, NULL, "从问题汇总看，失分单位最多的 %zu 个检查点是%s：", ntop,
              tie ? "（失分单位数相同的，按考核细则顺序列出）" : "");
        for (size_t i = 0; i < ntop; i++) {
            char *line = kh_summary_check_line(of[i], top[i]);
            if (!line) {
                x.oom = true;
                break;
            }
            if (sum->n > 1) {
                const kh_rubric *r = of[i]->rubric;
                paraf(&x, NULL, "%zu. 检查点 %s（%s）。", i + 1, line,
                      r->unit_type ? r->unit_type : r->id);
            } else {
                paraf(&x, NULL, "%zu. 检查点 %s。", i + 1, line);
            }
            kh_free(line);
        }
    }

    if (ro) {
        paraf(&x, "Heading1", "%s、未报送检查表的单位", cn_num[h++]);
        if (!b->nmissing) {
            para(&x, NULL, "单位名单上的单位都已报送检查表。");
        } else {
            kh_buf_printf(&t, "单位名单上有 %zu 个单位未报送检查表：", b->nmissing);
            for (size_t i = 0; i < b->nmissing; i++)
                kh_buf_printf(&t, "%s%s", i ? "、" : "", kh_roster_unit(ro, b->missing[i]));
            kh_buf_puts(&t, "。");
            para(&x, NULL, kh_buf_str(&t));
            kh_buf_reset(&t);
        }
    }

    struct tm tm;
    kh_gmtime(now, &tm);
    para(&x, "Gap", "");
    paraf(&x, "Date", "%d年%d月%d日", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    /* A4, 公文 margins, the footer with the page number. */
    kh_buf_puts(&x, "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooter\"/>"
                    "<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"
                    "<w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\" "
                    "w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/>"
                    "<w:docGrid w:type=\"lines\" w:linePitch=\"579\"/></w:sectPr>"
                    "</w:body></w:document>");
    bool oom = x.oom || t.oom; /* before kh_buf_free forgets it */
    kh_buf_free(&t);
    kh_groups_free(g, ng);
    if (oom) {
        kh_buf_free(&x);
        return NULL;
    }
    return kh_buf_steal(&x);
}

/* Fonts of a run: every script in one face. */
#define RP_FONTS(f) "<w:rFonts w:ascii=\"" f "\" w:eastAsia=\"" f "\" w:hAnsi=\"" f "\" w:cs=\"" f "\"/>"

static const char styles_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    "<w:docDefaults><w:rPrDefault><w:rPr>" RP_FONTS("仿宋")
    "<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/>"
    "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>"
    "<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"560\" w:lineRule=\"exact\"/>"
    "<w:jc w:val=\"both\"/></w:pPr></w:pPrDefault></w:docDefaults>"
    /* Body: 仿宋 三号, two characters indented. */
    "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/>"
    "<w:pPr><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/></w:pPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:pPr><w:spacing w:before=\"0\" w:after=\"560\" w:line=\"700\" "
    "w:lineRule=\"exact\"/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"center\"/></w:pPr>"
    "<w:rPr>" RP_FONTS("宋体") "<w:b/><w:sz w:val=\"44\"/><w:szCs w:val=\"44\"/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Draft\"><w:name w:val=\"Draft\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:pPr><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/>"
    "<w:jc w:val=\"center\"/></w:pPr><w:rPr>" RP_FONTS("楷体") "</w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:pPr><w:keepNext/><w:outlineLvl w:val=\"0\"/></w:pPr>"
    "<w:rPr>" RP_FONTS("黑体") "</w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading2\"><w:name w:val=\"heading 2\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:pPr><w:keepNext/><w:outlineLvl w:val=\"1\"/></w:pPr>"
    "<w:rPr>" RP_FONTS("楷体") "</w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"TableText\"><w:name w:val=\"Table Text\"/>"
    "<w:pPr><w:keepNext/><w:spacing w:line=\"320\" w:lineRule=\"atLeast\"/><w:jc w:val=\"center\"/></w:pPr>"
    "<w:rPr><w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"TableHead\"><w:name w:val=\"Table Head\"/>"
    "<w:basedOn w:val=\"TableText\"/><w:rPr>" RP_FONTS("黑体") "</w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Gap\"><w:name w:val=\"Gap\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:pPr><w:spacing w:line=\"280\" w:lineRule=\"exact\"/></w:pPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Date\"><w:name w:val=\"Date\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:pPr><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\" "
    "w:rightChars=\"400\" w:right=\"1280\"/><w:jc w:val=\"right\"/></w:pPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Footer\"><w:name w:val=\"footer\"/>"
    "<w:pPr><w:jc w:val=\"center\"/></w:pPr><w:rPr>" RP_FONTS("宋体")
    "<w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr></w:style>"
    "<w:style w:type=\"table\" w:styleId=\"Grid\"><w:name w:val=\"Table Grid\"/>"
    "<w:tblPr><w:tblCellMar><w:left w:w=\"80\" w:type=\"dxa\"/><w:right w:w=\"80\" w:type=\"dxa\"/>"
    "</w:tblCellMar></w:tblPr></w:style>"
    "</w:styles>";

/* "— 1 —": the page number between dashes, 宋体 四号. */
static const char footer_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:ftr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    "<w:p><w:pPr><w:pStyle w:val=\"Footer\"/></w:pPr>"
    "<w:r><w:t xml:space=\"preserve\">— </w:t></w:r>"
    "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
    "<w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>"
    "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>1</w:t></w:r>"
    "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
    "<w:r><w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>";

static const char content_types_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
    "<Override PartName=\"/word/styles.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
    "<Override PartName=\"/word/footer1.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>"
    "</Types>";

static const char rels_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>";

static const char doc_rels_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/styles\" Target=\"styles.xml\"/>"
    "<Relationship Id=\"rIdFooter\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/footer\" Target=\"footer1.xml\"/></Relationships>";

kh_status kh_report_check_path(const char *path, kh_diags *d)
{
    size_t n = path ? strlen(path) : 0;
    if (n <= 5 || !kh_ascii_eq_nocase(path + n - 5, ".docx")) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("the report is a Word document: give a file name ending in .docx"));
        return KH_ERR_USAGE;
    }
    return KH_OK;
}

kh_status kh_write_report(const kh_batch *b, const char *path, kh_diags *d)
{
    kh_status st = kh_report_check_path(path, d);
    if (st != KH_OK)
        return st;
    if (kh_batch_is_input(b, path)) {
        kh_diags_add(d, KH_ERROR, path, NULL, NULL, 0,
                     _("this output would overwrite an input: choose another output name"));
        return KH_ERR_USAGE;
    }
    kh_summary *sum = NULL;
    st = kh_summary_new(b, NULL, &sum);
    if (st != KH_OK)
        return st;
    char *doc = document_xml(b, sum, kh_xw_now());
    kh_summary_free(sum);
    if (!doc)
        return KH_ERR_NOMEM;
    const kh_archive_part parts[] = {
        {"[Content_Types].xml", content_types_xml, sizeof content_types_xml - 1},
        {"_rels/.rels", rels_xml, sizeof rels_xml - 1},
        {"word/document.xml", doc, strlen(doc)},
        {"word/styles.xml", styles_xml, sizeof styles_xml - 1},
        {"word/footer1.xml", footer_xml, sizeof footer_xml - 1},
        {"word/_rels/document.xml.rels", doc_rels_xml, sizeof doc_rels_xml - 1},
    };
    kh_outfile o;
    st = kh_outfile_begin(&o, path, d);
    if (st == KH_OK) {
        st = kh_archive_write_parts(o.open_path, path, parts, sizeof parts / sizeof *parts, d);
        if (st == KH_OK)
            st = kh_outfile_commit(&o, d);
        else
            kh_outfile_abort(&o);
    }
    kh_free(doc);
    return st;
}
