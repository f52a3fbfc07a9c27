/* http.h - the HTTP server: N h2o event-loop threads, one listening socket
 * each (SO_REUSEPORT), one database connection each. */
#ifndef WLK_HTTP_H
#define WLK_HTTP_H

#include "app/app.h"
#include "core/err.h"

/* Serves until SIGTERM or SIGINT, then stops accepting, lets requests in
 * flight finish (up to --shutdown-grace seconds) and returns 0. Blocks. */
int http_serve(app_t *app, err_t *e) __attribute__((warn_unused_result));

#endif
