/* libcharset's locale_charset for the Windows build (FreeXL's configure
 * wants one): the ANSI code page as an iconv name.  A library of its own,
 * so that a program linking libintl (which has one too) takes one. */
#include "localcharset.h"

#include <stdio.h>
#include <windows.h>
const char *locale_charset(void)
{
    static char name[16];
    unsigned cp = GetACP();
    if (cp == CP_UTF8)
        return "UTF-8";
    snprintf(name, sizeof name, "CP%u", cp);
    return name;
}
