#!/usr/bin/env bash
# Installs or upgrades tagwire as a systemd service from this checkout (systemd/README.md):
# builds the app in /opt/tagwire.new, backs up the data of a running install, swaps the new
# build into /opt/tagwire (the previous one stays in /opt/tagwire.old), creates the system
# user "tagwire" (no login, in dialout), installs and (re)starts the unit.
set -euo pipefail

PREFIX=/opt/tagwire
DATA=/var/lib/tagwire
UNIT=/etc/systemd/system/tagwire.service
SRC=$(cd "$(dirname "$0")/.." && pwd)

die() {
  echo "install.sh: $*" >&2
  exit 1
}

[ "$(id -u)" -eq 0 ] || die "run as root: sudo $0"
NODE=$(command -v node) || die "Node.js 20 or newer is needed (Debian 12 ships 18: use NodeSource's nodejs package)"
major=$("$NODE" -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || die "Node.js 20 or newer is needed; $NODE is $("$NODE" --version)"
case "$NODE" in
  /root/* | /home/*) die "$NODE is in a home directory, which the service cannot reach (ProtectHome=yes); install Node.js system-wide" ;;
esac
command -v npm >/dev/null || die "npm is needed to build tagwire"

echo "== building in $PREFIX.new (npm install builds TypeScript and the web UI; better-sqlite3 may compile)"
rm -rf "$PREFIX.new"
mkdir -p "$PREFIX.new"
tar -C "$SRC" --exclude=./node_modules --exclude=./dist --exclude=./data --exclude=./.git --exclude=./.tmp \
  --exclude=./bench/results -cf - . | tar -C "$PREFIX.new" -xf -
(cd "$PREFIX.new" && npm install --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund)
"$NODE" "$PREFIX.new/dist/app/cli.js" --version >/dev/null || die "the build in $PREFIX.new does not run"

echo "== user tagwire"
if id tagwire >/dev/null 2>&1; then
  usermod -a -G dialout tagwire
else
  useradd --system --user-group --groups dialout --home-dir "$DATA" --no-create-home \
    --shell /usr/sbin/nologin --comment "tagwire gateway" tagwire
fi

# An upgrade starts from a backup (spool included), made as the service user so that SQLite
# never leaves root-owned files in the data directory.
if [ -f "$DATA/tagwire.db" ]; then
  backup="$DATA/backups/pre-upgrade-$(date +%Y%m%d-%H%M%S).tagwire-backup"
  install -d -o tagwire -g tagwire -m 0700 "$DATA/backups"
  echo "== backup of the current data to $backup"
  runuser -u tagwire -- "$NODE" "$PREFIX.new/dist/app/cli.js" backup "$backup" --data "$DATA" --with-spool
fi

echo "== installing $PREFIX and $UNIT"
if systemctl is-active --quiet tagwire 2>/dev/null; then systemctl stop tagwire; fi
if [ -d "$PREFIX" ]; then
  rm -rf "$PREFIX.old"
  mv "$PREFIX" "$PREFIX.old"
fi
mv "$PREFIX.new" "$PREFIX"
# The app stays root-owned and read-only for the service.
chown -R root:root "$PREFIX"
install -m 0644 "$PREFIX/systemd/tagwire.service" "$UNIT"
# `tagwire …` for the operator, on the service's data directory unless told otherwise.
cat >/usr/local/bin/tagwire <<WRAPPER
#!/bin/sh
export TAGWIRE_DATA_DIR="\${TAGWIRE_DATA_DIR:-$DATA}"
exec "$NODE" "$PREFIX/dist/app/cli.js" "\$@"
WRAPPER
chmod 0755 /usr/local/bin/tagwire
node_dir=$(dirname "$NODE")
case ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:" in
  *":$node_dir:"*) rm -f /etc/systemd/system/tagwire.service.d/node-path.conf ;;
  *)
    # `/usr/bin/env node` in the unit looks in systemd's default PATH only.
    mkdir -p /etc/systemd/system/tagwire.service.d
    printf '[Service]\nEnvironment=PATH=%s:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n' "$node_dir" \
      >/etc/systemd/system/tagwire.service.d/node-path.conf
    ;;
esac

if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable tagwire
  systemctl restart tagwire
  echo "== tagwire is running: systemctl status tagwire; journalctl -u tagwire -f"
  if [ -f "$DATA/initial-admin-password" ]; then
    echo "   first start: the admin password is in $DATA/initial-admin-password"
  fi
else
  echo "== systemd is not running here: unit installed, not started"
fi
