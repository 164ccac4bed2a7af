/*
 * kaohe.h - the public interface of libkaohe.
 *
 * kaohe (考核) turns filled-in safety-assessment checklists into scored
 * sheets and ranking workbooks.  The pipeline is
 *
 *   readers (csv_in, xlsx_in) -> sheet grid -> checklist -> engine (rules)
 *   -> writers (json_out, template_out, scoresheet_out, ranking_out)
 *
 * The library never prints and never exits: every fallible call returns a
 * kh_status and, where there is something to say, adds diagnostics (file,
 * sheet, cell, message) to a kh_diags list owned by the caller.
 *
 * Ownership: a function named *_new returns an object the caller frees with
 * the matching *_free; every *_free accepts NULL.  Strings passed in are
 * copied; strings returned point into the object and live as long as it.
 */
#ifndef KAOHE_H
#define KAOHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KAOHE_VERSION "0.2.0"

/** Status codes of the library.  kh_strerror() gives the text of each. */
typedef enum kh_status {
    KH_OK = 0,
    KH_ERR_NOMEM,    /**< an allocation failed */
    KH_ERR_IO,       /**< a file could not be read or written */
    KH_ERR_INPUT,    /**< an input was rejected; diagnostics say why */
    KH_ERR_RUBRIC,   /**< a rubric file is invalid; diagnostics say why */
    KH_ERR_USAGE,    /**< the caller asked for something impossible */
    KH_ERR_LIMIT,    /**< an input exceeds one of kaohe's documented limits */
    KH_ERR_FORMAT,   /**< an output library refused to write */
    KH_STATUS_COUNT
} kh_status;

/** The English text of a status code (never NULL). */
const char *kh_strerror(kh_status status);

/* ------------------------------------------------------------------ */
/* Allocation.  Every allocation of the library goes through these, so a
 * test can make the Nth one fail (see tests/test_alloc_fail.c). */

typedef struct kh_allocator {
    void *(*malloc)(size_t size);
    void *(*realloc)(void *ptr, size_t size);
    void (*free)(void *ptr);
} kh_allocator;

/** Replace the allocator (NULL restores malloc/realloc/free).  Not thread
 * safe: call before any other kaohe function. */
void kh_set_allocator(const kh_allocator *allocator);

/* ------------------------------------------------------------------ */
/* Diagnostics. */

typedef enum kh_severity { KH_ERROR = 0, KH_NOTE = 1 } kh_severity;

/** One message about an input: where (file, optional sheet, optional cell
 * or line) and what.  All strings are owned by the kh_diags list. */
typedef struct kh_diag {
    kh_severity severity;
    char *file;   /**< path as the user gave it; may be NULL */
    char *sheet;  /**< worksheet name; NULL for CSV and whole-file problems */
    char *cell;   /**< A1 reference such as "E12"; may be NULL */
    long line;    /**< 1-based line (rubric CSV); 0 when not used */
    char *msg;    /**< what is wrong and how to fix it, in English (stable for programs) */
    char *msg_zh; /**< the same in Chinese, as files and a Chinese terminal show it */
} kh_diag;

/** A growable list of diagnostics.  Zero-initialise before use. */
typedef struct kh_diags {
    kh_diag *v;
    size_t n, cap;
    bool oom;     /**< a diagnostic was lost because memory ran out */
} kh_diags;

/** Free every diagnostic and reset the list to empty. */
void kh_diags_clear(kh_diags *d);
/** Number of diagnostics of severity KH_ERROR. */
size_t kh_diags_errors(const kh_diags *d);
/** Format one diagnostic as "FILE:SHEET!CELL: msg", "FILE!CELL: msg",
 * "FILE:LINE: msg" or "FILE: msg".  Returns a string the caller frees with
 * kh_free(), or NULL when out of memory. */
char *kh_diag_format(const kh_diag *diag);
/** The same in Chinese, as kaohe writes it into files for people:
 * "FILE:SHEET!CELL：msg", "FILE 第 LINE 行：msg", "FILE：msg". */
char *kh_diag_format_zh(const kh_diag *diag);

/** s made safe to show on a terminal: control characters as \xHH and
 * invisible format characters (bidirectional overrides, zero-width) as
 * \u{HHHH}.  New string (kh_free it), or NULL when out of memory. */
char *kh_term_text(const char *s);
/** Free memory returned by the library (kh_diag_format and the like). */
void kh_free(void *ptr);

/* ------------------------------------------------------------------ */
/* Rubrics. */

typedef struct kh_rubric kh_rubric;
typedef struct kh_registry kh_registry;

/** A new, empty rubric registry. NULL when out of memory. */
kh_registry *kh_registry_new(void);
void kh_registry_free(kh_registry *reg);

/** Load every rubric file (*.csv, *.xlsx) of a directory into reg.
 * Returns KH_OK, KH_ERR_RUBRIC (diagnostics added; nothing of the bad file
 * is kept), KH_ERR_IO or KH_ERR_NOMEM.  A missing directory is KH_ERR_IO. */
kh_status kh_registry_load_dir(kh_registry *reg, const char *dir, kh_diags *d);

/** Load one rubric file (CSV, or first sheet of XLSX) into reg.  An id that
 * is already in reg is an error. */
kh_status kh_registry_load_file(kh_registry *reg, const char *path, kh_diags *d);

/** Number of rubrics, and the i-th in load order (sorted by id after
 * kh_registry_load_dir). */
size_t kh_registry_count(const kh_registry *reg);
const kh_rubric *kh_registry_at(const kh_registry *reg, size_t i);
/** The rubric with this id, or NULL. */
const kh_rubric *kh_registry_find(const kh_registry *reg, const char *id);

/** Validate a rubric file without keeping it.  KH_OK or KH_ERR_RUBRIC with
 * every problem in d. */
kh_status kh_rubric_check_file(const char *path, kh_diags *d);

const char *kh_rubric_id(const kh_rubric *r);
const char *kh_rubric_title(const kh_rubric *r);
const char *kh_rubric_unit_type(const kh_rubric *r);
const char *kh_rubric_path(const kh_rubric *r);

/** Write a person-readable description of a rubric (items, check points,
 * rules) to out. */
kh_status kh_rubric_describe(const kh_rubric *r, FILE *out);

/* ------------------------------------------------------------------ */
/* Scoring a batch of inputs. */

/** Options that change how inputs are read. */
typedef struct kh_options {
    bool blank_as_missing;  /**< empty results count as missing / 0 */
    bool recursive;         /**< folders: their sub-folders' files too */
    bool provenance;        /**< record each input's SHA-256, size and time (JSON, 来源 sheet) */
    bool keep_checks;       /**< keep every check point's result and cell (JSON "checks") */
    const char *issuer;     /**< 制表单位 printed on the ranking, or NULL: the rubric's `issuer` */
} kh_options;

typedef struct kh_batch kh_batch;

/** A new, empty batch that scores against the rubrics of reg (which must
 * outlive it).  NULL when out of memory. */
kh_batch *kh_batch_new(const kh_registry *reg, const kh_options *opts);
void kh_batch_free(kh_batch *b);

/* ------------------------------------------------------------------ */
/* Rosters (单位名单): the units due, their rubrics, the official order. */

typedef struct kh_roster kh_roster;

/** Read a roster (CSV, .xlsx, .xls or .ods; doc/formats.md §6) whose
 * rubrics are in reg (which must outlive it).  KH_ERR_INPUT with every
 * problem in d, KH_ERR_IO or KH_ERR_NOMEM otherwise. */
kh_status kh_roster_load(const char *path, const kh_registry *reg, kh_roster **out,
                         kh_diags *d);
void kh_roster_free(kh_roster *ro);
/** Its units in official order: the unit's name and rubric. */
size_t kh_roster_count(const kh_roster *ro);
const char *kh_roster_unit(const kh_roster *ro, size_t i);
const kh_rubric *kh_roster_rubric(const kh_roster *ro, size_t i);

/** Score against a roster (which must outlive b; before kh_batch_finish):
 * a checklist of a unit not on it is rejected, with the nearest names of
 * the roster suggested (or the rubric the roster gives the unit, when it
 * is on it under another); the units on it without a scored checklist are
 * listed (kh_batch_failed_*, kh_batch_missing_*); units, ties included,
 * follow the roster's order. */
void kh_batch_set_roster(kh_batch *b, const kh_roster *ro);
/** After kh_batch_finish, each unit of the roster is in one of three
 * states: scored (已计分), failed (已提交未通过: it sent something and
 * everything it sent was rejected; kh_batch_failed_*) or missing (未提交:
 * nothing of it was received; kh_batch_missing_*), each list in official
 * order, as indexes in the roster. */
size_t kh_batch_missing_count(const kh_batch *b);
size_t kh_batch_missing_at(const kh_batch *b, size_t i);
size_t kh_batch_failed_count(const kh_batch *b);
size_t kh_batch_failed_at(const kh_batch *b, size_t i);   /* roster index */
/** The roster given, or NULL. */
const kh_roster *kh_batch_roster(const kh_batch *b);

/** Grade bands (等次) for the units of rubric rubric_id, or of every rubric
 * when it is NULL, replacing the rubric's own (doc/formats.md §2: bands
 * "优秀>=36;良好>=32;合格>=24;不合格", quota "优秀<=30%" or NULL).  Call
 * before kh_batch_finish.  KH_ERR_USAGE with a message in d when they do
 * not parse or the rubric is not loaded. */
kh_status kh_batch_set_grades(kh_batch *b, const char *rubric_id, const char *bands,
                              const char *quota, kh_diags *d);

/** Read one input: a .csv file, a .xlsx file, or a directory (its .csv and
 * .xlsx files, sorted by name).  Each checklist found becomes a scored unit;
 * each rejected checklist or file is recorded with its messages.  Notes
 * (such as skipped sheets) go to notes.  Returns KH_OK even when inputs
 * were rejected (see kh_batch_rejected_count); only KH_ERR_NOMEM stops. */
kh_status kh_batch_add(kh_batch *b, const char *path, kh_diags *notes);

/** Called by kh_batch_add_all on the caller's thread after each file is
 * read and added: done of total files, path the file just added. */
typedef void (*kh_progress_fn)(void *ctx, size_t done, size_t total, const char *path);

/** Read many inputs as kh_batch_add does one after the other, with up to
 * jobs threads reading and scoring files at the same time (0: one per
 * online CPU; 1: none, everything on the caller's thread).  The batch,
 * the notes and the order of everything are the same whatever jobs is:
 * each file is read on some thread into a result of its own, and the
 * results are added on the caller's thread in input order.  progress
 * (may be NULL) is told of every file added.  With jobs other than 1 an
 * allocator set by kh_set_allocator must be thread safe.  Returns as
 * kh_batch_add. */
kh_status kh_batch_add_all(kh_batch *b, const char *const *inputs, size_t ninputs,
                           unsigned jobs, kh_progress_fn progress, void *ctx,
                           kh_diags *notes);

/** Add the units' own assessments (自评): a checklist file or a folder of
 * them, read and scored as kh_batch_add reads inputs, every check point's
 * result kept.  They are not ranked: kh_batch_finish matches each to the
 * scored unit of the same (rubric, unit), the reviewed result (考评), and
 * every output shows the 自评 beside it (scoresheet: a 自评与考评 sheet;
 * ranking: 自评得分 and 差 columns; JSON: "self"; doc/formats.md §5).  A
 * 自评 checklist that does not pass, or a second one of a unit, is listed
 * in kh_batch_self_errors and never rejects the unit's 考评.  Notes go to
 * notes.  Call before kh_batch_finish; returns as kh_batch_add. */
kh_status kh_batch_add_self(kh_batch *b, const char *path, kh_diags *notes);
/** The 自评 inputs rejected (after kh_batch_finish: duplicates too), and
 * their messages in input order. */
size_t kh_batch_self_rejected_count(const kh_batch *b);
const kh_diags *kh_batch_self_errors(const kh_batch *b);
/** After kh_batch_finish: the 自评 checklists no scored unit matched
 * (the unit's 考评 is missing or did not pass): unit, rubric id and
 * source of the i-th. */
size_t kh_batch_self_unmatched_count(const kh_batch *b);
void kh_batch_self_unmatched_at(const kh_batch *b, size_t i, const char **unit,
                                const char **rubric_id, const char **source);
/** The 自评 total of the scored unit named (rubric id, unit) and whether
 * it has one (after kh_batch_finish), for a program's own tables. */
bool kh_batch_self_total(const kh_batch *b, const char *rubric_id, const char *unit,
                         char total[32]);

/** Finish the batch: reject duplicate (rubric, unit) pairs and compute
 * ranks.  Call once, after the last kh_batch_add. */
kh_status kh_batch_finish(kh_batch *b);

/** Number of scored units and of rejected inputs. */
size_t kh_batch_unit_count(const kh_batch *b);
size_t kh_batch_rejected_count(const kh_batch *b);

/** The messages of every rejected input, in input order. */
const kh_diags *kh_batch_errors(const kh_batch *b);

/** A one-line summary per unit (unit, rubric, total, result) for a person. */
kh_status kh_batch_write_summary(const kh_batch *b, FILE *out);

/** The JSON document of doc/formats.md §4-5.  ranked = true gives ranks and the
 * ranking order (kaohe rank --json); false gives input order and null
 * ranks (kaohe score). */
kh_status kh_batch_write_json(const kh_batch *b, bool ranked, FILE *out);

/** Column names of the result CSV. */
typedef enum kh_csv_header {
    KH_CSV_HEADER_ZH = 0, /**< 被考核单位, 考核细则, … 结果; a UTF-8 BOM first (Excel, WPS) */
    KH_CSV_HEADER_EN = 1  /**< unit, rubric, … result; no BOM (scripts) */
} kh_csv_header;

/** One CSV row per unit and item, in UTF-8: 被考核单位 (unit), 考核细则
 * (rubric id), 单位类型 (unit_type), 来源文件 (source), 工作表 (sheet),
 * 考核项目 (item), 分值 (points), 扣分 (deduction), 得分 (score), 扣分原因
 * (reason), 合计得分 (total), 结果 (result): the Chinese names after a BOM,
 * or with KH_CSV_HEADER_EN the English ones without it (doc/formats.md §4).
 * For kaohe score -o - --format csv and the page's CSV download. */
kh_status kh_batch_write_csv_as(const kh_batch *b, kh_csv_header header, FILE *out);
/** kh_batch_write_csv_as with KH_CSV_HEADER_ZH. */
kh_status kh_batch_write_csv(const kh_batch *b, FILE *out);

/* ------------------------------------------------------------------ */
/* Writers.  Every file is written to a temporary name in the target folder
 * and renamed into place when complete; a path that is one of the batch's
 * inputs is refused with KH_ERR_USAGE. */

/** Blank checklist for rubric r: XLSX when path ends in .xlsx, CSV when it
 * ends in .csv.  units may be NULL/0 for one unnamed sheet. */
kh_status kh_write_template(const kh_rubric *r, const char *const *units,
                            size_t nunits, const char *path, kh_diags *d);

/** One blank .xlsx checklist per unit of the roster ro in dir (created if
 * missing), named after the unit (with its unit type when two units of the
 * roster share a name), its unit name filled in. */
kh_status kh_write_roster_templates(const kh_roster *ro, const char *dir, kh_diags *d);

/** An earlier result (the JSON of an earlier 'kaohe rank --json'), for
 * the ranking's 变更情况 sheet. */
typedef struct kh_previous kh_previous;
kh_status kh_previous_load(const char *path, kh_previous **out, kh_diags *d);
void kh_previous_free(kh_previous *p);

/** Like kh_write_ranking, with a 变更情况 sheet comparing this run with
 * prev (may be NULL: no such sheet). */
kh_status kh_write_ranking_since(const kh_batch *b, const kh_previous *prev, const char *path,
                                 kh_diags *d);

/** The earlier result the JSON's 问题汇总 compares with: each check point
 * and item gains "previous_units" (kh_batch_write_json, kh_write_json_file
 * with ranked).  prev is not owned and must outlive b's JSON writing; NULL
 * stops the comparison. */
void kh_batch_set_previous(kh_batch *b, const kh_previous *prev);

/** Output formats of kh_write_scoresheets, as bits. */
enum { KH_FMT_XLSX = 1, KH_FMT_CSV = 2, KH_FMT_JSON = 4 };

/** One completed scoresheet per unit in dir (created if missing), in each
 * format of formats (KH_FMT_XLSX / KH_FMT_CSV); KH_FMT_JSON writes
 * dir/kaohe.json.  Up to jobs threads write at the same time (0: one per
 * online CPU; 1: everything on the caller's thread); the files and the
 * messages in d are the same whatever jobs is.  With jobs other than 1 an
 * allocator set by kh_set_allocator must be thread safe. */
kh_status kh_write_scoresheets(const kh_batch *b, const char *dir,
                               unsigned formats, unsigned jobs, kh_diags *d);

/** The ranking workbook. */
kh_status kh_write_ranking(const kh_batch *b, const char *path, kh_diags *d);

/** Write the batch JSON (ranked) to path atomically. */
kh_status kh_write_json_file(const kh_batch *b, bool ranked, const char *path,
                             kh_diags *d);

/** A 考核情况通报 draft of the ranking of b as a Word document (.docx, 公文
 * layout: 仿宋 body, 黑体 headings, A4): the year, the units assessed, each
 * rubric's ranking with grades, the vetoed units, the five check points
 * most units lost points on (问题汇总), the roster's units that sent
 * nothing.  Every sentence is made from these numbers. */
kh_status kh_write_report(const kh_batch *b, const char *path, kh_diags *d);
/** Whether path can name the report (ends in .docx): KH_OK, or
 * KH_ERR_USAGE with a message in d.  For checking an option before any
 * output is written. */
kh_status kh_report_check_path(const char *path, kh_diags *d);

/** Whether two output paths name one file (existing: the same file; not
 * yet existing: the same name in the same folder), so that a command can
 * refuse to write two outputs over each other. */
bool kh_same_output(const char *a, const char *b);

/* ------------------------------------------------------------------ */
/* kaohe serve: the browser page. */

typedef struct kh_server kh_server;

/** How kaohe serve runs.  Zero-initialise; every field may stay unset. */
typedef struct kh_server_config {
    const char *listen;     /**< "ADDR:PORT"; NULL: 127.0.0.1:8080 */
    const char *workspace;  /**< folder of the year's record; NULL: nothing is kept */
    const char *users;      /**< the users file (accounts); NULL: WORKSPACE/users.txt when it exists */
    const char *tls_cert;   /**< PEM certificate and key: HTTPS */
    const char *tls_key;
    bool insecure_http;     /**< allow plain HTTP on a non-loopback address */
    const char *const *host_names; /**< the names (Host) the page is reached by on a
                                         non-loopback address; none: the address itself */
    size_t nhost_names;
    const char *url_file;   /**< once listening, the page's URL is written here (0600) */
    const char *desktop_log; /**< started by the desktop starter, whose output goes to
                                  this file: the page says so and may stop the server */
    void (*on_stop)(void *arg); /**< with desktop_log: called on a server thread
                                     after POST /api/stop was answered */
    void *on_stop_arg;
} kh_server_config;

/** Start serving the page, on threads of its own, scoring against the
 * rubrics of reg (which must outlive it).  An address other than this
 * machine's (127.x.x.x) needs accounts and TLS (or insecure_http).
 * Requests whose Host is not this server's are refused (421).  On
 * 127.x.x.x without accounts a secret made at start is needed: the URL
 * carries it (?token=...), GET / trades it for a cookie, and every /api
 * call without the cookie (or "Authorization: token SECRET") is 403.
 * Port 0 takes a free port (kh_server_url has the real one).
 * KH_ERR_USAGE, KH_ERR_IO or KH_ERR_INPUT with a message in d. */
kh_status kh_server_start(const kh_registry *reg, const kh_server_config *cfg,
                          kh_server **out, kh_diags *d);
/** Add the account name to the users file at path, or give it a new
 * password (stored as an Argon2id hash). */
kh_status kh_server_add_user(const char *path, const char *name, const char *password,
                             kh_diags *d);
/** kh_server_add_user with the account's role: "admin", "reviewer" or
 * "filler" (a unit's 填报员, bound to unit, a roster unit's name); NULL:
 * the role it has (a new account: admin). */
kh_status kh_server_add_user_role(const char *path, const char *name, const char *password,
                                  const char *role, const char *unit, kh_diags *d);
/** One filler per unit of the roster of cfg->workspace (or of the roster
 * file given, which becomes the workspace's) that has none, with a random
 * initial password to be changed at the first login, in cfg->users (or
 * WORKSPACE/users.txt); their names and passwords in WORKSPACE/账号分发表.xlsx
 * (mode 0600; *sheet, a new string, or NULL when no account was made),
 * with the page's address as a server with cfg would have it.  *made:
 * how many were made. */
kh_status kh_server_add_unit_users(const kh_registry *reg, const kh_server_config *cfg,
                                   const char *roster, size_t *made, char **sheet,
                                   kh_diags *d);
/** The address to open in a browser, "http://127.0.0.1:8080/", with
 * "?token=SECRET" when the server has a secret. */
const char *kh_server_url(const kh_server *s);
void kh_server_stop(kh_server *s);

/** The year of the workspace in folder dir as one .zip at path (kaohe
 * workspace export): the ranking (with its 更正记录), the journal as a
 * workbook (检查表更正记录, 佐证材料记录, 填报考评记录), and per unit its current
 * checklist, its scoresheet and its 佐证材料 as UNIT/1.1 学习记录/NAME,
 * names in UTF-8 flagged as such.  Scored against the rubrics of reg and
 * those the workspace keeps.  It takes the workspace's lock: a server
 * using the workspace is KH_ERR_USAGE with a message.  KH_ERR_IO,
 * KH_ERR_NOMEM otherwise, with messages in d. */
kh_status kh_workspace_export(const char *dir, const kh_registry *reg, const char *path,
                              kh_diags *d);

/** Remove the temporary files kaohe has made and not yet renamed into
 * place, and make no more: for a front end's handler of SIGINT and SIGTERM,
 * just before the process ends.  It keeps a lock for good, so that no other
 * thread renames a temporary meanwhile: call it only on the way out. */
void kh_remove_temporaries(void);

#ifdef __cplusplus
}
#endif

#endif
