/* SPDX-License-Identifier: Apache-2.0 */
/* The KRM `results` block and the stderr lines. */
#ifndef ANI_RESULTS_H
#define ANI_RESULTS_H

#include "model.h"

/* The `results:` entry for a ResourceList whose keys sit at column `col`, ending in a newline. */
char *results_render(const ani_results *rs, size_t col, const char *newline);
const char *severity_name(ani_severity s);

#endif
