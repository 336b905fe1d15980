# Sourced by the install-*.sh scripts. `take_build_lock BIN CHECK...`: one
# build per binary at a time. Another install under way (CI starts the builds
# in the background while the tests begin) holds the lock on "$BIN.lock":
# wait for it, and when the binary it built answers CHECK, print its path
# and end the calling script. The lock is held until the caller exits.
take_build_lock() {
  local bin="$1"
  shift
  mkdir -p "$(dirname "$bin")"
  exec 9>"$bin.lock"
  flock 9
  if [ -x "$bin" ] && "$bin" "$@" >/dev/null 2>&1; then
    echo "$bin"
    exit 0
  fi
}
