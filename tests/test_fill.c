/*
 * test_fill.c - the online 填报 and 考评 record (src/fill.c): versions and
 * the refusal of a stale save, the status rules (提交, read-only after it,
 * 退回 with a reason, the deadline), scoring through the reader and the
 * engine equal to scoring the filled XLSX as `kaohe score` does, the
 * filled checklist out and in, the record in the workspace, the journal.
 */
#include "testutil.h"

#include "batch.h"
#include "fill.h"
#include "kaohe.h"
#include "workspace.h"

#include <dirent.h>
#include <pthread.h>
#include <sys/stat.h>

typedef struct fx {
    char dir[64];
    kh_registry *reg;
    const kh_rubric *small;    /* good-small: 1.1 has 0.5, 1.2 has 0.5, 2.1 count need 2 per 0.25 */
    const kh_rubric *town;     /* lingui-2020-township */
    kh_workspace *w;
    kh_diags d;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f || !test_scratch_make(f->dir, sizeof f->dir, "kh_fill"))
        return -1;
    f->reg = kh_registry_new();
    if (kh_registry_load_file(f->reg, TEST_DATA "/rubrics/good.csv", &f->d) != KH_OK ||
        kh_registry_load_file(f->reg, "templates/rubrics/lingui-2020-township.csv", &f->d) !=
            KH_OK)
        return -1;
    f->small = kh_registry_find(f->reg, "good-small");
    f->town = kh_registry_find(f->reg, "lingui-2020-township");
    if (kh_workspace_open(test_path(f->dir, "ws"), &f->w, &f->d) != KH_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    kh_workspace_close(f->w);
    kh_registry_free(f->reg);
    kh_diags_clear(&f->d);
    int rc = test_scratch_remove(f->dir);
    free(f);
    return rc;
}

/* Save value/remark of one check point of the 自评 of unit. */
static kh_fill_refusal save1(fx *f, const kh_rubric *r, const char *unit, kh_fill_side side,
                             long long base, const char *cp, const char *value,
                             const char *remark, long long *version)
{
    kh_fill_edit e = {.cp = cp, .value = value, .remark = remark, .agree = -1};
    kh_fill_refusal why = KH_FILL_BAD;
    kh_diags_clear(&f->d);
    assert_int_equal(kh_fill_save(f->w, r, unit, side, base, &e, 1, "填报员甲", version, &why,
                                  &f->d),
                     KH_OK);
    return why;
}

static kh_fill_state state_of(fx *f, const char *unit, const char *rubric)
{
    kh_fill_status s;
    assert_int_equal(kh_fill_status_get(f->w, unit, rubric, &s, &f->d), KH_OK);
    kh_fill_state st = s.state;
    kh_fill_status_clear(&s);
    return st;
}

/* Versions: each save that changes something is the next; a save from an
 * older version is refused whole and the current answers stay. */
static void conflict_refused(void **state)
{
    fx *f = *state;
    long long v = -1;
    assert_int_equal(state_of(f, "两江镇", "good-small"), KH_FS_EMPTY);
    assert_int_equal(save1(f, f->small, "两江镇", KH_SIDE_SELF, 0, "1.1", "有", NULL, &v),
                     KH_FILL_DONE);
    assert_int_equal(v, 1);
    assert_int_equal(state_of(f, "两江镇", "good-small"), KH_FS_FILLING);
    /* The same again: nothing changed, the version stays. */
    assert_int_equal(save1(f, f->small, "两江镇", KH_SIDE_SELF, 1, "1.1", "有", NULL, &v),
                     KH_FILL_DONE);
    assert_int_equal(v, 1);
    /* Tab A saves from 1; tab B, still at 1, is refused. */
    assert_int_equal(save1(f, f->small, "两江镇", KH_SIDE_SELF, 1, "1.2", "无", "缺", &v),
                     KH_FILL_DONE);
    assert_int_equal(v, 2);
    assert_int_equal(save1(f, f->small, "两江镇", KH_SIDE_SELF, 1, "1.2", "有", NULL, &v),
                     KH_FILL_CONFLICT);
    assert_int_equal(v, 2);
    assert_true(test_diags_contain(&f->d, "version 1, now 2"));
    kh_fill *cur = NULL;
    assert_int_equal(kh_fill_get(f->w, f->small, "两江镇", KH_SIDE_SELF, &cur, &f->d), KH_OK);
    assert_int_equal(cur->version, 2);
    assert_int_equal(cur->n, 3);
    assert_string_equal(cur->answers[0].value, "有");
    assert_string_equal(cur->answers[1].value, "无");
    assert_string_equal(cur->answers[1].remark, "缺");
    assert_null(cur->answers[2].value);
    assert_string_equal(cur->user, "填报员甲");
    kh_fill_free(cur);
    /* "" clears a field; an unknown check point refuses the whole save. */
    assert_int_equal(save1(f, f->small, "两江镇", KH_SIDE_SELF, 2, "1.2", NULL, "", &v),
                     KH_FILL_DONE);
    kh_fill_edit two[] = {{.cp = "2.1", .value = "3", .agree = -1},
                          {.cp = "9.9", .value = "1", .agree = -1}};
    kh_fill_refusal why;
    assert_int_equal(kh_fill_save(f->w, f->small, "两江镇", KH_SIDE_SELF, 3, two, 2, "x", &v,
                                  &why, &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_BAD);
    assert_int_equal(kh_fill_get(f->w, f->small, "两江镇", KH_SIDE_SELF, &cur, &f->d), KH_OK);
    assert_int_equal(cur->version, 3);
    assert_null(cur->answers[1].remark);
    assert_null(cur->answers[2].value);
    kh_fill_free(cur);
    /* Another unit is another record. */
    assert_int_equal(save1(f, f->small, "会仙镇", KH_SIDE_SELF, 0, "1.1", "无", NULL, &v),
                     KH_FILL_DONE);
    assert_int_equal(v, 1);
    /* The journal: every field that changed, old -> new, and the status. */
    kh_fill_change *j = NULL;
    size_t n = 0;
    assert_int_equal(kh_fill_journal(f->w, "两江镇", "good-small", &j, &n, &f->d), KH_OK);
    assert_int_equal(n, 5);
    assert_string_equal(j[0].field, "value");
    assert_string_equal(j[0].new_value, "有");
    assert_null(j[0].old_value);
    assert_string_equal(j[1].what, "状态");
    assert_string_equal(j[1].old_value, "未填报");
    assert_string_equal(j[1].new_value, "填报中");
    assert_string_equal(j[4].field, "remark");
    assert_string_equal(j[4].old_value, "缺");
    assert_null(j[4].new_value);
    assert_string_equal(j[4].user, "填报员甲");
    kh_fill_changes_free(j, n);
}

/* Two threads saving from the same version: exactly one wins. */
typedef struct racer {
    fx *f;
    const char *value;
    kh_fill_refusal why;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    kh_fill_edit e = {.cp = "2.1", .value = r->value, .agree = -1};
    long long v;
    kh_diags d = {0};
    if (kh_fill_save(r->f->w, r->f->small, "两江镇", KH_SIDE_SELF, 0, &e, 1, "u", &v, &r->why,
                     &d) != KH_OK)
        r->why = KH_FILL_BAD;
    kh_diags_clear(&d);
    return NULL;
}

static void concurrent_saves(void **state)
{
    fx *f = *state;
    racer a = {f, "1", KH_FILL_BAD}, b = {f, "2", KH_FILL_BAD};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, race, &a);
    pthread_create(&tb, NULL, race, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_true((a.why == KH_FILL_DONE) != (b.why == KH_FILL_DONE));
    assert_int_equal(a.why == KH_FILL_DONE ? b.why : a.why, KH_FILL_CONFLICT);
    kh_fill *cur = NULL;
    assert_int_equal(kh_fill_get(f->w, f->small, "两江镇", KH_SIDE_SELF, &cur, &f->d), KH_OK);
    assert_string_equal(cur->answers[2].value, a.why == KH_FILL_DONE ? "1" : "2");
    assert_int_equal(cur->version, 1);
    kh_fill_free(cur);
}

/* Fill the three check points of good-small. */
static long long fill_small(fx *f, const char *unit, const char *v11, const char *v12,
                            const char *v21)
{
    kh_fill *cur = NULL;
    assert_int_equal(kh_fill_get(f->w, f->small, unit, KH_SIDE_SELF, &cur, &f->d), KH_OK);
    long long base = cur->version, v = 0;
    kh_fill_free(cur);
    kh_fill_edit e[] = {{.cp = "1.1", .value = v11, .agree = -1},
                        {.cp = "1.2", .value = v12, .remark = "签到单遗失", .agree = -1},
                        {.cp = "2.1", .value = v21, .agree = -1}};
    kh_fill_refusal why;
    assert_int_equal(kh_fill_save(f->w, f->small, unit, KH_SIDE_SELF, base, e, 3, "甲", &v, &why,
                                  &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_DONE);
    return v;
}

/* The status rules: 提交 only when complete, read-only after it, 考评
 * only after it, 退回 needs a reason and opens the 自评 again. */
static void status_rules(void **state)
{
    fx *f = *state;
    kh_fill_refusal why;
    long long v = 0;
    /* Nothing saved: nothing to submit. */
    assert_int_equal(kh_fill_submit(f->w, f->reg, f->small, "两江镇", 0, "甲", &why, &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_INCOMPLETE);
    /* Two of three answered: refused, the missing one named. */
    assert_int_equal(save1(f, f->small, "两江镇", KH_SIDE_SELF, 0, "1.1", "有", NULL, &v),
                     KH_FILL_DONE);
    assert_int_equal(save1(f, f->small, "两江镇", KH_SIDE_SELF, v, "1.2", "无", NULL, &v),
                     KH_FILL_DONE);
    kh_diags_clear(&f->d);
    assert_int_equal(kh_fill_submit(f->w, f->reg, f->small, "两江镇", v, "甲", &why, &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_INCOMPLETE);
    assert_true(test_diags_contain(&f->d, "check point 2.1"));
    /* A value the reader refuses: refused too. */
    assert_int_equal(save1(f, f->small, "两江镇", KH_SIDE_SELF, v, "2.1", "两次", NULL, &v),
                     KH_FILL_DONE);
    kh_diags_clear(&f->d);
    assert_int_equal(kh_fill_submit(f->w, f->reg, f->small, "两江镇", v, "甲", &why, &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_INCOMPLETE);
    assert_true(test_diags_contain(&f->d, "两次"));
    assert_int_equal(save1(f, f->small, "两江镇", KH_SIDE_SELF, v, "2.1", "1", NULL, &v),
                     KH_FILL_DONE);
    /* An old version: refused (what is submitted is what was seen). */
    assert_int_equal(kh_fill_submit(f->w, f->reg, f->small, "两江镇", v - 1, "甲", &why, &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_CONFLICT);
    kh_diags_clear(&f->d);
    assert_int_equal(kh_fill_submit(f->w, f->reg, f->small, "两江镇", v, "甲", &why, &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_DONE);
    assert_int_equal(state_of(f, "两江镇", "good-small"), KH_FS_SUBMITTED);
    /* Recorded in the workspace with the engine's total: 2.5 - 0.5 - 0.25. */
    kh_ws_entry e;
    bool found = false;
    assert_int_equal(kh_workspace_current(f->w, "两江镇", "good-small", &e, &found, &f->d),
                     KH_OK);
    assert_true(found);
    assert_string_equal(e.total, "1.75");
    assert_string_equal(e.name, "两江镇-自评.xlsx");
    kh_ws_entry_clear(&e);
    /* Read-only now: a save and a second 提交 are refused. */
    assert_int_equal(save1(f, f->small, "两江镇", KH_SIDE_SELF, v, "2.1", "2", NULL, &v),
                     KH_FILL_READONLY);
    assert_int_equal(kh_fill_submit(f->w, f->reg, f->small, "两江镇", v, "甲", &why, &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_READONLY);
    /* 考评 opens: the first save makes it 考评中. */
    long long rv = 0;
    assert_int_equal(save1(f, f->small, "两江镇", KH_SIDE_REVIEW, 0, "2.1", "2", NULL, &rv),
                     KH_FILL_DONE);
    assert_int_equal(state_of(f, "两江镇", "good-small"), KH_FS_REVIEWING);
    /* 退回 without a reason: refused; with one: 填报中, the reason kept. */
    assert_int_equal(kh_fill_return(f->w, "两江镇", "good-small", "  ", "科长", &why, &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_BAD);
    assert_int_equal(
        kh_fill_return(f->w, "两江镇", "good-small", "1.2 请补签到单", "科长", &why, &f->d),
        KH_OK);
    assert_int_equal(why, KH_FILL_DONE);
    kh_fill_status s;
    assert_int_equal(kh_fill_status_get(f->w, "两江镇", "good-small", &s, &f->d), KH_OK);
    assert_int_equal(s.state, KH_FS_FILLING);
    assert_true(s.returned);
    assert_string_equal(s.reason, "1.2 请补签到单");
    assert_string_equal(s.user, "科长");
    assert_int_equal(s.self_version, v);
    assert_int_equal(s.self_answered, 3);
    assert_int_equal(s.review_changed, 1);
    kh_fill_status_clear(&s);
    /* The unit may change its answers again; 考评 may not. */
    assert_int_equal(save1(f, f->small, "两江镇", KH_SIDE_SELF, v, "1.2", "有", NULL, &v),
                     KH_FILL_DONE);
    assert_int_equal(save1(f, f->small, "两江镇", KH_SIDE_REVIEW, rv, "1.1", "无", NULL, &rv),
                     KH_FILL_READONLY);
    /* 退回 of a form not submitted: refused. */
    assert_int_equal(kh_fill_return(f->w, "两江镇", "good-small", "again", "科长", &why, &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_READONLY);
    /* Submitted again: replaces the record (kind 自评, reason 在线提交). */
    assert_int_equal(kh_fill_submit(f->w, f->reg, f->small, "两江镇", v, "甲", &why, &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_DONE);
    kh_ws_change *h = NULL;
    size_t nh = 0;
    assert_int_equal(kh_workspace_history(f->w, &h, &nh, &f->d), KH_OK);
    assert_int_equal(nh, 2);
    assert_string_equal(h[1].kind, "自评");
    assert_string_equal(h[1].old_total, "1.75");
    assert_string_equal(h[1].new_total, "2.25");
    kh_ws_changes_free(h, nh);
    /* The board: every unit with anything saved. */
    assert_int_equal(save1(f, f->small, "会仙镇", KH_SIDE_SELF, 0, "1.1", "无", NULL, &v),
                     KH_FILL_DONE);
    kh_fill_status *all = NULL;
    size_t na = 0;
    assert_int_equal(kh_fill_status_all(f->w, &all, &na, &f->d), KH_OK);
    assert_int_equal(na, 2);
    assert_string_equal(all[0].unit, "两江镇");
    assert_int_equal(all[0].state, KH_FS_SUBMITTED);
    assert_false(all[0].returned);
    assert_string_equal(all[1].unit, "会仙镇");
    assert_int_equal(all[1].state, KH_FS_FILLING);
    kh_fill_statuses_free(all, na);
}

/* The deadline: 提交 refused after it unless the form was returned. */
static void deadline(void **state)
{
    fx *f = *state;
    kh_fill_refusal why;
    assert_int_equal(kh_fill_set_deadline(f->w, "2026-02-30", &f->d), KH_ERR_USAGE);
    assert_int_equal(kh_fill_set_deadline(f->w, "明天", &f->d), KH_ERR_USAGE);
    assert_int_equal(kh_fill_set_deadline(f->w, "2001-01-01", &f->d), KH_OK);
    char *dl = kh_workspace_get(f->w, KH_FILL_DEADLINE);
    assert_string_equal(dl, "2001-01-01 23:59:59");
    kh_free(dl);
    long long v = fill_small(f, "两江镇", "有", "有", "2");
    kh_diags_clear(&f->d);
    assert_int_equal(kh_fill_submit(f->w, f->reg, f->small, "两江镇", v, "甲", &why, &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_LATE);
    assert_true(test_diags_contain(&f->d, "2001-01-01 23:59:59"));
    assert_int_equal(state_of(f, "两江镇", "good-small"), KH_FS_FILLING);
    /* A draft may still be saved after it. */
    assert_int_equal(save1(f, f->small, "两江镇", KH_SIDE_SELF, v, "2.1", "3", NULL, &v),
                     KH_FILL_DONE);
    /* Moved later: accepted. */
    assert_int_equal(kh_fill_set_deadline(f->w, "2999-12-31 18:00", &f->d), KH_OK);
    assert_int_equal(kh_fill_submit(f->w, f->reg, f->small, "两江镇", v, "甲", &why, &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_DONE);
    /* Past again, but returned: the unit may submit its correction. */
    assert_int_equal(kh_fill_set_deadline(f->w, "2001-01-01T08:00", &f->d), KH_OK);
    assert_int_equal(kh_fill_return(f->w, "两江镇", "good-small", "补材料", "科长", &why, &f->d),
                     KH_OK);
    assert_int_equal(kh_fill_submit(f->w, f->reg, f->small, "两江镇", v, "甲", &why, &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_DONE);
    /* Unset: no deadline. */
    assert_int_equal(kh_fill_set_deadline(f->w, "", &f->d), KH_OK);
    assert_null(kh_workspace_get(f->w, KH_FILL_DEADLINE));
}

/* The total of the one unit scored from the file at path, as `kaohe
 * score` scores it (a batch). */
static char *batch_total(fx *f, const char *path)
{
    kh_batch *b = kh_batch_new(f->reg, NULL);
    assert_non_null(b);
    assert_int_equal(kh_batch_add(b, path, &f->d), KH_OK);
    assert_int_equal(kh_batch_finish(b), KH_OK);
    if (b->nunits != 1)
        test_print_diags(&b->errors);
    assert_int_equal(b->nunits, 1);
    char buf[KH_DEC_BUFSZ];
    char *t = strdup(kh_dec_format(b->units[0]->total, buf));
    kh_batch_free(b);
    return t;
}

/* The running score is the engine's, and equals the score of the
 * downloaded XLSX; the XLSX read back fills the form of another unit's
 * record only when it is that unit's. */
static void score_equals_file(void **state)
{
    fx *f = *state;
    const kh_rubric *r = f->town;
    assert_int_equal(kh_workspace_set(f->w, "year", "2020", &f->d), KH_OK);
    /* Answer every check point: 有 / counts, some short, one with a note. */
    kh_fill_edit *e = calloc(r->ncps, sizeof *e);
    for (size_t i = 0; i < r->ncps; i++) {
        const kh_checkpoint *cp = &r->cps[i];
        e[i].cp = cp->id;
        e[i].agree = -1;
        if (cp->kind == KH_KIND_HAS)
            e[i].value = i % 5 == 0 ? "无" : i % 7 == 0 ? "有（已提供）" : "有";
        else if (cp->kind == KH_KIND_COUNT)
            e[i].value = i % 2 ? "1" : "2次";
        else
            e[i].value = i % 3 == 0 ? "1" : "0";
        e[i].remark = i % 4 == 0 ? "见附件" : NULL;
    }
    long long v = 0;
    kh_fill_refusal why;
    assert_int_equal(kh_fill_save(f->w, r, "两江镇", KH_SIDE_SELF, 0, e, r->ncps, "甲", &v, &why,
                                  &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_DONE);
    kh_fill_scored sc = {0};
    assert_int_equal(kh_fill_score(f->w, f->reg, r, "两江镇", KH_SIDE_SELF, &sc, &f->d), KH_OK);
    assert_non_null(sc.unit);
    assert_int_equal(sc.unanswered, 0);
    char online[KH_DEC_BUFSZ];
    kh_dec_format(sc.unit->total, online);
    /* Not the full 40: deductions were made. */
    assert_string_not_equal(online, "40");
    kh_fill_scored_clear(&sc);
    const char *xlsx = test_path(f->dir, "两江镇.xlsx");
    assert_int_equal(kh_fill_write_xlsx(f->w, r, "两江镇", KH_SIDE_SELF, xlsx, &f->d), KH_OK);
    char *offline = batch_total(f, xlsx);
    assert_string_equal(online, offline);
    free(offline);
    /* The XLSX carries the year, the values and the remarks. */
    test_rbook bk;
    test_rbook_read(xlsx, &bk);
    assert_string_equal(test_cell_at(&bk.s[0], "C4")->text, "2020");
    assert_string_equal(test_cell_at(&bk.s[0], "C3")->text, "两江镇");
    assert_string_equal(test_cell_at(&bk.s[0], "G9")->text, "无");
    assert_string_equal(test_cell_at(&bk.s[0], "H9")->text, "见附件");
    test_rbook_free(&bk);

    /* Read back into another record of the same unit: the same answers. */
    kh_workspace *w2 = NULL;
    assert_int_equal(kh_workspace_open(test_path(f->dir, "ws2"), &w2, &f->d), KH_OK);
    assert_int_equal(kh_fill_from_file(w2, f->reg, r, "两江镇", xlsx, 0, "乙", &v, &why, &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_DONE);
    assert_int_equal(v, 1);
    kh_fill *a = NULL, *b = NULL;
    assert_int_equal(kh_fill_get(f->w, r, "两江镇", KH_SIDE_SELF, &a, &f->d), KH_OK);
    assert_int_equal(kh_fill_get(w2, r, "两江镇", KH_SIDE_SELF, &b, &f->d), KH_OK);
    for (size_t i = 0; i < r->ncps; i++) {
        assert_string_equal(a->answers[i].value, b->answers[i].value);
        if (a->answers[i].remark)
            assert_string_equal(a->answers[i].remark, b->answers[i].remark);
        else
            assert_null(b->answers[i].remark);
    }
    kh_fill_free(a);
    kh_fill_free(b);
    /* Another unit's record: refused, naming whose it is. */
    kh_diags_clear(&f->d);
    assert_int_equal(kh_fill_from_file(w2, f->reg, r, "会仙镇", xlsx, 0, "乙", &v, &why, &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_BAD);
    assert_true(test_diags_contain(&f->d, "两江镇"));
    /* A blank checklist read in leaves the answers empty. */
    const char *blank = test_path(f->dir, "blank.xlsx");
    const char *unit = "会仙镇";
    assert_int_equal(kh_write_template(r, &unit, 1, blank, &f->d), KH_OK);
    assert_int_equal(kh_fill_from_file(w2, f->reg, r, "会仙镇", blank, 0, "乙", &v, &why, &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_DONE);
    assert_int_equal(kh_fill_score(w2, f->reg, r, "会仙镇", KH_SIDE_SELF, &sc, &f->d), KH_OK);
    assert_int_equal(sc.unanswered, r->ncps);
    kh_fill_scored_clear(&sc);
    kh_workspace_close(w2);
    free(e);
}

/* Refused values go to their check points; the score waits for them. */
static void issues_per_check_point(void **state)
{
    fx *f = *state;
    char *v[3] = {"有", "也许", "-1"}, *m[3] = {NULL, NULL, NULL};
    kh_fill_scored sc;
    assert_int_equal(kh_fill_score_values(f->reg, f->small, "两江镇", NULL, v, m, &sc, &f->d),
                     KH_OK);
    assert_null(sc.unit);
    assert_int_equal(sc.nissues, 2);
    assert_int_equal(sc.issues[0].cp, 1);
    assert_non_null(strstr(sc.issues[0].msg, "也许"));
    assert_int_equal(sc.issues[1].cp, 2);
    kh_fill_scored_clear(&sc);
    /* Partial: unanswered as missing / 0. */
    char *p[3] = {"有", NULL, "2"};
    assert_int_equal(kh_fill_score_values(f->reg, f->small, "两江镇", NULL, p, m, &sc, &f->d),
                     KH_OK);
    assert_non_null(sc.unit);
    assert_int_equal(sc.unanswered, 1);
    char buf[KH_DEC_BUFSZ];
    assert_string_equal(kh_dec_format(sc.unit->total, buf), "2");
    kh_fill_scored_clear(&sc);
}

/* 考评: 同意 keeps the unit's answer, a changed value replaces it, the
 * note becomes the remark; 考评完成 records the reviewed checklist. */
static void review(void **state)
{
    fx *f = *state;
    kh_fill_refusal why;
    long long v = fill_small(f, "两江镇", "有", "有", "2");
    assert_int_equal(kh_fill_submit(f->w, f->reg, f->small, "两江镇", v, "甲", &why, &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_DONE);
    kh_fill_edit e[] = {{.cp = "1.1", .agree = 1},
                        {.cp = "1.2", .value = "无", .note = "签到单为复印件", .agree = 0},
                        {.cp = "2.1", .value = "1", .note = "只有一次会议记录", .agree = 0}};
    long long rv = 0;
    assert_int_equal(kh_fill_save(f->w, f->small, "两江镇", KH_SIDE_REVIEW, 0, e, 3, "考评员",
                                  &rv, &why, &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_DONE);
    char **vals = NULL, **rems = NULL;
    assert_int_equal(kh_fill_values(f->w, f->small, "两江镇", KH_SIDE_REVIEW, &vals, &rems,
                                    &f->d),
                     KH_OK);
    assert_string_equal(vals[0], "有");
    assert_string_equal(vals[1], "无");
    assert_string_equal(rems[1], "签到单为复印件");
    assert_string_equal(vals[2], "1");
    kh_fill_values_free(vals, rems, 3);
    kh_fill_scored sc;
    assert_int_equal(kh_fill_score(f->w, f->reg, f->small, "两江镇", KH_SIDE_REVIEW, &sc, &f->d),
                     KH_OK);
    char buf[KH_DEC_BUFSZ];
    assert_string_equal(kh_dec_format(sc.unit->total, buf), "1.75");
    assert_non_null(strstr(sc.unit->items[0].reason, "签到单为复印件"));
    kh_fill_scored_clear(&sc);
    assert_int_equal(kh_fill_score(f->w, f->reg, f->small, "两江镇", KH_SIDE_SELF, &sc, &f->d),
                     KH_OK);
    assert_string_equal(kh_dec_format(sc.unit->total, buf), "2.5");
    kh_fill_scored_clear(&sc);
    /* A stale 考评完成: refused; the right one: 已考评, recorded. */
    assert_int_equal(kh_fill_review_done(f->w, f->reg, f->small, "两江镇", rv - 1, "考评员", &why,
                                         &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_CONFLICT);
    assert_int_equal(kh_fill_review_done(f->w, f->reg, f->small, "两江镇", rv, "考评员", &why,
                                         &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_DONE);
    assert_int_equal(state_of(f, "两江镇", "good-small"), KH_FS_REVIEWED);
    kh_ws_change *h = NULL;
    size_t nh = 0;
    assert_int_equal(kh_workspace_history(f->w, &h, &nh, &f->d), KH_OK);
    assert_int_equal(nh, 2);
    assert_string_equal(h[1].kind, "考评");
    assert_string_equal(h[1].reason, "考评完成");
    assert_string_equal(h[1].new_total, "1.75");
    assert_string_equal(h[1].user, "考评员");
    kh_ws_changes_free(h, nh);
    /* Read-only for both sides now. */
    assert_int_equal(save1(f, f->small, "两江镇", KH_SIDE_REVIEW, rv, "1.1", "无", NULL, &rv),
                     KH_FILL_READONLY);
    assert_int_equal(save1(f, f->small, "两江镇", KH_SIDE_SELF, v, "1.1", "无", NULL, &v),
                     KH_FILL_READONLY);
    /* The journal of everything holds the review's fields. */
    kh_fill_change *j = NULL;
    size_t n = 0;
    assert_int_equal(kh_fill_journal(f->w, NULL, NULL, &j, &n, &f->d), KH_OK);
    bool note = false;
    for (size_t i = 0; i < n; i++)
        note |= strcmp(j[i].what, "考评") == 0 && strcmp(j[i].field, "note") == 0 &&
                strcmp(j[i].cp, "2.1") == 0;
    assert_true(note);
    assert_string_equal(j[n - 1].new_value, "已考评");
    kh_fill_changes_free(j, n);
}

/* A temporary a crash left in DIR/fill goes with the next 提交; none
 * stays after one. */
static void leftover_temporaries_removed(void **state)
{
    fx *f = *state;
    const char *dir = test_path(f->dir, "ws/fill");
    assert_int_equal(mkdir(dir, 0777), 0);
    test_write_file(test_path(dir, "Ab12cd.xlsx"), "half written");
    long long v = fill_small(f, "两江镇", "有", "有", "2");
    kh_fill_refusal why;
    assert_int_equal(kh_fill_submit(f->w, f->reg, f->small, "两江镇", v, "甲", &why, &f->d),
                     KH_OK);
    assert_int_equal(why, KH_FILL_DONE);
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    struct dirent *e;
    size_t n = 0;
    while ((e = readdir(dp)) != NULL)
        n += e->d_name[0] != '.';
    closedir(dp);
    assert_int_equal(n, 0);
}

/* Each allocation failing in turn: scoring ends KH_ERR_NOMEM or with the
 * right score; a save ends KH_ERR_NOMEM with nothing written, or saved
 * whole; nothing is leaked either way.  (56 and 9 runs.) */
static void alloc_failures(void **state)
{
    fx *f = *state;
    char *v[3] = {"有", "无", "1"}, *m[3] = {NULL, "缺", NULL};
    for (long n = 0;; n++) {
        kh_fill_scored sc = {0};
        kh_diags d = {0};
        test_alloc_start(n);
        kh_status st = kh_fill_score_values(f->reg, f->small, "两江镇", "2020", v, m, &sc, &d);
        bool none_failed = test_alloc.calls <= n;
        if (st == KH_OK) {
            assert_non_null(sc.unit);
            char buf[KH_DEC_BUFSZ];
            assert_string_equal(kh_dec_format(sc.unit->total, buf), "1.75");
        } else {
            assert_int_equal(st, KH_ERR_NOMEM);
            assert_null(sc.unit);
        }
        kh_fill_scored_clear(&sc);
        kh_diags_clear(&d);
        kh_set_allocator(NULL);
        assert_int_equal(test_alloc.live, 0);
        if (none_failed) {
            assert_true(n > 20);
            break;
        }
    }
    kh_fill_edit e[] = {{.cp = "1.1", .value = "有", .agree = -1},
                        {.cp = "1.2", .value = "无", .remark = "缺", .agree = -1}};
    for (long n = 0;; n++) {
        char unit[32];
        snprintf(unit, sizeof unit, "单位%ld", n);
        kh_diags d = {0};
        long long ver = -1;
        kh_fill_refusal why = KH_FILL_BAD;
        test_alloc_start(n);
        kh_status st = kh_fill_save(f->w, f->small, unit, KH_SIDE_SELF, 0, e, 2, "甲", &ver, &why,
                                    &d);
        bool none_failed = test_alloc.calls <= n;
        kh_diags_clear(&d);
        kh_set_allocator(NULL);
        assert_int_equal(test_alloc.live, 0);
        kh_fill *cur = NULL;
        assert_int_equal(kh_fill_get(f->w, f->small, unit, KH_SIDE_SELF, &cur, &f->d), KH_OK);
        if (st == KH_OK) {
            assert_int_equal(why, KH_FILL_DONE);
            assert_int_equal(ver, 1);
            assert_int_equal(cur->version, 1);
            assert_string_equal(cur->answers[1].remark, "缺");
        } else {
            assert_int_equal(st, KH_ERR_NOMEM);
            assert_int_equal(cur->version, 0);
            assert_null(cur->answers[0].value);
            assert_int_equal(state_of(f, unit, "good-small"), KH_FS_EMPTY);
        }
        kh_fill_free(cur);
        if (none_failed) {
            assert_true(n > 5);
            break;
        }
    }
}

/* Texts that are no answer: refused whole. */
static void bad_texts(void **state)
{
    fx *f = *state;
    long long v;
    assert_int_equal(save1(f, f->small, "两江镇", KH_SIDE_SELF, 0, "1.1", "有\x01", NULL, &v),
                     KH_FILL_BAD);
    assert_int_equal(save1(f, f->small, "两江镇", KH_SIDE_SELF, 0, "1.1", "\xff", NULL, &v),
                     KH_FILL_BAD);
    char *big = malloc(5000);
    memset(big, 'a', 4999);
    big[4999] = '\0';
    assert_int_equal(save1(f, f->small, "两江镇", KH_SIDE_SELF, 0, "1.1", NULL, big, &v),
                     KH_FILL_BAD);
    free(big);
    assert_int_equal(state_of(f, "两江镇", "good-small"), KH_FS_EMPTY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(conflict_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_saves, setup, teardown),
        cmocka_unit_test_setup_teardown(status_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(score_equals_file, setup, teardown),
        cmocka_unit_test_setup_teardown(issues_per_check_point, setup, teardown),
        cmocka_unit_test_setup_teardown(review, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_texts, setup, teardown),
        cmocka_unit_test_setup_teardown(leftover_temporaries_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(alloc_failures, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
