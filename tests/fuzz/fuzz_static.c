/* fuzz_static.c - a request path and an Accept-Encoding value (untrusted
 * header bytes) against the web client's lookup and encoding choice. */
#include "http/static.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    size_t plen = nl ? (size_t)(nl - s) : size;
    const http_asset_t *a = http_asset_for_path(s, plen);
    (void)http_path_is_api(s, plen);
    if (a == NULL)
        a = &http_assets[0];
    const char *enc = nl ? nl + 1 : NULL;
    http_encoding_t e = http_encoding_pick(a, enc, nl ? size - plen - 1 : 0);
    if ((e == HTTP_ENC_BR && a->br == NULL) || (e == HTTP_ENC_GZIP && a->gzip == NULL))
        __builtin_trap();
    return 0;
}
