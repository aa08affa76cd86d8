#!/usr/bin/env bash
# Installs Debian's chromium if needed, then renders diagnose's HTML
# report in it (TestHTMLInChromium): the page must build its groups,
# sparklines and stacks in a real browser, with no network.
set -euo pipefail
cd "$(dirname "$0")/../../.."
if ! command -v chromium >/dev/null; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
	else
		echo "chromium is not installed and cannot be installed here (needs root and apt-get)" >&2
		exit 1
	fi
fi
SF_CHROMIUM=1 go test -count=1 -run TestHTMLInChromium ./diagnose/render
