/* matcher.c - the banned-words matcher over folded code points: each
 * text character is folded (full-width to ASCII, ASCII to lower case) or
 * skipped (spaces, punctuation, zero-width characters), and a word
 * matches the folded sequence; its span is given back in the original
 * text's code points. Lists are small (hundreds of words) and texts
 * bounded by their routes, so a direct scan is enough. */
#include "moderation/moderation.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct seq {
    uint32_t *cp;
    size_t n;
} seq_t;

typedef struct word {
    char *text;
    seq_t w;
    seq_t allow[MODERATION_ALLOW_MAX];
    size_t nallow;
} word_t;

struct moderation_list {
    word_t *words;
    size_t n;
};

/* The next code point of s at *i (invalid bytes give U+FFFD, one each). */
static uint32_t next_cp(const unsigned char *s, size_t *i)
{
    unsigned char b = s[*i];
    int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    uint32_t cp = len == 1 ? b : len == 2 ? b & 0x1f : len == 3 ? b & 0x0f : b & 0x07;
    for (int k = 1; k < len; k++) {
        if ((s[*i + k] & 0xc0) != 0x80) {
            len = 0;
            break;
        }
        cp = (cp << 6) | (s[*i + k] & 0x3f);
    }
    if (len == 0) {
        (*i)++;
        return 0xfffd;
    }
    *i += (size_t)len;
    return cp;
}

static bool ignorable(uint32_t c)
{
    if (c < 0x80)
        return c <= ' ' || (c >= '!' && c <= '/') || (c >= ':' && c <= '@') ||
               (c >= '[' && c <= '`') || (c >= '{' && c <= 0x7f);
    return c == 0xa0 || c == 0xb7 || (c >= 0x2000 && c <= 0x206f) ||
           (c >= 0x3000 && c <= 0x303f && c != 0x3007) || (c >= 0xfe10 && c <= 0xfe1f) ||
           (c >= 0xfe30 && c <= 0xfe4f) || c == 0xfeff || c == 0x30fb;
}

static uint32_t fold(uint32_t c)
{
    if (c >= 0xff01 && c <= 0xff5e)
        c -= 0xfee0;
    if (c >= 'A' && c <= 'Z')
        c += 'a' - 'A';
    return c;
}

/* The folded, unskipped code points of text; pos (when given) gets each
 * one's index among the text's code points. */
static seq_t folded(const char *text, size_t **pos)
{
    size_t len = strlen(text), i = 0, k = 0, n = 0;
    seq_t s = {.cp = malloc((len + 1) * sizeof(uint32_t))};
    size_t *p = pos ? malloc((len + 1) * sizeof(size_t)) : NULL;
    if (!s.cp || (pos && !p))
        abort();
    while (i < len) {
        uint32_t c = fold(next_cp((const unsigned char *)text, &i));
        if (!ignorable(c)) {
            if (p)
                p[n] = k;
            s.cp[n++] = c;
        }
        k++;
    }
    s.n = n;
    if (pos)
        *pos = p;
    return s;
}

/* A word or phrase as the list keeps it: no skipped characters in it. */
static bool compile(const char *text, seq_t *out)
{
    size_t chars = 0, i = 0, len = strlen(text);
    while (i < len) {
        uint32_t c = fold(next_cp((const unsigned char *)text, &i));
        if (ignorable(c) || c == 0xfffd)
            return false;
        chars++;
    }
    if (chars == 0 || chars > MODERATION_WORD_MAX)
        return false;
    *out = folded(text, NULL);
    return true;
}

void moderation_list_free(moderation_list_t *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->words[i].text);
        free(l->words[i].w.cp);
        for (size_t j = 0; j < l->words[i].nallow; j++)
            free(l->words[i].allow[j].cp);
    }
    free(l->words);
    free(l);
}

moderation_list_t *moderation_list_new(const json_t *items, const char **bad)
{
    moderation_list_t *l = calloc(1, sizeof(*l));
    size_t n = json_array_size(items);
    l->words = calloc(n ? n : 1, sizeof(word_t));
    if (!l || !l->words)
        abort();
    size_t i;
    const json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *text = json_string_value(json_object_get(it, "word"));
        word_t *w = &l->words[l->n];
        if (!text || !compile(text, &w->w)) {
            *bad = text ? text : "";
            moderation_list_free(l);
            return NULL;
        }
        w->text = strdup(text);
        l->n++;
        size_t j;
        const json_t *a;
        json_array_foreach(json_object_get(it, "allow"), j, a)
        {
            const char *at = json_string_value(a);
            if (j >= MODERATION_ALLOW_MAX || !at || !compile(at, &w->allow[w->nallow])) {
                *bad = at ? at : text;
                moderation_list_free(l);
                return NULL;
            }
            w->nallow++;
        }
    }
    return l;
}

static bool at(const seq_t *t, size_t i, const seq_t *w)
{
    return i + w->n <= t->n && memcmp(t->cp + i, w->cp, w->n * sizeof(uint32_t)) == 0;
}

/* Whether an allowed phrase of w covers w's match at i in t. */
static bool allowed(const word_t *w, const seq_t *t, size_t i)
{
    for (size_t j = 0; j < w->nallow; j++) {
        const seq_t *a = &w->allow[j];
        for (size_t o = 0; o + w->w.n <= a->n; o++)
            if (o <= i && memcmp(a->cp + o, w->w.cp, w->w.n * sizeof(uint32_t)) == 0 &&
                at(t, i - o, a))
                return true;
    }
    return false;
}

bool moderation_match(const moderation_list_t *l, const char *text, moderation_hit_t *hit)
{
    size_t *pos;
    seq_t t = folded(text, &pos);
    bool found = false;
    for (size_t i = 0; i < t.n && !found; i++) {
        const word_t *best = NULL;
        for (size_t k = 0; k < l->n; k++) {
            const word_t *w = &l->words[k];
            if ((!best || w->w.n > best->w.n) && at(&t, i, &w->w) && !allowed(w, &t, i))
                best = w;
        }
        if (best) {
            *hit = (moderation_hit_t){
                .start = pos[i], .end = pos[i + best->w.n - 1] + 1, .word = best->text};
            found = true;
        }
    }
    free(t.cp);
    free(pos);
    return found;
}
