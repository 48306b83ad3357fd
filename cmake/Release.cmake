# SPDX-License-Identifier: Apache-2.0
# The release's names, each written once: the version in the top CMakeLists.txt's project(), the
# registry below. Everything that shows them is generated from here into the build directory:
#
#   include/ani_version.h        ANI_VERSION, included by include/allow_namespace_ingress.h
#   allow-namespace-ingress.1    the man page (docs/allow-namespace-ingress.1.in)
#   release.env                  version, image reference, source URL and licence, read by
#                                scripts/release.sh (image build args, release notes, doc refs)
#
# The committed docs quote the image reference; `scripts/release.sh refs` rewrites them after a
# change here and tests/e2e/release.sh fails while they disagree.

set(ANI_IMAGE_REGISTRY "ghcr.io/octopilot"
    CACHE STRING "The registry (and namespace) the image is published to: a placeholder to change")
set(ANI_IMAGE "${ANI_IMAGE_REGISTRY}/${PROJECT_NAME}:${PROJECT_VERSION}")
set(ANI_LICENSE "Apache-2.0")

configure_file(cmake/ani_version.h.in "${PROJECT_BINARY_DIR}/include/ani_version.h" @ONLY)
configure_file(docs/allow-namespace-ingress.1.in "${PROJECT_BINARY_DIR}/allow-namespace-ingress.1" @ONLY)
configure_file(cmake/release.env.in "${PROJECT_BINARY_DIR}/release.env" @ONLY)
