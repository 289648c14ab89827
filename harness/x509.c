/*
 * X.509 helpers: CSRs (RFC 2986 with a subjectAltName extension request),
 * PEM certificate chains (RFC 8555 section 9.1, RFC 7468), chain checks and
 * ACME identifiers. The tls-alpn-01 and self-signed certificate makers live
 * in x509_gen.c.
 */
#include "harness/x509.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* No chain or CSR we deal with legitimately names more than this. */
#define MAX_IDENTS 1000
#define MAX_CHAIN  100

/* Binary form of an IP address text; returns 4, 16, or 0 when not an IP. */
static size_t ip_parse(const char *text, unsigned char out[16])
{
	if (inet_pton(AF_INET, text, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, text, out) == 1)
		return 16;
	return 0;
}

/* Copy s into the fixed identifier field; ACS_E_INVAL when it does not fit. */
static int ident_set(struct acs_ident *id, const char *type, const char *value, size_t len)
{
	if (len >= sizeof(id->value) || memchr(value, '\0', len) != NULL)
		return ACS_E_INVAL;
	snprintf(id->type, sizeof(id->type), "%s", type);
	memcpy(id->value, value, len);
	id->value[len] = '\0';
	return 0;
}

int acs_ident_parse(const char *s, struct acs_ident *out, struct acs_err *err)
{
	unsigned char bin[16];
	const char *colon;
	const char *type = "dns", *value = s;
	size_t len;

	if (s == NULL || *s == '\0')
		return acs_err_set(err, ACS_E_INVAL, "identifier: empty");
	if (strncasecmp(s, "dns:", 4) == 0) {
		value = s + 4;
	} else if (strncasecmp(s, "ip:", 3) == 0) {
		type = "ip";
		value = s + 3;
	} else if (ip_parse(s, bin) > 0) {
		/* a bare address is an ip identifier, not a dns name */
		type = "ip";
	} else {
		colon = strchr(s, ':');
		if (colon != NULL)
			return acs_err_set(err, ACS_E_INVAL,
			                   "identifier \"%.64s\": unknown type \"%.*s\"", s,
			                   (int)(colon - s > 16 ? 16 : colon - s), s);
	}
	len = strlen(value);
	if (len == 0)
		return acs_err_set(err, ACS_E_INVAL, "identifier \"%.64s\": empty value", s);
	if (strcmp(type, "ip") == 0 && ip_parse(value, bin) == 0)
		return acs_err_set(err, ACS_E_INVAL,
		                   "identifier \"%.64s\": not an ipv4 or ipv6 address", s);
	if (ident_set(out, type, value, len) != 0)
		return acs_err_set(err, ACS_E_INVAL, "identifier \"%.64s...\": longer than %zu", s,
		                   sizeof(out->value) - 1);
	return 0;
}

/* Same identifier (case-insensitive dns, address-equal ip). */
static int ident_eq(const struct acs_ident *a, const struct acs_ident *b)
{
	unsigned char ba[16], bb[16];
	size_t la, lb;

	if (strcmp(a->type, b->type) != 0)
		return 0;
	if (strcmp(a->type, "dns") == 0)
		return strcasecmp(a->value, b->value) == 0;
	if (strcmp(a->type, "ip") == 0) {
		la = ip_parse(a->value, ba);
		lb = ip_parse(b->value, bb);
		if (la > 0 && la == lb)
			return memcmp(ba, bb, la) == 0;
	}
	return strcmp(a->value, b->value) == 0;
}

/* 1 when every element of a has an equal element in b. */
static int idents_subset(const struct acs_ident *a, size_t na, const struct acs_ident *b, size_t nb)
{
	size_t i, j;

	for (i = 0; i < na; i++) {
		int found = 0;

		for (j = 0; j < nb && !found; j++)
			found = ident_eq(&a[i], &b[j]);
		if (!found)
			return 0;
	}
	return 1;
}

int acs_idents_equal_sets(const struct acs_ident *a, size_t na, const struct acs_ident *b,
                          size_t nb)
{
	if ((na > 0 && a == NULL) || (nb > 0 && b == NULL))
		return 0;
	return idents_subset(a, na, b, nb) && idents_subset(b, nb, a, na);
}

/* A growable identifier array. */
struct ident_list {
	struct acs_ident *v;
	size_t n, alloc;
};

static int list_add(struct ident_list *l, const char *type, const char *value, size_t len,
                    const char *what, struct acs_err *err)
{
	struct acs_ident *p;

	if (l->n >= MAX_IDENTS)
		return acs_err_set(err, ACS_E_TOOBIG, "%s: more than %d identifiers", what,
		                   MAX_IDENTS);
	if (l->n == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 8;

		p = realloc(l->v, na * sizeof(*p));
		if (p == NULL)
			return acs_err_set(err, ACS_E_NOMEM, "%s: out of memory", what);
		l->v = p;
		l->alloc = na;
	}
	if (memchr(value, '\0', len) != NULL)
		return acs_err_set(err, ACS_E_PARSE, "%s: %s name contains a NUL byte", what, type);
	if (ident_set(&l->v[l->n], type, value, len) != 0)
		return acs_err_set(err, ACS_E_PARSE, "%s: %s name of %zu bytes is too long", what,
		                   type, len);
	l->n++;
	return 0;
}

/*
 * Append the subjectAltName entries to l: dNSName (lower-cased when lower),
 * iPAddress as text; other kinds as "email", "uri" or "other" so that a set
 * comparison with the order's identifiers fails, as it should.
 */
static int names_to_list(const GENERAL_NAMES *names, int lower, struct ident_list *l,
                         const char *what, struct acs_err *err)
{
	char text[INET6_ADDRSTRLEN];
	int i, rc;

	for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
		const ASN1_STRING *str;
		int type = 0;
		const void *val = GENERAL_NAME_get0_value(gn, &type);
		size_t len, k;

		switch (type) {
		case GEN_DNS:
			str = val;
			len = (size_t)ASN1_STRING_length(str);
			rc = list_add(l, "dns", (const char *)ASN1_STRING_get0_data(str), len, what,
			              err);
			if (rc != 0)
				return rc;
			if (lower) {
				char *v = l->v[l->n - 1].value;

				for (k = 0; v[k] != '\0'; k++)
					v[k] = (char)tolower((unsigned char)v[k]);
			}
			break;
		case GEN_IPADD:
			str = val;
			len = (size_t)ASN1_STRING_length(str);
			if (len != 4 && len != 16)
				return acs_err_set(err, ACS_E_PARSE,
				                   "%s: iPAddress of %zu octets (needs 4 or 16)",
				                   what, len);
			if (inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(str),
			              text, sizeof(text)) == NULL)
				return acs_err_set(err, ACS_E_PARSE, "%s: unprintable iPAddress",
				                   what);
			rc = list_add(l, "ip", text, strlen(text), what, err);
			if (rc != 0)
				return rc;
			break;
		case GEN_EMAIL:
		case GEN_URI:
			str = val;
			len = (size_t)ASN1_STRING_length(str);
			if (len >= sizeof(l->v[0].value))
				len = sizeof(l->v[0].value) - 1;
			rc = list_add(l, type == GEN_EMAIL ? "email" : "uri",
			              (const char *)ASN1_STRING_get0_data(str), len, what, err);
			if (rc != 0)
				return rc;
			break;
		default:
			rc = list_add(l, "other", "", 0, what, err);
			if (rc != 0)
				return rc;
			break;
		}
	}
	return 0;
}

/* Hand the list to the caller (at least one allocated element, so never NULL). */
static int list_finish(struct ident_list *l, struct acs_ident **ids, size_t *nids, const char *what,
                       struct acs_err *err)
{
	if (l->v == NULL) {
		l->v = calloc(1, sizeof(*l->v));
		if (l->v == NULL)
			return acs_err_set(err, ACS_E_NOMEM, "%s: out of memory", what);
	}
	*ids = l->v;
	*nids = l->n;
	l->v = NULL;
	return 0;
}

/* Build a GENERAL_NAMES for the identifiers; NULL on failure (err filled). */
static GENERAL_NAMES *idents_to_names(const struct acs_ident *ids, size_t nids, struct acs_err *err)
{
	GENERAL_NAMES *names = NULL;
	GENERAL_NAME *gn = NULL;
	ASN1_STRING *str = NULL;
	unsigned char bin[16];
	size_t i, blen;

	names = sk_GENERAL_NAME_new_null();
	if (names == NULL)
		goto nomem;
	for (i = 0; i < nids; i++) {
		gn = GENERAL_NAME_new();
		if (gn == NULL)
			goto nomem;
		if (strcmp(ids[i].type, "dns") == 0) {
			str = ASN1_IA5STRING_new();
			if (str == NULL || ASN1_STRING_set(str, ids[i].value, -1) != 1)
				goto nomem;
			GENERAL_NAME_set0_value(gn, GEN_DNS, str);
		} else if (strcmp(ids[i].type, "ip") == 0) {
			blen = ip_parse(ids[i].value, bin);
			if (blen == 0) {
				acs_err_set(err, ACS_E_INVAL, "csr: \"%s\" is not an ip address",
				            ids[i].value);
				goto fail;
			}
			str = ASN1_OCTET_STRING_new();
			if (str == NULL || ASN1_OCTET_STRING_set(str, bin, (int)blen) != 1)
				goto nomem;
			GENERAL_NAME_set0_value(gn, GEN_IPADD, str);
		} else {
			acs_err_set(err, ACS_E_INVAL, "csr: unsupported identifier type \"%s\"",
			            ids[i].type);
			goto fail;
		}
		str = NULL;
		if (sk_GENERAL_NAME_push(names, gn) <= 0)
			goto nomem;
		gn = NULL;
	}
	return names;
nomem:
	acs_err_set(err, ACS_E_NOMEM, "csr: out of memory");
fail:
	ASN1_STRING_free(str);
	GENERAL_NAME_free(gn);
	GENERAL_NAMES_free(names);
	return NULL;
}

/* Digest to sign with: NULL for Ed25519, SHA-384 for P-384, else SHA-256. */
static const EVP_MD *sign_md(const struct acs_key *key)
{
	const char *alg = acs_key_alg(key);

	if (alg != NULL && strcmp(alg, "EdDSA") == 0)
		return NULL;
	if (alg != NULL && strcmp(alg, "ES384") == 0)
		return EVP_sha384();
	if (alg != NULL && strcmp(alg, "ES512") == 0)
		return EVP_sha512();
	return EVP_sha256();
}

int acs_csr_make(const struct acs_key *key, const struct acs_ident *ids, size_t nids, int cn_first,
                 unsigned char **der, size_t *der_len, struct acs_err *err)
{
	X509_REQ *req = NULL;
	X509_NAME *subject = NULL;
	GENERAL_NAMES *names = NULL;
	STACK_OF(X509_EXTENSION) *exts = NULL;
	unsigned char *buf = NULL, *p;
	size_t i;
	int rc = 0, n;

	if (key == NULL || (nids > 0 && ids == NULL))
		return acs_err_set(err, ACS_E_INVAL, "csr: missing key or identifiers");
	req = X509_REQ_new();
	subject = X509_NAME_new();
	if (req == NULL || subject == NULL || X509_REQ_set_version(req, 0) != 1) {
		rc = acs_err_openssl(err, "csr: cannot make a request");
		goto out;
	}
	for (i = 0; cn_first && i < nids; i++) {
		if (strcmp(ids[i].type, "dns") != 0)
			continue;
		if (X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
		                               (const unsigned char *)ids[i].value, -1, -1,
		                               0) != 1) {
			rc = acs_err_openssl(err, "csr: cannot set the common name");
			goto out;
		}
		break;
	}
	if (X509_REQ_set_subject_name(req, subject) != 1 ||
	    X509_REQ_set_pubkey(req, acs_key_evp(key)) != 1) {
		rc = acs_err_openssl(err, "csr: cannot set subject or key");
		goto out;
	}
	if (nids > 0) {
		names = idents_to_names(ids, nids, err);
		if (names == NULL) {
			rc = err ? err->code : ACS_E_INVAL;
			goto out;
		}
		if (X509V3_add1_i2d(&exts, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) !=
		        1 ||
		    X509_REQ_add_extensions(req, exts) != 1) {
			rc = acs_err_openssl(err, "csr: cannot add the subjectAltName extension");
			goto out;
		}
	}
	if (X509_REQ_sign(req, acs_key_evp(key), sign_md(key)) <= 0) {
		rc = acs_err_openssl(err, "csr: signing failed");
		goto out;
	}
	n = i2d_X509_REQ(req, NULL);
	if (n <= 0) {
		rc = acs_err_openssl(err, "csr: cannot encode");
		goto out;
	}
	buf = malloc((size_t)n);
	if (buf == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "csr: out of memory");
		goto out;
	}
	p = buf;
	if (i2d_X509_REQ(req, &p) != n) {
		rc = acs_err_openssl(err, "csr: cannot encode");
		goto out;
	}
	*der = buf;
	*der_len = (size_t)n;
	buf = NULL;
out:
	free(buf);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	GENERAL_NAMES_free(names);
	X509_NAME_free(subject);
	X509_REQ_free(req);
	return rc;
}

/* 1 when l already holds an identifier equal to (type, value). */
static int list_has(const struct ident_list *l, const char *type, const char *value)
{
	struct acs_ident probe;
	size_t i;

	if (ident_set(&probe, type, value, strlen(value)) != 0)
		return 0;
	for (i = 0; i < l->n; i++) {
		if (ident_eq(&l->v[i], &probe))
			return 1;
	}
	return 0;
}

/* Add the subject's common names that are not yet in l. */
static int add_common_names(const X509_NAME *subject, struct ident_list *l, const char *what,
                            struct acs_err *err)
{
	unsigned char bin[16];
	int idx = -1, rc;

	for (;;) {
		const X509_NAME_ENTRY *e;
		unsigned char *utf8 = NULL;
		const char *type;
		int n;

		idx = X509_NAME_get_index_by_NID(subject, NID_commonName, idx);
		if (idx < 0)
			break;
		e = X509_NAME_get_entry(subject, idx);
		n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
		if (n < 0) {
			ERR_clear_error();
			return acs_err_set(err, ACS_E_PARSE, "%s: unreadable common name", what);
		}
		if (memchr(utf8, '\0', (size_t)n) != NULL) {
			OPENSSL_free(utf8);
			return acs_err_set(err, ACS_E_PARSE, "%s: common name contains a NUL byte",
			                   what);
		}
		/* an address in the CN names the ip identifier, as clients put it there */
		type = ip_parse((const char *)utf8, bin) > 0 ? "ip" : "dns";
		rc = 0;
		if (!list_has(l, type, (const char *)utf8))
			rc = list_add(l, type, (const char *)utf8, (size_t)n, what, err);
		OPENSSL_free(utf8);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int acs_csr_parse(const unsigned char *der, size_t len, struct acs_ident **ids, size_t *nids,
                  struct acs_key **pubkey, struct acs_err *err)
{
	struct ident_list l = {NULL, 0, 0};
	const unsigned char *p = der;
	X509_REQ *req = NULL;
	EVP_PKEY *pkey = NULL;
	STACK_OF(X509_EXTENSION) *exts = NULL;
	GENERAL_NAMES *names = NULL;
	struct acs_key *key = NULL;
	int rc = 0, crit = -1;

	if (der == NULL || len == 0 || len > LONG_MAX)
		return acs_err_set(err, ACS_E_PARSE, "csr: empty");
	req = d2i_X509_REQ(NULL, &p, (long)len);
	if (req == NULL) {
		ERR_clear_error();
		rc = acs_err_set(err, ACS_E_PARSE, "csr: not a DER PKCS#10 request");
		goto out;
	}
	if (p != der + len) {
		rc = acs_err_set(err, ACS_E_PARSE, "csr: %zu bytes of trailing data",
		                 (size_t)(der + len - p));
		goto out;
	}
	pkey = X509_REQ_get0_pubkey(req);
	if (pkey == NULL) {
		ERR_clear_error();
		rc = acs_err_set(err, ACS_E_PARSE, "csr: unreadable public key");
		goto out;
	}
	if (X509_REQ_verify(req, pkey) != 1) {
		ERR_clear_error();
		rc = acs_err_set(err, ACS_E_VERIFY, "csr: signature does not verify");
		goto out;
	}
	exts = X509_REQ_get_extensions(req);
	if (exts != NULL) {
		names = X509V3_get_d2i(exts, NID_subject_alt_name, &crit, NULL);
		if (names == NULL && crit == -2) {
			rc = acs_err_set(err, ACS_E_PARSE,
			                 "csr: more than one subjectAltName extension");
			goto out;
		}
		if (names == NULL && crit >= 0) {
			ERR_clear_error();
			rc = acs_err_set(err, ACS_E_PARSE, "csr: unreadable subjectAltName");
			goto out;
		}
	}
	if (names != NULL) {
		rc = names_to_list(names, 0, &l, "csr", err);
		if (rc != 0)
			goto out;
	}
	rc = add_common_names(X509_REQ_get_subject_name(req), &l, "csr", err);
	if (rc != 0)
		goto out;
	if (pubkey != NULL) {
		rc = acs_key_from_evp(&key, pkey, err);
		if (rc != 0) {
			acs_err_prefix(err, "csr");
			goto out;
		}
	}
	rc = list_finish(&l, ids, nids, "csr", err);
	if (rc != 0)
		goto out;
	if (pubkey != NULL) {
		*pubkey = key;
		key = NULL;
	}
out:
	acs_key_free(key);
	free(l.v);
	GENERAL_NAMES_free(names);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	return rc;
}

int acs_cert_idents(X509 *cert, struct acs_ident **ids, size_t *nids, struct acs_err *err)
{
	struct ident_list l = {NULL, 0, 0};
	GENERAL_NAMES *names = NULL;
	int rc = 0, crit = -1;

	if (cert == NULL)
		return acs_err_set(err, ACS_E_INVAL, "certificate: none given");
	names = X509_get_ext_d2i(cert, NID_subject_alt_name, &crit, NULL);
	if (names == NULL && crit == -2)
		return acs_err_set(err, ACS_E_PARSE,
		                   "certificate: more than one subjectAltName extension");
	if (names == NULL && crit >= 0) {
		ERR_clear_error();
		return acs_err_set(err, ACS_E_PARSE, "certificate: unreadable subjectAltName");
	}
	if (names != NULL) {
		rc = names_to_list(names, 1, &l, "certificate", err);
		if (rc != 0)
			goto out;
	}
	rc = list_finish(&l, ids, nids, "certificate", err);
out:
	free(l.v);
	GENERAL_NAMES_free(names);
	return rc;
}

/* ---- PEM certificate chains ---- */

void acs_chain_free(struct acs_chain *chain)
{
	size_t i;

	if (chain == NULL)
		return;
	for (i = 0; i < chain->n; i++)
		X509_free(chain->certs[i]);
	free(chain->certs);
	free(chain);
}

/* Record the first reason the text is not strict. */
static void chain_problem(struct acs_chain *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void chain_problem(struct acs_chain *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->strict)
		return;
	c->strict = 0;
	va_start(ap, fmt);
	vsnprintf(c->problem, sizeof(c->problem), fmt, ap);
	va_end(ap);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/*
 * When line (n chars, trailing white space already removed) is
 * "-----<kw> LABEL-----", copy LABEL into label and return 1.
 */
static int pem_boundary(const char *line, size_t n, const char *kw, char *label, size_t labelsz)
{
	size_t kwlen = strlen(kw), ll;

	if (n < 10 + kwlen + 1 || strncmp(line, "-----", 5) != 0 ||
	    strncmp(line + 5, kw, kwlen) != 0 || line[5 + kwlen] != ' ' ||
	    strncmp(line + n - 5, "-----", 5) != 0)
		return 0;
	ll = n - 10 - kwlen - 1;
	if (ll >= labelsz)
		ll = labelsz - 1;
	memcpy(label, line + 6 + kwlen, ll);
	label[ll] = '\0';
	return 1;
}

static int b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/' || c == '=';
}

/* State of one block while the lines go by. */
struct pem_block {
	int open;
	char label[64];
	int line;       /* line of the BEGIN boundary */
	size_t start;   /* offset of the BEGIN boundary */
	int short_line; /* line number of a base64 line under 64 characters, 0 if none */
};

/* Strict RFC 7468 base64 lines: 64 characters each, the last one up to 64. */
static void pem_body_line(struct acs_chain *c, struct pem_block *blk, const char *line, size_t n,
                          int lineno)
{
	size_t i;

	if (memchr(line, ':', n) != NULL) {
		chain_problem(c, "%s block at line %d has a header line at line %d", blk->label,
		              blk->line, lineno);
		return;
	}
	for (i = 0; i < n; i++) {
		if (!b64_char(line[i])) {
			chain_problem(c, "%s block at line %d: character 0x%02x at line %d",
			              blk->label, blk->line, (unsigned char)line[i], lineno);
			return;
		}
	}
	if (n == 0) {
		chain_problem(c, "%s block at line %d: empty line at line %d", blk->label,
		              blk->line, lineno);
		return;
	}
	if (n > 64)
		chain_problem(c,
		              "%s block at line %d: base64 line of %zu characters at line %d "
		              "(strict encoding needs 64)",
		              blk->label, blk->line, n, lineno);
	else if (blk->short_line)
		chain_problem(c,
		              "%s block at line %d: short base64 line at line %d is not the last",
		              blk->label, blk->line, blk->short_line);
	else if (n < 64)
		blk->short_line = lineno;
}

/* Decode one CERTIFICATE block text into chain c. */
static int pem_add_cert(struct acs_chain *c, const char *text, size_t len, int lineno,
                        struct acs_err *err)
{
	BIO *bio = NULL;
	X509 *x = NULL;
	X509 **p;

	if (c->n >= MAX_CHAIN)
		return acs_err_set(err, ACS_E_TOOBIG, "pem chain: more than %d certificates",
		                   MAX_CHAIN);
	bio = BIO_new_mem_buf(text, (int)len);
	if (bio == NULL)
		return acs_err_openssl(err, "pem chain: cannot make a memory bio");
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (x == NULL) {
		ERR_clear_error();
		return acs_err_set(err, ACS_E_PARSE,
		                   "pem chain: certificate %zu (line %d) cannot be decoded",
		                   c->n + 1, lineno);
	}
	p = realloc(c->certs, (c->n + 1) * sizeof(*p));
	if (p == NULL) {
		X509_free(x);
		return acs_err_set(err, ACS_E_NOMEM, "pem chain: out of memory");
	}
	c->certs = p;
	c->certs[c->n++] = x;
	return 0;
}

int acs_chain_parse(const char *pem, size_t len, struct acs_chain **out, struct acs_err *err)
{
	struct acs_chain *c = NULL;
	struct pem_block blk;
	size_t pos = 0;
	int lineno = 0, text_line = 0, blocks = 0, rc = 0;

	if (pem == NULL || len == 0)
		return acs_err_set(err, ACS_E_PARSE, "pem chain: empty");
	if (len > INT_MAX)
		return acs_err_set(err, ACS_E_TOOBIG, "pem chain: text too large");
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "pem chain: out of memory");
	c->strict = 1;
	memset(&blk, 0, sizeof(blk));
	while (pos < len) {
		const char *line = pem + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t linelen = nl ? (size_t)(nl - line) : len - pos;
		size_t n = linelen, lead = 0;
		char label[64];

		lineno++;
		while (n > 0 && is_space(line[n - 1]))
			n--;
		while (lead < n && is_space(line[lead]))
			lead++;
		if (!blk.open) {
			if (pem_boundary(line + lead, n - lead, "BEGIN", label, sizeof(label))) {
				if (lead > 0)
					chain_problem(c, "indented BEGIN boundary at line %d",
					              lineno);
				if (text_line)
					chain_problem(c, "text between certificates at line %d",
					              text_line);
				text_line = 0;
				memset(&blk, 0, sizeof(blk));
				blk.open = 1;
				blk.line = lineno;
				blk.start = pos + lead;
				snprintf(blk.label, sizeof(blk.label), "%s", label);
				if (strcmp(label, "CERTIFICATE") != 0)
					chain_problem(c, "%s block at line %d", label, lineno);
			} else if (n > lead) {
				if (blocks == 0)
					chain_problem(
					    c, "text before the first certificate at line %d",
					    lineno);
				else if (!text_line)
					text_line = lineno;
			}
		} else if (pem_boundary(line + lead, n - lead, "END", label, sizeof(label))) {
			blk.open = 0;
			blocks++;
			if (strcmp(label, blk.label) != 0) {
				chain_problem(
				    c, "END %s at line %d does not match BEGIN %s at line %d",
				    label, lineno, blk.label, blk.line);
			} else if (strcmp(label, "CERTIFICATE") == 0) {
				rc = pem_add_cert(c, pem + blk.start, pos + n - blk.start, blk.line,
				                  err);
				if (rc != 0)
					goto out;
			}
		} else {
			if (lead > 0)
				chain_problem(c, "%s block at line %d: indented line %d", blk.label,
				              blk.line, lineno);
			pem_body_line(c, &blk, line + lead, n - lead, lineno);
		}
		pos += linelen + (nl ? 1 : 0);
	}
	if (blk.open)
		chain_problem(c, "unterminated %s block at line %d", blk.label, blk.line);
	if (text_line)
		chain_problem(c, "text after the last certificate at line %d", text_line);
	if (c->n == 0) {
		rc = acs_err_set(err, ACS_E_PARSE, "pem chain: no certificate found%s%s",
		                 c->strict ? "" : ": ", c->problem);
		goto out;
	}
	*out = c;
	c = NULL;
out:
	acs_chain_free(c);
	return rc;
}

/* "CN=x, O=y" style one-line subject for messages. */
static void subject_text(X509 *x, char *buf, size_t size)
{
	if (X509_NAME_oneline(X509_get_subject_name(x), buf, (int)size) == NULL)
		snprintf(buf, size, "?");
}

int acs_chain_verify(const struct acs_chain *chain, const char *roots_file, struct acs_err *err)
{
	char sa[256], sb[256];
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *untrusted = NULL;
	size_t i;
	int rc = 0;

	if (chain == NULL || chain->n == 0)
		return acs_err_set(err, ACS_E_VERIFY, "chain: no certificates");
	for (i = 0; i + 1 < chain->n; i++) {
		X509 *subject = chain->certs[i], *issuer = chain->certs[i + 1];
		EVP_PKEY *ikey = X509_get0_pubkey(issuer);
		int ci = X509_check_issued(issuer, subject);

		if (ci != X509_V_OK || ikey == NULL || X509_verify(subject, ikey) != 1) {
			ERR_clear_error();
			subject_text(subject, sa, sizeof(sa));
			subject_text(issuer, sb, sizeof(sb));
			return acs_err_set(err, ACS_E_VERIFY,
			                   "chain: certificate %zu (%s) is not issued by "
			                   "certificate %zu (%s): %s",
			                   i + 1, sa, i + 2, sb,
			                   ci != X509_V_OK ? X509_verify_cert_error_string(ci)
			                                   : "signature does not verify");
		}
	}
	if (roots_file == NULL)
		return 0;
	store = X509_STORE_new();
	if (store == NULL) {
		rc = acs_err_openssl(err, "chain: cannot make a certificate store");
		goto out;
	}
	if (X509_STORE_load_file(store, roots_file) != 1) {
		ERR_clear_error();
		rc = acs_err_set(err, ACS_E_IO, "chain: cannot load roots from %s", roots_file);
		goto out;
	}
	untrusted = sk_X509_new_null();
	ctx = X509_STORE_CTX_new();
	if (untrusted == NULL || ctx == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "chain: out of memory");
		goto out;
	}
	for (i = 1; i < chain->n; i++) {
		if (sk_X509_push(untrusted, chain->certs[i]) <= 0) {
			rc = acs_err_set(err, ACS_E_NOMEM, "chain: out of memory");
			goto out;
		}
	}
	if (X509_STORE_CTX_init(ctx, store, chain->certs[0], untrusted) != 1) {
		rc = acs_err_openssl(err, "chain: cannot start verification");
		goto out;
	}
	if (X509_verify_cert(ctx) != 1) {
		int e = X509_STORE_CTX_get_error(ctx);
		int depth = X509_STORE_CTX_get_error_depth(ctx);

		ERR_clear_error();
		rc = acs_err_set(err, ACS_E_VERIFY,
		                 "chain: does not verify to a root in %s: %s (depth %d)",
		                 roots_file, X509_verify_cert_error_string(e), depth);
		goto out;
	}
out:
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);
	X509_STORE_free(store);
	return rc;
}

int acs_chain_top_issuer_cn(const struct acs_chain *chain, char *out, size_t outlen)
{
	X509_NAME *issuer;
	int n;

	if (outlen > 0)
		out[0] = '\0';
	if (chain == NULL || chain->n == 0 || outlen == 0)
		return -1;
	issuer = X509_get_issuer_name(chain->certs[chain->n - 1]);
	n = issuer != NULL ? X509_NAME_get_text_by_NID(issuer, NID_commonName, out, (int)outlen)
	                   : -1;
	if (n < 0) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}
