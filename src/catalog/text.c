/* text.c - pinyin initials for the search index. GB2312's 3,755 common
 * characters (level 1) are ordered by pinyin, so a character's initial
 * is the range its GB2312 code falls in (glibc's iconv gives the code).
 * Rarer characters that development and place names like are listed. A
 * polyphone gets the initial of its reading in that order (长 c). */
#include "catalog/catalog.h"

#include <iconv.h>
#include <stdint.h>
#include <string.h>

/* the first GB2312 code of each initial (i, u and v start no syllable) */
static const struct {
    uint16_t from;
    char letter;
} ranges[] = {
    {0xB0A1, 'a'}, {0xB0C5, 'b'}, {0xB2C1, 'c'}, {0xB4EE, 'd'}, {0xB6EA, 'e'}, {0xB7A2, 'f'},
    {0xB8C1, 'g'}, {0xB9FE, 'h'}, {0xBBF7, 'j'}, {0xBFA6, 'k'}, {0xC0AC, 'l'}, {0xC2E8, 'm'},
    {0xC4C3, 'n'}, {0xC5B6, 'o'}, {0xC5BE, 'p'}, {0xC6DA, 'q'}, {0xC8BB, 'r'}, {0xC8F6, 's'},
    {0xCBFA, 't'}, {0xCDDA, 'w'}, {0xCEF4, 'x'}, {0xD1B9, 'y'}, {0xD4D1, 'z'},
};
#define LEVEL1_END 0xD7FA

/* characters outside level 1 seen in development and place names */
static const char *const extra[] = {
    "c宸萃", "d邸",   "f翡", "h荟瀚濠桦", "j瑾璟珺", "k琨崑",       "l珑泷岚泸",     "n楠",
    "p璞珀", "q琪衢", "r榕", "s晟淞",     "w婺",     "x玺璇禧浔栩", "y樾瑜昱煜钰玥", "z圳",
};

static char extra_letter(const char *ch, size_t n)
{
    for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
        for (const char *p = extra[i] + 1; *p; p += n)
            if (memcmp(p, ch, n) == 0)
                return extra[i][0];
    return 0;
}

static char gb_letter(iconv_t cd, const char *ch, size_t n)
{
    char in[4], out[4];
    memcpy(in, ch, n);
    char *ip = in, *op = out;
    size_t il = n, ol = sizeof(out);
    if (cd == (iconv_t)-1 || iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || op - out != 2)
        return 0;
    iconv(cd, NULL, NULL, NULL, NULL);
    uint16_t code = (uint16_t)((uint8_t)out[0] << 8 | (uint8_t)out[1]);
    if (code < ranges[0].from || code >= LEVEL1_END)
        return 0;
    char letter = 0;
    for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]) && code >= ranges[i].from; i++)
        letter = ranges[i].letter;
    return letter;
}

/* The byte length of the UTF-8 sequence at s, or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

size_t catalog_initials(const char *s, char *out, size_t cap)
{
    iconv_t cd = iconv_open("GB2312", "UTF-8");
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 1 < cap;) {
        size_t n = utf8_seq(p);
        if (n == 0) {
            p++;
            continue;
        }
        char letter = 0;
        if (n == 1 && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z')))
            letter = (char)*p;
        else if (n == 1 && *p >= 'A' && *p <= 'Z')
            letter = (char)(*p - 'A' + 'a');
        else if (n == 3 && !(letter = extra_letter((const char *)p, n)))
            letter = gb_letter(cd, (const char *)p, n);
        if (letter)
            out[o++] = letter;
        p += n;
    }
    if (cap)
        out[o] = '\0';
    if (cd != (iconv_t)-1)
        iconv_close(cd);
    return o;
}
