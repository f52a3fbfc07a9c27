/* fuzz_idcard.c - the resident ID number parser: never reads past the
 * string, and whatever it accepts is 17 digits and a check character
 * that matches them, a real birth date not after today, and a mask that
 * shows only the first two and last two characters. */
#include "identity/identity.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TODAY 20261207

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    identity_id_t id;
    int rc = identity_id_parse(s, TODAY, &id);
    if (rc == 0) {
        const char *n = id.number;
        if (strlen(n) != 18 || strspn(n, "0123456789") < 17 || identity_id_check_char(n) != n[17] ||
            id.birth > TODAY || id.birth < 18000101 || identity_age(id.birth, TODAY) < 0 ||
            strlen(id.masked) != 18 || memcmp(id.masked, n, 2) != 0 ||
            memcmp(id.masked + 16, n + 16, 2) != 0 || strspn(id.masked + 2, "*") != 14)
            abort();
    } else if (rc > 0 || !identity_id_problem(rc)) {
        abort(); /* every refusal has a reason */
    }
    free(s);
    return 0;
}
