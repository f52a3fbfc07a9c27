/* fuzz_phone.c - phone number parsing: never reads past the string, and
 * whatever it accepts is 11 digits starting 1[3-9]. */
#include "auth/auth.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), out[12];
    memcpy(s, data, size);
    s[size] = '\0';
    if (auth_phone_parse(s, out)) {
        if (strlen(out) != 11 || out[0] != '1' || out[1] < '3' || out[1] > '9' ||
            strspn(out, "0123456789") != 11)
            abort();
    }
    free(s);
    return 0;
}
