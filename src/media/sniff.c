/* sniff.c - what a file is, from its first bytes (not its name or the
 * declared type), for the eight types chat accepts. Eight fixed signatures
 * need no libmagic and its large parser of untrusted input. */
#include "media/media.h"

#include <string.h>

#define MIB (1024 * 1024)

static bool at(const uint8_t *p, size_t len, size_t off, const char *sig, size_t n)
{
    return len >= off + n && memcmp(p + off, sig, n) == 0;
}

const char *media_sniff(const uint8_t *p, size_t len)
{
    if (at(p, len, 0, "\xff\xd8\xff", 3))
        return "image/jpeg";
    if (at(p, len, 0, "\x89PNG\r\n\x1a\n", 8))
        return "image/png";
    if (at(p, len, 0, "RIFF", 4) && at(p, len, 8, "WEBP", 4))
        return "image/webp";
    if (at(p, len, 4, "ftyp", 4))
        return "video/mp4";
    if (at(p, len, 0, "OggS", 4))
        return "audio/ogg";
    if (at(p, len, 0, "#!AMR", 5))
        return "audio/amr";
    if (at(p, len, 0, "ID3", 3))
        return "audio/mpeg";
    if (len >= 2 && p[0] == 0xff && (p[1] & 0xf6) == 0xf0)
        return "audio/aac"; /* ADTS: sync word, layer 00 */
    if (len >= 2 && p[0] == 0xff && (p[1] & 0xe0) == 0xe0 && (p[1] & 0x06) != 0)
        return "audio/mpeg"; /* MPEG audio frame sync, layer I-III */
    return NULL;
}

size_t media_limit(const char *type)
{
    return strncmp(type, "image/", 6) == 0 ? 10 * MIB : 50 * MIB;
}
