# SPDX-License-Identifier: Apache-2.0
# Cross-compiling for linux/arm64 on Debian (scripts/deps.sh arm64 installs the compiler, the arm64
# libyaml and qemu-user-static):
#
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DANI_STATIC=ON
#   cmake --build build-arm64 -j2
#   qemu-aarch64-static build-arm64/allow-namespace-ingress --version
#
# Tested by tests/e2e/arm64.sh. Criterion has no arm64 package installed here: tests are off.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static)

# Libraries and headers from Debian's arm64 packages (multiarch), never the build machine's.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ANI_TESTS OFF CACHE BOOL "Criterion is not installed for arm64")
