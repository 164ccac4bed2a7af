/*
 * gbdump - kaohe's GB18030 reading of every code, as 32-bit little-endian
 * code points (0xFFFFFFFF: not a character) on standard output: the 256
 * single bytes, every lead 81-FE with every second byte 00-FF, and every
 * four-byte code 81-FE 30-39 81-FE 30-39.  make test-windows builds it for
 * Linux and for Windows from src/gb18030.c and compares the two dumps
 * (tests/test_gb18030.c compares the Linux reading with iconv).
 */
#include "gb18030.h"

#include <stdio.h>
#include <stdlib.h>
#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#endif

/* gb18030.c's kh_gb18030_to_utf8 allocates with these: the dump does not
 * call it, and links no more of the library. */
void *kh_malloc(size_t size)
{
    return malloc(size);
}

void kh_free(void *p)
{
    free(p);
}

static void put(const unsigned char *b, size_t n)
{
    uint32_t cp = 0;
    uint32_t v = kh_gb18030_char(b, n, &cp) == n ? cp : 0xFFFFFFFFu;
    unsigned char o[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    fwrite(o, 1, 4, stdout);
}

int main(void)
{
#ifdef _WIN32
    _setmode(_fileno(stdout), _O_BINARY);
#endif
    unsigned char b[4];
    for (unsigned c = 0; c <= 0xFF; c++) {
        b[0] = (unsigned char)c;
        put(b, 1);
    }
    for (unsigned l = 0x81; l <= 0xFE; l++)
        for (unsigned t = 0; t <= 0xFF; t++) {
            b[0] = (unsigned char)l, b[1] = (unsigned char)t;
            put(b, 2);
        }
    for (unsigned b1 = 0x81; b1 <= 0xFE; b1++)
        for (unsigned b2 = 0x30; b2 <= 0x39; b2++)
            for (unsigned b3 = 0x81; b3 <= 0xFE; b3++)
                for (unsigned b4 = 0x30; b4 <= 0x39; b4++) {
                    b[0] = (unsigned char)b1, b[1] = (unsigned char)b2;
                    b[2] = (unsigned char)b3, b[3] = (unsigned char)b4;
                    put(b, 4);
                }
    return fflush(stdout) == 0 ? 0 : 1;
}
