#!/usr/bin/env bash
# run.sh DIR... — run every silentfail check (default and opt-in; see ENABLE) on
# checkouts of real services and compare with the ledger.
#
# Each DIR is a module root inside a checkout; several modules of one
# repository are fine. A checkout comes from the search tool's fetch:
#
#   bench/realcode/checkout.sh /work/.mirror/OWNER+NAME/repo /tmp/rc/OWNER+NAME OWNER/NAME
#   (cd /tmp/rc/OWNER+NAME && go mod download)
#   bench/realcode/run.sh /tmp/rc/OWNER+NAME
#
# It prints, per service and per check, the findings and their verdicts
# in bench/realcode/ledger.tsv (precision = true / triaged; debatable
# counts against), the default set's precision on held-out and tuning
# services (bench/realcode/services.tsv says which is which), the
# findings not in the ledger yet, those the ledger calls false that
# still fire, true findings that no longer fire (recall lost), and the
# services whose root module could not be checked (not measured, even
# when modules under it, such as examples or fixtures, were).
#
# Environment:
#   UNTRIAGED=FILE  also write the untriaged findings as ledger lines
#                   (empty verdict, the message as reason) to FILE
#   ENABLE=default  run only the default set (default: all, every check
#                   and form); the untriaged list is then what a user of
#                   the defaults would see
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
if [[ $# -eq 0 ]]; then
	sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
fi
dirs=()
for d in "$@"; do
	dirs+=("$(cd "$d" && pwd)") || { echo "run.sh: $d: no such directory" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$repo" && go build -o "$tmp/silentfail" ./cmd/silentfail && go build -o "$tmp/realcode" ./bench/realcode)
cd "$repo"
exec "$tmp/realcode" -bin "$tmp/silentfail" \
	-ledger bench/realcode/ledger.tsv -services bench/realcode/services.tsv \
	-enable "${ENABLE:-all}" ${UNTRIAGED:+-untriaged "$UNTRIAGED"} "${dirs[@]}"
