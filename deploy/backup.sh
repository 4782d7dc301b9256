#!/usr/bin/env bash
# Back up Corridor Portal: the database (pg_dump, custom format) and the media files.
#
#   DATABASE_URL=postgres://... MEDIA_ROOT=/srv/corridor/media deploy/backup.sh [BACKUP_ROOT]
#
# Writes BACKUP_ROOT/<UTC timestamp>/ with database.dump, media.tar.gz (when media are on
# disk), MANIFEST and SHA256SUMS, prints that folder, and removes backups older than
# BACKUP_KEEP_DAYS (default 14). BACKUP_ROOT defaults to $BACKUP_DIR or
# /var/backups/corridor-portal. With S3_BUCKET set the media live in the bucket and are not
# copied here: keep the bucket versioned and replicated (docs/deploy.md, "Backups").
# The dump is consistent on its own (one snapshot); media written during the run may be
# newer than the dump, never older, so every photo the dump names is in the archive.
set -euo pipefail
umask 077

: "${DATABASE_URL:?DATABASE_URL must name the database to back up}"
root="${1:-${BACKUP_DIR:-/var/backups/corridor-portal}}"
keep_days="${BACKUP_KEEP_DAYS:-14}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
dest="$root/$stamp"
mkdir -p "$dest"

# The database first: media are copied after it, so the archive holds every file the dump
# refers to (files are written before their rows are committed, and deleted after).
pg_dump --format=custom --compress=6 --no-owner --no-privileges \
  --file="$dest/database.dump" --dbname="$DATABASE_URL"

if [ -n "${S3_BUCKET:-}" ]; then
  media="s3://$S3_BUCKET/${S3_PREFIX:-} (not copied: bucket versioning and replication)"
else
  : "${MEDIA_ROOT:?MEDIA_ROOT must name the media folder (or set S3_BUCKET)}"
  media="$MEDIA_ROOT"
  tar --create --gzip --file="$dest/media.tar.gz" --directory="$MEDIA_ROOT" .
fi

{
  echo "created: $stamp"
  echo "database: $(pg_dump --version)"
  echo "media: $media"
  if command -v git >/dev/null && git -C "$(dirname "$0")" rev-parse HEAD >/dev/null 2>&1; then
    echo "code: $(git -C "$(dirname "$0")" rev-parse HEAD)"
  fi
} >"$dest/MANIFEST"
(cd "$dest" && sha256sum -- * >SHA256SUMS)

# Keep BACKUP_KEEP_DAYS days; 0 keeps everything.
if [ "$keep_days" -gt 0 ]; then
  find "$root" -mindepth 1 -maxdepth 1 -type d -name '20*Z' -mtime +"$keep_days" \
    -exec rm -rf -- {} +
fi

echo "$dest"
