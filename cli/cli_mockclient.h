/*
 * `acmespec mock-client`: the mock client engine (mockclient/acme.h) run as
 * an ordinary ACME client, so that `acmespec client -- acmespec mock-client
 * --directory {directory} ...` is a conformant client whose misbehaviours
 * (--misbehave NAME) are the negative controls of the client scenarios and
 * of the mock CA's request checks.
 *
 * A complete issuance: new account (with EAB when the directory requires
 * it and credentials are given), new order, one challenge per pending
 * authorization answered with the responders of mockclient/responders.h
 * (http-01, tls-alpn-01) or the dns hook (dns-01), polling that honours
 * Retry-After, badNonce retried with the error's nonce, 429/503 retried
 * after Retry-After, finalize with a fresh key, download and strict check
 * of the chain, optional revocation.
 */
#ifndef ACMESPEC_CLI_MOCKCLIENT_H
#define ACMESPEC_CLI_MOCKCLIENT_H

/*
 * Parse options (argv[0] is "mock-client"), run the flow, print progress
 * and errors (with the server's problem detail) on stderr. Exit codes: 0
 * certificate obtained (and revoked when asked), 1 the flow failed (a
 * refusal, an invalid authorization, a chain rejected), 2 usage error,
 * 3 could not start (responders, HTTP client).
 */
int acs_cmd_mock_client(int argc, char **argv);

#endif
