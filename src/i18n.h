/*
 * i18n.h - the library's two languages.  Messages are written in English
 * in the code (the gettext msgids, marked with _() or N_()); po/zh_CN.po
 * translates them.  Everything kaohe writes into files for people is
 * Chinese whatever the locale of the machine, so that catalogue is built
 * into the library (tools/po2c.awk makes a table of it at build time) and
 * looked up here, with no need for a zh_CN locale or an installed .mo.
 * The terminal follows the locale as gettext does (main.c, dgettext).
 */
#ifndef KH_I18N_H
#define KH_I18N_H

#include <stdarg.h>
#include <stddef.h>

struct kh_buf;

/* The Chinese of msgid from po/zh_CN.po, or msgid when it has none. */
const char *kh_zh(const char *msgid);

/* The Chinese of the message fmt with its arguments ap appended to b:
 * fmt's translation, and every %s argument that is itself a msgid (a
 * reason handed to a message) translated too. */
void kh_buf_vprintf_zh(struct kh_buf *b, const char *fmt, va_list ap);

/* One entry of the built-in catalogue (generated from po/zh_CN.po). */
typedef struct kh_msg_pair {
    const char *id, *zh;
} kh_msg_pair;
extern const kh_msg_pair kh_msgs_zh[];
extern const size_t kh_nmsgs_zh;

#endif
