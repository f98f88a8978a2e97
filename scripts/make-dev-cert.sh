#!/usr/bin/env bash
# A self-signed certificate (and the Temporal UI's basic-auth file) for running docker-compose.yml
# locally: writes deploy/nginx/certs/{tls.crt,tls.key,htpasswd}. Production mounts real ones there.
# usage: scripts/make-dev-cert.sh [hostname]   (UI_USER / UI_PASSWORD set the Temporal UI login)
set -euo pipefail

host="${1:-localhost}"
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/deploy/nginx/certs"
mkdir -p "$dir"

openssl req -x509 -newkey rsa:2048 -nodes -days 365 \
  -keyout "$dir/tls.key" -out "$dir/tls.crt" \
  -subj "/CN=$host" -addext "subjectAltName=DNS:$host,DNS:localhost,IP:127.0.0.1" 2>/dev/null
chmod 644 "$dir/tls.key" # nginx's workers read it inside the container

user="${UI_USER:-ops}"
password="${UI_PASSWORD:-$(openssl rand -base64 18)}"
printf '%s:%s\n' "$user" "$(openssl passwd -apr1 "$password")" > "$dir/htpasswd"

echo "wrote $dir/tls.crt, tls.key (CN=$host, 365 days) and htpasswd"
echo "Temporal UI login (https://$host:8443): $user / $password"
