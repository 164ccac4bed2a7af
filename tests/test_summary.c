/* test_summary.c - 问题汇总 (summary.c): per check point and item, the
 * units that lost points and the points lost, against counts made by hand
 * from the sample checklists and against an independent count over
 * generated units; the order; the comparison with an earlier run; the
 * lines; the 通报 draft (report_out.c) built from the same numbers. */
#include "testutil.h"
#include "batch.h"
#include "previous.h"
#include "summary.h"

#include <unistd.h>

static int fx_setup(void **state)
{
    test_fx *f = test_fx_new("kh_summary");
    *state = f;
    return f ? 0 : -1;
}

static const kh_sum_rubric *rubric_of(const kh_summary *s, const char *id)
{
    for (size_t k = 0; k < s->n; k++)
        if (strcmp(s->v[k].rubric->id, id) == 0)
            return &s->v[k];
    fail_msg("no rubric %s in the summary", id);
    return NULL;
}

static const kh_sum_item *item_of(const kh_sum_rubric *r, const char *num)
{
    for (size_t i = 0; i < r->nitems; i++)
        if (strcmp(r->items[i].item->num, num) == 0)
            return &r->items[i];
    fail_msg("no item %s", num);
    return NULL;
}

static const kh_sum_check *check_of(const kh_sum_rubric *r, const char *id)
{
    for (size_t i = 0; i < r->nitems; i++)
        for (size_t j = 0; j < r->items[i].nchecks; j++)
            if (strcmp(r->items[i].checks[j].cp->id, id) == 0)
                return &r->items[i].checks[j];
    fail_msg("no check point %s", id);
    return NULL;
}

static kh_dec dec(const char *s)
{
    kh_dec v;
    assert_true(kh_dec_parse(s, &v));
    return v;
}

/* Check point id of r: n units, lost points, and (n >= 1) the first unit. */
static void want_check(const kh_sum_rubric *r, const char *id, size_t n, const char *lost,
                         const char *first)
{
    const kh_sum_check *c = check_of(r, id);
    if (c->nunits != n || c->lost != dec(lost))
        fail_msg("check point %s: %zu units, lost %lld; expected %zu, %s", id, c->nunits,
                 (long long)c->lost, n, lost);
    if (first)
        assert_string_equal(c->units[0]->cl->unit, first);
}

/* Every order rule: items by units (ties: rubric order), check points in
 * each item the same way. */
static void assert_sorted(const kh_sum_rubric *r)
{
    for (size_t i = 0; i < r->nitems; i++) {
        const kh_sum_item *it = &r->items[i];
        if (i) {
            const kh_sum_item *p = &r->items[i - 1];
            assert_true(p->nunits > it->nunits ||
                        (p->nunits == it->nunits && p->index < it->index));
        }
        for (size_t j = 1; j < it->nchecks; j++) {
            const kh_sum_check *p = &it->checks[j - 1], *c = &it->checks[j];
            assert_true(p->nunits > c->nunits ||
                        (p->nunits == c->nunits && p->index < c->index));
            assert_int_equal(c->cp->item, it->index);
        }
    }
}

static size_t checks_lost(const kh_sum_rubric *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nitems; i++)
        for (size_t j = 0; j < r->items[i].nchecks; j++)
            n += r->items[i].checks[j].nunits;
    return n;
}

/* ------------------------------------------------------------------ */
/* The samples, counted by hand from the samples (samples/NAME.csv) and the rubrics.
 *
 * 乡镇 (6 units; ranking order 临桂镇 会仙镇 两江镇 四塘镇 六塘镇, then
 * 五通镇 vetoed).  Check points whose result costs points:
 *   两江镇  1.6 无 0.5; 1.7 无 0.5; 3.1 会议 1 次 (need 2, 0.2 each) 0.2;
 *           17.1 一般事故 2 起 × 1 = 2
 *   临桂镇  8.3 无 0.6; 12.3 无 0.5
 *   五通镇  9.1 无 1; 17.3 重大事故 1 起: veto, the item's 5 points
 *   会仙镇  2.4 × 0.5; 6.3 ３ (full-width) × 0.2 = 0.6
 *   六塘镇  4.1 2 × 0.2 = 0.4; 5.1 1 of 2: 0.5; 7.1 0 of 2: 2; 7.2 无 0.4;
 *           7.3 无 0.4 (item 7 worth 2: 2.8 capped at 2); 10.1 无 0.2;
 *           10.3 无 0.2; 15.2 15.5 15.7 无 1 each; 16.2 否 0.5
 *   四塘镇  13.2 无 0.2; 17.2 较大事故 1 起: any, the item's 5 points
 * 23 check points, each lost by one unit; item 17 by three (2 + 5 + 5).
 *
 * 区直单位部门 (8 units, 区自然资源局 vetoed):
 *   区交通运输局 15.1 1 × 0.1; 区住房和城乡建设局 3.2 1 of 2: 0.04, 8.3 8.4
 *   无 0.05 each; 区农业农村局 15.2 any (item 15 worth 0.4); 区卫生健康局
 *   2.1 2 × 0.02, 4.2 1 × 0.02, 5.1 1 of 2: 0.1, 11.1 无 0.05; 区市场监督
 *   管理局 6.2 无 0.1, 10.4 无 0.02; 区应急管理局 1.6 1.7 无 0.02 each, 1.8
 *   1 of 2: 0.02; 区教育局 13.5 13.6 无 0.05 each; 区自然资源局 15.4 veto
 *   (0.4).  17 check points; item 15 by three units, 0.9 in all. */
static void samples_by_hand(void **state)
{
    test_fx *f = *state;
    kh_diags d = {0};
    assert_int_equal(kh_registry_load_dir(f->reg, "templates/rubrics", &d), KH_OK);
    f->b = kh_batch_new(f->reg, NULL);
    assert_non_null(f->b);
    assert_int_equal(kh_batch_add(f->b, "samples", &f->notes), KH_OK);
    assert_int_equal(kh_batch_finish(f->b), KH_OK);
    assert_int_equal(kh_batch_unit_count(f->b), 14);
    kh_summary *s = NULL;
    assert_int_equal(kh_summary_new(f->b, NULL, &s), KH_OK);
    assert_int_equal(s->n, 2);

    const kh_sum_rubric *t = rubric_of(s, "lingui-2020-township");
    assert_int_equal(t->nunits, 6);
    assert_int_equal(t->nvetoed, 1);
    assert_int_equal(checks_lost(t), 23);
    assert_sorted(t);
    /* Item 17 first: three units. */
    assert_string_equal(t->items[0].item->num, "17");
    assert_int_equal(t->items[0].nunits, 3);
    assert_true(t->items[0].lost == dec("12"));
    assert_string_equal(t->items[0].units[0]->cl->unit, "两江镇");
    assert_string_equal(t->items[0].units[1]->cl->unit, "四塘镇");
    assert_string_equal(t->items[0].units[2]->cl->unit, "五通镇");
    want_check(t, "17.1", 1, "2", "两江镇");
    want_check(t, "17.2", 1, "5", "四塘镇");
    want_check(t, "17.3", 1, "5", "五通镇");
    want_check(t, "17.4", 0, "0", NULL);
    want_check(t, "1.6", 1, "0.5", "两江镇");
    want_check(t, "3.1", 1, "0.2", "两江镇");
    want_check(t, "8.3", 1, "0.6", "临桂镇");
    want_check(t, "9.1", 1, "1", "五通镇");
    want_check(t, "6.3", 1, "0.6", "会仙镇");
    want_check(t, "7.1", 1, "2", "六塘镇");
    want_check(t, "7.2", 1, "0.4", "六塘镇");
    want_check(t, "16.2", 1, "0.5", "六塘镇");
    want_check(t, "13.2", 1, "0.2", "四塘镇");
    want_check(t, "8.1", 0, "0", NULL);
    /* Item 7: 2.8 by its check points, 2 after the item's cap. */
    const kh_sum_item *i7 = item_of(t, "7");
    assert_int_equal(i7->nunits, 1);
    assert_true(i7->lost == dec("2"));
    const kh_sum_item *i15 = item_of(t, "15");
    assert_int_equal(i15->nunits, 1);
    assert_true(i15->lost == dec("3"));
    assert_int_equal(item_of(t, "14")->nunits, 0);
    char *line = kh_summary_check_line(t, check_of(t, "8.3"));
    assert_string_equal(line, "8.3 中秋期间安全生产大检查：失分单位 1/6（17%），共失分 0.6 分");
    kh_free(line);
    line = kh_summary_item_line(t, item_of(t, "17"));
    assert_string_equal(line, "第 17 项 生产安全事故：失分单位 3/6（50%），共失分 12 分");
    kh_free(line);

    const kh_sum_rubric *p = rubric_of(s, "lingui-2020-department");
    assert_int_equal(p->nunits, 8);
    assert_int_equal(p->nvetoed, 1);
    assert_int_equal(checks_lost(p), 17);
    assert_sorted(p);
    assert_string_equal(p->items[0].item->num, "15");
    assert_int_equal(p->items[0].nunits, 3);
    assert_true(p->items[0].lost == dec("0.9"));
    want_check(p, "15.1", 1, "0.1", "区交通运输局");
    want_check(p, "15.2", 1, "0.4", "区农业农村局");
    want_check(p, "15.4", 1, "0.4", "区自然资源局");
    want_check(p, "3.2", 1, "0.04", "区住房和城乡建设局");
    want_check(p, "2.1", 1, "0.04", "区卫生健康局");
    want_check(p, "1.8", 1, "0.02", "区应急管理局");
    want_check(p, "13.6", 1, "0.05", "区教育局");

    /* The ten lost most: all by one unit, so the first rubric in rubric
     * order. */
    const kh_sum_check *top[10];
    const kh_sum_rubric *of[10];
    assert_int_equal(kh_summary_top(s, top, of, 10), 10);
    const char *want[10] = {"1.6", "1.7", "2.4", "3.1", "4.1", "5.1", "6.3", "7.1", "7.2", "7.3"};
    for (int i = 0; i < 10; i++) {
        assert_string_equal(top[i]->cp->id, want[i]);
        assert_ptr_equal(of[i], t);
    }
    kh_summary_free(s);
    kh_diags_clear(&d);
}

/* ------------------------------------------------------------------ */
/* Generated units, counted independently of the engine. */

/* Rubric: 3 items, 10 points.
 *   1 (3): 1.1 has 0.5, 1.2 has 0.5
 *   2 (1): 2.1 count need 2 per 0.4, 2.2 each 0.2     (item cap bites)
 *   3 (5): 3.1 each 1 cap 4, 3.2 any, 3.3 veto */
#define NCP 7
static const char *const GEN_IDS[NCP] = {"1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "3.3"};
static const int GEN_ITEM[NCP] = {0, 0, 1, 1, 2, 2, 2};
static const kh_dec GEN_POINTS[3] = {KH_DEC_INT(3), KH_DEC_INT(1), KH_DEC_INT(5)};

static void write_gen_rubric(test_fx *f)
{
    test_write_file(pathf(f, "rubric.csv"),
                    "id,gen\ntitle,生成的考核细则\nunit_type,乡镇\ntotal,9\nyear,2021\n"
                    "item,points,content,check,label,kind,need,per,cap,hint\n"
                    "1,3,学习与部署,1.1,学习记录,has,,0.5,,\n"
                    "1,,,1.2,签到单,has,,0.5,,\n"
                    "2,1,会议与检查,2.1,检查次数,count,2,0.4,,\n"
                    "2,,,2.2,未参会次数,each,,0.2,,\n"
                    "3,5,事故控制,3.1,一般事故起数,each,,1,4,\n"
                    "3,,,3.2,较大事故起数,any,,,,\n"
                    "3,,,3.3,重大事故起数,veto,,,,\n");
    kh_diags d = {0};
    assert_int_equal(kh_registry_load_file(f->reg, pathf(f, "rubric.csv"), &d), KH_OK);
    kh_diags_clear(&d);
}

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 16) & 0x7fff;
}

/* The deduction of check point j for result v (has: 1 present), by the
 * rubric's rules written out again here. */
static kh_dec gen_ded(int j, int v)
{
    switch (j) {
    case 0: case 1: return v ? 0 : 5000;
    case 2: return v >= 2 ? 0 : (kh_dec)(2 - v) * 4000;
    case 3: return (kh_dec)v * 2000;
    case 4: return v * KH_DEC_SCALE > 4 * KH_DEC_SCALE ? 4 * KH_DEC_SCALE : (kh_dec)v * KH_DEC_SCALE;
    default: return v ? GEN_POINTS[2] : 0;
    }
}

#define NGEN 37

static void generated_units(void **state)
{
    test_fx *f = *state;
    write_gen_rubric(f);
    uint32_t seed = 2026;
    int res[NGEN][NCP];
    size_t want_n[NCP] = {0}, want_item_n[3] = {0};
    kh_dec want_lost[NCP] = {0}, want_item_lost[3] = {0};
    bool lost_cp[NGEN][NCP];
    for (int u = 0; u < NGEN; u++) {
        res[u][0] = lcg(&seed) % 4 != 0;
        res[u][1] = lcg(&seed) % 3 != 0;
        res[u][2] = (int)(lcg(&seed) % 4);
        res[u][3] = (int)(lcg(&seed) % 4 == 0 ? lcg(&seed) % 5 : 0);
        res[u][4] = (int)(lcg(&seed) % 3 == 0 ? lcg(&seed) % 7 : 0);
        res[u][5] = lcg(&seed) % 9 == 0;
        res[u][6] = lcg(&seed) % 11 == 0;
        kh_dec item_sum[3] = {0};
        bool item_hit[3] = {false};
        for (int j = 0; j < NCP; j++) {
            kh_dec dd = gen_ded(j, res[u][j]);
            lost_cp[u][j] = dd != 0;
            if (dd) {
                want_n[j]++;
                want_lost[j] += dd;
                item_hit[GEN_ITEM[j]] = true;
            }
            item_sum[GEN_ITEM[j]] += dd;
        }
        for (int i = 0; i < 3; i++) {
            want_item_n[i] += item_hit[i];
            want_item_lost[i] += item_sum[i] > GEN_POINTS[i] ? GEN_POINTS[i] : item_sum[i];
        }
        kh_buf b = {0};
        kh_buf_printf(&b, "考核细则,gen\n被考核单位,单位%02d\n\n检查点,检查结果\n", u);
        for (int j = 0; j < NCP; j++) {
            if (j < 2)
                kh_buf_printf(&b, "%s,%s\n", GEN_IDS[j], res[u][j] ? "有" : "无");
            else
                kh_buf_printf(&b, "%s,%d\n", GEN_IDS[j], res[u][j]);
        }
        char name[32];
        snprintf(name, sizeof name, "u%02d.csv", u);
        test_write_file(pathf(f, name), kh_buf_str(&b));
        kh_buf_free(&b);
        test_fx_add(f, name);
    }
    assert_int_equal(kh_batch_finish(f->b), KH_OK);
    assert_int_equal(kh_batch_unit_count(f->b), NGEN);
    kh_summary *s = NULL;
    assert_int_equal(kh_summary_new(f->b, NULL, &s), KH_OK);
    const kh_sum_rubric *r = rubric_of(s, "gen");
    assert_int_equal(r->nunits, NGEN);
    assert_sorted(r);
    size_t vetoed = 0;
    for (int u = 0; u < NGEN; u++)
        vetoed += res[u][6] != 0;
    assert_int_equal(r->nvetoed, vetoed);
    for (int j = 0; j < NCP; j++) {
        const kh_sum_check *c = check_of(r, GEN_IDS[j]);
        if (c->nunits != want_n[j] || c->lost != want_lost[j])
            fail_msg("%s: %zu units, %lld lost; counted %zu, %lld", GEN_IDS[j], c->nunits,
                     (long long)c->lost, want_n[j], (long long)want_lost[j]);
        /* The units named are exactly those that lost points on it. */
        for (size_t k = 0; k < c->nunits; k++) {
            int u = atoi(c->units[k]->cl->unit + strlen("单位"));
            assert_true(lost_cp[u][j]);
        }
    }
    for (int i = 0; i < 3; i++) {
        char num[16];
        snprintf(num, sizeof num, "%d", i + 1);
        const kh_sum_item *it = item_of(r, num);
        assert_int_equal(it->nunits, want_item_n[i]);
        assert_true(it->lost == want_item_lost[i]);
    }
    /* The counts this seed gives are not all alike (the sort is tested). */
    assert_true(want_n[0] != want_n[1] || want_n[2] != want_n[3]);
    kh_summary_free(s);
}

/* ------------------------------------------------------------------ */
/* With an earlier run: its units of the same rubric, check by check. */

static void previous_year(void **state)
{
    test_fx *f = *state;
    write_gen_rubric(f);
    test_write_file(pathf(f, "a.csv"), "考核细则,gen\n被考核单位,甲\n\n检查点,检查结果\n"
                                       "1.1,无\n1.2,有\n2.1,2\n2.2,0\n3.1,0\n3.2,0\n3.3,0\n");
    test_fx_add(f, "a.csv");
    assert_int_equal(kh_batch_finish(f->b), KH_OK);
    /* Last year: 1.1 lost by two units, 2.1 by one (1 of 2), 3.3 by none;
     * a unit of another rubric and a unit without check points do not
     * count. */
    test_write_file(pathf(f, "old.json"),
                    "{\"units\": ["
                    "{\"unit\": \"甲\", \"rubric\": \"gen\", \"total\": \"8\", \"max\": \"9\", "
                    "\"checks\": [{\"check\": \"1.1\", \"result\": \"无\"}, {\"check\": \"2.1\", "
                    "\"result\": 1}, {\"check\": \"3.3\", \"result\": 0}]},"
                    "{\"unit\": \"乙\", \"rubric\": \"gen\", \"total\": \"8\", \"max\": \"9\", "
                    "\"checks\": [{\"check\": \"1.1\", \"result\": \"无\"}, {\"check\": \"2.1\", "
                    "\"result\": 2}, {\"check\": \"9.9\", \"result\": 1}]},"
                    "{\"unit\": \"丙\", \"rubric\": \"other\", \"total\": \"8\", \"max\": \"9\", "
                    "\"checks\": [{\"check\": \"1.1\", \"result\": \"无\"}]},"
                    "{\"unit\": \"丁\", \"rubric\": \"gen\", \"total\": \"8\", \"max\": \"9\"}]}");
    kh_previous *prev = NULL;
    kh_diags d = {0};
    assert_int_equal(kh_previous_load(pathf(f, "old.json"), &prev, &d), KH_OK);
    kh_summary *s = NULL;
    assert_int_equal(kh_summary_new(f->b, prev, &s), KH_OK);
    const kh_sum_rubric *r = rubric_of(s, "gen");
    assert_int_equal(r->prev_nunits, 2);
    const kh_sum_check *c = check_of(r, "1.1");
    assert_true(c->has_prev);
    assert_int_equal(c->nunits, 1);
    assert_int_equal(c->prev_units, 2);
    assert_int_equal(check_of(r, "2.1")->prev_units, 1);
    assert_int_equal(check_of(r, "3.3")->prev_units, 0);
    assert_int_equal(item_of(r, "1")->prev_units, 2);
    assert_int_equal(item_of(r, "2")->prev_units, 1);
    char *t = kh_summary_change(c->nunits, c->prev_units, true);
    assert_string_equal(t, "较上年少 1 个单位（上年 2 个）");
    kh_free(t);
    t = kh_summary_change(3, 1, true);
    assert_string_equal(t, "较上年多 2 个单位（上年 1 个）");
    kh_free(t);
    assert_null(kh_summary_change(3, 1, false));
    kh_summary_free(s);
    /* Without an earlier run, nothing to compare. */
    assert_int_equal(kh_summary_new(f->b, NULL, &s), KH_OK);
    assert_false(check_of(rubric_of(s, "gen"), "1.1")->has_prev);
    kh_summary_free(s);
    kh_previous_free(prev);
    kh_diags_clear(&d);
}

static void percentages(void **state)
{
    (void)state;
    assert_int_equal(kh_summary_pct(7, 17), 41);
    assert_int_equal(kh_summary_pct(1, 6), 17);
    assert_int_equal(kh_summary_pct(1, 8), 13); /* 12.5: half up */
    assert_int_equal(kh_summary_pct(2, 3), 67);
    assert_int_equal(kh_summary_pct(17, 17), 100);
    assert_int_equal(kh_summary_pct(0, 0), 0);
}

/* ------------------------------------------------------------------ */
/* The 通报 draft: the numbers of the batch, text escaped. */

static void report_document(void **state)
{
    test_fx *f = *state;
    write_gen_rubric(f);
    test_write_file(pathf(f, "a.csv"), "考核细则,gen\n被考核单位,\"A&B<C>\"\n\n检查点,检查结果\n"
                                       "1.1,无\n1.2,无\n2.1,2\n2.2,0\n3.1,0\n3.2,0\n3.3,0\n");
    test_write_file(pathf(f, "b.csv"), "考核细则,gen\n被考核单位,乙\n\n检查点,检查结果\n"
                                       "1.1,无\n1.2,有\n2.1,2\n2.2,0\n3.1,0\n3.2,0\n3.3,1\n");
    test_fx_add(f, "a.csv");
    test_fx_add(f, "b.csv");
    assert_int_equal(kh_batch_finish(f->b), KH_OK);
    kh_diags d = {0};
    /* Not a .docx, or an input: refused, nothing written. */
    assert_int_equal(kh_write_report(f->b, pathf(f, "r.doc"), &d), KH_ERR_USAGE);
    assert_int_equal(access(pathf(f, "r.doc"), F_OK), -1);
    assert_int_equal(kh_report_check_path("x.DOCX", &d), KH_OK);
    kh_diags_clear(&d);
    assert_int_equal(kh_write_report(f->b, pathf(f, "a.csv"), &d), KH_ERR_USAGE);
    kh_diags_clear(&d);

    const char *out = pathf(f, "通报.docx");
    assert_int_equal(kh_write_report(f->b, out, &d), KH_OK);
    char *types = test_zip_part(out, "[Content_Types].xml");
    assert_non_null(types);
    assert_non_null(strstr(types, "wordprocessingml.document.main+xml"));
    free(types);
    char *styles = test_zip_part(out, "word/styles.xml");
    assert_non_null(strstr(styles, "w:eastAsia=\"仿宋\""));
    assert_non_null(strstr(styles, "w:eastAsia=\"黑体\""));
    free(styles);
    char *doc = test_zip_part(out, "word/document.xml");
    assert_non_null(doc);
    assert_non_null(strstr(doc, "关于2021年度安全生产工作"));
    assert_non_null(strstr(doc, "对 2 个单位2021年度安全生产工作进行了考核"));
    assert_non_null(strstr(doc, "计入排名的单位 2 个，其中一票否决 1 个"));
    assert_non_null(strstr(doc, "A&amp;B&lt;C&gt;"));
    assert_null(strstr(doc, "A&B"));
    assert_non_null(strstr(doc, "乙（发生重大事故1起，一票否决）"));
    /* 1.1 lost by both units comes first, then 1.2 (one unit). */
    const char *a = strstr(doc, "1. 检查点 1.1 学习记录：失分单位 2/2（100%），共失分 1 分");
    const char *b = strstr(doc, "2. 检查点 1.2 签到单：失分单位 1/2（50%），共失分 0.5 分");
    assert_non_null(a);
    assert_non_null(b);
    assert_true(a < b);
    /* Elements in the order of the WordprocessingML schema (Word
     * refuses a document otherwise). */
    assert_non_null(strstr(doc, "<w:tblW w:w=\"0\" w:type=\"auto\"/><w:jc w:val=\"center\"/><w:tblBorders>"));
    assert_non_null(strstr(doc, "w:type=\"dxa\"/><w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"E7E6E6\"/><w:vAlign"));
    assert_null(strstr(doc, "<w:vAlign w:val=\"center\"/><w:shd"));
    /* A4 with the margins of 公文. */
    assert_non_null(strstr(doc, "<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
    assert_non_null(strstr(doc, "w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\""));
    free(doc);
    kh_diags_clear(&d);
}

/* Every allocation failing in turn: the summary and the report fail
 * cleanly (no leak, no file, an old report kept), then succeed. */
static void allocation_failures(void **state)
{
    test_fx *f = *state;
    write_gen_rubric(f);
    test_write_file(pathf(f, "a.csv"), "考核细则,gen\n被考核单位,甲\n\n检查点,检查结果\n"
                                       "1.1,无\n1.2,有\n2.1,1\n2.2,0\n3.1,0\n3.2,0\n3.3,1\n");
    test_fx_add(f, "a.csv");
    assert_int_equal(kh_batch_finish(f->b), KH_OK);
    const char *out = pathf(f, "r.docx");
    test_write_file(out, "old");
    kh_status st = KH_ERR_NOMEM;
    long n;
    for (n = 0; n < 100000 && st != KH_OK; n++) {
        kh_diags d = {0};
        test_alloc_start(n);
        kh_summary *s = NULL;
        kh_status ss = kh_summary_new(f->b, NULL, &s);
        kh_summary_free(s);
        st = ss == KH_OK ? kh_write_report(f->b, out, &d) : ss;
        kh_diags_clear(&d);
        kh_set_allocator(NULL);
        if (test_alloc.live != 0)
            fail_msg("allocation %ld failing leaks %ld blocks", n, test_alloc.live);
        if (st == KH_OK)
            break;
        if (st != KH_ERR_NOMEM && st != KH_ERR_IO)
            fail_msg("allocation %ld failing gives %s", n, kh_strerror(st));
        char *kept = test_slurp(out, NULL);
        if (strcmp(kept, "old") != 0)
            fail_msg("allocation %ld failing changed the old output", n);
        free(kept);
        assert_int_equal(test_count_tmp(f->dir), 0);
    }
    assert_int_equal(st, KH_OK);
    assert_true(n > 10);
    char *doc = test_zip_part(out, "word/document.xml");
    assert_non_null(doc);
    assert_non_null(strstr(doc, "甲（发生重大事故1起，一票否决）"));
    free(doc);
}

/* Nothing in the ranking: the draft says so instead of an empty section. */
static void report_nothing_ranked(void **state)
{
    test_fx *f = *state;
    write_gen_rubric(f);
    test_write_file(pathf(f, "bad.csv"), "考核细则,nope\n被考核单位,坏\n\n检查点,检查结果\n1.1,有\n");
    test_fx_add(f, "bad.csv");
    assert_int_equal(kh_batch_finish(f->b), KH_OK);
    kh_diags d = {0};
    const char *out = pathf(f, "r.docx");
    assert_int_equal(kh_write_report(f->b, out, &d), KH_OK);
    char *doc = test_zip_part(out, "word/document.xml");
    assert_non_null(doc);
    assert_non_null(strstr(doc, "计入排名的单位 0 个，其中一票否决 0 个；另有 1 份检查表未通过审核"));
    assert_non_null(strstr(doc, "没有可排名的单位：报送的检查表都未通过审核。"));
    assert_non_null(strstr(doc, "没有单位在任何检查点失分。"));
    free(doc);
    kh_diags_clear(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(samples_by_hand, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(generated_units, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(previous_year, fx_setup, test_fx_teardown),
        cmocka_unit_test(percentages),
        cmocka_unit_test_setup_teardown(report_document, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(allocation_failures, fx_setup, test_fx_teardown),
        cmocka_unit_test_setup_teardown(report_nothing_ranked, fx_setup, test_fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
