#!/bin/sh
# Reads Docker secrets into the environment the app expects, then runs the command.
#   /run/secrets/pa_keyring_password -> PA_KEYRING_PASSWORD (unlocks the encrypted keyring in /data)
#   /run/secrets/postgres_password   -> PA_DATABASE_URL (when POSTGRES_HOST is set and no URL is given)
set -eu
if [ -z "${PA_KEYRING_PASSWORD:-}" ] && [ -r /run/secrets/pa_keyring_password ]; then
  PA_KEYRING_PASSWORD=$(cat /run/secrets/pa_keyring_password)
  export PA_KEYRING_PASSWORD
fi
if [ -z "${PA_DATABASE_URL:-}" ] && [ -n "${POSTGRES_HOST:-}" ] && [ -r /run/secrets/postgres_password ]; then
  pw=$(python -c "import urllib.parse,sys; print(urllib.parse.quote(open('/run/secrets/postgres_password').read().strip(), safe=''))")
  PA_DATABASE_URL="postgresql+psycopg://${POSTGRES_USER:-assistant}:${pw}@${POSTGRES_HOST}:${POSTGRES_PORT:-5432}/${POSTGRES_DB:-assistant}"
  export PA_DATABASE_URL
fi
exec "$@"
