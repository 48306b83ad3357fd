/* SPDX-License-Identifier: Apache-2.0 */
/* From the index and the config to edits and results: finds the target NetworkPolicy and the
 * source Namespaces, asks netpol what each source needs, and words every finding. */
#ifndef ANI_PLAN_H
#define ANI_PLAN_H

#include "edits.h"
#include "model.h"

void plan_run(const char *buf, size_t len, ani_index *ix, const ani_config *c,
	      const ani_limits *limits, ani_results *rs, ani_edits *e);

#endif
