#!/bin/sh
# One-shot job (temporalio/admin-tools): the namespace the platform uses and the search attributes its
# delivery workflows write (DESIGN §4). Idempotent: what exists is left alone.
set -eu
ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${TEMPORAL_RETENTION:-30d}"

tries=0
until temporal operator cluster health --address "$ADDRESS" >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -ge 60 ] && { echo "Temporal at $ADDRESS is not healthy after 120 s" >&2; exit 1; }
  sleep 2
done

if temporal operator namespace describe -n "$NAMESPACE" --address "$ADDRESS" >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  temporal operator namespace create -n "$NAMESPACE" --retention "$RETENTION" --address "$ADDRESS"
fi

# A new namespace reaches every frontend's cache a few seconds after it is registered.
tries=0
until existing="$(temporal operator search-attribute list -n "$NAMESPACE" --address "$ADDRESS" 2>/dev/null)"; do
  tries=$((tries + 1))
  [ "$tries" -ge 30 ] && { echo "namespace $NAMESPACE did not become usable" >&2; exit 1; }
  sleep 2
done
# deploy/temporal/search-attributes.txt, the list the dev server and the native cluster use too.
grep -v '^#' /scripts/search-attributes.txt | while read -r name type; do
  [ -n "$name" ] || continue
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "search attribute $name exists"
  else
    temporal operator search-attribute create -n "$NAMESPACE" --name "$name" --type "$type" --address "$ADDRESS"
  fi
done
echo "namespace $NAMESPACE is ready"
