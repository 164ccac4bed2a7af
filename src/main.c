/*
 * main.c - the kaohe command: options -> library calls -> messages and
 * exit status.  Exit 0: every input scored; 1: some inputs rejected or an
 * output could not be written (the rest written); 2: usage error or bad
 * rubric.
 */
#include "kaohe.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <locale.h>
#include <malloc.h>
#include <libintl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"
#include "starter.h"

#define _(s) dgettext("kaohe", s)
#define P_(s, p, n) dngettext("kaohe", s, p, n)
#define N_(s) (s)

enum { EXIT_REJECTED = 1, EXIT_USAGE = 2 };

static const char *prog = "kaohe";

/* Whether the terminal speaks Chinese: the locale chose the zh_CN
 * catalogue (main sets it).  The library's messages carry both languages;
 * this picks one for standard error. */
static bool zh_terminal;

static void eprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Print every diagnostic of d, then empty it. */
/* One message on standard error.  File names, unit names and quoted
 * cells are untrusted: their control characters are shown, not obeyed. */
static void print_diag(const kh_diag *g)
{
    char *m = zh_terminal ? kh_diag_format_zh(g) : kh_diag_format(g);
    char *s = m ? kh_term_text(m) : NULL;
    if (g->severity == KH_NOTE)
        fprintf(stderr, "%s: %s%s\n", prog, _("note: "), s ? s : "?");
    else
        fprintf(stderr, "%s: %s\n", prog, s ? s : "?");
    kh_free(s);
    kh_free(m);
}

static void print_diags(kh_diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        print_diag(&d->v[i]);
    if (d->oom)
        eprintf("%s", _("some messages were lost: out of memory"));
    kh_diags_clear(d);
}

static const char usage_main[] = N_(
    "usage: kaohe COMMAND [OPTION]... [ARG]...\n"
    "Score safety-assessment checklists (考核) and rank the units.\n"
    "\n"
    "Commands:\n"
    "  template RUBRIC [--unit NAME]... -o OUT.xlsx|OUT.csv   make a blank checklist\n"
    "  score  [--rubric FILE]... INPUT... [-o DIR|-] [--format xlsx,csv,json]\n"
    "                                              score checklists\n"
    "  rank   [--rubric FILE]... INPUT... -o RANKING.xlsx [--json FILE]\n"
    "                                              write the ranking workbook\n"
    "  rubric list | rubric show ID | rubric check FILE...\n"
    "                                              list, show or check rubrics\n"
    "  serve  [--listen 127.0.0.1:PORT]             the page to use in a browser\n"
    "\n"
    "INPUT is a .xlsx, .xls, .ods or .csv checklist, or a folder of them.\n"
    "Run 'kaohe COMMAND --help' for the options of a command.\n"
    "Exit status: 0 all inputs scored, 1 some inputs rejected, 2 usage error or bad rubric.\n");

static const char usage_template[] = N_(
    "usage: kaohe template RUBRIC [--unit NAME]... -o OUT.xlsx|OUT.csv\n"
    "       kaohe template --roster FILE -o FOLDER\n"
    "Write a blank checklist for RUBRIC (a rubric id, see 'kaohe rubric list', or a rubric file),\n"
    "or one per unit of a roster (单位名单).\n"
    "\n"
    "  -o, --output FILE   the checklist to write: .xlsx (drop-down lists, protected) or .csv\n"
    "  -u, --unit NAME     pre-fill the unit name; repeat for one sheet per unit (.xlsx)\n"
    "      --roster FILE   one .xlsx checklist per unit of this roster, named after it,\n"
    "                      into the folder -o\n"
    "      --rubric FILE   also load this rubric file (repeatable)\n"
    "  -h, --help          show this help\n");

static const char usage_score[] = N_(
    "usage: kaohe score [--rubric FILE]... [-r] INPUT... [-o DIR|-] [--format xlsx,csv,json]\n"
    "Score filled checklists.  Without -o, print a short table (unit, rubric, total, result).\n"
    "\n"
    "  -r, --recursive     read the checklists in sub-folders of a folder too\n"
    "  -o, --output DIR    write one completed scoresheet per unit into DIR;\n"
    "                      '-' writes the chosen text format (json or csv) to standard output\n"
    "  -f, --format LIST   with -o DIR: any of xlsx, csv, json (default xlsx);\n"
    "                      with -o -: json (default) or csv\n"
    "      --csv-header zh|en  with -o - --format csv: Chinese column names and a BOM\n"
    "                      (default, for Excel and WPS) or English names, no BOM (scripts)\n"
    "      --rubric FILE   also load this rubric file (repeatable)\n"
    "      --blank-as-missing  an empty result counts as missing (has) or 0 (numbers)\n"
    "      --self FILE     the units' own assessments (自评, a checklist or a folder;\n"
    "                      repeatable), shown beside the scored result (考评) of the\n"
    "                      same unit: a 自评与考评 sheet, 自评得分 and 差 columns, JSON\n"
    "      --roster FILE   the units due (单位名单): a unit not on it is refused, the\n"
    "                      ones without a checklist are listed, the roster's order is kept\n"
    "      --grades [RUBRIC=]BANDS  grade bands (等次) instead of the rubric's, e.g.\n"
    "                      '优秀>=36;良好>=32;合格>=24;不合格' (repeatable, one per rubric)\n"
    "      --quota [RUBRIC=]QUOTA  at most so many per cent in a band, e.g. '优秀<=30%'\n"
    "  -j, --jobs N        read, score and write N files at a time (default: one per\n"
    "                      CPU); the results are the same whatever N is\n"
    "  -q, --quiet         no notes and no progress on standard error\n"
    "  -h, --help          show this help\n");

static const char usage_rank[] = N_(
    "usage: kaohe rank [--rubric FILE]... [-r] INPUT... -o RANKING.xlsx [--json FILE]\n"
    "Score every checklist and write one ranking workbook: a ranking sheet per rubric,\n"
    "deduction details, rejected inputs and a chart.\n"
    "\n"
    "  -o, --output FILE   the ranking workbook (.xlsx) to write\n"
    "  -r, --recursive     read the checklists in sub-folders of a folder too\n"
    "      --json FILE     also write the result as JSON ('-' for standard output)\n"
    "      --rubric FILE   also load this rubric file (repeatable)\n"
    "      --blank-as-missing  an empty result counts as missing (has) or 0 (numbers)\n"
    "      --self FILE     the units' own assessments (自评, a checklist or a folder;\n"
    "                      repeatable), shown beside the scored result (考评) of the\n"
    "                      same unit: a 自评与考评 sheet, 自评得分 and 差 columns, JSON\n"
    "      --roster FILE   the units due (单位名单): a unit not on it is refused, the\n"
    "                      ones without a checklist are listed, the roster's order is kept\n"
    "      --grades [RUBRIC=]BANDS  grade bands (等次) instead of the rubric's, e.g.\n"
    "                      '优秀>=36;良好>=32;合格>=24;不合格' (repeatable, one per rubric)\n"
    "      --quota [RUBRIC=]QUOTA  at most so many per cent in a band, e.g. '优秀<=30%'\n"
    "      --previous OLD.json  compare with an earlier --json (before 复核, or last\n"
    "                      year's): a 变更情况 sheet of what changed\n"
    "      --issuer TEXT   制表单位 printed under the ranking (default: the rubric's\n"
    "                      issuer; without one a line to fill in by hand)\n"
    "      --report FILE.docx  also write a 考核情况通报 draft (Word) from the numbers\n"
    "  -j, --jobs N        read and score N files at a time (default: one per CPU);\n"
    "                      the results are the same whatever N is\n"
    "  -q, --quiet         no notes and no progress on standard error\n"
    "  -h, --help          show this help\n");

static const char usage_serve[] = N_(
    "usage: kaohe serve [--listen ADDR:PORT] [--workspace DIR] [--rubric FILE]...\n"
    "       kaohe serve --add-user NAME [--role ROLE [--unit UNIT]] (--users FILE | --workspace DIR)\n"
    "       kaohe serve --workspace DIR --add-unit-users [--roster FILE]\n"
    "Serve the page where checklists are uploaded and ranked, in a browser\n"
    "(default http://127.0.0.1:8080/, this machine only).  Ctrl-C stops it.\n"
    "Without --workspace nothing is kept: a request's files are removed once it\n"
    "is answered.\n"
    "\n"
    "      --listen ADDR:PORT  where to listen; an address other than 127.x.x.x lets\n"
    "                      other computers in and needs accounts and HTTPS\n"
    "      --workspace DIR  keep the year's checklists, settings and the record of\n"
    "                      every replacement (申诉/复核) in DIR\n"
    "      --users FILE    the accounts (default DIR/users.txt when it exists)\n"
    "      --add-user NAME  add an account or set its password (asked for twice)\n"
    "      --role ROLE     its role: admin (管理员, the default), reviewer (考评员) or\n"
    "                      filler (填报员, bound to one roster unit: --unit UNIT)\n"
    "      --add-unit-users  one filler per roster unit that has none, with a random\n"
    "                      initial password, listed in DIR/账号分发表.xlsx to hand out\n"
    "      --roster FILE   with --add-unit-users: this roster (单位名单), which becomes\n"
    "                      the workspace's\n"
    "      --tls-cert FILE, --tls-key FILE  HTTPS with this PEM certificate and key\n"
    "      --insecure-http  allow plain HTTP on a network address (not advised)\n"
    "      --host-name NAME  a name the page is reached by on a network address\n"
    "                      (repeatable; default: the address itself)\n"
    "      --url-file FILE  write the page's address (with its secret) to FILE\n"
    "      --desktop LOG   started by the desktop starter, output in LOG: the page\n"
    "                      shows LOG and a button that stops kaohe\n"
    "      --rubric FILE   also load this rubric file (repeatable)\n"
    "  -h, --help          show this help\n");

static const char usage_start[] = N_(
    "usage: kaohe start [--workspace DIR] [--listen 127.0.0.1:PORT]\n"
    "       kaohe stop\n"
    "Start the page for this user on this computer and open it in the browser, as\n"
    "启动考核.bat and a double click on kaohe.exe do: kaohe serve runs on its own\n"
    "with the secret of this start in the page's address, and kaohe waits until the\n"
    "page answers.  When the page started before still answers, it is opened again.\n"
    "'kaohe stop' stops it, as 停止考核.bat and the page's 停止 button do.  The page's\n"
    "address and kaohe serve's log are kept in %LOCALAPPDATA%\\kaohe (Linux:\n"
    "~/.local/state/kaohe).\n"
    "\n"
    "      --workspace DIR  keep the year's record in DIR (default: the folder\n"
    "                      workspace beside kaohe.exe; Linux: ~/.local/share/kaohe)\n"
    "      --listen 127.0.0.1:PORT  listen on this port (default: a free one)\n"
    "  -h, --help          show this help\n");

static const char usage_rubric[] = N_(
    "usage: kaohe rubric list [--rubric FILE]...\n"
    "       kaohe rubric show ID [--rubric FILE]...\n"
    "       kaohe rubric check FILE...\n"
    "List the known rubrics, show one (items, check points, rules), or check rubric files\n"
    "(exit 0 when valid, 2 with every problem listed).\n");

static const char usage_workspace[] = N_(
    "usage: kaohe workspace export DIR -o ARCHIVE.zip [--rubric FILE]...\n"
    "Export the year kept in the workspace DIR (kaohe serve --workspace DIR) as one\n"
    ".zip for the archive: the ranking (考核结果排名.xlsx), the journal\n"
    "(变更记录.xlsx), and per unit its checklist, its scoresheet (评分表.xlsx) and\n"
    "its evidence as UNIT/1.1 学习记录/FILE.  Stop the server using DIR first.\n"
    "\n"
    "  -o, --output FILE   the archive to write (.zip)\n"
    "      --rubric FILE   also load this rubric file (repeatable)\n"
    "  -h, --help          show this help\n");

static int usage(const char *text, int status)
{
    fputs(_(text), status ? stderr : stdout);
    return status;
}

/* ---- the rubric registry: shipped rubrics plus --rubric files ---- */

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The folder of shipped rubrics: $KAOHE_RUBRICS, else beside the binary
 * (installed: BIN/../share/kaohe/rubrics; build tree: build/../templates/
 * rubrics), else the configured data folder. */
static char *rubric_dir(void)
{
    const char *env = getenv("KAOHE_RUBRICS");
    if (env && *env)
        return strdup(env);
    char *exe = kh_exe_path();
    if (exe) {
        char *dir = dirname(exe);
        /* installed, build tree, the Windows zip (rubrics beside kaohe.exe) */
        static const char *const rel[] = {"/../share/kaohe/rubrics", "/../templates/rubrics",
                                          "/rubrics"};
        for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
            char cand[PATH_MAX + 64];
            snprintf(cand, sizeof cand, "%s%s", dir, rel[i]);
            if (is_dir(cand)) {
                free(exe);
                return strdup(cand);
            }
        }
        free(exe);
    }
    return strdup(KH_DATADIR "/rubrics");
}

/* The folder of compiled catalogues, found like the rubrics: beside the
 * binary (installed: BIN/../share/locale; build tree: build/locale; the
 * Windows zip: locale beside kaohe.exe), else the configured one. */
static void bind_catalogue(void)
{
    char *exe = kh_exe_path();
    if (exe) {
        char *dir = dirname(exe);
        static const char *const rel[] = {"/locale", "/../share/locale"};
        for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
            char cand[PATH_MAX + 64], mo[PATH_MAX + 128];
            snprintf(cand, sizeof cand, "%s%s", dir, rel[i]);
            snprintf(mo, sizeof mo, "%s/zh_CN/LC_MESSAGES/kaohe.mo", cand);
            struct stat st;
            if (stat(mo, &st) == 0) {
                bindtextdomain("kaohe", cand);
                free(exe);
                return;
            }
        }
        free(exe);
    }
    bindtextdomain("kaohe", KH_LOCALEDIR);
}

typedef struct opts {
    const char **rubrics;
    size_t nrubrics;
    const char **units;
    size_t nunits;
    const char *output;
    const char *json;
    const char *format;
    bool blank_as_missing;
    bool recursive;
    bool quiet;
    unsigned jobs;          /* 0: one per online CPU */
    const char **grades;    /* --grades [RUBRIC=]BANDS */
    size_t ngrades;
    const char **quotas;    /* --quota [RUBRIC=]QUOTA */
    size_t nquotas;
    const char *roster;     /* --roster FILE */
    const char **selfs;     /* --self FILE (自评), repeatable */
    size_t nselfs;
    const char *previous;   /* --previous OLD.json */
    const char *issuer;     /* rank --issuer TEXT (制表单位) */
    const char *csv_header; /* score --csv-header zh|en */
    const char *report;     /* rank --report 通报.docx */
    const char *listen;     /* serve --listen ADDR:PORT */
    const char *workspace;  /* serve --workspace DIR */
    const char *users;      /* serve --users FILE */
    const char *add_user;   /* serve --add-user NAME */
    const char *role;       /* serve --role ROLE */
    bool add_unit_users;    /* serve --add-unit-users */
    const char *tls_cert, *tls_key; /* serve --tls-cert/--tls-key */
    bool insecure_http;     /* serve --insecure-http */
    const char **host_names; /* serve --host-name NAME (repeatable) */
    size_t nhost_names;
    const char *url_file;   /* serve --url-file FILE */
    const char *desktop;    /* serve --desktop LOG */
    bool provenance;        /* record the inputs' digests (rank: 来源, JSON) */
    bool keep_checks;       /* keep every check point's result (JSON) */
} opts;

/* The roster of this run (--roster), kept until the end of main: the batch
 * refers to it. */
static kh_roster *the_roster;

/* Load --roster FILE into the_roster: false (messages printed) when it
 * cannot be used. */
static bool load_roster(const opts *o, const kh_registry *reg)
{
    kh_diags d = {0};
    kh_status st = kh_roster_load(o->roster, reg, &the_roster, &d);
    print_diags(&d);
    if (st != KH_OK && st != KH_ERR_INPUT)
        eprintf("%s: %s", o->roster, _(kh_strerror(st)));
    return st == KH_OK;
}

static kh_registry *load_registry(const opts *o, int *status)
{
    kh_diags d = {0};
    kh_registry *reg = kh_registry_new();
    if (!reg) {
        eprintf("%s", _(kh_strerror(KH_ERR_NOMEM)));
        *status = EXIT_USAGE;
        return NULL;
    }
    char *dir = rubric_dir();
    kh_status st = dir ? kh_registry_load_dir(reg, dir, &d) : KH_ERR_NOMEM;
    free(dir);
    for (size_t i = 0; i < o->nrubrics && st == KH_OK; i++)
        st = kh_registry_load_file(reg, o->rubrics[i], &d);
    print_diags(&d);
    if (st != KH_OK) {
        if (st != KH_ERR_RUBRIC)
            eprintf("%s", _(kh_strerror(st)));
        kh_registry_free(reg);
        *status = EXIT_USAGE;
        return NULL;
    }
    return reg;
}

static const struct option long_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, 'f'},
    {"rubric", required_argument, NULL, 'R'},
    {"recursive", no_argument, NULL, 'r'},
    {"unit", required_argument, NULL, 'u'},
    {"json", required_argument, NULL, 'J'},
    {"blank-as-missing", no_argument, NULL, 'B'},
    {"quiet", no_argument, NULL, 'q'},
    {"jobs", required_argument, NULL, 'j'},
    {"grades", required_argument, NULL, 'G'},
    {"quota", required_argument, NULL, 'Q'},
    {"roster", required_argument, NULL, 'L'},
    {"self", required_argument, NULL, 'E'},
    {"previous", required_argument, NULL, 'P'},
    {"issuer", required_argument, NULL, 'i'},
    {"csv-header", required_argument, NULL, 'H'},
    {"report", required_argument, NULL, 'D'},
    {"listen", required_argument, NULL, 'W'},
    {"workspace", required_argument, NULL, 'S'},
    {"users", required_argument, NULL, 'U'},
    {"add-user", required_argument, NULL, 'A'},
    {"role", required_argument, NULL, 'O'},
    {"add-unit-users", no_argument, NULL, 'Y'},
    {"tls-cert", required_argument, NULL, 'C'},
    {"tls-key", required_argument, NULL, 'K'},
    {"insecure-http", no_argument, NULL, 'I'},
    {"host-name", required_argument, NULL, 'N'},
    {"url-file", required_argument, NULL, 'V'},
    {"desktop", required_argument, NULL, 'Z'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static bool push(const char ***v, size_t *n, const char *s)
{
    const char **p = realloc(*v, (*n + 1) * sizeof **v);
    if (!p)
        return false;
    p[(*n)++] = s;
    *v = p;
    return true;
}

/* Parse the options of a command; the remaining arguments are left in
 * argv[optind..].  Returns -1 to go on, or an exit status. */
static int parse_opts(int argc, char **argv, const char *allowed, const char *help, opts *o)
{
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:f:ru:j:qh", long_opts, NULL)) != -1) {
        if (c != '?' && c != ':' && !strchr(allowed, c)) {
            /* The option itself, not its value ("--issuer X": X is last). */
            const char *name = argv[optind - 1];
            if (optarg && name == optarg && optind >= 2)
                name = argv[optind - 2];
            eprintf(_("option '%s' does not apply here"), name);
            return usage(help, EXIT_USAGE);
        }
        switch (c) {
        case 'o': o->output = optarg; break;
        case 'f': o->format = optarg; break;
        case 'J': o->json = optarg; break;
        case 'B': o->blank_as_missing = true; break;
        case 'q': o->quiet = true; break;
        case 'j': {
            char *end;
            errno = 0;
            unsigned long n = strtoul(optarg, &end, 10);
            if (errno || end == optarg || *end || n < 1 || n > 1024 || optarg[0] == '-') {
                eprintf(_("-j takes a number of files to read at a time, from 1 to 1024, not '%s'"),
                        optarg);
                return usage(help, EXIT_USAGE);
            }
            o->jobs = (unsigned)n;
            break;
        }
        case 'h': return usage(help, 0);
        case 'r': o->recursive = true; break;
        case 'R':
            if (!push(&o->rubrics, &o->nrubrics, optarg))
                return EXIT_USAGE;
            break;
        case 'u':
            if (!push(&o->units, &o->nunits, optarg))
                return EXIT_USAGE;
            break;
        case 'L': o->roster = optarg; break;
        case 'E':
            if (!push(&o->selfs, &o->nselfs, optarg))
                return EXIT_USAGE;
            break;
        case 'P': o->previous = optarg; break;
        case 'i': o->issuer = optarg; break;
        case 'H': o->csv_header = optarg; break;
        case 'D': o->report = optarg; break;
        case 'W': o->listen = optarg; break;
        case 'S': o->workspace = optarg; break;
        case 'U': o->users = optarg; break;
        case 'A': o->add_user = optarg; break;
        case 'O': o->role = optarg; break;
        case 'Y': o->add_unit_users = true; break;
        case 'C': o->tls_cert = optarg; break;
        case 'K': o->tls_key = optarg; break;
        case 'I': o->insecure_http = true; break;
        case 'N':
            if (!push(&o->host_names, &o->nhost_names, optarg))
                return EXIT_USAGE;
            break;
        case 'V': o->url_file = optarg; break;
        case 'Z': o->desktop = optarg; break;
        case 'G':
            if (!push(&o->grades, &o->ngrades, optarg))
                return EXIT_USAGE;
            break;
        case 'Q':
            if (!push(&o->quotas, &o->nquotas, optarg))
                return EXIT_USAGE;
            break;
        default:
            if (optopt)
                eprintf(_("option -%c needs a value or is unknown"), optopt);
            else
                eprintf(_("unknown option '%s'"), argv[optind - 1]);
            return usage(help, EXIT_USAGE);
        }
    }
    return -1;
}

/* ---- commands ---- */

static int cmd_template(int argc, char **argv, opts *o)
{
    int rc = parse_opts(argc, argv, "oRuLh", usage_template, o);
    if (rc >= 0)
        return rc;
    if (o->roster) {
        /* One blank checklist per unit of the roster, into the folder -o. */
        if (argc != optind || !o->output || o->nunits) {
            eprintf("%s", !o->output ? _("missing -o FOLDER for the checklists of the roster")
                                     : _("with --roster, name no rubric and no --unit: the "
                                         "roster gives both"));
            return usage(usage_template, EXIT_USAGE);
        }
        int status = 0;
        kh_registry *reg = load_registry(o, &status);
        if (!reg)
            return status;
        if (!load_roster(o, reg)) {
            kh_registry_free(reg);
            return EXIT_USAGE;
        }
        kh_diags d = {0};
        kh_status st = kh_write_roster_templates(the_roster, o->output, &d);
        print_diags(&d);
        if (st == KH_OK && !o->quiet)
            printf(_("%zu blank checklists written to %s\n"), kh_roster_count(the_roster),
                   o->output);
        kh_registry_free(reg);
        return st == KH_OK ? 0 : st == KH_ERR_USAGE ? EXIT_USAGE : EXIT_REJECTED;
    }
    if (argc - optind != 1 || !o->output) {
        eprintf("%s", argc - optind != 1 ? _("name one rubric") : _("missing -o OUT.xlsx or -o OUT.csv"));
        return usage(usage_template, EXIT_USAGE);
    }
    const char *name = argv[optind];
    int status = 0;
    kh_registry *reg = load_registry(o, &status);
    if (!reg)
        return status;
    kh_diags d = {0};
    kh_registry *own = NULL;
    const kh_rubric *r = kh_registry_find(reg, name);
    if (!r && (strchr(name, '/') || access(name, R_OK) == 0)) {
        /* A rubric file given by path: that file, in a registry of its own
         * (it may be a shipped rubric, whose id the main one already has). */
        own = kh_registry_new();
        if (own && kh_registry_load_file(own, name, &d) == KH_OK)
            r = kh_registry_at(own, 0);
    }
    if (!r) {
        print_diags(&d);
        if (!own) /* else the file's own problems were just printed */
            eprintf(_("unknown rubric '%s': see 'kaohe rubric list'"), name);
        kh_registry_free(own);
        kh_registry_free(reg);
        return EXIT_USAGE;
    }
    kh_status st = kh_write_template(r, o->units, o->nunits, o->output, &d);
    print_diags(&d);
    kh_registry_free(own);
    kh_registry_free(reg);
    if (st != KH_OK)
        return st == KH_ERR_USAGE ? EXIT_USAGE : EXIT_REJECTED;
    return 0;
}

/* ---- progress on a terminal ---- */

/* One line on standard error, rewritten in place: files done / total and
 * the current file.  Only when standard error is a terminal and not
 * --quiet; at most ten updates a second. */
typedef struct progress {
    bool on, shown;
    struct timespec last;
} progress;

static void progress_init(progress *p, const opts *o)
{
    *p = (progress){.on = !o->quiet && kh_is_terminal(STDERR_FILENO)};
}

/* Terminal columns of the first bytes of s that fit in max columns (CJK
 * and other wide characters as two); *len gets their length in bytes. */
static void fit_columns(const char *s, size_t max, size_t *len)
{
    size_t cols = 0, i = 0;
    while (s[i]) {
        unsigned char c = (unsigned char)s[i];
        size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        size_t w = c >= 0xE1 ? 2 : 1;  /* U+1000 and up: mostly wide */
        for (size_t k = 1; k < n; k++)
            if (!s[i + k])
                n = k;
        if (cols + w > max)
            break;
        cols += w;
        i += n;
    }
    *len = i;
}

static void progress_line(progress *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void progress_line(progress *p, const char *fmt, ...)
{
    unsigned cols = kh_terminal_width(STDERR_FILENO);
    size_t width = cols > 20 ? cols : 80;
    char raw[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    char *line = kh_term_text(raw); /* file names are untrusted */
    size_t len;
    fit_columns(line ? line : raw, width - 1, &len);
    fprintf(stderr, "\r%.*s\033[K", (int)len, line ? line : "");
    kh_free(line);
    fflush(stderr);
    p->shown = true;
}

static void progress_file(void *ctx, size_t done, size_t total, const char *path)
{
    progress *p = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (long)(now.tv_sec - p->last.tv_sec) * 1000 + (now.tv_nsec - p->last.tv_nsec) / 1000000;
    if (p->shown && done < total && ms < 100)
        return;
    p->last = now;
    const char *base = strrchr(path, '/');
    progress_line(p, "%s: %zu/%zu %s", prog, done, total, base ? base + 1 : path);
}

static void progress_end(progress *p)
{
    if (p->shown)
        fputs("\r\033[K", stderr);
    p->shown = false;
}

/* The rubric id before "=" in a --grades or --quota value ("id=..."), as a
 * length (0: none: ">=" and "<=" are not one). */
static size_t rubric_prefix(const char *v)
{
    size_t n = 0;
    while ((v[n] >= 'a' && v[n] <= 'z') || (v[n] >= 'A' && v[n] <= 'Z') ||
           (v[n] >= '0' && v[n] <= '9') || v[n] == '-' || v[n] == '_')
        n++;
    return n && v[n] == '=' ? n : 0;
}

/* Give b the --grades of o, each with the --quota of the same rubric
 * prefix: false (messages printed) when one is refused. */
static bool set_grades(kh_batch *b, const opts *o)
{
    for (size_t i = 0; i < o->nquotas; i++) {
        size_t n = rubric_prefix(o->quotas[i]);
        bool found = false;
        for (size_t k = 0; k < o->ngrades && !found; k++)
            found = rubric_prefix(o->grades[k]) == n && strncmp(o->grades[k], o->quotas[i], n) == 0;
        if (!found) {
            eprintf(_("--quota '%s' has no --grades for the same rubric: give the bands too"),
                    o->quotas[i]);
            return false;
        }
    }
    for (size_t i = 0; i < o->ngrades; i++) {
        size_t n = rubric_prefix(o->grades[i]);
        char *id = n ? malloc(n + 1) : NULL; /* no strndup on Windows */
        if (id) {
            memcpy(id, o->grades[i], n);
            id[n] = '\0';
        }
        const char *quota = NULL;
        for (size_t k = 0; k < o->nquotas; k++)
            if (rubric_prefix(o->quotas[k]) == n && strncmp(o->grades[i], o->quotas[k], n) == 0)
                quota = o->quotas[k] + (n ? n + 1 : 0);
        kh_diags d = {0};
        kh_status st = (n && !id) ? KH_ERR_NOMEM
                                  : kh_batch_set_grades(b, id, o->grades[i] + (n ? n + 1 : 0),
                                                        quota, &d);
        free(id);
        print_diags(&d);
        if (st != KH_OK) {
            if (st == KH_ERR_NOMEM)
                eprintf("%s", _(kh_strerror(st)));
            return false;
        }
    }
    return true;
}

/* Score every input; NULL on a fatal error (status set). */
static kh_batch *run_batch(int argc, char **argv, const opts *o, kh_registry *reg,
                           progress *pr, int *status)
{
    kh_options ko = {.blank_as_missing = o->blank_as_missing, .recursive = o->recursive,
                     .provenance = o->provenance, .keep_checks = o->keep_checks,
                     .issuer = o->issuer};
    kh_batch *b = kh_batch_new(reg, &ko);
    if (!b) {
        eprintf("%s", _(kh_strerror(KH_ERR_NOMEM)));
        *status = EXIT_REJECTED;
        return NULL;
    }
    if (!set_grades(b, o) || (o->roster && !load_roster(o, reg))) {
        kh_batch_free(b);
        *status = EXIT_USAGE;
        return NULL;
    }
    if (the_roster)
        kh_batch_set_roster(b, the_roster);
    kh_diags notes = {0};
    kh_status st = kh_batch_add_all(b, (const char *const *)argv + optind, (size_t)(argc - optind),
                                    o->jobs, pr->on ? progress_file : NULL, pr, &notes);
    progress_end(pr);
    for (size_t i = 0; i < o->nselfs && st == KH_OK; i++) /* 自评 */
        st = kh_batch_add_self(b, o->selfs[i], &notes);
    if (o->quiet)
        kh_diags_clear(&notes);
    else
        print_diags(&notes);
    if (st == KH_OK)
        st = kh_batch_finish(b);
    if (st != KH_OK) {
        eprintf("%s", _(kh_strerror(st)));
        kh_batch_free(b);
        *status = EXIT_REJECTED;
        return NULL;
    }
    kh_diags errs = *kh_batch_errors(b);
    for (size_t i = 0; i < errs.n; i++)
        print_diag(&errs.v[i]);
    *status = kh_batch_rejected_count(b) ? EXIT_REJECTED : 0;
    /* The 自评 checklists that did not pass, and those of no scored unit. */
    errs = *kh_batch_self_errors(b);
    for (size_t i = 0; i < errs.n; i++)
        print_diag(&errs.v[i]);
    if (kh_batch_self_rejected_count(b))
        *status = EXIT_REJECTED;
    for (size_t i = 0; i < kh_batch_self_unmatched_count(b) && !o->quiet; i++) {
        const char *unit, *rubric, *source;
        kh_batch_self_unmatched_at(b, i, &unit, &rubric, &source);
        char *u = kh_term_text(unit), *f = kh_term_text(source);
        fprintf(stderr, "%s: %s", prog, _("note: "));
        fprintf(stderr, _("%s: the self-assessment (自评) of %s (%s) has no scored checklist "
                          "(考评) of the same unit beside it: it is not shown"),
                f ? f : "?", u ? u : "?",
                kh_rubric_unit_type(kh_registry_find(reg, rubric)));
        fputc('\n', stderr);
        kh_free(u);
        kh_free(f);
    }
    /* The units due that are not scored: those that sent only checklists
     * that did not pass (已提交未通过), then those that sent nothing (未提交). */
    for (size_t i = 0; i < kh_batch_failed_count(b); i++) {
        size_t e = kh_batch_failed_at(b, i);
        char *unit = kh_term_text(kh_roster_unit(the_roster, e));
        eprintf(_("%s (%s): submitted, but its checklist did not pass (see above): not in the "
                  "ranking until a corrected checklist passes"),
                unit ? unit : "?", kh_rubric_unit_type(kh_roster_rubric(the_roster, e)));
        kh_free(unit);
        *status = EXIT_REJECTED;
    }
    for (size_t i = 0; i < kh_batch_missing_count(b); i++) {
        size_t e = kh_batch_missing_at(b, i);
        char *unit = kh_term_text(kh_roster_unit(the_roster, e));
        eprintf(_("%s (%s): on the roster, but no checklist was received: not scored"),
                unit ? unit : "?", kh_rubric_unit_type(kh_roster_rubric(the_roster, e)));
        kh_free(unit);
        *status = EXIT_REJECTED;
    }
    return b;
}

static unsigned parse_formats(const char *list, bool to_stdout)
{
    unsigned f = 0;
    char *copy = strdup(list ? list : (to_stdout ? "json" : "xlsx"));
    if (!copy)
        return 0;
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "xlsx") == 0 && !to_stdout)
            f |= KH_FMT_XLSX;
        else if (strcmp(t, "csv") == 0)
            f |= KH_FMT_CSV;
        else if (strcmp(t, "json") == 0)
            f |= KH_FMT_JSON;
        else {
            free(copy);
            return 0;
        }
    }
    free(copy);
    if (to_stdout && f != KH_FMT_CSV && f != KH_FMT_JSON)
        return 0;
    return f;
}

static int cmd_score(int argc, char **argv, opts *o)
{
    int rc = parse_opts(argc, argv, "ofRrBqjGQLHEh", usage_score, o);
    if (rc >= 0)
        return rc;
    if (optind >= argc) {
        eprintf("%s", _("no input: name checklists (.xlsx, .csv) or folders"));
        return usage(usage_score, EXIT_USAGE);
    }
    bool to_stdout = o->output && strcmp(o->output, "-") == 0;
    unsigned formats = parse_formats(o->format, to_stdout);
    if (!formats) {
        eprintf(to_stdout ? _("with -o -, --format is json or csv")
                          : _("--format takes xlsx, csv and json, separated by commas"));
        return usage(usage_score, EXIT_USAGE);
    }
    if (o->format && !o->output) {
        eprintf("%s", _("--format needs -o DIR or -o -"));
        return usage(usage_score, EXIT_USAGE);
    }
    bool csv_en = false;
    if (o->csv_header) {
        if (strcmp(o->csv_header, "en") != 0 && strcmp(o->csv_header, "zh") != 0) {
            eprintf(_("--csv-header takes zh (Chinese column names, the default) or en, not '%s'"),
                    o->csv_header);
            return usage(usage_score, EXIT_USAGE);
        }
        if (!(to_stdout && formats == KH_FMT_CSV)) {
            eprintf("%s", _("--csv-header applies to -o - --format csv only"));
            return usage(usage_score, EXIT_USAGE);
        }
        csv_en = strcmp(o->csv_header, "en") == 0;
    }
    int status = 0;
    kh_registry *reg = load_registry(o, &status);
    if (!reg)
        return status;
    progress pr;
    progress_init(&pr, o);
    /* The JSON's checks; with 自评, the answers shown beside it. */
    o->keep_checks = (formats & KH_FMT_JSON) != 0 || o->nselfs > 0;
    kh_batch *b = run_batch(argc, argv, o, reg, &pr, &status);
    if (b) {
        kh_status st = KH_OK;
        kh_diags d = {0};
        if (!o->output) {
            st = kh_batch_write_summary(b, stdout);
        } else if (to_stdout && formats == KH_FMT_JSON) {
            st = kh_batch_write_json(b, false, stdout);
        } else if (to_stdout) {
            st = kh_batch_write_csv_as(b, csv_en ? KH_CSV_HEADER_EN : KH_CSV_HEADER_ZH, stdout);
        } else {
            if (pr.on)
                progress_line(&pr,
                              P_("%s: writing %zu scoresheet in %s ...",
                                 "%s: writing %zu scoresheets in %s ...", kh_batch_unit_count(b)),
                              prog, kh_batch_unit_count(b), o->output);
            st = kh_write_scoresheets(b, o->output, formats, o->jobs, &d);
            progress_end(&pr);
        }
        print_diags(&d);
        if (st != KH_OK && status == 0)
            status = st == KH_ERR_USAGE ? EXIT_USAGE : EXIT_REJECTED;
        kh_batch_free(b);
    }
    kh_registry_free(reg);
    return status;
}

/* rank's last line: what was written, the units ranked, and either the
 * checklists that did not pass or, with a roster, its units that sent
 * checklists none of which passed (已提交未通过) and those that sent
 * nothing (未提交): the three add up to the roster. */
static void closing_line(const kh_batch *b, const char *output)
{
    char *out = kh_term_text(output);
    if (kh_batch_roster(b))
        eprintf(_("%s written: units ranked: %zu; units whose checklists did not pass (未通过): "
                  "%zu; units that sent nothing (未提交): %zu"),
                out ? out : "?", kh_batch_unit_count(b), kh_batch_failed_count(b),
                kh_batch_missing_count(b));
    else
        eprintf(_("%s written: units ranked: %zu; checklists that did not pass (未通过): %zu"),
                out ? out : "?", kh_batch_unit_count(b), kh_batch_rejected_count(b));
    kh_free(out);
}

/* --report FILE: a .docx, not the workbook nor the JSON (checked before
 * anything is read or written). */
static bool report_ok(const opts *o)
{
    kh_diags d = {0};
    bool ok = kh_report_check_path(o->report, &d) == KH_OK;
    print_diags(&d);
    if (ok && (kh_same_output(o->output, o->report) ||
               (o->json && strcmp(o->json, "-") != 0 && kh_same_output(o->json, o->report)))) {
        eprintf(_("--report %s names another output of this command: give the report its own "
                  "name, e.g. 考核情况通报.docx"), o->report);
        ok = false;
    }
    return ok;
}

static int cmd_rank(int argc, char **argv, opts *o)
{
    int rc = parse_opts(argc, argv, "oRrJBqjGQLPiDEh", usage_rank, o);
    if (rc >= 0)
        return rc;
    if (optind >= argc || !o->output) {
        eprintf("%s", optind >= argc ? _("no input: name checklists (.xlsx, .csv) or folders")
                                     : _("missing -o RANKING.xlsx"));
        return usage(usage_rank, EXIT_USAGE);
    }
    /* Every option is checked before anything is written: a usage error
     * leaves every file as it was (last year's --json kept for
     * --previous). */
    size_t olen = strlen(o->output);
    bool xlsx = olen > 5;
    for (size_t i = 0; xlsx && i < 5; i++) {
        char c = o->output[olen - 5 + i];
        xlsx = (c >= 'A' && c <= 'Z' ? c + 32 : c) == ".xlsx"[i];
    }
    if (!xlsx) {
        eprintf("%s: %s", o->output,
                _("the ranking is an Excel workbook: give a file name ending in .xlsx"));
        return EXIT_USAGE;
    }
    if (o->json && strcmp(o->json, "-") != 0 && kh_same_output(o->output, o->json)) {
        eprintf(_("--json %s names the ranking workbook itself: give the JSON file another "
                  "name, e.g. ranking.json"), o->json);
        return EXIT_USAGE;
    }
    if (o->report && !report_ok(o))
        return EXIT_USAGE;
    int status = 0;
    kh_registry *reg = load_registry(o, &status);
    if (!reg)
        return status;
    progress pr;
    progress_init(&pr, o);
    o->provenance = true; /* the 来源 sheet, and the JSON's provenance */
    /* Every check point's result only where it is shown: the JSON's checks
     * and 变更情况 (with --previous).  20,000 units keep 1.8 KB each less
     * without them. */
    o->keep_checks = o->json != NULL || o->previous != NULL;
    kh_previous *prev = NULL;
    if (o->previous) {
        kh_diags pd = {0};
        kh_status ps = kh_previous_load(o->previous, &prev, &pd);
        print_diags(&pd);
        if (ps != KH_OK) {
            if (ps == KH_ERR_NOMEM)
                eprintf("%s", _(kh_strerror(ps)));
            kh_registry_free(reg);
            return EXIT_USAGE;
        }
    }
    kh_batch *b = run_batch(argc, argv, o, reg, &pr, &status);
    if (b) {
        kh_diags d = {0};
        kh_batch_set_previous(b, prev); /* the JSON's 问题汇总 too */
        if (pr.on)
            progress_line(&pr,
                          P_("%s: writing the ranking of %zu unit to %s ...",
                             "%s: writing the ranking of %zu units to %s ...",
                             kh_batch_unit_count(b)),
                          prog, kh_batch_unit_count(b), o->output);
        kh_status st = kh_write_ranking_since(b, prev, o->output, &d);
        progress_end(&pr);
        if (st == KH_ERR_USAGE) {
            /* the ranking's name was refused (one of the inputs): nothing
             * is written */
        } else if (o->json && strcmp(o->json, "-") == 0) {
            kh_status s2 = kh_batch_write_json(b, true, stdout);
            if (st == KH_OK)
                st = s2;
        } else if (o->json) {
            kh_status s2 = kh_write_json_file(b, true, o->json, &d);
            if (st == KH_OK)
                st = s2;
        }
        if (o->report) {
            kh_status s3 = kh_write_report(b, o->report, &d);
            if (st == KH_OK)
                st = s3;
        }
        print_diags(&d);
        size_t nrej = kh_batch_rejected_count(b);
        if (nrej)
            eprintf(P_("%zu checklist did not pass and is not in the ranking (未计入排名): "
                             "its problems are listed above and in the sheet 未通过的文件 of %s",
                             "%zu checklists did not pass and are not in the ranking (未计入排名): "
                             "their problems are listed above and in the sheet 未通过的文件 of %s",
                             nrej),
                    nrej, o->output);
        if (st != KH_OK)
            status = st == KH_ERR_USAGE ? EXIT_USAGE : (status ? status : EXIT_REJECTED);
        else if (!o->quiet)
            closing_line(b, o->output);
        kh_batch_free(b);
    }
    kh_previous_free(prev);
    kh_registry_free(reg);
    return status;
}

/* kaohe serve --add-user NAME: the password asked for twice (read once
 * from standard input when it is not a terminal: a script). */
static int add_user(const opts *o)
{
    char *path = o->users ? strdup(o->users) : NULL;
    if (!path && o->workspace) {
        size_t n = strlen(o->workspace) + sizeof "/users.txt";
        if ((path = malloc(n)) != NULL)
            snprintf(path, n, "%s/users.txt", o->workspace);
        kh_mkdir(o->workspace); /* a new workspace: its folder first */
    }
    if (!path) {
        eprintf("%s", _("--add-user needs --users FILE or --workspace DIR: where to keep the "
                        "account"));
        return EXIT_USAGE;
    }
    char pw[256], again[256];
    bool tty = kh_is_terminal(0);
    if (tty)
        fprintf(stderr, _("password for %s: "), o->add_user);
    bool ok = kh_read_secret(pw, sizeof pw);
    if (ok && tty) {
        fprintf(stderr, "%s", _("the same password again: "));
        ok = kh_read_secret(again, sizeof again);
        if (ok && strcmp(pw, again) != 0) {
            eprintf("%s", _("the two passwords differ: nothing was changed"));
            free(path);
            return EXIT_USAGE;
        }
    }
    if (!ok) {
        eprintf("%s", _("no password was given: nothing was changed"));
        free(path);
        return EXIT_USAGE;
    }
    kh_diags d = {0};
    kh_status st = kh_server_add_user_role(path, o->add_user, pw, o->role,
                                           o->nunits ? o->units[0] : NULL, &d);
    memset(pw, 0, sizeof pw);
    memset(again, 0, sizeof again);
    print_diags(&d);
    if (st == KH_OK)
        printf(_("kaohe: account %s saved in %s\n"), o->add_user, path);
    free(path);
    return st == KH_OK ? 0 : st == KH_ERR_USAGE ? EXIT_USAGE : EXIT_REJECTED;
}

/* What the end of kaohe serve says (Ctrl-C, SIGTERM, POST /api/stop):
 * set once the server runs, printed by the termination thread. */
static _Atomic(const char *) serve_workspace;
static atomic_bool serving;

static void on_termination(void)
{
    kh_remove_temporaries();
    if (atomic_load(&serving)) {
        const char *ws = atomic_load(&serve_workspace);
        if (ws)
            printf(_("kaohe: stopped; the workspace is in %s\n"), ws);
        else
            printf("%s", _("kaohe: stopped\n"));
        fflush(stdout);
    }
}

/* POST /api/stop was answered (--desktop): stop as Ctrl-C does. */
static void stop_requested(void *arg)
{
    (void)arg;
    kh_request_termination();
}

static int cmd_serve(int argc, char **argv, opts *o)
{
    int rc = parse_opts(argc, argv, "RWSUACKINVZOYuLh", usage_serve, o);
    if (rc >= 0)
        return rc;
    if (optind != argc)
        return usage(usage_serve, EXIT_USAGE);
    /* --role and --unit belong to --add-user, --roster to --add-unit-users. */
    if (((o->role || o->nunits) && !o->add_user) || (o->nunits && !o->role) ||
        o->nunits > 1 || (o->roster && !o->add_unit_users) || (o->add_user && o->add_unit_users))
        return usage(usage_serve, EXIT_USAGE);
    if (o->add_user)
        return add_user(o);
    int status = 0;
    kh_registry *reg = load_registry(o, &status);
    if (!reg)
        return status;
    kh_diags d = {0};
    kh_server *s = NULL;
    kh_server_config cfg = {.listen = o->listen,
                            .workspace = o->workspace,
                            .users = o->users,
                            .tls_cert = o->tls_cert,
                            .tls_key = o->tls_key,
                            .insecure_http = o->insecure_http,
                            .host_names = o->host_names,
                            .nhost_names = o->nhost_names,
                            .url_file = o->url_file,
                            .desktop_log = o->desktop,
                            .on_stop = stop_requested};
    if (o->add_unit_users) {
        size_t made = 0;
        char *sheet = NULL;
        kh_status st = kh_server_add_unit_users(reg, &cfg, o->roster, &made, &sheet, &d);
        print_diags(&d);
        kh_registry_free(reg);
        if (st == KH_OK && sheet)
            printf(_("kaohe: %zu filler accounts made; their names and initial passwords are "
                     "in %s (hand each unit its row)\n"),
                   made, sheet);
        kh_free(sheet);
        return st == KH_OK ? 0 : st == KH_ERR_USAGE ? EXIT_USAGE : EXIT_REJECTED;
    }
    kh_status st = kh_server_start(reg, &cfg, &s, &d);
    print_diags(&d);
    if (st != KH_OK) {
        kh_registry_free(reg);
        return st == KH_ERR_USAGE ? EXIT_USAGE : EXIT_REJECTED;
    }
    printf(_("kaohe: open %s in a browser (Ctrl-C stops kaohe)\n"), kh_server_url(s));
    if (o->workspace)
        printf(_("kaohe: the year's record is kept in %s\n"), o->workspace);
    fflush(stdout);
    atomic_store(&serve_workspace, o->workspace);
    atomic_store(&serving, true);
    /* Until Ctrl-C or SIGTERM: the thread of kh_on_termination ends the
     * process. */
    kh_wait_for_termination();
    kh_server_stop(s);
    kh_registry_free(reg);
    return 0;
}

/* The last lines of kaohe serve's log in the folder state, on standard
 * error: what it said when it did not start. */
static void print_log_tail(const char *state)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", state, KH_STARTER_LOG);
    FILE *f = fopen(path, "rb");
    if (f) {
        char lines[8][512];
        size_t n = 0;
        while (fgets(lines[n % 8], sizeof lines[0], f))
            n++;
        fclose(f);
        for (size_t i = n > 8 ? n - 8 : 0; i < n; i++)
            fprintf(stderr, "  %s%s", lines[i % 8],
                    strchr(lines[i % 8], '\n') ? "" : "\n");
    }
}

/* kaohe start: the desktop start (starter.h); kaohe stop. */
static int cmd_start(int argc, char **argv, opts *o, bool stop)
{
    int rc = parse_opts(argc, argv, stop ? "h" : "SWh", usage_start, o);
    if (rc >= 0)
        return rc;
    if (optind != argc)
        return usage(usage_start, EXIT_USAGE);
    unsigned port = 0;
    if (o->listen) {
        char *end;
        const char *p = strncmp(o->listen, "127.0.0.1:", 10) == 0 ? o->listen + 10 : "";
        unsigned long v = strtoul(p, &end, 10);
        if (!*p || *end || v > 65535) {
            eprintf(_("kaohe start listens on this computer only: --listen 127.0.0.1:PORT, "
                      "not '%s'"),
                    o->listen);
            return usage(usage_start, EXIT_USAGE);
        }
        port = (unsigned)v;
    }
    char *exe = kh_exe_path(), *state = kh_desktop_folder(false);
    char *ws = o->workspace ? strdup(o->workspace) : kh_desktop_folder(true);
    int status = EXIT_REJECTED;
    if (!exe || !state || !ws) {
        eprintf("%s", _("cannot tell where this user's files go (Windows: LOCALAPPDATA; "
                        "Linux: HOME)"));
        goto cleanup;
    }
    kh_starter st = {.exe = exe, .state = state, .workspace = ws, .port = port};
    kh_diags d = {0};
    if (stop) {
        bool was = false;
        kh_status s = kh_starter_stop(&st, &was, &d);
        print_diags(&d);
        if (s == KH_OK) {
            printf("%s", was ? _("kaohe: the page was stopped\n")
                             : _("kaohe: the page is not running\n"));
            status = 0;
        }
        goto cleanup;
    }
    char url[512];
    bool reused = false;
    kh_status s = kh_starter_start(&st, url, sizeof url, &reused, &d);
    print_diags(&d);
    if (s != KH_OK) {
        print_log_tail(state);
        goto cleanup;
    }
    printf(reused ? _("kaohe: the page started before still runs: %s\n")
                  : _("kaohe: the page runs at %s\n"),
           url);
    printf(_("kaohe: the year's record is kept in %s\n"), ws);
    fflush(stdout);
    if (kh_open_url(url) != 0) {
        eprintf("%s", _("no browser could be opened: open the address above in a browser "
                        "(it holds the secret of this start: give it to no one)"));
        goto cleanup;
    }
    printf("%s", _("kaohe: the page is open in the browser; stop it with 停止考核.bat, "
                   "'kaohe stop' or the page's 停止 button\n"));
    status = 0;
cleanup:
    free(exe);
    free(state);
    free(ws);
    return status;
}

static int cmd_rubric(int argc, char **argv, opts *o)
{
    int rc = parse_opts(argc, argv, "Rh", usage_rubric, o);
    if (rc >= 0)
        return rc;
    const char *sub = optind < argc ? argv[optind] : NULL;
    if (!sub)
        return usage(usage_rubric, EXIT_USAGE);
    if (strcmp(sub, "check") == 0) {
        if (optind + 1 >= argc) {
            eprintf("%s", _("name the rubric files to check"));
            return usage(usage_rubric, EXIT_USAGE);
        }
        int status = 0;
        for (int i = optind + 1; i < argc; i++) {
            kh_diags d = {0};
            kh_status st = kh_rubric_check_file(argv[i], &d);
            print_diags(&d);
            if (st == KH_OK)
                printf(_("%s: valid\n"), argv[i]);
            else
                status = EXIT_USAGE;
        }
        return status;
    }
    int status = 0;
    kh_registry *reg = load_registry(o, &status);
    if (!reg)
        return status;
    if (strcmp(sub, "list") == 0 && optind + 1 == argc) {
        for (size_t i = 0; i < kh_registry_count(reg); i++) {
            const kh_rubric *r = kh_registry_at(reg, i);
            printf("%s\t%s\t%s\n", kh_rubric_id(r), kh_rubric_unit_type(r), kh_rubric_title(r));
        }
    } else if (strcmp(sub, "show") == 0 && optind + 2 == argc) {
        const kh_rubric *r = kh_registry_find(reg, argv[optind + 1]);
        if (!r) {
            eprintf(_("unknown rubric '%s': see 'kaohe rubric list'"), argv[optind + 1]);
            status = EXIT_USAGE;
        } else if (kh_rubric_describe(r, stdout) != KH_OK) {
            status = EXIT_REJECTED;
        }
    } else {
        status = usage(usage_rubric, EXIT_USAGE);
    }
    kh_registry_free(reg);
    return status;
}

/* kaohe workspace export DIR -o X.zip */
static int cmd_workspace(int argc, char **argv, opts *o)
{
    int rc = parse_opts(argc, argv, "oRh", usage_workspace, o);
    if (rc >= 0)
        return rc;
    if (optind + 2 != argc || strcmp(argv[optind], "export") != 0 || !o->output)
        return usage(usage_workspace, EXIT_USAGE);
    size_t olen = strlen(o->output);
    if (olen < 5 || strcasecmp(o->output + olen - 4, ".zip") != 0) {
        eprintf("%s: %s", o->output, _("the export is a zip archive: give a file name ending "
                                       "in .zip"));
        return EXIT_USAGE;
    }
    int status = 0;
    kh_registry *reg = load_registry(o, &status);
    if (!reg)
        return status;
    kh_diags d = {0};
    kh_status st = kh_workspace_export(argv[optind + 1], reg, o->output, &d);
    print_diags(&d);
    if (st != KH_OK) {
        if (st == KH_ERR_NOMEM)
            eprintf("%s", _(kh_strerror(st)));
        status = st == KH_ERR_USAGE ? EXIT_USAGE : EXIT_REJECTED;
    } else if (!o->quiet) {
        printf(_("kaohe: the year's record of %s is in %s\n"), argv[optind + 1], o->output);
    }
    kh_registry_free(reg);
    return status;
}

int main(int argc, char **argv)
{
    kh_locale_from_environment();
    bind_catalogue();
    bind_textdomain_codeset("kaohe", "UTF-8");
    kh_messages_language("kaohe");
    /* Look the catalogue up once before -j starts threads: libintl's first
     * lookup sets up its state, and on Windows two threads doing that at
     * once aborted (Wine, -j 3, messages from several inputs). */
    zh_terminal = strcmp(_(usage_main), usage_main) != 0;
    /* zlib takes and gives back about 256 KiB for every part of every
     * workbook read or written; with a megabyte of slack at the top of the
     * heap glibc stops growing and trimming it each time (page faults of
     * score -o DIR over 2000 checklists: 42,901 -> 1,231). */
#ifdef M_TOP_PAD
    mallopt(M_TOP_PAD, 1 << 20);
#endif
    kh_console_utf8();
    /* Ctrl-C or a kill ends the run without leaving temporary files: the
     * signal is taken on a thread of its own, which removes them first. */
    kh_on_termination(on_termination);
    if (argc < 2) {
        /* kaohe.exe double-clicked in Explorer: start the page as
         * 启动考核.bat does, not flash the usage in a closing window. */
        int started = kh_double_click_start();
        return started >= 0 ? started : usage(usage_main, EXIT_USAGE);
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return usage(usage_main, 0);
    if (strcmp(cmd, "--version") == 0) {
        printf("kaohe %s\n", KAOHE_VERSION);
        return 0;
    }
    opts o = {0};
    int status;
    if (strcmp(cmd, "template") == 0)
        status = cmd_template(argc - 1, argv + 1, &o);
    else if (strcmp(cmd, "score") == 0)
        status = cmd_score(argc - 1, argv + 1, &o);
    else if (strcmp(cmd, "rank") == 0)
        status = cmd_rank(argc - 1, argv + 1, &o);
    else if (strcmp(cmd, "rubric") == 0)
        status = cmd_rubric(argc - 1, argv + 1, &o);
    else if (strcmp(cmd, "serve") == 0)
        status = cmd_serve(argc - 1, argv + 1, &o);
    else if (strcmp(cmd, "workspace") == 0)
        status = cmd_workspace(argc - 1, argv + 1, &o);
    else if (strcmp(cmd, "start") == 0 || strcmp(cmd, "stop") == 0)
        status = cmd_start(argc - 1, argv + 1, &o, cmd[2] == 'o');
    else {
        eprintf(_("unknown command '%s'"), cmd);
        status = usage(usage_main, EXIT_USAGE);
    }
    free(o.rubrics);
    free(o.units);
    free(o.grades);
    free(o.quotas);
    free(o.host_names);
    free(o.selfs);
    kh_roster_free(the_roster);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        eprintf("%s", _("cannot write to standard output"));
        status = status ? status : EXIT_REJECTED;
    }
    return status;
}
