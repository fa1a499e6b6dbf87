#!/usr/bin/env bash
# Installs what gametable needs, and only what is missing:
#   - PostgreSQL server 15 or newer (the distribution's packages),
#   - pgvector for that server: the distribution's binary package when there
#     is one (postgresql-NN-pgvector), otherwise built from Debian's pgvector
#     source package against the installed server,
#   - the Go modules of go.mod.
# Idempotent and quick when everything is present. Debian and Ubuntu only;
# elsewhere it says what to install by hand.
set -euo pipefail

MIN_PG=15
say() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

# pg_bindir prints the bin directory of the newest PostgreSQL server >= MIN_PG.
pg_bindir() {
	local d v best="" bestv=0
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/postgres" ] || continue
		v=$(basename "$(dirname "$d")")
		[[ "$v" =~ ^[0-9]+$ ]] || continue
		if [ "$v" -ge "$MIN_PG" ] && [ "$v" -gt "$bestv" ]; then best=$d; bestv=$v; fi
	done
	if [ -z "$best" ] && command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir 2>/dev/null || true)
		v=$(pg_config --version 2>/dev/null | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
		if [ -x "$d/postgres" ] && [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge "$MIN_PG" ]; then best=$d; fi
	fi
	printf '%s' "$best"
}

has_pgvector() { # $1 = bin dir
	local share
	share=$("$1/pg_config" --sharedir 2>/dev/null || echo "/usr/share/postgresql/$(basename "$(dirname "$1")")")
	[ -f "$share/extension/vector.control" ]
}

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
fi

is_debian_like() {
	[ -r /etc/os-release ] || return 1
	. /etc/os-release
	case " ${ID:-} ${ID_LIKE:-} " in *" debian "*|*" ubuntu "*) return 0 ;; esac
	return 1
}

apt_updated=""
apt_update() {
	if [ -z "$apt_updated" ]; then
		say "apt-get update"
		$SUDO apt-get update -qq
		apt_updated=1
	fi
}
apt_install() {
	apt_update
	say "apt-get install $*"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
apt_has() { # package has an installable candidate
	local c
	c=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
	[ -n "$c" ] && [ "$c" != "(none)" ]
}

manual_help() {
	cat >&2 <<'MSG'
deps: install PostgreSQL 15 or newer with pgvector by hand, then run make again:
  macOS (Homebrew):  brew install postgresql@17 pgvector
  Fedora/RHEL:       dnf install postgresql-server postgresql-contrib pgvector  (or build pgvector from source)
  Arch:              pacman -S postgresql && build pgvector from the AUR
  any system:        or point DATABASE_URL at an existing PostgreSQL that has pgvector
MSG
}

# --- PostgreSQL server -------------------------------------------------------
bindir=$(pg_bindir)
if [ -z "$bindir" ]; then
	if [ -n "${DATABASE_URL:-}" ]; then
		say "no local PostgreSQL server, but DATABASE_URL is set: the embedded default is not needed"
	else
		is_debian_like || { manual_help; die "no PostgreSQL >= $MIN_PG found and this is not Debian or Ubuntu"; }
		[ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ] || die "PostgreSQL is missing and installing it needs root (or sudo)"
		apt_update
		if apt_has postgresql; then
			apt_install postgresql postgresql-contrib
		fi
		bindir=$(pg_bindir)
		if [ -z "$bindir" ]; then
			for v in 18 17 16 15; do
				if apt_has "postgresql-$v"; then apt_install "postgresql-$v"; break; fi
			done
			bindir=$(pg_bindir)
		fi
		[ -n "$bindir" ] || { manual_help; die "this distribution offers no PostgreSQL >= $MIN_PG"; }
		# The packaged cluster is not used: gametable runs its own.
		say "installed PostgreSQL in $bindir"
	fi
else
	say "PostgreSQL found in $bindir"
fi

# --- pgvector ----------------------------------------------------------------
if [ -n "$bindir" ] && ! has_pgvector "$bindir"; then
	is_debian_like || { manual_help; die "pgvector is missing for the PostgreSQL in $bindir"; }
	[ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ] || die "pgvector is missing and installing it needs root (or sudo)"
	pgv=$(basename "$(dirname "$bindir")")
	apt_update
	if apt_has "postgresql-$pgv-pgvector"; then
		apt_install "postgresql-$pgv-pgvector"
	else
		say "no postgresql-$pgv-pgvector package here: building pgvector from Debian's source package"
		apt_has "postgresql-server-dev-$pgv" || die "postgresql-server-dev-$pgv is not available; cannot build pgvector"
		apt_install "postgresql-server-dev-$pgv" make gcc libc6-dev ca-certificates xz-utils
		work=$(mktemp -d)
		trap 'rm -rf "$work"' EXIT
		mkdir -p "$work/lists/partial"
		built=""
		# The newest Debian release that carries pgvector: stable first, then testing and unstable.
		for suite in stable testing unstable; do
			echo "deb-src http://deb.debian.org/debian $suite main" >"$work/sources.list"
			aptsrc=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$work/lists" -o APT::Sandbox::User=root)
			say "fetching the pgvector source package from Debian $suite"
			$SUDO apt-get "${aptsrc[@]}" update -qq >/dev/null 2>&1 || continue
			(cd "$work" && $SUDO apt-get "${aptsrc[@]}" source --download-only pgvector >/dev/null 2>&1) || continue
			orig=$(ls "$work"/pgvector_*.orig.tar.* 2>/dev/null | head -1)
			[ -n "$orig" ] || continue
			mkdir -p "$work/src"
			tar -xf "$orig" -C "$work/src" --strip-components=1
			say "building $(basename "$orig") against $bindir/pg_config"
			# OPTFLAGS="" avoids -march=native, so the build runs on any CPU of this architecture.
			make -s -C "$work/src" PG_CONFIG="$bindir/pg_config" OPTFLAGS="" >/dev/null
			$SUDO make -s -C "$work/src" PG_CONFIG="$bindir/pg_config" install >/dev/null
			built=1
			break
		done
		[ -n "$built" ] || die "could not fetch or build pgvector from Debian's source packages"
	fi
	has_pgvector "$bindir" || die "pgvector still missing after installing it"
	say "pgvector installed for PostgreSQL $pgv"
elif [ -n "$bindir" ]; then
	say "pgvector found"
fi

# --- Go modules --------------------------------------------------------------
# The module proxy is reached over TLS: a minimal system may lack the CA list.
if [ ! -s /etc/ssl/certs/ca-certificates.crt ] && is_debian_like && { [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; }; then
	apt_install ca-certificates
fi
command -v go >/dev/null 2>&1 || die "Go is not installed (https://go.dev/doc/install); gametable needs Go 1.26 or newer"
go mod download
say "Go modules ready"
