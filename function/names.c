#include "names.h"

#include <string.h>

static int is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_lower_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int name_is_dns_label(const char *s, size_t n)
{
	if (n < 1 || n > 63 || !is_lower_alnum((unsigned char)s[0]) ||
	    !is_lower_alnum((unsigned char)s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_lower_alnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

int name_is_dns_subdomain(const char *s, size_t n)
{
	if (n < 1 || n > 253)
		return 0;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (!name_is_dns_label(s + start, i - start))
				return 0;
			start = i + 1;
		}
	}
	return 1;
}

/* Label values, and the name part of keys (which may not be empty). */
static int valid_label_name(const char *s, size_t n, int allow_empty)
{
	if (n == 0)
		return allow_empty;
	if (n > 63 || !is_alnum((unsigned char)s[0]) || !is_alnum((unsigned char)s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return 0;
	return 1;
}

int name_is_label_key(const char *s)
{
	const char *slash = strchr(s, '/');
	if (!slash)
		return valid_label_name(s, strlen(s), 0);
	return name_is_dns_subdomain(s, (size_t)(slash - s)) &&
	       valid_label_name(slash + 1, strlen(slash + 1), 0);
}

int name_is_label_value(const char *s)
{
	return valid_label_name(s, strlen(s), 1);
}

int name_is_port_name(const char *s)
{
	size_t n = strlen(s);
	int letters = 0;
	if (n < 1 || n > 15 || s[0] == '-' || s[n - 1] == '-' || strstr(s, "--"))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_lower_alnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
		letters += s[i] >= 'a' && s[i] <= 'z';
	}
	return letters > 0;
}

int name_is_protocol(const char *s)
{
	return !strcmp(s, "TCP") || !strcmp(s, "UDP") || !strcmp(s, "SCTP");
}
