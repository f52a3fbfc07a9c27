/* jpeg.c - removes location from a JPEG: the GPS IFD of its EXIF block
 * (rewritten with libexif, keeping orientation and the rest) and every XMP
 * packet (which may repeat the coordinates). Image data is copied as is. */
#include "media/media.h"
#include "core/str.h"

#include <libexif/exif-data.h>
#include <stdlib.h>
#include <string.h>

static const char exif_id[] = "Exif\0\0";
static const char xmp_id[] = "http://ns.adobe.com/xap/1.0/";

static void put(str_t *out, const void *p, size_t n)
{
    str_append(out, p, n);
}

/* Re-serialises an APP1 Exif payload without GPS; NULL keeps nothing. */
static uint8_t *exif_without_gps(const uint8_t *seg, size_t len, size_t *out_len)
{
    ExifData *ed = exif_data_new_from_data(seg, (unsigned int)len);
    if (ed == NULL)
        return NULL;
    ExifContent *gps = ed->ifd[EXIF_IFD_GPS];
    while (gps && gps->count > 0)
        exif_content_remove_entry(gps, gps->entries[gps->count - 1]);
    unsigned char *buf = NULL;
    unsigned int n = 0;
    exif_data_save_data(ed, &buf, &n);
    exif_data_unref(ed);
    if (buf == NULL || n + 2 > 0xffff) {
        free(buf);
        return NULL;
    }
    *out_len = n;
    return buf;
}

/* Copies one APP1 segment (payload p[0..n)) unless it carries location. */
static void copy_app1(str_t *out, const uint8_t *p, size_t n)
{
    if (n >= sizeof(xmp_id) && memcmp(p, xmp_id, sizeof(xmp_id) - 1) == 0)
        return; /* XMP: dropped whole */
    if (n >= 6 && memcmp(p, exif_id, 6) == 0) {
        size_t clean_len;
        uint8_t *clean = exif_without_gps(p, n, &clean_len);
        if (clean == NULL)
            return; /* unreadable EXIF: dropped rather than kept with its GPS */
        uint8_t hdr[4] = {0xff, 0xe1, (uint8_t)((clean_len + 2) >> 8),
                          (uint8_t)((clean_len + 2) & 0xff)};
        put(out, hdr, 4);
        put(out, clean, clean_len);
        free(clean);
        return;
    }
    uint8_t hdr[4] = {0xff, 0xe1, (uint8_t)((n + 2) >> 8), (uint8_t)((n + 2) & 0xff)};
    put(out, hdr, 4);
    put(out, p, n);
}

int media_jpeg_strip(const uint8_t *in, size_t len, uint8_t **out_p, size_t *out_len)
{
    if (len < 4 || in[0] != 0xff || in[1] != 0xd8)
        return -1;
    str_t out = {0};
    size_t i = 2;
    put(&out, in, 2);
    while (i + 4 <= len) {
        if (in[i] != 0xff)
            goto out_bad;
        uint8_t marker = in[i + 1];
        if (marker == 0xff) { /* fill byte */
            i++;
            continue;
        }
        if (marker == 0xda || marker == 0xd9) /* start of scan or end: copy the rest */
            break;
        size_t seglen = ((size_t)in[i + 2] << 8) | in[i + 3];
        if (seglen < 2 || i + 2 + seglen > len)
            goto out_bad;
        if (marker == 0xe1)
            copy_app1(&out, in + i + 4, seglen - 2);
        else
            put(&out, in + i, seglen + 2);
        i += seglen + 2;
    }
    if (i + 2 > len)
        goto out_bad;
    put(&out, in + i, len - i);
    *out_len = out.len;
    *out_p = (uint8_t *)str_take(&out);
    return 0;
out_bad:
    str_free(&out);
    return -1;
}
