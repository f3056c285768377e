#pragma once

namespace retort {

// Keeps GnuTLS from initialising itself when libpq is loaded. libpq links
// libldap (for LDAP lookups of connection services), which links GnuTLS, and
// GnuTLS's library constructor sets it all up (ASN.1 definitions, random
// generator, CPU features): about 0.6 ms of every PostgreSQL command, for TLS
// that only an ldaps:// service lookup would use, and libldap initialises
// GnuTLS itself before one. libpq's own TLS is OpenSSL's, untouched. It sets
// GNUTLS_NO_IMPLICIT_INIT=1 unless the environment has that variable already,
// so a program's children inherit it; only a program's main() should call it,
// before any thread starts and before libpq is loaded.
void libpq_without_gnutls_init();

}  // namespace retort
