/* fuzz_score.c - the whole score path: the bytes of a checklist file
 * (CSV or XLSX, told apart by content as kaohe does) -> kh_batch_add ->
 * kh_batch_finish -> the JSON of kaohe score and kaohe rank --json, the
 * CSV and the summary.  Every scored unit obeys the scoring rules, ranks
 * are 1..n, and every output is valid UTF-8. */
#include "fuzz.h"
#include "zipmut.h"

#include <unistd.h>

static char tmp_path[] = "/tmp/kaohe-fuzz-XXXXXX.csv";
static int tmp_fd = -1;

static void remove_tmp(void)
{
    if (tmp_fd >= 0)
        unlink(tmp_path);
}

/* Write the bytes to this process's temporary file (made once). */
static const char *to_file(const unsigned char *data, size_t len)
{
    if (tmp_fd < 0) {
        tmp_fd = mkstemps(tmp_path, 4);
        if (tmp_fd < 0) {
            perror("fuzz: mkstemps");
            abort();
        }
        atexit(remove_tmp);
    }
    if (ftruncate(tmp_fd, 0) != 0 || pwrite(tmp_fd, data, len, 0) != (ssize_t)len) {
        perror("fuzz: write");
        abort();
    }
    return tmp_path;
}

typedef kh_status (*writer)(const kh_batch *b, FILE *out);
static kh_status json_ranked(const kh_batch *b, FILE *out) { return kh_batch_write_json(b, true, out); }
static kh_status json_plain(const kh_batch *b, FILE *out) { return kh_batch_write_json(b, false, out); }

static void check_output(const kh_batch *b, writer w)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return;
    kh_status st = w(b, out);
    fclose(out);
    FUZZ_CHECK(st == KH_OK || st == KH_ERR_NOMEM);
    FUZZ_CHECK(kh_utf8_valid(text, len, NULL));
    FUZZ_CHECK(strlen(text) == len); /* no NUL inside */
    free(text);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
    const char *path = to_file(data, len);
    kh_batch *b = kh_batch_new(fuzz_registry(), &(kh_options){.blank_as_missing = len & 1});
    if (!b)
        return 0;
    kh_diags notes = {0};
    kh_status st = kh_batch_add(b, path, &notes);
    fuzz_check_diags(&notes);
    if (st == KH_OK)
        st = kh_batch_finish(b);
    if (st == KH_OK) {
        FUZZ_CHECK(b->nunits + b->nrejected >= 1);
        fuzz_check_diags(&b->errors);
        for (size_t i = 0; i < b->nunits; i++) {
            const kh_unit *u = b->units[i];
            fuzz_check_unit(u);
            FUZZ_CHECK(u->vetoed ? u->rank == 0 : u->rank >= 1 && (size_t)u->rank <= b->nunits);
        }
        for (size_t i = 0; i < b->nrejected; i++)
            FUZZ_CHECK(b->rejected[i].n >= 1);
        check_output(b, json_ranked);
        check_output(b, json_plain);
        check_output(b, kh_batch_write_csv);
        check_output(b, kh_batch_write_summary);
    } else {
        FUZZ_CHECK(st == KH_ERR_NOMEM);
    }
    kh_diags_clear(&notes);
    kh_batch_free(b);
    return 0;
}
