# SPDX-License-Identifier: Apache-2.0
# Install rules beyond the binary itself (the kustomize legacy-plugin entry, the man page).
# Included from the top CMakeLists.txt after the binary's install(TARGETS) rule and
# include(GNUInstallDirs).
#
#   <prefix>/bin/allow-namespace-ingress                              (top CMakeLists.txt)
#   <prefix>/share/kustomize/plugin/fn.octopilot.io/v1alpha1/allownamespaceingress/
#       AllowNamespaceIngress -> ../../../../../../bin/allow-namespace-ingress
#   <prefix>/share/man/man1/allow-namespace-ingress.1                (generated: cmake/Release.cmake)
#
# With KUSTOMIZE_PLUGIN_HOME=<prefix>/share/kustomize/plugin, kubectl kustomize
# --enable-alpha-plugins finds the function as a legacy exec plugin. The link is relative, so the
# installed tree can be moved or packaged (DESTDIR) as a whole. Tested by tests/e2e/install.sh.

set(ANI_KUSTOMIZE_PLUGIN_DIR
    "${CMAKE_INSTALL_DATADIR}/kustomize/plugin/fn.octopilot.io/v1alpha1/allownamespaceingress"
    CACHE STRING "Where the kustomize legacy-plugin link is installed (relative to the prefix, or absolute)")

# The link is made at install time, so that `cmake --install --prefix P` and DESTDIR apply.
install(CODE "
  set(_ani_bindir [[${CMAKE_INSTALL_BINDIR}]])
  set(_ani_plugindir [[${ANI_KUSTOMIZE_PLUGIN_DIR}]])
  set(_ani_exe [[$<TARGET_FILE_NAME:allow-namespace-ingress>]])
  if(NOT IS_ABSOLUTE \"\${_ani_bindir}\")
    set(_ani_bindir \"\${CMAKE_INSTALL_PREFIX}/\${_ani_bindir}\")
  endif()
  if(NOT IS_ABSOLUTE \"\${_ani_plugindir}\")
    set(_ani_plugindir \"\${CMAKE_INSTALL_PREFIX}/\${_ani_plugindir}\")
  endif()
  file(RELATIVE_PATH _ani_target \"\${_ani_plugindir}\" \"\${_ani_bindir}/\${_ani_exe}\")
  set(_ani_link \"\$ENV{DESTDIR}\${_ani_plugindir}/AllowNamespaceIngress\")
  message(STATUS \"Installing: \${_ani_link} -> \${_ani_target}\")
  file(MAKE_DIRECTORY \"\$ENV{DESTDIR}\${_ani_plugindir}\")
  file(REMOVE \"\${_ani_link}\")
  file(CREATE_LINK \"\${_ani_target}\" \"\${_ani_link}\" SYMBOLIC)
  # The manifest lists paths without DESTDIR, as CMake's own file(INSTALL) does.
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${_ani_plugindir}/AllowNamespaceIngress\")
")

install(FILES "${PROJECT_BINARY_DIR}/allow-namespace-ingress.1"
        DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
