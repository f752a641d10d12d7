#!/usr/bin/env bash
# Installs the Debian packages the test suite needs: Chromium for the browser
# tests, CJK fonts for Chinese PDFs, gettext for compiling the catalog, wrk for the
# HTTP benchmark (`gridgov bench`, issue 12), Pango for WeasyPrint's PDFs (mediation, issue 13).
# Idempotent: does nothing when everything is already there.
set -euo pipefail

packages=(chromium fonts-noto-cjk gettext wrk libpango-1.0-0 libpangoft2-1.0-0)
missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi

echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
