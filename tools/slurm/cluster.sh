#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, for tests: munged, MariaDB (for slurmdbd),
# slurmdbd, slurmctld and slurmd, all private to one state directory and bound to 127.0.0.1.
#
#   tools/slurm/cluster.sh start     # install what is missing, start, wait until the node is idle
#   tools/slurm/cluster.sh status    # daemons, node state, queue (exit 0 up, 3 down, 1 partial)
#   tools/slurm/cluster.sh env       # the line to eval: export SLURM_CONF=...
#   tools/slurm/cluster.sh stop      # cancel our jobs, stop every daemon this script started
#   tools/slurm/cluster.sh stop --purge   # ... and delete the state directory
#
# Then: eval "$(tools/slurm/cluster.sh env)"; sbatch ...; sacct ...
#
# Environment: PGSUBSPACE_SLURM_DIR (state directory, default ${TMPDIR:-/tmp}/pgsubspace-slurm),
# PGSUBSPACE_SLURM_PORT (first of four consecutive ports: slurmctld, slurmd, slurmdbd, MariaDB;
# default 16817, so a system Slurm on 6817-6819 is not disturbed).
#
# Why this configuration (it is what works in a container without systemd or cgroups):
# - proctrack/linuxproc and task/none: no cgroup plugins (cgroup v1/v2 are not writable here);
#   jobacct_gather/linux reads /proc, so sacct still reports MaxRSS per step.
# - slurmdbd on a private MariaDB: `sacct` needs accounting storage; accounting_storage/none
#   disables sacct, and jobcomp/filetxt (`sacct -c`) mangles array jobs in Slurm 22.05
#   ("Unknown type ArrayJobId", raw job ids instead of 12_3).
# - DefMemPerCPU = memory / CPUs: without it every job gets the whole node's memory and jobs run
#   one at a time, so a %N throttle or two-CPU sharing could never be observed.
# - munged gets its own key and socket (socket dir mode 755, key 600); slurm.conf and
#   slurmdbd.conf point at the socket (AuthInfo, AccountingStoragePass).
# - Daemons run as root (SlurmUser=root): slurmd must be root to start jobs as their users.
set -euo pipefail

DIR="${PGSUBSPACE_SLURM_DIR:-${TMPDIR:-/tmp}/pgsubspace-slurm}"
PORT="${PGSUBSPACE_SLURM_PORT:-16817}"
CTLD_PORT=$PORT
SLURMD_PORT=$((PORT + 1))
DBD_PORT=$((PORT + 2))
DB_PORT=$((PORT + 3))
NODE="$(hostname -s)"
CLUSTER=pgsubspace
CONF="$DIR/etc/slurm.conf"
DAEMONS=(slurmd slurmctld slurmdbd mariadbd munged) # stop order

die() {
  echo "cluster.sh: $*" >&2
  exit 1
}
log() { echo "cluster.sh: $*" >&2; }

pidfile() {
  case "$1" in
  munged) echo "$DIR/munge/munged.pid" ;;
  mariadbd) echo "$DIR/mysql/mysqld.pid" ;;
  slurmdbd) echo "$DIR/run/slurmdbd.pid" ;;
  slurmctld) echo "$DIR/run/slurmctld.pid" ;;
  slurmd) echo "$DIR/run/slurmd.pid" ;;
  esac
}

logfile() {
  case "$1" in
  munged) echo "$DIR/log/munged.log" ;;
  mariadbd) echo "$DIR/log/mariadbd.log" ;;
  *) echo "$DIR/log/$1.log" ;;
  esac
}

# The pid of a daemon this script started, if it is alive and still that program; else empty.
alive_pid() {
  local f pid
  f="$(pidfile "$1")"
  [[ -s "$f" ]] || return 0
  pid="$({ tr -dc '0-9' <"$f"; } 2>/dev/null || true)" # the daemon may remove it meanwhile
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 0
  if tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$1"; then echo "$pid"; fi
}

# Waits up to $2 seconds for command $1 (a string) to succeed.
wait_for() {
  local what="$1" seconds="$2" i
  for ((i = 0; i < seconds * 4; i++)); do
    if eval "$what" >/dev/null 2>&1; then return 0; fi
    sleep 0.25
  done
  return 1
}

fail_with_log() {
  local f
  f="$(logfile "$1")"
  echo "cluster.sh: $1 did not come up; last lines of $f:" >&2
  tail -n 15 "$f" >&2 2>/dev/null || true
  exit 1
}

install_missing() {
  local missing=()
  for c in munged mungekey slurmctld slurmd slurmdbd sbatch sacct sacctmgr mariadbd mariadb-install-db mariadb; do
    command -v "$c" >/dev/null 2>&1 || missing+=("$c")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  [[ "$(id -u)" -eq 0 ]] || die "missing ${missing[*]}; run as root to install Debian's slurm-wlm, slurmdbd, munge and mariadb-server"
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get to install them (Debian/Ubuntu packages slurm-wlm slurmdbd munge mariadb-server)"
  log "installing slurm-wlm slurmdbd munge mariadb-server (missing: ${missing[*]})"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    slurm-wlm slurmdbd munge mariadb-server mariadb-client >"$DIR/log/apt.log" 2>&1 ||
    { tail -n 20 "$DIR/log/apt.log" >&2; die "apt-get install failed (log: $DIR/log/apt.log)"; }
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

write_configs() {
  local node_line cpus mem
  # slurmd -C reports this machine's CPUs, topology and memory in slurm.conf syntax.
  node_line="$(slurmd -C | head -n 1)"
  cpus="$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$node_line")"
  mem="$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$node_line")"
  [[ -n "$cpus" && -n "$mem" ]] || die "cannot read CPUs/RealMemory from 'slurmd -C': $node_line"
  node_line="$(sed "s/^NodeName=[^ ]*/NodeName=$NODE NodeAddr=127.0.0.1/" <<<"$node_line")"
  cat >"$CONF.tmp" <<EOF
# Written by tools/slurm/cluster.sh: a single-node test cluster on 127.0.0.1.
ClusterName=$CLUSTER
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
AuthInfo=socket=$DIR/munge/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$(pidfile slurmctld)
SlurmdPidFile=$(pidfile slurmd)
SlurmctldLogFile=$(logfile slurmctld)
SlurmdLogFile=$(logfile slurmd)
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=5
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=$DBD_PORT
AccountingStoragePass=$DIR/munge/munge.socket
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$((mem / cpus))
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=300
MaxArraySize=10001
$node_line State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  mv "$CONF.tmp" "$CONF"
  cat >"$DIR/etc/slurmdbd.conf.tmp" <<EOF
# Written by tools/slurm/cluster.sh.
AuthType=auth/munge
AuthInfo=socket=$DIR/munge/munge.socket
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=$DBD_PORT
SlurmUser=root
PidFile=$(pidfile slurmdbd)
LogFile=$(logfile slurmdbd)
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DB_PORT
StorageUser=slurm
StoragePass=pgsubspace
StorageLoc=slurm_acct_db
EOF
  chmod 600 "$DIR/etc/slurmdbd.conf.tmp"
  mv "$DIR/etc/slurmdbd.conf.tmp" "$DIR/etc/slurmdbd.conf"
}

no_running_jobs() {
  [[ -z "$(SLURM_CONF="$CONF" squeue -h -t R,CG -o %A 2>/dev/null)" ]]
}

node_state() {
  SLURM_CONF="$CONF" sinfo -h -n "$NODE" -o %T 2>/dev/null | head -n 1
}

start() {
  [[ "$(id -u)" -eq 0 ]] || die "must run as root (slurmd starts jobs as their users; apt-get installs the packages)"
  mkdir -p "$DIR"/{etc,log,run,state,spool,mysql,munge/key}
  chmod 755 "$DIR" "$DIR/munge"
  chmod 700 "$DIR/munge/key"
  install_missing
  local up=0 d
  for d in "${DAEMONS[@]}"; do [[ -n "$(alive_pid "$d")" ]] && up=$((up + 1)); done
  if [[ $up -eq ${#DAEMONS[@]} ]] && [[ "$(node_state)" =~ ^(idle|mixed|allocated) ]]; then
    log "already running (state $DIR)"
    echo "export SLURM_CONF=$CONF"
    return 0
  fi
  if [[ $up -gt 0 ]]; then
    log "partially running ($up of ${#DAEMONS[@]} daemons): restarting"
    stop_daemons
  fi
  for p in "$CTLD_PORT" "$SLURMD_PORT" "$DBD_PORT" "$DB_PORT"; do
    port_free "$p" || die "port $p on 127.0.0.1 is in use; set PGSUBSPACE_SLURM_PORT to a free base port"
  done
  local t0=$SECONDS

  # munge: a private key and socket.
  [[ -s "$DIR/munge/key/munge.key" ]] || mungekey -c -k "$DIR/munge/key/munge.key"
  chmod 600 "$DIR/munge/key/munge.key"
  rm -f "$DIR/munge/munge.socket" "$DIR/munge/munge.socket.lock"
  munged --socket="$DIR/munge/munge.socket" --key-file="$DIR/munge/key/munge.key" \
    --pid-file="$(pidfile munged)" --log-file="$(logfile munged)" \
    --seed-file="$DIR/munge/munged.seed" --num-threads=4 ||
    fail_with_log munged
  wait_for "munge -n -S '$DIR/munge/munge.socket' | unmunge -S '$DIR/munge/munge.socket'" 20 ||
    fail_with_log munged

  # MariaDB for slurmdbd: a private data directory, TCP on 127.0.0.1 only.
  if [[ ! -d "$DIR/mysql/data/mysql" ]]; then
    mariadb-install-db --no-defaults --datadir="$DIR/mysql/data" --user=root \
      --auth-root-authentication-method=socket --skip-test-db >"$DIR/log/mariadb-install.log" 2>&1 ||
      { tail -n 15 "$DIR/log/mariadb-install.log" >&2; die "mariadb-install-db failed"; }
  fi
  rm -f "$DIR/mysql/mysqld.sock"
  mariadbd --no-defaults --datadir="$DIR/mysql/data" --user=root \
    --socket="$DIR/mysql/mysqld.sock" --port="$DB_PORT" --bind-address=127.0.0.1 \
    --pid-file="$(pidfile mariadbd)" --log-error="$(logfile mariadbd)" \
    --innodb-buffer-pool-size=128M --innodb-lock-wait-timeout=900 >/dev/null 2>&1 &
  disown
  wait_for "mariadb --no-defaults -S '$DIR/mysql/mysqld.sock' -u root -e 'SELECT 1'" 60 ||
    fail_with_log mariadbd
  mariadb --no-defaults -S "$DIR/mysql/mysqld.sock" -u root -e \
    "CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY 'pgsubspace';
     GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';"

  write_configs
  export SLURM_CONF="$CONF" # slurmdbd reads slurmdbd.conf from slurm.conf's directory
  slurmdbd || fail_with_log slurmdbd
  wait_for "sacctmgr -n list cluster" 60 || fail_with_log slurmdbd
  slurmctld || fail_with_log slurmctld
  wait_for "scontrol ping | grep -q UP" 60 || fail_with_log slurmctld
  slurmd -N "$NODE" || fail_with_log slurmd
  local i state=""
  for ((i = 0; i < 240; i++)); do
    state="$(node_state)"
    [[ "$state" =~ ^(idle|mixed|allocated) ]] && break
    if [[ "$state" =~ ^(down|drain) ]] && ((i % 8 == 7)); then
      scontrol update nodename="$NODE" state=resume >/dev/null 2>&1 || true
    fi
    sleep 0.25
  done
  [[ "$state" =~ ^(idle|mixed|allocated) ]] || fail_with_log slurmd
  log "up in $((SECONDS - t0)) s: node $NODE ($state), state $DIR"
  echo "export SLURM_CONF=$CONF"
}

stop_daemons() {
  local d pid i
  for d in "${DAEMONS[@]}"; do
    pid="$(alive_pid "$d")"
    [[ -z "$pid" ]] && continue
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 80; i++)); do
      [[ -z "$(alive_pid "$d")" ]] && break
      sleep 0.25
    done
    if [[ -n "$(alive_pid "$d")" ]]; then
      log "$d (pid $pid) ignored SIGTERM for 20 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$(pidfile "$d")"
  done
}

stop() {
  if [[ -n "$(alive_pid slurmctld)" && -f "$CONF" ]]; then
    # Jobs first: their slurmstepd processes would outlive slurmd.
    local ids
    ids="$(SLURM_CONF="$CONF" squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')"
    if [[ -n "${ids// /}" ]]; then
      # shellcheck disable=SC2086
      SLURM_CONF="$CONF" scancel $ids 2>/dev/null || true
      wait_for no_running_jobs 30 ||
        log "jobs still running after 30 s: $(SLURM_CONF="$CONF" squeue -h -o %i | tr '\n' ' ')"
    fi
  fi
  stop_daemons
  if [[ "${1:-}" == "--purge" ]]; then
    rm -rf "$DIR"
    log "stopped; removed $DIR"
  else
    log "stopped (state kept in $DIR; 'stop --purge' removes it)"
  fi
}

status() {
  local up=0 d pid
  for d in "${DAEMONS[@]}"; do
    pid="$(alive_pid "$d")"
    if [[ -n "$pid" ]]; then
      up=$((up + 1))
      printf '%-10s running (pid %s)\n' "$d" "$pid"
    else
      printf '%-10s stopped\n' "$d"
    fi
  done
  if [[ -n "$(alive_pid slurmctld)" ]]; then
    echo "node $NODE: $(node_state)"
    SLURM_CONF="$CONF" squeue -h -o '%i %T %j' 2>/dev/null | sed 's/^/job /' || true
  fi
  echo "state directory: $DIR"
  [[ $up -eq ${#DAEMONS[@]} ]] && return 0
  [[ $up -eq 0 ]] && return 3
  return 1
}

case "${1:-}" in
start) start ;;
stop) stop "${2:-}" ;;
status) status ;;
env) echo "export SLURM_CONF=$CONF" ;;
*)
  echo "usage: tools/slurm/cluster.sh start|stop [--purge]|status|env" >&2
  exit 2
  ;;
esac
