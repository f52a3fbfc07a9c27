/* phone.c - mainland mobile numbers: 1[3-9] and nine more digits, with an
 * optional +86/86 prefix; spaces and dashes are ignored. */
#include "auth/auth.h"

#include <string.h>

bool auth_phone_parse(const char *in, char out[12])
{
    char d[16];
    size_t n = 0;
    const char *p = in;
    if (p[0] == '+') {
        if (p[1] != '8' || p[2] != '6')
            return false;
        p += 3;
    }
    for (; *p; p++) {
        if (*p == ' ' || *p == '-')
            continue;
        if (*p < '0' || *p > '9' || n == sizeof(d))
            return false;
        d[n++] = *p;
    }
    const char *s = d;
    if (n == 13 && d[0] == '8' && d[1] == '6') {
        s += 2;
        n -= 2;
    }
    if (n != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9')
        return false;
    memcpy(out, s, 11);
    out[11] = '\0';
    return true;
}
