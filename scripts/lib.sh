# Shared by the scripts: paths, Go on PATH, and an incremental build.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$ROOT/build"
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  export PATH="/usr/local/go/bin:$PATH"
fi

# Configures (once) and builds everything with Ninja; quiet unless it fails.
build_all() {
  if [[ ! -f "$BUILD/build.ninja" ]]; then
    mkdir -p "$BUILD"
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  ensure_searchable "$BUILD"
  echo "build: ninja -C $BUILD (log in $BUILD/ninja.log)"
  if ! ninja -C "$BUILD" -j "$(nproc)" >"$BUILD/ninja.log" 2>&1; then
    grep -E -A12 'FAILED|error' "$BUILD/ninja.log" | head -80
    echo "build: failed; see $BUILD/ninja.log" >&2
    return 1
  fi
}

# The sandbox's unprivileged ids read test binaries and fixtures from the
# build tree through bind mounts, so every directory above it must be
# searchable by others (o+x: traversal only, no listing).
ensure_searchable() {
  local dir
  dir=$(cd "$1" && pwd)
  while [[ $dir != / ]]; do
    if ! [[ $(stat -c %a "$dir") =~ [1357]$ ]]; then
      echo "setup: making $dir searchable by others (o+x) so the sandbox can reach the build tree"
      chmod o+x "$dir"
    fi
    dir=$(dirname "$dir")
  done
}

# Makes DEST (created, mode 0755) a data dir that shares the toolchain prepared
# in SRC (`gograder toolchain prepare`): its caches, allowlist and tools are
# hard-linked (copied across filesystems), nothing else. The sandbox's slot
# uids traverse the data dir, hence 0755.
link_prepared_toolchain() {
  local src=$1 dest=$2 entry
  mkdir -p "$dest"
  chmod 0755 "$dest"
  for entry in gomodcache gocache allowlist tools toolchain.stamp; do
    [[ -e "$src/$entry" ]] || continue
    cp -al "$src/$entry" "$dest/" 2>/dev/null || cp -a "$src/$entry" "$dest/"
  done
}
