#!/usr/bin/env bash
# e2e.sh — the fleet loop for real, on loopback: three instances of
# testdata/fleetsvc (one leaking), Prometheus scraping them with the
# shipped rules (windows shortened by rewriting a copy, not the file),
# Alertmanager routing the alert to silentfail respond, bounded traffic.
# Passes when the leaking instance alone is captured and diagnosed, with
# its leak named and linked to its static finding. Everything stops by
# itself: the whole run is bounded to ${E2E_LIMIT:-170} seconds.
#
# Installs Debian's prometheus and prometheus-alertmanager when missing.
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD
repo=$(cd ../.. && pwd)
limit=${E2E_LIMIT:-170}

need() {
	command -v "$1" >/dev/null && return
	if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
		echo "e2e.sh: installing Debian's $2" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$2" >/dev/null ||
			{ apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$2" >/dev/null; }
	else
		echo "e2e.sh: $1 not found, and cannot install $2 here (apt-get as root)" >&2
		exit 1
	fi
}
need prometheus prometheus
need prometheus-alertmanager prometheus-alertmanager

work=$(mktemp -d "${TMPDIR:-/tmp}/sf-e2e.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

(cd "$repo" && go build -o "$work/silentfail" ./cmd/silentfail && go build -o "$work/fleetsvc" ./deploy/prometheus/testdata/fleetsvc)
mapfile -t ports < <("$work/fleetsvc" -free-ports 6)
svc=("127.0.0.1:${ports[0]}" "127.0.0.1:${ports[1]}" "127.0.0.1:${ports[2]}")
prom=127.0.0.1:${ports[3]} am=127.0.0.1:${ports[4]} resp=127.0.0.1:${ports[5]}

"$work/fleetsvc" -addr "${svc[0]}" -leak >"$work/svc0.log" 2>&1 & pids+=($!)
"$work/fleetsvc" -addr "${svc[1]}" >"$work/svc1.log" 2>&1 & pids+=($!)
"$work/fleetsvc" -addr "${svc[2]}" >"$work/svc2.log" 2>&1 & pids+=($!)

# The shipped rules, windows shortened: 15m -> 20s, 30m -> 40s, for 10m -> 10s.
sed -e 's/\[15m\]/[20s]/g; s/offset 15m/offset 20s/g; s/offset 30m/offset 40s/g; s/for: 10m/for: 10s/g' \
	silentfail.rules.yml >"$work/rules.yml"
cat >"$work/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [$work/rules.yml]
alerting:
  alertmanagers: [{static_configs: [{targets: ["$am"]}]}]
scrape_configs:
  - job_name: api
    static_configs: [{targets: ["${svc[0]}", "${svc[1]}", "${svc[2]}"]}]
YAML
echo "e2e-token" >"$work/token"
cat >"$work/alertmanager.yml" <<YAML
route:
  receiver: silentfail
  group_by: [alertname, instance]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: silentfail
    webhook_configs:
      - url: http://$resp/alerts
        http_config: {authorization: {credentials_file: $work/token}}
YAML

prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prom" --web.listen-address="$prom" >"$work/prom.log" 2>&1 & pids+=($!)
prometheus-alertmanager --config.file="$work/alertmanager.yml" --storage.path="$work/am" --web.listen-address="$am" --cluster.listen-address= >"$work/am.log" 2>&1 & pids+=($!)
"$work/silentfail" respond -listen "$resp" -dir "$work/responses" -samples 3 -every 2s -cooldown 10m \
	-token-file "$work/token" -source "$repo/deploy/prometheus/testdata/fleetsvc" >"$work/respond.log" 2>&1 & pids+=($!)

# Bounded traffic: 20 requests a second to each instance until the end.
"$work/fleetsvc" -load "http://${svc[0]}/price,http://${svc[1]}/price,http://${svc[2]}/price" -for "${limit}s" & pids+=($!)

start=$SECONDS
report=
while [ $((SECONDS - start)) -lt "$limit" ]; do
	report=$(ls "$work"/responses/*/report.txt 2>/dev/null | head -1 || true)
	[ -n "$report" ] && break
	sleep 2
done
fail() {
	echo "e2e.sh: FAIL: $*" >&2
	for f in respond prom am; do echo "--- $f.log (tail)" >&2; tail -5 "$work/$f.log" >&2; done
	exit 1
}
[ -n "$report" ] || fail "no response within ${limit}s"
echo "e2e.sh: a response after $((SECONDS - start))s: $(basename "$(dirname "$report")")"
case $(basename "$(dirname "$report")") in
*"${ports[0]}") ;;
*) fail "the response is not for the leaking instance ${svc[0]}" ;;
esac
grep -q '^LEAK' "$report" || fail "the report names no leak: $(head -20 "$report")"
grep -q 'priceLeaky' "$report" || fail "the leak is not placed in priceLeaky"
grep -q '(chanleak)' "$report" || fail "the leak is not linked to its static finding"
# Give the healthy instances' alerts, if any, time to arrive: none may.
sleep 5
n=$(ls -d "$work"/responses/*/ 2>/dev/null | wc -l)
[ "$n" -eq 1 ] || fail "$n responses, want only the leaking instance's"
echo "e2e.sh: PASS: the leaking instance alone was captured; its leak is named and linked:"
grep -A4 '^LEAK' "$report" | sed 's/^/  /'
