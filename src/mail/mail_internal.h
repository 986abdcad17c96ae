/* The mail engine's internals: the parsed message, the signals, the
 * engine's loaded data, and the checks (one file each) that read the
 * first and add to the second. Private to src/mail. */
#ifndef SHN_MAIL_INTERNAL_H
#define SHN_MAIL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <strings.h>

#include "shinsa/core/arena.h"
#include "shinsa/core/err.h"
#include "shinsa/mail.h"

/* ------------------------------------------------------------ the message */

struct shn__mail_header {
    const char *name;  /* as written */
    const char *value; /* unfolded, RFC 2047 decoded, UTF-8 */
    const char *raw;   /* unfolded, as written */
    long long offset;  /* of the field's first byte in the input */
    long line;         /* 1-based line of the field in the input */
};

struct shn__mail_part {
    char path[40];             /* "1", "2.1": the MIME part path */
    char content_type[96];     /* "text/plain", lower case */
    const char *filename;      /* decoded (RFC 2231/2047), UTF-8; NULL = none */
    const char *charset;       /* declared; NULL = none */
    bool attachment;           /* Content-Disposition attachment or a filename */
    bool text, html;           /* a text/plain or text/html body */
    int depth;                 /* 0 = the message's own body */
    long long offset;          /* of the part's headers (or body) in the input */
    const unsigned char *data; /* the body, transfer encoding removed */
    size_t len;
    const char *utf8; /* text parts: the body converted to UTF-8 */
    size_t utf8_len;
    bool charset_failed; /* the declared charset could not be converted */
};

struct shn__mail_addr {
    const char *name; /* display name, decoded; "" when none */
    const char *addr; /* local@domain, lower-case domain; "" when none */
    const char *domain;
};

#define SHN__MAIL_ADDRS_MAX 16

struct shn__mail_msg {
    struct shn_arena arena; /* everything below lives in it */
    const char *input;      /* the bytes checked (borrowed) */
    size_t input_len;
    long long base_offset;
    struct shn__mail_header *headers; /* the top-level header, in order */
    size_t n_headers;
    struct shn__mail_part *parts; /* depth-first, leaves and containers */
    size_t n_parts;
    const char *subject; /* decoded; "" when none */
    struct shn__mail_addr from, sender, return_path;
    struct shn__mail_addr reply_to[SHN__MAIL_ADDRS_MAX];
    size_t n_reply_to;
    const struct shn__mail_header *from_header, *reply_to_header;
};

/* Parses data[0..len) into *msg (zeroed by the caller; release it with
 * shn__mail_msg_cleanup even on failure). The bounds of mail.h apply.
 * Errors: SHN_ERR_TOO_LARGE, SHN_ERR_PARSE, SHN_ERR_NOMEM (diag says). */
int shn__mail_parse(const char *data, size_t len, long long base_offset, struct shn__mail_msg *msg,
                    struct shn_diag *diag);
void shn__mail_msg_cleanup(struct shn__mail_msg *msg);
/* The first top-level header named `name` (case-insensitive), or NULL. */
const struct shn__mail_header *shn__mail_header_find(const struct shn__mail_msg *msg,
                                                     const char *name, size_t from);

/* ------------------------------------------------------------ signals */

enum shn__mail_group {
    SHN__G_PARSE,
    SHN__G_AUTH,
    SHN__G_IDENTITY,
    SHN__G_LINKS,
    SHN__G_ATTACHMENTS,
    SHN__G_LURE,
    SHN__G_INFRA,
};

/* One check that can fire: its stable id, group, default weight, whether
 * it is DPRK tradecraft (counts to the DPRK score) rather than generic
 * phishing, its ATT&CK technique, its data source, and its sentence in
 * three languages, where "{}" stands for the detail. */
struct shn__mail_check {
    const char *id;
    enum shn__mail_group group;
    double weight;
    bool dprk;
    const char *attack;
    const char *source;
    const char *en, *ja, *ko;
};

enum {
#define SHN__MAIL_CHECK(sym, id, group, weight, dprk, attack, source, en, ja, ko) sym,
#include "checks.def"
#undef SHN__MAIL_CHECK
    SHN__C_COUNT
};

extern const struct shn__mail_check shn__mail_checks[SHN__C_COUNT];
const char *shn__mail_group_name(enum shn__mail_group g);

#define SHN__MAIL_SIGNALS_MAX 64
#define SHN__MAIL_UNKNOWNS_MAX 16

struct shn__mail_signal {
    int check; /* index into shn__mail_checks */
    double weight;
    char where[96];       /* "header From", "part 1.2", "url" */
    long long offset;     /* in the input (base offset included); -1 = none */
    long line;            /* 0 = none */
    char value[256];      /* the URL, address, file name... */
    char detail[256];     /* what is put into the sentence */
    char provenance[256]; /* indicator file:line and reference, when any */
};

struct shn_mail_result {
    char name[256];
    struct shn__mail_signal signals[SHN__MAIL_SIGNALS_MAX];
    size_t n_signals, dropped;
    struct {
        char what[48], why[160];
    } unknowns[SHN__MAIL_UNKNOWNS_MAX];
    size_t n_unknowns;
    double log_odds, likelihood, dprk;
    int verdict;
    /* a short summary of the message for the reports */
    char from[256], subject[256], origin_ip[48], origin_country[8];
    uint32_t origin_asn;
    size_t n_parts, n_links, n_attachments;
};

/* Adds a signal of `check` unless the same check already fired with the
 * same value (then nothing); a full table counts it as dropped. `weight`
 * < 0 takes the engine's weight. Returns the signal or NULL. */
struct shn__mail_signal *shn__mail_fire(struct shn_mail_result *r, const struct shn_mail_engine *e,
                                        int check, const char *where, long long offset, long line,
                                        const char *value, const char *detail);
void shn__mail_unknown(struct shn_mail_result *r, const char *what, const char *why);
/* Combines the signals into log odds, likelihood, DPRK score, verdict. */
void shn__mail_score(struct shn_mail_result *r, const struct shn_mail_engine *e);

/* ------------------------------------------------------------ the engine */

struct shn__mail_lists;
struct shn__mail_directory;
struct shn__mail_lexicon;
struct shn__mail_iocs;
struct shn_accounts_ipdb;
struct magic_set;
struct shn__mail_spoof;

#define SHN__MAIL_TRUSTED_MAX 32
#define SHN__MAIL_COUNTRIES_MAX 32

struct shn_mail_engine {
    double weights[SHN__C_COUNT];
    double prior, suspicious, phishing; /* log-odds prior; likelihood levels */
    /* trusted relays: host names (exact or ".suffix") and CIDR text */
    char trusted_hosts[SHN__MAIL_TRUSTED_MAX][128];
    size_t n_trusted_hosts;
    struct {
        uint8_t net[16];
        unsigned bits;
    } trusted_nets[SHN__MAIL_TRUSTED_MAX];
    size_t n_trusted_nets;
    char authserv_ids[SHN__MAIL_TRUSTED_MAX][128];
    size_t n_authserv_ids;
    struct {
        char cc[3];
        double weight;
    } country_weight[SHN__MAIL_COUNTRIES_MAX]; /* origin countries watched */
    size_t n_country_weights;
    char data_dir[1024];
    struct shn__mail_lists *lists;
    struct shn__mail_directory *directory;
    struct shn__mail_lexicon *lexicon;
    struct shn__mail_iocs *iocs;
    char iocs_why[160]; /* why there are none */
    struct shn_accounts_ipdb *ipdb;
    char ipdb_why[160];
    struct magic_set *magic;
    void *magic_lock; /* a pthread mutex: libmagic is not thread-safe */
    struct shn__mail_spoof *spoof;
};

/* --------------------------------------------------------- the checks */

/* A link of the message (links.c). */
struct shn__mail_link {
    const char *url;  /* as written (entities decoded), in the arena */
    const char *path; /* into url: from the first '/', '?' or '#' after the host */
    char host[256];   /* lower case, without port or credentials */
    char reg[256];    /* its registrable domain (the host for an IP) */
    char text[256];   /* the anchor text of an <a>, "" otherwise */
    const char *part; /* the part path */
    long long offset; /* of the part */
    bool ip, image, pixel;
};

/* Everything one check run sees. */
struct shn__mail_ctx {
    const struct shn_mail_engine *e;
    const struct shn__mail_msg *m;
    struct shn_mail_result *r;
    struct shn_arena *arena; /* the message's */
    /* filled by the checks for the later ones */
    bool dmarc_fail, dmarc_none, auth_trusted;
    const struct shn__mail_header *origin_header; /* the Received naming the origin */
    char body_passwords[8][64];                   /* candidate archive passwords in the text */
    size_t n_passwords;
    struct shn__mail_link *links; /* in the arena */
    size_t n_links;
};

void shn__mail_check_parse(struct shn__mail_ctx *c);
void shn__mail_check_auth(struct shn__mail_ctx *c);
void shn__mail_check_identity(struct shn__mail_ctx *c);
void shn__mail_check_links(struct shn__mail_ctx *c);
void shn__mail_check_attachments(struct shn__mail_ctx *c);
void shn__mail_check_lures(struct shn__mail_ctx *c);
void shn__mail_check_infra(struct shn__mail_ctx *c);

/* ---------------------------------------------------------- helpers */

/* ASCII lower case of s into out (size bytes, NUL-terminated). */
void shn__mail_lower(const char *s, size_t len, char *out, size_t size);
/* True when s ends with ".suffix" or equals suffix (ASCII, case-blind). */
bool shn__mail_host_in(const char *host, const char *suffix);
/* Copies at most size-1 bytes of s, cut at a UTF-8 boundary. */
void shn__mail_copy(char *out, size_t size, const char *s, size_t len);

#endif
