#!/bin/sh
# Installs the headless browser the report uses for PDF output and browser tests: Debian's
# chromium (driven by playwright-core; browsers are never downloaded from elsewhere), fonts so
# text renders the same everywhere, and poppler-utils (pdftotext) used by the PDF test.
# Idempotent: does nothing when everything is already there. Usable by CI as root or with sudo.
set -eu

PACKAGES="chromium fonts-liberation fonts-dejavu-core poppler-utils"

missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -d /usr/share/fonts/truetype/liberation ] || missing="$missing fonts-liberation"
[ -d /usr/share/fonts/truetype/dejavu ] || missing="$missing fonts-dejavu-core"
command -v pdftotext >/dev/null 2>&1 || missing="$missing poppler-utils"

if [ -z "$missing" ]; then
  echo "install-chromium: /usr/bin/chromium, fonts and pdftotext already installed"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  run() { "$@"; }
elif command -v sudo >/dev/null 2>&1; then
  run() { sudo "$@"; }
else
  echo "install-chromium: need root or sudo to install:$missing" >&2
  exit 1
fi

echo "install-chromium: installing$missing"
export DEBIAN_FRONTEND=noninteractive
run apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is intended
run apt-get install -y -qq --no-install-recommends $PACKAGES
/usr/bin/chromium --version
