# Install rules beyond the binary itself (the kustomize legacy-plugin entry, the man page).
