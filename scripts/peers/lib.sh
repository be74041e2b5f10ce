# Shared by the daemon peers (keycloak.sh, minio.sh, trino.sh, openfga.sh, jaeger.sh, nats.sh, kafka.sh): logging, argument checks, one lock per
# server directory, Java discovery (find_jdk), reusing a running server, starting checks and stopping. Source it after setting PEER (the name
# in log lines and lock files); the sourcing script's header lines 4-6 are its usage text.
# shellcheck shell=bash

: "${PEER:?set PEER before sourcing lib.sh}"

log() { printf '[%s] %s\n' "$PEER" "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

check_port() {
  [[ "$1" =~ ^[0-9]+$ ]] && (( $1 > 0 && $1 < 65536 )) || die "bad port: $1"
}

abs_dir() {
  [[ -n "$1" ]] || usage
  [[ -d "$1" ]] || die "no directory $1"
  (cd "$1" && pwd -P)
}

lock_dir() { # DIR: serialise concurrent calls on one server (fd 9)
  exec 9>"$1/.$PEER.sh.lock"
  flock 9
}

java_major() { # JAVA_HOME -> major version, or nothing
  [[ -x "$1/bin/java" ]] || return 0
  "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n1
}

# A JDK of at least MIN_MAJOR for this peer, printed as its JAVA_HOME. $OVERRIDE_VAR, when set, is taken (and must be
# MIN_MAJOR+); otherwise the places named in ORDER are tried in turn: temurin-25 (a Temurin 25 under /usr/lib/jvm),
# newest (the newest MIN_MAJOR+ JDK under /usr/lib/jvm), java-home ($JAVA_HOME). None: dies, naming what it tried.
find_jdk() { # OVERRIDE_VAR MIN_MAJOR ORDER...
  local override="$1" min="$2" place dir major best best_major
  shift 2
  if [[ -n "${!override:-}" ]]; then
    major="$(java_major "${!override}")"
    [[ -n "$major" ]] && (( major >= min )) || die "$override=${!override} is not a JDK $min+"
    echo "${!override}"
    return
  fi
  for place in "$@"; do
    case "$place" in
      temurin-25)
        for dir in /usr/lib/jvm/temurin-25-jdk-*; do
          major="$(java_major "$dir")"
          if [[ -n "$major" ]] && (( major >= min )); then echo "$dir"; return; fi
        done
        ;;
      newest)
        best="" best_major=0
        for dir in /usr/lib/jvm/*/; do
          dir="${dir%/}"
          [[ -L "$dir" ]] && continue
          major="$(java_major "$dir")"
          if [[ -n "$major" ]] && (( major >= min && major > best_major )); then best="$dir"; best_major=$major; fi
        done
        if [[ -n "$best" ]]; then echo "$best"; return; fi
        ;;
      java-home)
        [[ -n "${JAVA_HOME:-}" ]] || continue
        major="$(java_major "$JAVA_HOME")"
        if [[ -n "$major" ]] && (( major >= min )); then echo "$JAVA_HOME"; return; fi
        ;;
      *) die "find_jdk: unknown place $place" ;;
    esac
  done
  die "$PEER needs a JDK $min+ and none was found (tried: $*; set $override)"
}

# The pid recorded in PIDFILE when that process is alive and its command line contains MARK (a recycled pid is not it).
live_pid() { # PIDFILE MARK
  local pid cmdline
  pid="$(cat "$1" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  # (Read into a variable: `tr | grep -q` under pipefail fails at random when grep exits before tr has written all.)
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cmdline" == *"$2"* ]] || return 0
  echo "$pid"
}

# TERM, then KILL after TIMEOUT; with "group", the whole process group PID leads (a server started with setsid).
stop_pid() { # PID [TIMEOUT_SECONDS] [group]
  local pid="$1" timeout="${2:-30}" target="$1" i
  [[ "${3:-}" == group ]] && target="-$1"
  kill -TERM -- "$target" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < timeout * 5; i++)); do
    kill -0 -- "$target" 2>/dev/null || return 0
    sleep 0.2
  done
  log "pid $pid ignored SIGTERM for ${timeout}s: SIGKILL"
  kill -KILL -- "$target" 2>/dev/null || true
  sleep 0.5
}

# Fail when the server (or any process of its group) listens anywhere but loopback (needs ss; skipped without it).
check_loopback_only() { # PID
  local pid="$1" p addr line listeners count=0 bad=""
  command -v ss >/dev/null 2>&1 || { log "ss not found: cannot check listening addresses"; return 0; }
  listeners="$(ss -Hltnup 2>/dev/null || true)"
  for p in $pid $(pgrep -g "$pid" 2>/dev/null || true); do
    while IFS= read -r line; do
      [[ -n "$line" ]] || continue
      count=$((count + 1))
      addr="$(awk '{print $5}' <<<"$line")"
      case "$addr" in
        127.*:* | \[::ffff:127.*\]:* | \[::1\]:*) ;;
        *) bad+="$addr " ;;
      esac
    done < <(grep -F "pid=$p," <<<"$listeners" || true)
  done
  [[ -z "$bad" ]] || { log "error: listening on non-loopback addresses: $bad"; return 1; }
  log "listening on loopback only ($count sockets)"
}

# Polls READY_COMMAND until it succeeds (0), the server exits (dies with its log's tail) or TIMEOUT passes (1, log tail shown).
wait_ready() { # PID LOGFILE TIMEOUT_SECONDS READY_COMMAND...
  local pid="$1" logfile="$2" timeout="$3" i
  shift 3
  for ((i = 0; i < timeout * 4; i++)); do
    "$@" && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$logfile" >&2 || true
      die "server exited (log: $logfile)"
    fi
    sleep 0.25
  done
  tail -n 40 "$logfile" >&2 || true
  return 1
}

# The first step of every `start`, DIR locked: when DIR's server (the sourcing script's running_pid DIR) runs with the
# STATE recorded in STATE_FILE (its ports) and READY_COMMAND succeeds, logs, prints URL and returns 0: the caller is
# done. Otherwise stops a server of DIR that runs with other ports, and returns 1: the caller starts one.
reuse_running() { # DIR STATE_FILE STATE URL READY_COMMAND...
  local dir="$1" file="$2" state="$3" url="$4" pid recorded
  shift 4
  pid="$(running_pid "$dir")"
  [[ -n "$pid" ]] || return 1
  recorded="$(cat "$file" 2>/dev/null || true)"
  if [[ "$recorded" == "$state" ]] && "$@"; then
    log "already running (pid $pid)"
    echo "$url"
    return 0
  fi
  log "running (pid $pid) on ports ${recorded:-unknown}; restarting on $state"
  stop_pid "$pid"
  return 1
}

# The end of every `start`: once READY_COMMAND succeeds, refuses a server that listens beyond loopback, logs and
# prints URL (what the caller reads); when it is not ready within TIMEOUT, stops it and dies with its log's name.
ready_or_die() { # PID LOGFILE TIMEOUT_SECONDS URL READY_COMMAND...
  local pid="$1" logfile="$2" timeout="$3" url="$4"
  shift 4
  if wait_ready "$pid" "$logfile" "$timeout" "$@"; then
    check_loopback_only "$pid" || { stop_pid "$pid"; die "refusing a server that listens beyond loopback"; }
    log "ready (pid $pid)"
    echo "$url"
    return 0
  fi
  stop_pid "$pid"
  die "$PEER not ready at $url after ${timeout}s (log: $logfile)"
}

# The `stop DIR` command: stops the server RUNNING_PID_FN finds for DIR, then removes the given files of DIR.
stop_server() { # DIR RUNNING_PID_FN STOP_MODE(pid|group) FILE...
  local dir pid finder="$2" mode="$3"
  [[ -n "$1" ]] || usage
  [[ -d "$1" ]] || { log "no directory $1: nothing to stop"; return 0; }
  dir="$(abs_dir "$1")"
  shift 3
  lock_dir "$dir"
  pid="$("$finder" "$dir")"
  if [[ -n "$pid" ]]; then
    log "stopping pid $pid"
    stop_pid "$pid" 30 "$([[ "$mode" == group ]] && echo group)"
  else
    log "not running ($dir)"
  fi
  local f
  for f in "$@"; do rm -f "$dir/$f"; done
}

maven_lib() { # POM HOME LIB WHAT [PREPARE_FN]: the pom's runtime jars (`mvn dependency:copy-dependencies`, local repo
  # ~/.m2) copied into LIB once per pom (sha256 stamp in HOME), one copy at a time (flock on fd 8); PREPARE_FN, when
  # given, is called with the fresh copy's directory before it takes LIB's place. WHAT names the jars in the log.
  local pom="$1" home="$2" lib="$3" what="$4" prepare="${5:-}" sha stamp tmp
  [[ -f "$pom" ]] || die "missing $pom"
  sha="$(sha256sum "$pom" | cut -d' ' -f1)"
  stamp="$home/.stamp-pom-$sha"
  [[ -f "$stamp" && -d "$lib" ]] && return 0
  mkdir -p "$home"
  exec 8>"$home/.lib.lock"
  flock 8
  if [[ ! -f "$stamp" || ! -d "$lib" ]]; then
    command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH (needed to fetch $what from Maven Central)"
    log "copying $what into $lib (first run downloads from Maven Central)"
    tmp="$(mktemp -d "$home/lib.tmp.XXXXXX")"
    # (Debian's mvn prints stray ESC[0m even in batch mode; strip it. pipefail keeps mvn's status.)
    if ! mvn -q -B -Dstyle.color=never dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$tmp" -f "$pom" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2; then
      rm -rf "$tmp"
      die "mvn dependency:copy-dependencies failed"
    fi
    [[ -z "$prepare" ]] || "$prepare" "$tmp"
    chmod 755 "$tmp"
    rm -rf "$lib"
    mv "$tmp" "$lib"
    rm -f "$home"/.stamp-pom-*
    echo "$sha" >"$stamp"
    log "done: $(find "$lib" -name '*.jar' | wc -l) jars, $(du -sh "$lib" | cut -f1)"
  fi
  exec 8>&-
}

# Before a Go build of BIN: go must be installed; takes PEER_HOME's build lock (fd 8: one build at a time per version;
# the caller closes it again before anything starts a daemon). Whoever held the lock may have built BIN meanwhile.
go_build_lock() {
  command -v go >/dev/null 2>&1 || die "go is not installed (needed to build $PEER)"
  mkdir -p "$PEER_HOME"
  exec 8>"$PEER_HOME/.build.lock"
  flock 8
}

# The environment of every Go peer build (go_build_bin, jaeger.sh), for the cold CI budget (issue 51). Measured on
# NATS 2.15.2 from a warm module cache, 2026-11-28 (CPU seconds, user + sys; the machine shared, so wall times vary):
#   - one build cache for every Go peer (GOCACHE is safe for concurrent use): the standard library and the modules
#     peers share are compiled once, not once per peer. With the standard library already in the cache, the build
#     took 24.6 CPU-s instead of 58.8;
#   - GOGC=400 for the compiler (it collects garbage less often): 58.8 CPU-s instead of 68.6 (peak RSS 1.6 GB instead
#     of 1.2; GOGC=off saved 18% but took 2.5 GB). A caller's own GOGC wins.
#   - no debug information (2026-11-29): `-gcflags=all=-dwarf=false` (the compiler writes no DWARF), `-ldflags=-s`
#     (no symbol table; since Go 1.22 it implies -w) and `-trimpath`: a cold NATS build from an empty build cache took
#     48.7 CPU-s instead of 58.0 (-16%), the binary 17 MB instead of 24. The peers are test servers that nobody debugs
#     with a debugger; their code is compiled with the same optimizations. Only cold builds change: a cached binary is
#     reused as it is.
#   - no `nice` (2026-11-29): on a cold run the Go builds are the critical path, while the unit runs beside them are
#     not. A cold MinIO compile beside the unit project (2 workers) took 212 s wall at normal priority and 324 s under
#     `nice`, which left it almost nothing until the units ended (they took 365 s and 340 s: 7% more beside it).
#     MinIO's compile alone: 123 s wall, 228 CPU-s (281 CPU-s with debug information); its download 12 s.
go_env() { # fills the array GO_ENV with NAME=VALUE words for env
  GO_ENV=(CGO_ENABLED=0 GOMODCACHE="$PEER_HOME/gomodcache"
    GOCACHE="${CACHE_ROOT:-${LAKEGATE_CACHE:-$HOME/.cache/lakegate}}/go-build-cache" GOGC="${GOGC:-400}"
    GOFLAGS="${GOFLAGS:-} -modcacherw -trimpath -gcflags=all=-dwarf=false -ldflags=-s" GO111MODULE=on)
}

# Builds BIN (a path) from a Go package at a version with `go install`, once: cached under PEER_HOME with its own
# module cache (the build cache is shared: go_env), one build at a time per version (go_build_lock).
go_build_bin() { # PACKAGE@VERSION [ENV=VALUE ...]
  local package="$1"; shift
  [[ -x "$BIN" ]] && return 0
  go_build_lock
  if [[ ! -x "$BIN" ]]; then
    local tmp started name
    name="$(basename "${package%@*}")"
    # go install names a module's /vN major-version suffix after the path element before it (nats-server/v2 -> nats-server)
    [[ "$name" =~ ^v[0-9]+$ ]] && name="$(basename "$(dirname "${package%@*}")")"
    tmp="$(mktemp -d "$PEER_HOME/bin.tmp.XXXXXX")"
    started=$SECONDS
    log "building $package (cold: a few minutes)"
    go_env
    if ! (cd "$PEER_HOME" && env "${GO_ENV[@]}" GOBIN="$tmp" "$@" go install "$package" >&2); then
      rm -rf "$tmp"
      die "go install $package failed"
    fi
    mkdir -p "$(dirname "$BIN")"
    mv -f "$tmp/$name" "$BIN"
    rm -rf "$tmp"
    echo "$((SECONDS - started))" >"$PEER_HOME/build-seconds"
    log "built $BIN in $((SECONDS - started))s"
  fi
  exec 8>&-
}
