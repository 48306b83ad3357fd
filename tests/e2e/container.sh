#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The container image, built and run for real with Debian's docker engine:
#  1. the engine: one that already answers, else dockerd started here (setsid, its PID kept, stopped
#     by that PID on exit, also on failure; data under $ANI_BUILD_DIR/container so re-runs reuse
#     the base image and the build cache). If it cannot start, the test says why and FAILS;
#  2. the base image docker.io/library/debian:12: pulled if a registry answers, else made here
#     with debootstrap and `docker import` (the rootfs tarball is cached in $ANI_BUILD_DIR/container);
#  3. the image built as a user builds it (scripts/release.sh image: `docker build -t $ANI_IMAGE`
#     with the OCI labels as build args); FROM scratch: only the binary and /etc/passwd, /etc/group;
#     user 65534:65534; under 2 MB; its labels agree with the CMake version, git and the licence;
#  4. `docker run --rm -i --network none --user nobody` on every captured input = the bare binary,
#     stdout, stderr and exit status byte for byte;
#  5. kpt fn eval --image (key=value and --fn-config) and kpt fn render with a Kptfile `image:`
#     make exactly the file changes --exec makes (examples/kpt-package);
#  6. kubectl kustomize --enable-alpha-plugins with a `container:` function
#     (examples/flux-kubectl-kustomize-container) renders what the legacy plugin renders;
#  7. kpt fn doc --image shows the function's --help;
#  8. scripts/release.sh index builds linux/amd64 and linux/arm64 images (BuildKit, cross-compiled
#     in the build stage) and pushes them and their two-platform index to a local registry
#     (Debian's docker-registry); each platform's image, pulled through the index, gives the bare
#     binary's output (the arm64 binary under qemu-aarch64-static).
set -euo pipefail
# shellcheck source=tests/e2e/lib/common.bash
source "$(dirname "$0")/lib/common.bash"
[[ -z ${ANI_E2E_IN_STATIC:-} ]] || { echo "$E2E_NAME: runs once, as its own ctest test (nested run skipped)"; exit 0; }
test_start=$SECONDS

scripts/deps.sh image || fail "the container engine packages are missing (scripts/deps.sh image says what to install)"
require_tool kpt "kpt fn eval --image, kpt fn render, kpt fn doc"
require_tool kubectl "kubectl kustomize with a container function"
[[ -f $ANI_BUILD_DIR/release.env ]] || fail "no $ANI_BUILD_DIR/release.env: configure the build first"
# shellcheck source=/dev/null
. "$ANI_BUILD_DIR/release.env"
CACHE=$ANI_BUILD_DIR/container
mkdir -p "$CACHE"

# One daemon of this test at a time on the machine (several worktrees may run it).
exec 8>"${TMPDIR:-/tmp}/allow-namespace-ingress-container.lock"
flock -w 1800 8 || fail "another run of this test held the engine lock for 30 minutes"

DOCKERD_PIDFILE=$CACHE/dockerd.pid
own_dockerd=0
stop_dockerd() { # stops the dockerd whose PID is in the PID file, if it still runs
	local pid
	pid=$(cat "$DOCKERD_PIDFILE" 2>/dev/null) || return 0
	if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]]; then
		kill -TERM "$pid"
		for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	fi
	rm -f "$DOCKERD_PIDFILE"
}
registry_pid=
trap '[[ -z $registry_pid ]] || kill "$registry_pid" 2>/dev/null; [[ $own_dockerd == 0 ]] || stop_dockerd; cleanup_tmp' EXIT
trap 'exit 130' INT TERM

step "a container engine: one that answers already, else dockerd started here"
start=$SECONDS
if docker info >/dev/null 2>&1; then
	ok "using the running engine ($(docker info -f '{{.ServerVersion}}'))"
else
	command -v dockerd >/dev/null || fail "dockerd is not installed and no engine answers (scripts/deps.sh image)"
	stop_dockerd # left by a run that was killed: it would hold the data directory
	own_dockerd=1
	export DOCKER_HOST=unix://$TMP/docker.sock
	setsid dockerd --host "$DOCKER_HOST" --exec-root "$TMP/exec" --data-root "$CACHE/docker" \
		--pidfile "$TMP/dockerd.pid" >"$TMP/dockerd.log" 2>&1 &
	echo $! >"$DOCKERD_PIDFILE"
	for _ in $(seq 60); do
		docker info >/dev/null 2>&1 && break
		kill -0 "$(cat "$DOCKERD_PIDFILE")" 2>/dev/null || break
		sleep 0.5
	done
	if ! docker info >/dev/null 2>&1; then
		tail -20 "$TMP/dockerd.log" | sed 's/^/    dockerd: /' >&2
		fail "the container engine did not start (dockerd's log above): this test needs it and does not skip"
	fi
	ok "dockerd $(docker info -f '{{.ServerVersion}}') started here (PID $(cat "$DOCKERD_PIDFILE"), storage $(docker info -f '{{.Driver}}')) in $((SECONDS - start)) s"
fi

BASE=docker.io/library/debian:12
step "the base image $BASE: present, pulled, or made with debootstrap"
start=$SECONDS
if docker image inspect "$BASE" >/dev/null 2>&1; then
	ok "present"
elif timeout 120 docker pull -q "$BASE" >"$TMP/pull.log" 2>&1; then
	ok "pulled"
else
	note "no registry: $(tail -1 "$TMP/pull.log")"
	rootfs_tar=$CACHE/debian-12-rootfs.tar.gz
	if [[ ! -s $rootfs_tar ]]; then
		sources=/etc/apt/sources.list.d/debian.sources
		mirror=$(awk '/^URIs:/ {print $2; exit}' "$sources" 2>/dev/null || true)
		[[ -n $mirror ]] || mirror=http://deb.debian.org/debian
		note "debootstrap --variant=minbase bookworm from $mirror"
		debootstrap --variant=minbase bookworm "$TMP/rootfs" "$mirror" >"$TMP/debootstrap.log" 2>&1 ||
			{ tail -20 "$TMP/debootstrap.log" >&2; fail "debootstrap failed (above)"; }
		rm -rf "$TMP"/rootfs/var/lib/apt/lists/* "$TMP"/rootfs/var/cache/apt/archives/*.deb
		# The image's apt reaches what the host's reaches (bookworm, -updates, -security).
		if [[ -f $sources ]]; then
			rm -f "$TMP/rootfs/etc/apt/sources.list"
			cp "$sources" "$TMP/rootfs/etc/apt/sources.list.d/"
		else
			cp /etc/apt/sources.list "$TMP/rootfs/etc/apt/sources.list"
		fi
		tar -C "$TMP/rootfs" -c . | gzip -1 >"$rootfs_tar.part"
		mv "$rootfs_tar.part" "$rootfs_tar"
		rm -rf "$TMP/rootfs"
	fi
	docker import -c 'CMD ["bash"]' "$rootfs_tar" "$BASE" >/dev/null
	ok "imported from $rootfs_tar ($(du -h "$rootfs_tar" | cut -f1)) in $((SECONDS - start)) s"
fi

IMAGE=$ANI_IMAGE
step "build as a user does: scripts/release.sh image (docker build -t $IMAGE ... -f Containerfile .)"
start=$SECONDS
ANI_BUILD_DIR=$ANI_BUILD_DIR scripts/release.sh image >"$TMP/build.log" 2>&1 || { tail -30 "$TMP/build.log" >&2; fail "the image build failed (above)"; }
head -1 "$TMP/build.log" | sed 's/^/    /'
ok "built in $((SECONDS - start)) s"

step "the image: FROM scratch with only the binary, /etc/passwd and /etc/group; user 65534:65534; under 2 MB"
inspect() { docker image inspect -f "$1" "$IMAGE"; }
size=$(inspect '{{.Size}}')
[[ $size -lt $((2 * 1024 * 1024)) ]] || fail "the image is $size bytes, not under 2 MB"
[[ $(inspect '{{.Config.User}}') == 65534:65534 ]] || fail "the image runs as '$(inspect '{{.Config.User}}')', not 65534:65534"
[[ $(inspect '{{json .Config.Entrypoint}}') == '["/allow-namespace-ingress"]' ]] || fail "the entrypoint is $(inspect '{{json .Config.Entrypoint}}')"
mkdir -p "$TMP/saved"
docker save "$IMAGE" | tar -C "$TMP/saved" -x
find "$TMP/saved" -name layer.tar -exec tar -tf {} \; | sort >"$TMP/files"
printf '%s\n' allow-namespace-ingress etc/ etc/group etc/passwd >"$TMP/files.want"
expect_same "$TMP/files.want" "$TMP/files" "the image's layers hold other files than the binary and /etc/passwd, /etc/group"
ok "$size bytes; files: $(tr '\n' ' ' <"$TMP/files")"

step "the OCI labels agree with the CMake version, --version, git and LICENSE"
label() { inspect "{{index .Config.Labels \"org.opencontainers.image.$1\"}}"; }
[[ $(label version) == "$ANI_VERSION" ]] || fail "label version '$(label version)' is not the CMake version $ANI_VERSION"
[[ $(docker run --rm --network none --user nobody "$IMAGE" --version) == "allow-namespace-ingress $(label version)" ]] ||
	fail "the image's --version does not match its version label"
[[ $(label revision) == "$(git rev-parse HEAD)"* ]] || fail "label revision '$(label revision)' is not HEAD"
[[ $(label source) == "$ANI_SOURCE_URL" ]] || fail "label source '$(label source)'"
[[ $(label licenses) == Apache-2.0 ]] && head -3 LICENSE | grep -q 'Apache License' || fail "label licenses '$(label licenses)' or LICENSE"
ok "version $(label version), revision $(label revision), source $(label source), licenses $(label licenses)"

step "docker run --rm -i --network none --user nobody IMAGE on every captured input = the bare binary (stdout, stderr, exit)"
start=$SECONDS
in_image=(docker run --rm -i --network none --user nobody --security-opt=no-new-privileges)
compare_runs() { # NAME: compares $TMP/bare.* with $TMP/image.*
	expect_same "$TMP/bare.out" "$TMP/image.out" "$1: stdout differs"
	expect_same "$TMP/bare.err" "$TMP/image.err" "$1: stderr differs"
	[[ $(cat "$TMP/bare.exit") == "$(cat "$TMP/image.exit")" ]] || fail "$1: exit $(cat "$TMP/image.exit") in the image, $(cat "$TMP/bare.exit") bare"
}
n=0
for f in tests/fixtures/krm/*.yaml tests/fixtures/kpt/*.yaml; do
	"${in_image[@]}" "$IMAGE" <"$f" >"$TMP/image.out" 2>"$TMP/image.err" && echo 0 >"$TMP/image.exit" || echo $? >"$TMP/image.exit"
	"$ANI_BIN" <"$f" >"$TMP/bare.out" 2>"$TMP/bare.err" && echo 0 >"$TMP/bare.exit" || echo $? >"$TMP/bare.exit"
	compare_runs "$f"
	n=$((n + 1))
done
# The legacy-plugin protocol passes a file: mounted read-only, named by the same relative path.
plugin_args=(legacy-plugin/flux-octopilot.config.yaml)
"${in_image[@]}" -v "$PWD/tests/fixtures/legacy-plugin:/legacy-plugin:ro" -w / "$IMAGE" "${plugin_args[@]}" \
	<tests/fixtures/legacy-plugin/flux-octopilot.stdin.yaml >"$TMP/image.out" 2>"$TMP/image.err" && echo 0 >"$TMP/image.exit" || echo $? >"$TMP/image.exit"
(cd tests/fixtures && "$ANI_BIN" "${plugin_args[@]}") <tests/fixtures/legacy-plugin/flux-octopilot.stdin.yaml \
	>"$TMP/bare.out" 2>"$TMP/bare.err" && echo 0 >"$TMP/bare.exit" || echo $? >"$TMP/bare.exit"
compare_runs "legacy-plugin"
n=$((n + 1))
ok "$n captured inputs: identical, $(((SECONDS - start) * 1000 / n)) ms a run of both"

PKG=examples/kpt-package
mkdir -p "$TMP/bin"
ln -s "$ANI_BIN" "$TMP/bin/allow-namespace-ingress"
# same_changes NAME EXEC_CMD... :: IMAGE_CMD...: each runs on its own copy of the package (the
# word DIR stands for it); the two copies must end up identical, and changed.
same_changes() {
	local name=$1 dir cmd=() which=exec
	shift
	for dir in "$TMP/$name.exec" "$TMP/$name.image"; do cp -r "$PKG" "$dir"; done
	while [[ $# -gt 0 ]]; do
		if [[ $1 == :: ]]; then
			run_in "$TMP/$name.$which" "${cmd[@]}"
			cmd=() which=image
		else
			cmd+=("$1")
		fi
		shift
	done
	run_in "$TMP/$name.$which" "${cmd[@]}"
	! diff -r "$PKG" "$TMP/$name.exec" >/dev/null || fail "$name: --exec changed nothing"
	diff -ru "$TMP/$name.exec" "$TMP/$name.image" || fail "$name: the image made other changes than --exec (above)"
}
run_in() { # DIR CMD...: CMD with DIR for the word DIR
	local dir=$1 args=() a
	shift
	for a in "$@"; do args+=("${a//DIR/$dir}"); done
	"${args[@]}" >"$TMP/kpt.log" 2>&1 || { cat "$TMP/kpt.log" >&2; fail "failed: ${args[*]}"; }
}

step "kpt fn eval --image $IMAGE makes exactly the changes --exec makes (key=value, then --fn-config)"
same_changes eval-args kpt fn eval DIR --exec "$ANI_BIN" -- fromNamespaces=octopilot-system \
	:: kpt fn eval DIR --image "$IMAGE" -- fromNamespaces=octopilot-system
same_changes eval-config kpt fn eval DIR --exec "$ANI_BIN" --fn-config DIR/allow-namespace-ingress.yaml \
	:: kpt fn eval DIR --image "$IMAGE" --fn-config DIR/allow-namespace-ingress.yaml
ok "the same files, the same bytes"

step "kpt fn render with a Kptfile 'image: $IMAGE' makes exactly the changes the 'exec:' Kptfile makes"
grep -q '^    - exec: allow-namespace-ingress$' "$PKG/Kptfile" || fail "$PKG/Kptfile has no '- exec: allow-namespace-ingress' mutator"
cp -r "$PKG" "$TMP/render.exec"
run_in "$TMP/render.exec" env PATH="$TMP/bin:$PATH" kpt fn render DIR --allow-exec
cp -r "$PKG" "$TMP/render.image"
sed -i "s|^    - exec: allow-namespace-ingress\$|    - image: $IMAGE|" "$TMP/render.image/Kptfile"
cp "$TMP/render.image/Kptfile" "$TMP/Kptfile.image"
run_in "$TMP/render.image" kpt fn render DIR
expect_same "$TMP/Kptfile.image" "$TMP/render.image/Kptfile" "kpt fn render changed the Kptfile"
cp "$PKG/Kptfile" "$TMP/render.image/Kptfile"
! diff -r "$PKG" "$TMP/render.exec" >/dev/null || fail "render with exec changed nothing"
diff -ru "$TMP/render.exec" "$TMP/render.image" || fail "render with the image made other changes (above)"
ok "the same files, the same bytes"

step "kubectl kustomize --enable-alpha-plugins with a container: function renders what the legacy plugin renders"
plugin_home "$TMP/plugins" >/dev/null
KUSTOMIZE_PLUGIN_HOME=$TMP/plugins kubectl kustomize --enable-alpha-plugins examples/flux-kubectl-kustomize >"$TMP/legacy.yaml" ||
	fail "the legacy-plugin render failed"
grep -q "image: $IMAGE\$" examples/flux-kubectl-kustomize-container/allow-namespace-ingress.yaml ||
	fail "examples/flux-kubectl-kustomize-container does not name $IMAGE"
kubectl kustomize --enable-alpha-plugins examples/flux-kubectl-kustomize-container >"$TMP/container.yaml" 2>"$TMP/container.err" ||
	{ cat "$TMP/container.err" >&2; fail "kubectl kustomize with the container function failed"; }
expect_same "$TMP/legacy.yaml" "$TMP/container.yaml" "the container function's render differs from the legacy plugin's"
ok "identical renders ($(grep -c '^kind: ' "$TMP/container.yaml") resources)"

step "kpt fn doc --image $IMAGE shows the function's --help (kpt runs: docker run --rm IMAGE --help)"
kpt fn doc --image "$IMAGE" >"$TMP/doc.txt" 2>"$TMP/doc.err" || { cat "$TMP/doc.err" >&2; fail "kpt fn doc failed"; }
{ "$ANI_BIN" --help && echo; } >"$TMP/help.txt" # kpt adds an empty line
expect_same "$TMP/help.txt" "$TMP/doc.txt" "kpt fn doc does not show --help"
grep -q '^Usage: allow-namespace-ingress ' "$TMP/doc.txt" || fail "kpt fn doc shows no usage line"
ok "$(head -1 "$TMP/doc.txt")"

step "two-platform index: scripts/release.sh index to a local registry (Debian's docker-registry), with BuildKit (Debian's docker client)"
start=$SECONDS
command -v docker-registry >/dev/null || fail "docker-registry is not installed (scripts/deps.sh image)"
command -v qemu-aarch64-static >/dev/null || fail "qemu-user-static is not installed (scripts/deps.sh arm64)"
# /usr/local/bin/docker, where present, is a client without buildx: BuildKit needs Debian's.
buildkit_docker=/usr/bin/docker
[[ -x $buildkit_docker ]] || fail "no $buildkit_docker (Debian's docker.io client, with BuildKit built in)"
REGISTRY=127.0.0.1:35000
printf 'version: 0.1\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: %s}\n' "$TMP/registry" "$REGISTRY" >"$TMP/registry.yml"
setsid docker-registry serve "$TMP/registry.yml" >"$TMP/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 40); do (exec 3<>"/dev/tcp/${REGISTRY/://}") 2>/dev/null && break; sleep 0.25; done
(exec 3<>"/dev/tcp/${REGISTRY/://}") 2>/dev/null || { cat "$TMP/registry.log" >&2; fail "the local registry did not start"; }
INDEX=$REGISTRY/octopilot/allow-namespace-ingress:$ANI_VERSION
ANI_ENGINE=$buildkit_docker ANI_PUSH_REGISTRY=$REGISTRY/octopilot ANI_REGISTRY_INSECURE=1 scripts/release.sh index \
	>"$TMP/index.log" 2>&1 || { tail -30 "$TMP/index.log" >&2; fail "scripts/release.sh index failed (above)"; }
DOCKER_CLI_EXPERIMENTAL=enabled "$buildkit_docker" manifest inspect --insecure "$INDEX" >"$TMP/index.json" ||
	fail "no index at $INDEX"
platforms=$(python3 -c 'import json, sys
m = json.load(open(sys.argv[1]))
print(m["mediaType"], *sorted(p["platform"]["os"] + "/" + p["platform"]["architecture"] for p in m["manifests"]))' "$TMP/index.json")
[[ $platforms == "application/vnd.docker.distribution.manifest.list.v2+json linux/amd64 linux/arm64" ]] ||
	{ cat "$TMP/index.json" >&2; fail "the index is not a list of linux/amd64 and linux/arm64 (got: $platforms)"; }
ok "$INDEX: $platforms ($((SECONDS - start)) s)"
f=tests/fixtures/krm/flux-octopilot.typed-config.yaml
"$ANI_BIN" <"$f" >"$TMP/bare.out"
for arch in amd64 arm64; do
	docker pull -q --platform "linux/$arch" "$INDEX" >/dev/null || fail "docker pull --platform linux/$arch $INDEX failed"
	[[ $(docker image inspect -f '{{.Os}}/{{.Architecture}}' "$INDEX") == "linux/$arch" ]] || fail "pulled $INDEX for linux/$arch, got another platform"
	cid=$(docker create --platform "linux/$arch" "$INDEX")
	docker cp "$cid:/allow-namespace-ingress" "$TMP/from-index-$arch" >/dev/null
	docker rm "$cid" >/dev/null
	if [[ $arch == arm64 ]]; then
		file "$TMP/from-index-$arch" | grep -q 'ARM aarch64, .*statically linked' || fail "the arm64 image's binary: $(file "$TMP/from-index-$arch")"
		qemu-aarch64-static "$TMP/from-index-$arch" <"$f" >"$TMP/index.out" || fail "the arm64 image's binary failed under qemu"
	else
		"${in_image[@]}" "$INDEX" <"$f" >"$TMP/index.out" || fail "the amd64 image from the index failed"
	fi
	expect_same "$TMP/bare.out" "$TMP/index.out" "linux/$arch from the index: another output than the bare binary"
	ok "linux/$arch through the index: the bare binary's output on $f"
done
docker tag "$INDEX-amd64" "$IMAGE" # the local name is the amd64 image again

echo "$E2E_NAME: PASS ($((SECONDS - test_start)) s)"
