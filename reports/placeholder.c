/* keeps the reports library non-empty while it has no other source */
typedef int acs_reports_placeholder_t;
