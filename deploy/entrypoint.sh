#!/bin/sh
# Reads secrets into the environment the app expects, then runs the command (its PID stays: exec).
# The secrets folder: systemd's credentials ($CREDENTIALS_DIRECTORY, deploy/personal-agent.service),
# else /run/secrets (Docker secrets, a Kubernetes Secret mounted there: deploy/k8s/).
#   <secrets>/pa_keyring_password -> PA_KEYRING_PASSWORD (unlocks the encrypted keyring in the data folder)
#   <secrets>/postgres_password   -> PA_DATABASE_URL (when POSTGRES_HOST is set and no URL is given)
set -eu
secrets=${CREDENTIALS_DIRECTORY:-/run/secrets}
if [ -z "${PA_KEYRING_PASSWORD:-}" ] && [ -r "$secrets/pa_keyring_password" ]; then
  PA_KEYRING_PASSWORD=$(cat "$secrets/pa_keyring_password")
  export PA_KEYRING_PASSWORD
fi
if [ -z "${PA_DATABASE_URL:-}" ] && [ -n "${POSTGRES_HOST:-}" ] && [ -r "$secrets/postgres_password" ]; then
  pw=$(python -c "import urllib.parse,sys; print(urllib.parse.quote(open(sys.argv[1]).read().strip(), safe=''))" "$secrets/postgres_password")
  PA_DATABASE_URL="postgresql+psycopg://${POSTGRES_USER:-assistant}:${pw}@${POSTGRES_HOST}:${POSTGRES_PORT:-5432}/${POSTGRES_DB:-assistant}"
  export PA_DATABASE_URL
fi
exec "$@"
