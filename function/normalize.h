/* SPDX-License-Identifier: Apache-2.0 */
/* A ResourceList in flow style (JSON) is rewritten as block YAML before anything else, so the
 * output is the block-style document orchestrators expect and edits are made in block style. */
#ifndef ANI_NORMALIZE_H
#define ANI_NORMALIZE_H

#include "model.h"

int normalize_to_block(const char *buf, size_t len, const ani_limits *limits, char **out,
		       size_t *out_len, ani_failure *f);

#endif
