/* Prints the settings table, one row a line, tab-separated: key, configmap (0/1), typed path,
 * flag, switch flag ("-" when none). The docs test compares README.md and the man page with it. */
#include "allow_namespace_ingress.h"

#include <stdio.h>

static const char *or_dash(const char *s)
{
	return s ? s : "-";
}

int main(void)
{
	const ani_setting_spec *s;
	for (size_t i = 0; (s = ani_setting_spec_at(i)); i++)
		printf("%s\t%d\t%s\t%s\t%s\n", s->key, s->configmap, or_dash(s->typed_path),
		       or_dash(s->flag), or_dash(s->switch_flag));
	return 0;
}
