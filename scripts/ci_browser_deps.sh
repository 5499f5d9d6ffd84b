#!/usr/bin/env bash
# Installs what the browser, accessibility and HTML-validation tests need, idempotently:
#   - Debian chromium + chromium-driver (Playwright drives /usr/bin/chromium; no browser download)
#   - a Java runtime for the Nu HTML checker (vnu-jar)
#   - npm devDependencies from package-lock.json (vnu-jar, axe-core) into node_modules/
# Safe to run again: each step is skipped when its result is already present.
set -euo pipefail

cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium chromium-driver)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
# Fonts so screenshots and axe's contrast checks see real glyphs.
[ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)

if [ "${#missing[@]}" -gt 0 ]; then
    echo "ci_browser_deps: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    echo "ci_browser_deps: chromium, java and npm already present"
fi

if [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ]; then
    echo "ci_browser_deps: npm ci (vnu-jar, axe-core)"
    npm ci --no-audit --no-fund --loglevel=error
else
    echo "ci_browser_deps: node_modules already installed"
fi

/usr/bin/chromium --version || true
java -version 2>&1 | head -1
echo "ci_browser_deps: done"
