#!/usr/bin/env bash
# test.sh — checks the shipped Prometheus rules and runs their unit
# tests (silentfail.rules.test.yml) with promtool, installing Debian's
# prometheus package for it when promtool is missing.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v promtool >/dev/null; then
	if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
		echo "deploy/prometheus/test.sh: installing Debian's prometheus package for promtool" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus >/dev/null ||
			{ apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus >/dev/null; }
	else
		echo "deploy/prometheus/test.sh: promtool not found, and cannot install it here (apt-get as root)" >&2
		exit 1
	fi
fi
promtool check rules silentfail.rules.yml
promtool test rules silentfail.rules.test.yml
