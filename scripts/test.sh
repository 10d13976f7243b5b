#!/usr/bin/env bash
# Installs what the test suite needs on a Debian machine, then runs every test of the workspace.
# The packages: libssl-dev and pkg-config build SQLCipher; sqlcipher, argon2 and age are the
# stock tools the recovery test uses to prove the archive outlives Girok (RECOVERY.md);
# chromium and chromium-driver run the browser test of the web application; fonts-nanum lets
# its screenshots show Hangul and is the Korean font embedded in briefing PDFs; poppler-utils
# (pdftotext, pdftoppm) reads those PDFs back in the tests and renders scanned pages for OCR;
# tesseract-ocr with its Korean and English data recognises scans and photographs.
set -euo pipefail
cd "$(dirname "$0")/.."

needed=()
for pkg in libssl-dev pkg-config sqlcipher argon2 age chromium chromium-driver fonts-nanum poppler-utils tesseract-ocr tesseract-ocr-kor tesseract-ocr-eng; do
    dpkg -s "$pkg" >/dev/null 2>&1 || needed+=("$pkg")
done
if [ ${#needed[@]} -gt 0 ]; then
    echo "installing Debian packages: ${needed[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${needed[@]}" >/dev/null
fi

# The browser test is required here, not skipped: this script installed the browser.
GIROK_E2E=1 cargo test --workspace --locked
echo "browser test screenshots: ${CARGO_TARGET_DIR:-target}/tmp/screenshots/"
