# Shared by the scripts: paths, Go on PATH, and an incremental build.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$ROOT/build"
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  export PATH="/usr/local/go/bin:$PATH"
fi

# Configures (once) and builds everything with Ninja; quiet unless it fails.
build_all() {
  if [[ ! -f "$BUILD/build.ninja" ]]; then
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  ninja -C "$BUILD" -j "$(nproc)" | grep -Ev '^\[[0-9]+/[0-9]+\] ' || true
  [[ ${PIPESTATUS[0]} -eq 0 ]]
}
