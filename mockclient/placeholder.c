/* keeps the mockclient library non-empty while it has no other source */
typedef int acs_mockclient_placeholder_t;
