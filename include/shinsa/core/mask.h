/* One masking policy for personal data in shinsa's output and errors
 * (docs/mask.md). Every engine shows an identifier through it, so the same
 * value reads the same in `link show`, `accounts explain` and the service;
 * what each kind keeps is enough for an analyst to tell two values apart,
 * not enough to identify the person behind them.
 *
 * Every function here writes into caller-owned storage, always
 * NUL-terminated, always valid UTF-8: a character is copied whole or not at
 * all, and a byte that is not UTF-8 (or a NUL) is shown as '?'. Nothing
 * allocates. */
#ifndef SHN_CORE_MASK_H
#define SHN_CORE_MASK_H

#include <stddef.h>

enum shn_mask_kind {
    /* A value of no known kind, and every input value an error message
     * quotes: its shape only (letters x, digits 9, other characters *,
     * ASCII punctuation kept): "xxxxxx@@xxxxx.xxx", "9999/99/99". */
    SHN_MASK_SHAPE = 0,
    SHN_MASK_EMAIL,  /* t***@gmail.com: first character, the domain */
    SHN_MASK_PHONE,  /* +81***78: first three characters, last two digits */
    SHN_MASK_NAME,   /* 山***, T***: the first character */
    SHN_MASK_ID,     /* AB***89: ID-document and other numbers, device ids */
    SHN_MASK_BANK,   /* ES***1332: first two characters, last four digits */
    SHN_MASK_WALLET, /* 0x5aae…eaed: public chain data, shortened */
    SHN_MASK_IP,     /* 203.0.*.*, 203.0.*.0/24, 2001:db8:* */
    SHN_MASK_HANDLE, /* github:k***, @k***: the service, the first character */
    SHN_MASK_DIGEST, /* 0123456789abcdef…: a perceptual hash, shortened */
    SHN_MASK_KIND_COUNT
};

/* Room that always holds a masked identifier of up to 256 bytes, NUL
 * included (an e-mail keeps its domain, so the form is not fixed-size). */
#define SHN_MASK_MAX 320
/* Characters of an input value that SHN_MASK_SHAPE shows at most. */
#define SHN_MASK_SHAPE_CHARS 40

/* Writes the masked form of value[0..len) of `kind` into out (size bytes;
 * a form longer than size - 1 is cut at a character boundary). A value too
 * short to hide at least half of it keeps only its first character (none
 * below two characters). An unknown kind is masked as SHN_MASK_SHAPE.
 * Returns the bytes written, NUL excluded. */
size_t shn_mask(enum shn_mask_kind kind, const char *value, size_t len, char *out, size_t size);

/* The kind's name as docs/mask.md writes it ("email", ..., "shape"). */
const char *shn_mask_kind_name(enum shn_mask_kind kind);

/* A personal value inside a free text: bytes [start, end), masked as kind. */
struct shn_mask_span {
    size_t start, end;
    enum shn_mask_kind kind;
};

/* A free-text excerpt: at most max_chars characters of text[0..len) around
 * [start, end) (the part the evidence is about, shown from its start when
 * it is longer than max_chars), with every span that it touches shown
 * masked by its kind, and "…" where text was cut off. Returns the bytes
 * written, NUL excluded. */
size_t shn_mask_excerpt(const char *text, size_t len, size_t start, size_t end, size_t max_chars,
                        const struct shn_mask_span *spans, size_t n_spans, char *out, size_t size);

/* A key of the input as an error names it: as written when it looks like a
 * field name (ASCII letters, digits, '_', '-', '.', at most 39), else its
 * shape, as it may be personal data typed where a key belongs. Returns the
 * bytes written, NUL excluded. */
size_t shn_mask_field(const char *key, size_t len, char *out, size_t size);

/* For a diagnostic from a JSON parser (jansson) that failed on
 * text[0..len): writes into field (field_size bytes) the key being read at
 * byte `position`, the parser's jerr.position ("name", "payout[1].account";
 * "" at the top level; keys as shn_mask_field shows them), and into msg the
 * parser's message with the input excerpt that it quotes ("... near
 * 'EXCERPT'") reduced to its shape. */
void shn_mask_json_error(const char *text, size_t len, size_t position, const char *parser_message,
                         char *field, size_t field_size, char *msg, size_t msg_size);

#endif
