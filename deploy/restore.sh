#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into an EMPTY database and media folder.
#
#   DATABASE_URL=postgres://.../corridor_restored MEDIA_ROOT=/srv/corridor/media-restored \
#     deploy/restore.sh /var/backups/corridor-portal/20261126T020000Z
#
# Refuses a database that already has tables and a media folder that has files: a restore
# never mixes with live data. Create the database first (createdb -O corridor NAME), stop
# the app servers if they point at the target, and afterwards run
# `manage.py migrate` (a no-op for a backup of the same version) and check /healthz.
set -euo pipefail

backup="${1:?usage: deploy/restore.sh BACKUP_FOLDER}"
: "${DATABASE_URL:?DATABASE_URL must name the empty database to restore into}"

(cd "$backup" && sha256sum --check --quiet SHA256SUMS)

tables="$(psql "$DATABASE_URL" -X -tA -v ON_ERROR_STOP=1 \
  -c "select count(*) from pg_tables where schemaname = 'public'")"
if [ "$tables" != "0" ]; then
  echo "restore.sh: the target database already has $tables tables; restore into an empty one" >&2
  exit 1
fi

if [ -f "$backup/media.tar.gz" ]; then
  : "${MEDIA_ROOT:?MEDIA_ROOT must name the (empty) folder to restore the media into}"
  mkdir -p "$MEDIA_ROOT"
  if [ -n "$(find "$MEDIA_ROOT" -mindepth 1 -print -quit)" ]; then
    echo "restore.sh: $MEDIA_ROOT is not empty; restore into an empty folder" >&2
    exit 1
  fi
fi

# One transaction: a failed restore leaves the database empty, never half restored.
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$DATABASE_URL" "$backup/database.dump"

if [ -f "$backup/media.tar.gz" ]; then
  tar --extract --gzip --file="$backup/media.tar.gz" --directory="$MEDIA_ROOT" \
    --no-same-owner
else
  echo "restore.sh: no media archive in $backup (media in S3: see docs/deploy.md)" >&2
fi

echo "restored $backup"
