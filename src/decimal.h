/*
 * decimal.h - exact decimal numbers for scores.
 *
 * A kh_dec is a count of ten-thousandths (4 decimal places) in an int64_t.
 * No binary floating point is used where a score is parsed, computed or
 * printed.  Every operation checks for overflow.
 */
#ifndef KH_DECIMAL_H
#define KH_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t kh_dec;

#define KH_DEC_SCALE 10000
#define KH_DEC_PLACES 4
/* Large enough for any kh_dec printed by kh_dec_format, with the NUL. */
#define KH_DEC_BUFSZ 32

#define KH_DEC_INT(n) ((kh_dec)(n) * KH_DEC_SCALE)

/* Parse "12", "0.02", "-1.5", "+3", ".5", "3." (ASCII, no spaces, no
 * exponent, at most KH_DEC_PLACES decimals after trailing zeros are
 * dropped: "1.50000" is fine, "1.23456" is not).  Returns false when the
 * text is not such a number or does not fit. */
bool kh_dec_parse(const char *s, kh_dec *out);
bool kh_dec_parse_n(const char *s, size_t len, kh_dec *out);

/* The shortest exact decimal: 40, 38.6, 0.06, -1.5.  Returns buf. */
char *kh_dec_format(kh_dec v, char buf[KH_DEC_BUFSZ]);

bool kh_dec_add(kh_dec a, kh_dec b, kh_dec *out);
bool kh_dec_sub(kh_dec a, kh_dec b, kh_dec *out);
/* a × n for a whole number n. */
bool kh_dec_mul_int(kh_dec a, int64_t n, kh_dec *out);

static inline kh_dec kh_dec_min(kh_dec a, kh_dec b) { return a < b ? a : b; }
static inline kh_dec kh_dec_max(kh_dec a, kh_dec b) { return a > b ? a : b; }
/* True when v is a whole number. */
static inline bool kh_dec_is_int(kh_dec v) { return v % KH_DEC_SCALE == 0; }
/* Number of decimal places needed to show v exactly (0..4). */
int kh_dec_places(kh_dec v);

#endif
