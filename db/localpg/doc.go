// Package localpg runs gametable's embedded default PostgreSQL: a private
// cluster that `gametable serve` starts as a child process when no
// DATABASE_URL is given, and that db/dbtest starts for tests when no
// TEST_DATABASE_URL is given. Both use the same code, so the tests exercise
// what users run.
//
// Invariants:
//
//   - One cluster, one owner. Start initializes the cluster under Options.Dir
//     the first time (initdb into a temporary sibling, then rename, so an
//     interrupted initdb never leaves a half-made cluster behind), then runs
//     `postgres` as a child of the calling process. Before starting, Start
//     writes gametable.owner (our PID and process start time) into the data
//     directory. A live postmaster on the directory whose owner is still
//     running is refused (ErrInUse); one whose owner has died is an orphan of
//     an earlier crash and is shut down before the new start. A postmaster.pid
//     naming a live process that is not a postgres on this directory (PID
//     reuse after a reboot or in a container) is removed; a dead PID is left to
//     PostgreSQL, which also checks its shared memory.
//   - The server listens on a Unix socket only (empty listen_addresses) unless
//     Options.Port is set, and then on localhost only. Local socket
//     connections are trusted, and the socket is mode 0700 inside a 0700
//     directory, so only the server's OS user (and root) can connect; TCP
//     needs a password, which no role has until someone sets one. The socket
//     lives in the data directory unless that path is too long for sun_path
//     (107 bytes); then it goes to /tmp/gametable-pg-<hash>.
//   - PostgreSQL refuses to run as root. When the process is root, initdb and
//     postgres run as Options.User (default "postgres"), the data directory
//     is owned by that user, and every directory above it must be searchable
//     by that user. If one is not (/root, a `mktemp -d` folder), Start does not
//     change its permissions: it puts the cluster in
//     FallbackDir/pg-<hash of Dir> (default /var/lib/gametable, or
//     $TMPDIR/gametable when Dir is itself under the temp directory),
//     leaves a symlink at Dir pointing there, and logs where the data went.
//   - The child dies with us. It runs in its own process group (a Ctrl-C in
//     the terminal reaches only gametable, which then stops PostgreSQL after
//     draining), and on Linux with a parent-death signal (SIGINT, a fast
//     shutdown) sent by the kernel when our process dies for any reason,
//     including SIGKILL. The parent-death signal is tied to the OS thread that
//     started the child, so that thread stays locked until the child exits.
//   - Stop is a fast shutdown (SIGINT: disconnect clients, checkpoint, exit),
//     escalating to SIGQUIT (immediate shutdown, crash recovery on the next
//     start) when the context expires, and to SIGKILL after that. The
//     context given to Start bounds start-up only: the server stops
//     PostgreSQL itself, after its hubs have saved their state.
//   - Options.Fast turns off fsync, synchronous_commit and full_page_writes.
//     It is for throwaway test clusters only; a crash loses data.
package localpg
