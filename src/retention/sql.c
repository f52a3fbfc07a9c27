/* sql.c - the sweeper builds its statements from the data map's table and
 * column names; the statement cache (db_sqlite.c) is keyed by the text's
 * address, so each distinct text gets one lasting copy here. The set is
 * bounded by the map (a few dozen texts), kept for the process's life. */
#include "retention/retention_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEXTS 256

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char *texts[MAX_TEXTS];
static int ntexts;

const char *retention_sql(const char *text)
{
    const char *out = NULL;
    pthread_mutex_lock(&mu);
    for (int i = 0; i < ntexts && out == NULL; i++)
        if (strcmp(texts[i], text) == 0)
            out = texts[i];
    if (out == NULL) {
        if (ntexts == MAX_TEXTS)
            abort(); /* the map names a bounded set of tables and rules */
        out = texts[ntexts++] = strdup(text);
        if (out == NULL)
            abort();
    }
    pthread_mutex_unlock(&mu);
    return out;
}
