#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine needs to build, run and test IDCheck.
# Idempotent and quiet: when everything is present it only checks and returns.
set -euo pipefail
cd "$(dirname "$0")/.."

# build: WebKitGTK 4.1 (pulls GTK 3, libsoup 3), D-Bus headers for the keychain client,
# libjpeg-turbo's TurboJPEG (linked statically, so not needed to run).
# run and test: a virtual display, WebKitWebDriver, a Secret Service, screenshots, CJK fonts;
# PostgreSQL's server for the team-trail tests (each test starts a throw-away cluster of its
# own in a temporary directory; the package's default cluster is not used).
PACKAGES=(
  build-essential pkg-config libwebkit2gtk-4.1-dev libdbus-1-dev libturbojpeg0-dev
  xvfb xauth webkit2gtk-driver gnome-keyring dbus-x11 imagemagick x11-utils fonts-noto-cjk
  fonts-arphic-uming fonts-arphic-ukai fonts-wqy-zenhei fonts-wqy-microhei poppler-utils
  postgresql
)
# pip fetches the ONNX Runtime wheel (scripts/fetch_onnxruntime.sh).
python3 -m pip --version >/dev/null 2>&1 || PACKAGES+=(python3-pip)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if ! command -v apt-get >/dev/null; then
    echo "setup: missing system packages (${missing[*]}) and no apt-get: install them with your package manager" >&2
    exit 1
  fi
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  # PostgreSQL's package would create and start a cluster of its own; the tests make theirs.
  if [[ " ${missing[*]} " == *" postgresql "* ]] && [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    $SUDO mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "setup: cargo not found. Install Rust (https://rustup.rs), then run this again." >&2
  exit 1
fi

export PATH="$HOME/.cargo/bin:$PATH"
# The test command checks formatting and lints.
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
  if command -v rustup >/dev/null; then
    rustup component add rustfmt clippy
  else
    echo "setup: cargo fmt and cargo clippy are needed (rustup component add rustfmt clippy)" >&2
    exit 1
  fi
fi
if ! command -v tauri-driver >/dev/null; then
  echo "setup: installing tauri-driver 2.1.0 (once)"
  cargo install tauri-driver --version 2.1.0 --locked --quiet
fi

# Fetch the crates once, so builds later need no network.
cargo fetch --locked --quiet 2>/dev/null || cargo fetch --quiet

# The ONNX Runtime library the local OCR engine loads (pinned PyPI wheel, sha256-checked).
scripts/fetch_onnxruntime.sh
