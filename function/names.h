/* Kubernetes' syntax rules for names, label keys and values, port names and protocols. */
#ifndef ANI_NAMES_H
#define ANI_NAMES_H

#include <stddef.h>

/* RFC 1123 label: a namespace name. */
int name_is_dns_label(const char *s, size_t n);
/* RFC 1123 subdomain: an object name such as a NetworkPolicy's. */
int name_is_dns_subdomain(const char *s, size_t n);
int name_is_label_key(const char *s);
int name_is_label_value(const char *s);
/* An IANA service name, as a named container port must be. */
int name_is_port_name(const char *s);
/* Exactly TCP, UDP or SCTP, as the API server requires. */
int name_is_protocol(const char *s);

#endif
