/* keeps the mockserver library non-empty while it has no other source */
typedef int acs_mockserver_placeholder_t;
