/* media_int.h - shared inside the media module only. */
#ifndef WLK_MEDIA_INT_H
#define WLK_MEDIA_INT_H

#include "app/app.h"

#include <stddef.h>
#include <stdint.h>

/* The sealed file of media id: <media-dir>/<id>. */
void media_path_of(app_ctx_t *c, int64_t id, char *buf, size_t len);

#endif
