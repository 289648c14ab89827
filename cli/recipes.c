/*
 * The client recipes (cli/recipes.h) and their names for acmespec client
 * (cli/cli_client.h).
 */
#include "cli/recipes.h"

#include <stddef.h>
#include <string.h>

#include "cli/cli_client.h"

/*
 * Caddy: a web server that gets its certificates itself. The script writes
 * a Caddyfile for the scenario's names (global acme_ca, acme_ca_root,
 * email, acme_eab; storage, HOME and XDG_* under {workdir}; admin off; the
 * scenario's ports) and runs it in the foreground. Caddy chooses between
 * http-01 and tls-alpn-01 at random: the issuer is told to leave the other
 * one alone. It has no DNS provider built in (dns-01), and neither revokes
 * nor rolls its account key over on request. {preferred_chain} becomes
 * the issuer's preferred_chains { root_common_name }.
 */
#define CADDY_SCRIPT(BIN)                                                                          \
	"set -ef\n"                                                                                \
	"u() { echo \"acmespec-unsupported: $*\"; exit 127; }\n"                                   \
	"[ \"$ACMESPEC_KEY_CHANGE\" != 1 ] || u Caddy never rolls its account key over\n"          \
	"[ \"$ACMESPEC_REVOKE\" != 1 ] || u Caddy revokes only on its own, never on request\n"     \
	"set -- $ACMESPEC_DOMAINS\n"                                                               \
	"[ $# -eq 1 ] || u Caddy orders one certificate per name, never one for several\n"         \
	"case \"$ACMESPEC_CHALLENGE\" in\n"                                                        \
	"http-01) off=disable_tlsalpn_challenge; hp=$ACMESPEC_HTTP01_PORT; "                       \
	"tp=$ACMESPEC_SPARE_PORT ;;\n"                                                             \
	"tls-alpn-01) off=disable_http_challenge; hp=$ACMESPEC_SPARE_PORT; "                       \
	"tp=$ACMESPEC_TLSALPN01_PORT ;;\n"                                                         \
	"*) exit 127 ;;\n"                                                                         \
	"esac\n"                                                                                   \
	"caddy=" BIN "\n"                                                                          \
	"[ -x \"$caddy\" ] || u \"$caddy is not installed\"\n"                                     \
	"w=\"$ACMESPEC_WORKDIR/caddy\"; mkdir -p \"$w\"\n"                                         \
	"export HOME=\"$w\" XDG_CONFIG_HOME=\"$w/config\" XDG_DATA_HOME=\"$w/data\"\n"             \
	"{\n"                                                                                      \
	"echo '{'\n"                                                                               \
	"echo ' admin off'\n"                                                                      \
	"echo \" http_port $hp\"\n"                                                                \
	"echo \" https_port $tp\"\n"                                                               \
	"echo ' default_bind 127.0.0.1'\n"                                                         \
	"echo \" storage file_system $w/storage\"\n"                                               \
	"echo ' skip_install_trust'\n"                                                             \
	"echo ' auto_https disable_redirects'\n"                                                   \
	"echo \" acme_ca $ACMESPEC_DIRECTORY\"\n"                                                  \
	"echo \" acme_ca_root $ACMESPEC_CA_BUNDLE\"\n"                                             \
	"echo ' email acmespec@acmespec.test'\n"                                                   \
	"[ \"$ACMESPEC_TIMING\" != 1 ] || echo ' renew_interval 1s'\n"                             \
	"[ -z \"$ACMESPEC_EAB_KID\" ] || printf ' acme_eab {\\n  key_id %s\\n  mac_key %s\\n "     \
	"}\\n' \"$ACMESPEC_EAB_KID\" \"$ACMESPEC_EAB_HMAC\"\n"                                     \
	"echo '}'\n"                                                                               \
	"echo \"$(echo $ACMESPEC_DOMAINS | sed 's/ /, /g') {\"\n"                                  \
	"echo \" tls {\"; echo \"  issuer acme {\"; echo \"   $off\"\n"                            \
	"[ -z \"$ACMESPEC_PROFILE\" ] || echo \"   profile $ACMESPEC_PROFILE\"\n"                  \
	"[ -z \"$ACMESPEC_PREFERRED_CHAIN\" ] || printf '   preferred_chains {\\n    "             \
	"root_common_name \"%s\"\\n   }\\n' \"$ACMESPEC_PREFERRED_CHAIN\"\n"                       \
	"echo '  }'; echo ' }'\n"                                                                  \
	"echo ' respond acmespec'\n"                                                               \
	"echo '}'\n"                                                                               \
	"} > \"$w/Caddyfile\"\n"                                                                   \
	"[ -z \"$ACMESPEC_PROFILE\" ] || \"$caddy\" adapt --config \"$w/Caddyfile\" --adapter "    \
	"caddyfile >/dev/null 2>&1 || u this Caddy has no ACME profile option\n"                   \
	"[ -z \"$ACMESPEC_PREFERRED_CHAIN\" ] || \"$caddy\" adapt --config \"$w/Caddyfile\" "      \
	"--adapter caddyfile >/dev/null 2>&1 || u this Caddy has no preferred_chains option\n"     \
	"exec \"$caddy\" run --config \"$w/Caddyfile\" --adapter caddyfile\n"

/*
 * lego: the same script for Debian's lego 4.9.1 and the current one. dns-01
 * goes through lego's exec provider, whose "present"/"cleanup" calls the
 * dns-hook takes as they are. {profile} becomes run's --profile (a lego
 * without it exits 127), {preferred_chain} run's and renew's --preferred-chain. A renewal run
 * ({renew}) is `lego renew` of what it holds from run 1: lego asks renewalInfo (ARI, on by default
 * since 4.20) when the CA advertises it, sends `replaces`, and falls back to --days.
 */
#define LEGO_SCRIPT(BIN)                                                                           \
	"set -ef\n"                                                                                \
	"lego=" BIN "\n"                                                                           \
	"command -v \"$lego\" >/dev/null || { echo \"$lego is not installed\" >&2; exit 126; }\n"  \
	"[ \"$ACMESPEC_KEY_CHANGE\" != 1 ] || exit 127\n"                                          \
	"run=''\n"                                                                                 \
	"if [ -n \"$ACMESPEC_PROFILE\" ]; then\n"                                                  \
	"  \"$lego\" run --help | grep -q -- --profile || exit 127\n"                              \
	"  run=\"--profile $ACMESPEC_PROFILE\"\n"                                                  \
	"fi\n"                                                                                     \
	"export LEGO_CA_CERTIFICATES=\"$ACMESPEC_CA_BUNDLE\"\n"                                    \
	"set --\n"                                                                                 \
	"[ -z \"$ACMESPEC_EAB_KID\" ] || set -- --eab --kid \"$ACMESPEC_EAB_KID\" "                \
	"--hmac \"$ACMESPEC_EAB_HMAC\"\n"                                                          \
	"for d in $ACMESPEC_DOMAINS; do set -- \"$@\" -d \"$d\"; done\n"                           \
	"case \"$ACMESPEC_CHALLENGE\" in\n"                                                        \
	"http-01) set -- \"$@\" --http --http.port \"127.0.0.1:$ACMESPEC_HTTP01_PORT\" ;;\n"       \
	"tls-alpn-01) set -- \"$@\" --tls --tls.port \"127.0.0.1:$ACMESPEC_TLSALPN01_PORT\" ;;\n"  \
	"dns-01)\n"                                                                                \
	"  printf '#!/bin/sh\\nexec %s \"$@\"\\n' \"$ACMESPEC_DNS_HOOK\" > "                       \
	"\"$ACMESPEC_WORKDIR/lego-dns\"\n"                                                         \
	"  chmod +x \"$ACMESPEC_WORKDIR/lego-dns\"\n"                                              \
	"  export EXEC_PATH=\"$ACMESPEC_WORKDIR/lego-dns\" EXEC_POLLING_INTERVAL=1 "               \
	"EXEC_SEQUENCE_INTERVAL=1 "                                                                \
	"EXEC_PROPAGATION_TIMEOUT=10\n"                                                            \
	"  set -- \"$@\" --dns exec --dns.disable-cp --dns.resolvers \"$ACMESPEC_DNS_SERVER\" "    \
	";;\n"                                                                                     \
	"*) exit 127 ;;\n"                                                                         \
	"esac\n"                                                                                   \
	"set -- --accept-tos --email acmespec@acmespec.test --server \"$ACMESPEC_DIRECTORY\" "     \
	"--path \"$ACMESPEC_WORKDIR/lego\" \"$@\"\n"                                               \
	"pc=--preferred-chain=$ACMESPEC_PREFERRED_CHAIN\n"                                         \
	"if [ \"$ACMESPEC_RENEW\" = 1 ]; then\n"                                                   \
	"  exec \"$lego\" \"$@\" renew --days 30 --no-random-sleep "                               \
	"${ACMESPEC_PREFERRED_CHAIN:+\"$pc\"}\n"                                                   \
	"fi\n"                                                                                     \
	"\"$lego\" \"$@\" run $run ${ACMESPEC_PREFERRED_CHAIN:+\"$pc\"} || exit $?\n"              \
	"[ \"$ACMESPEC_REVOKE\" != 1 ] || exec \"$lego\" \"$@\" revoke --reason 1\n"

static const struct acs_recipe recipes[] = {
    {"acme-tiny", "http-01", NULL, "SSL_CERT_FILE",
     "set -ef\n"
     "case \"$ACMESPEC_CHALLENGE\" in http-01) ;; *) exit 127 ;; esac\n"
     /* no EAB, no revocation, no key rollover, no profile */
     "[ -z \"$ACMESPEC_EAB_KID\" ] && [ \"$ACMESPEC_REVOKE\" != 1 ] && "
     /* it always issues: it has no notion of a certificate being due (renew scenarios) */
     "[ \"$ACMESPEC_RENEW\" != 1 ] || exit 127\n"
     "[ \"$ACMESPEC_KEY_CHANGE\" != 1 ] && [ -z \"$ACMESPEC_PROFILE\" ] || exit 127\n"
     /* it writes the default chain and never looks at alternates */
     "[ -z \"$ACMESPEC_PREFERRED_CHAIN\" ] || { echo 'acmespec-unsupported: acme-tiny "
     "keeps the default chain, it has no option to prefer another'; exit 127; }\n"
     "w=\"$ACMESPEC_WORKDIR/acme-tiny\"; mkdir -p \"$w\"\n"
     "[ -f \"$w/account.key\" ] || openssl genrsa -out \"$w/account.key\" 2048 2>/dev/null\n"
     "openssl genrsa -out \"$w/domain.key\" 2048 2>/dev/null\n"
     "san=''; for d in $ACMESPEC_DOMAINS; do san=\"$san${san:+,}DNS:$d\"; done\n"
     "openssl req -new -sha256 -key \"$w/domain.key\" -subj \"/CN=$ACMESPEC_DOMAIN\" "
     "-addext \"subjectAltName=$san\" -out \"$w/domain.csr\"\n"
     "SSL_CERT_FILE=\"$ACMESPEC_CA_BUNDLE\" acme-tiny --account-key \"$w/account.key\" "
     "--csr \"$w/domain.csr\" --acme-dir \"$ACMESPEC_ACME_DIR\" "
     "--directory-url \"$ACMESPEC_DIRECTORY\" --disable-check > \"$w/signed.crt\"\n",
     0},
    {"certbot", "http-01 dns-01", "certbot/logs/letsencrypt.log", "REQUESTS_CA_BUNDLE",
     "set -f\n"
     "[ \"$ACMESPEC_KEY_CHANGE\" != 1 ] || exit 127\n"
     /* profiles: these Debian versions have no profile option */
     "[ -z \"$ACMESPEC_PROFILE\" ] || exit 127\n"
     "export REQUESTS_CA_BUNDLE=\"$ACMESPEC_CA_BUNDLE\"\n"
     "w=\"$ACMESPEC_WORKDIR/certbot\"\n"
     "common=\"--non-interactive --server $ACMESPEC_DIRECTORY --config-dir $w/config "
     "--work-dir $w/work --logs-dir $w/logs\"\n"
     /* a renewal run ({renew}) renews only when certbot finds the certificate due */
     "force=--force-renewal; [ \"$ACMESPEC_RENEW\" != 1 ] || force=--keep-until-expiring\n"
     "set -- certonly $common --agree-tos --register-unsafely-without-email "
     "--cert-name acmespec $force\n"
     "[ -z \"$ACMESPEC_EAB_KID\" ] || set -- \"$@\" --eab-kid \"$ACMESPEC_EAB_KID\" "
     "--eab-hmac-key \"$ACMESPEC_EAB_HMAC\"\n"
     "[ -z \"$ACMESPEC_PREFERRED_CHAIN\" ] || set -- \"$@\" --preferred-chain "
     "\"$ACMESPEC_PREFERRED_CHAIN\"\n"
     "for d in $ACMESPEC_DOMAINS; do set -- \"$@\" -d \"$d\"; done\n"
     "case \"$ACMESPEC_CHALLENGE\" in\n"
     "http-01) set -- \"$@\" --standalone --http-01-port \"$ACMESPEC_HTTP01_PORT\" "
     "--http-01-address 127.0.0.1 ;;\n"
     "dns-01) set -- \"$@\" --manual --preferred-challenges dns "
     "--manual-auth-hook \"$ACMESPEC_DNS_HOOK set _acme-challenge.\\$CERTBOT_DOMAIN "
     "\\$CERTBOT_VALIDATION\" "
     "--manual-cleanup-hook \"$ACMESPEC_DNS_HOOK clear _acme-challenge.\\$CERTBOT_DOMAIN "
     "\\$CERTBOT_VALIDATION\" ;;\n"
     "*) exit 127 ;;\n"
     "esac\n"
     "[ \"$ACMESPEC_REVOKE\" = 1 ] || exec certbot \"$@\"\n"
     "certbot \"$@\" || exit $?\n"
     "exec certbot revoke $common --cert-name acmespec --reason keycompromise "
     "--no-delete-after-revoke\n",
     0},
    {"dehydrated", "http-01 dns-01", NULL, "CURL_OPTS=--cacert",
     "set -ef\n"
     "[ \"$ACMESPEC_KEY_CHANGE\" != 1 ] || exit 127\n"
     /* profiles: these Debian versions have no profile option */
     "[ -z \"$ACMESPEC_PROFILE\" ] || exit 127\n"
     "case \"$ACMESPEC_CHALLENGE\" in http-01|dns-01) ;; *) exit 127 ;; esac\n"
     "w=\"$ACMESPEC_WORKDIR/dehydrated\"; mkdir -p \"$w\"\n"
     "cat > \"$w/hook.sh\" <<'EOF'\n"
     "#!/bin/sh\n"
     "[ \"$ACMESPEC_CHALLENGE\" = dns-01 ] || exit 0\n"
     "case \"$1\" in\n"
     "deploy_challenge) exec $ACMESPEC_DNS_HOOK set \"_acme-challenge.$2\" \"$4\" ;;\n"
     "clean_challenge) exec $ACMESPEC_DNS_HOOK clear \"_acme-challenge.$2\" \"$4\" ;;\n"
     "esac\n"
     "exit 0\n"
     "EOF\n"
     "chmod +x \"$w/hook.sh\"\n"
     "cat > \"$w/config\" <<EOF\n"
     "CA=\"$ACMESPEC_DIRECTORY\"\n"
     "BASEDIR=\"$w\"\n"
     "WELLKNOWN=\"$ACMESPEC_ACME_DIR\"\n"
     "CURL_OPTS=\"--cacert $ACMESPEC_CA_BUNDLE\"\n"
     "CHALLENGETYPE=\"$ACMESPEC_CHALLENGE\"\n"
     "HOOK=\"$w/hook.sh\"\n"
     "CONTACT_EMAIL=\"acmespec@acmespec.test\"\n"
     /* dehydrated's defaults are RSA-4096 account and domain keys: minutes of CPU on a
        loaded host, ahead of the first request of --cron */
     "KEYSIZE=2048\n"
     "KEY_ALGO=prime256v1\n"
     "EAB_KID=\"$ACMESPEC_EAB_KID\"\n"
     "EAB_HMAC_KEY=\"$ACMESPEC_EAB_HMAC\"\n"
     "PREFERRED_CHAIN=\"$ACMESPEC_PREFERRED_CHAIN\"\n"
     "EOF\n"
     "dehydrated --config \"$w/config\" --register --accept-terms\n"
     /* --alias: a wildcard certificate needs a name of its own */
     "set -- --alias acmespec\n"
     "for d in $ACMESPEC_DOMAINS; do set -- \"$@\" --domain \"$d\"; done\n"
     /* a renewal run ({renew}): --cron alone renews when the certificate is due */
     "[ \"$ACMESPEC_RENEW\" = 1 ] || set -- --force \"$@\"\n"
     "[ \"$ACMESPEC_REVOKE\" = 1 ] || exec dehydrated --config \"$w/config\" --cron \"$@\"\n"
     "dehydrated --config \"$w/config\" --cron \"$@\"\n"
     "exec dehydrated --config \"$w/config\" --revoke \"$w/certs/acmespec/cert.pem\"\n",
     0},
    {"lego", "http-01 dns-01 tls-alpn-01", NULL, "LEGO_CA_CERTIFICATES", LEGO_SCRIPT("lego"), 0},
    /* the current lego, a pinned Go module (ci/install-peers.sh lego) */
    {"lego-current", "http-01 dns-01 tls-alpn-01", NULL, "LEGO_CA_CERTIFICATES",
     LEGO_SCRIPT("\"${LEGO_BIN:-/opt/acmespec-peers/bin/lego}\""), 0},
    {"uacme", "http-01 dns-01", NULL, "unshare --mount + bind mount over the system bundle",
     "set -ef\n"
     "[ \"$ACMESPEC_KEY_CHANGE\" != 1 ] || exit 127\n"
     /* profiles: these Debian versions have no profile option */
     "[ -z \"$ACMESPEC_PROFILE\" ] || exit 127\n"
     "case \"$ACMESPEC_CHALLENGE\" in http-01|dns-01) ;; *) exit 127 ;; esac\n"
     "[ -z \"$ACMESPEC_PREFERRED_CHAIN\" ] || { echo 'acmespec-unsupported: uacme chooses "
     "an alternate chain by number or by the SHA-256 fingerprint of its root (-l), never "
     "by name'; exit 127; }\n"
     "w=\"$ACMESPEC_WORKDIR/uacme\"; mkdir -p \"$w\"\n"
     "cat > \"$w/hook.sh\" <<'EOF'\n"
     "#!/bin/sh\n"
     "# uacme hook: METHOD TYPE IDENT TOKEN AUTH; decline the other challenge types\n"
     "[ \"$2\" = \"$ACMESPEC_CHALLENGE\" ] || exit 1\n"
     "case \"$2:$1\" in\n"
     "http-01:begin) printf '%s' \"$5\" > \"$ACMESPEC_ACME_DIR/$4\" ;;\n"
     "http-01:*) rm -f \"$ACMESPEC_ACME_DIR/$4\" ;;\n"
     "dns-01:begin) exec $ACMESPEC_DNS_HOOK set \"_acme-challenge.$3\" \"$5\" ;;\n"
     "dns-01:*) exec $ACMESPEC_DNS_HOOK clear \"_acme-challenge.$3\" \"$5\" ;;\n"
     "esac\n"
     "EOF\n"
     "chmod +x \"$w/hook.sh\"\n"
     /* uacme has no CA option: a private mount namespace sees the mock CA's
        bundle in place of the system one; the host's trust store is untouched */
     "exec unshare --mount sh -c '"
     "mount --bind \"$ACMESPEC_CA_BUNDLE\" /etc/ssl/certs/ca-certificates.crt || exit 3\n"
     "set -f\n"
     "[ -f \"$0/private/key.pem\" ] || uacme -v -y -c \"$0\" -a \"$ACMESPEC_DIRECTORY\" "
     "${ACMESPEC_EAB_KID:+-e \"$ACMESPEC_EAB_KID:$ACMESPEC_EAB_HMAC\"} new\n"
     /* a renewal run ({renew}): without -f, uacme renews only a certificate that is due */
     "f=-f; [ \"$ACMESPEC_RENEW\" != 1 ] || f=\n"
     "uacme -v $f -c \"$0\" -a \"$ACMESPEC_DIRECTORY\" -h \"$0/hook.sh\" issue "
     "$ACMESPEC_DOMAINS || exit $?\n"
     "[ \"$ACMESPEC_REVOKE\" = 1 ] || exit 0\n"
     "exec uacme -v -c \"$0\" -a \"$ACMESPEC_DIRECTORY\" revoke "
     "\"$0/${ACMESPEC_DOMAINS%% *}/cert.pem\"' \"$w\"\n",
     0},
    /* Debian's caddy 2.6.2 */
    {"caddy", "http-01 tls-alpn-01", NULL, "acme_ca_root in the Caddyfile",
     CADDY_SCRIPT("/usr/bin/caddy"), 1},
    /* the current Caddy, a pinned Go module (ci/install-peers.sh caddy) */
    {"caddy-current", "http-01 tls-alpn-01", NULL, "acme_ca_root in the Caddyfile",
     CADDY_SCRIPT("\"${CADDY_BIN:-/opt/acmespec-peers/bin/caddy}\""), 1},
};

#define NRECIPES (sizeof(recipes) / sizeof(recipes[0]))

const char *const *acs_client_recipes(void)
{
	static const char *names[NRECIPES + 1];
	size_t i;

	for (i = 0; i < NRECIPES; i++)
		names[i] = recipes[i].name;
	names[NRECIPES] = NULL;
	return names;
}

const struct acs_recipe *acs_recipe_find(const char *name)
{
	size_t i;

	for (i = 0; i < NRECIPES; i++)
		if (strcmp(recipes[i].name, name) == 0)
			return &recipes[i];
	return NULL;
}

int acs_recipe_can(const struct acs_recipe *rc, const char *challenge)
{
	const char *p = strstr(rc->challenges, challenge);
	size_t n = strlen(challenge);

	while (p != NULL) {
		if ((p == rc->challenges || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p = strstr(p + n, challenge);
	}
	return 0;
}
