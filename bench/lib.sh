# Shared by the bench scripts, sourced from the project's root (where they cd).
#
# SHARED is the team's shared folder, ../shared beside the project's root (from a
# git worktree: beside its main checkout). LOADGEN_SRC is the common load generator
# in it. PEERS_WORK (default ~/.cache/fogbank-peers) holds the peers' sources and
# binaries; KUMO_BIN is kumo's, built by bench/kumo-build.sh when missing.
shared_dir() {
  local d
  for d in ../shared "$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null)/../../shared"; do
    if [ -d "$d" ]; then (cd "$d" && pwd); return; fi
  done
  echo ../shared
}
SHARED=${SHARED:-$(shared_dir)}
LOADGEN_SRC=${LOADGEN_SRC:-$SHARED/loadgen}
P=${PEERS_WORK:-$HOME/.cache/fogbank-peers}
KUMO_BIN=${KUMO_BIN:-$P/bin/kumo}
export PEERS_WORK=$P KUMO_BIN

# need_kumo builds kumo when "kumo" is one of $PEERS and its binary is missing.
need_kumo() {
  case " $PEERS " in
    *" kumo "*) [ -x "$KUMO_BIN" ] || bench/kumo-build.sh ;;
  esac
}

# wait_up NAME waits (up to 10 s) for the server just started on $port to answer
# HTTP, else says NAME did not start and fails.
wait_up() {
  for _ in $(seq 200); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
    sleep 0.05
  done
  echo "$1 did not start" >&2; return 1
}

# stopit ends the server started last ($pid) and moves $port on for the next.
stopit() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; port=$((port + 1)); }
