#!/usr/bin/env bash
# Recovers every record and every original file of a Girok archive using only stock tools:
# argon2 (key derivation), sqlcipher (the database) and age (the original files).
# It exists so the evidence outlives Girok itself; RECOVERY.md explains each step.
#
# Usage: GIROK_PASSPHRASE=... scripts/recover.sh ARCHIVE_DIR OUTPUT_DIR
#    or: GIROK_KEY_FILE=path scripts/recover.sh ARCHIVE_DIR OUTPUT_DIR
# Without either variable the passphrase is asked for.
set -euo pipefail

archive=${1:?usage: recover.sh ARCHIVE_DIR OUTPUT_DIR}
out=${2:?usage: recover.sh ARCHIVE_DIR OUTPUT_DIR}
for tool in sqlcipher age sha256sum; do
    command -v "$tool" >/dev/null || { echo "recover.sh: $tool is not installed (Debian: apt-get install sqlcipher age coreutils)" >&2; exit 2; }
done
header="$archive/girok-archive.json"
[ -f "$header" ] || { echo "recover.sh: $header not found; is $archive a Girok archive?" >&2; exit 2; }

field() { sed -n "s/.*\"$1\": *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$header" | head -n1; }

# 1. The 32-byte database key.
if [ -n "${GIROK_KEY_FILE:-}" ]; then
    key=$(tr -d ' \n\r' < "$GIROK_KEY_FILE")
else
    command -v argon2 >/dev/null || { echo "recover.sh: argon2 is not installed (Debian: apt-get install argon2)" >&2; exit 2; }
    if [ -z "${GIROK_PASSPHRASE:-}" ]; then
        read -rsp "Passphrase: " GIROK_PASSPHRASE; echo >&2
    fi
    key=$(printf '%s' "$GIROK_PASSPHRASE" | argon2 "$(field salt)" -id -t "$(field t_cost)" -m "$(field m_cost_log2)" -p "$(field p_cost)" -l 32 -r)
fi

# 2. Records, audit log and keys from the SQLCipher database.
mkdir -p "$out/files"
umask 077
sql() {
    sqlcipher -batch "$archive/girok.db" <<SQL
.output /dev/null
PRAGMA key = "x'$key'";
PRAGMA cipher_compatibility = 3;
PRAGMA cipher_page_size = $(field sqlcipher_page_size);
.output stdout
.mode tabs
$1
SQL
}
# cipher_compatibility is unknown to sqlcipher 3.x (which needs no such setting) and harmless there.
sql "SELECT body FROM records ORDER BY id;" > "$out/records.jsonl"
sql "SELECT seq, at, actor, action, record_id, hash FROM audit_log ORDER BY seq;" > "$out/audit.tsv"
sql "SELECT value FROM archive_keys WHERE name = 'age_identity';" > "$out/age-identity.txt"
sql "SELECT doc_id, file, sha256 FROM blobs ORDER BY doc_id;" > "$out/files.tsv"
[ -s "$out/age-identity.txt" ] || { echo "recover.sh: could not read the database: wrong passphrase or key file?" >&2; exit 2; }

# 3. Original files, decrypted with age and checked against the SHA-256 taken at intake.
bad=0
while IFS=$'\t' read -r doc file sha; do
    age -d -i "$out/age-identity.txt" -o "$out/files/$doc" "$archive/blobs/${file:0:2}/$file.age"
    got=$(sha256sum "$out/files/$doc" | cut -d' ' -f1)
    if [ "$got" != "$sha" ]; then echo "MISMATCH $doc: $got != $sha" >&2; bad=1; fi
done < "$out/files.tsv"
rm -f "$out/age-identity.txt"
echo "recovered $(wc -l < "$out/records.jsonl") records and $(wc -l < "$out/files.tsv") original files into $out"
exit $bad
