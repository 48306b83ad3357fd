/* --emit-patches: the plan as a kustomize Component of JSON 6902 patches (and, in separate mode,
 * the new policies as its resources). */
#ifndef ANI_PATCHES_H
#define ANI_PATCHES_H

#include "edits.h"
#include "model.h"
#include "plan.h"

typedef struct {
	char *name; /* beside the Component's kustomization.yaml */
	char *text;
	size_t len;
} ani_file;

typedef struct {
	ani_file *v;
	size_t n;
} ani_files;

/* The Component for the changes `cs` into *component, new resources into `files`, and one
 * result per patch. Returns 0, or -1 after an error result. */
int patches_render(const ani_config *c, const ani_changes *cs, ani_results *rs, char **component,
		   ani_files *files);
void files_free(ani_files *files);

#endif
