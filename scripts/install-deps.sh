#!/usr/bin/env bash
# Installs what `make test` / `make run` need on Debian or Ubuntu, only when missing.
# Usage: scripts/install-deps.sh [test|run|bench|windows]
set -euo pipefail
purpose=${1:-test}

packages=(build-essential pkg-config curl ca-certificates)
# What the Tauri app builds against (WebKitGTK 4.1, tray, GTK) on Debian 12 / Ubuntu 22.04+.
app=(libwebkit2gtk-4.1-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev libdbus-1-dev)
case "$purpose" in
  # Headless GUI tests: a display, a bus, a notification server, a keyring, WebDriver, screenshots;
  # PostgreSQL and HAProxy for the relay cluster's tests (each test starts its own);
  # Python reads the CSV export with its csv module, as a spreadsheet user's tools would.
  test) packages+=("${app[@]}" dbus dbus-x11 gnome-keyring libsecret-tools webkit2gtk-driver xvfb xauth dunst imagemagick ffmpeg espeak-ng sox openssl gstreamer1.0-plugins-good xclip xdotool xbindkeys xdg-utils desktop-file-utils postgresql haproxy python3 faketime prometheus chromium chromium-driver slapd ldap-utils radicale) ;;
  run) packages+=("${app[@]}" dbus gnome-keyring gstreamer1.0-plugins-good gstreamer1.0-pulseaudio) ;;
  bench) packages+=("${app[@]}" xvfb xauth dbus) ;;
  # Cross-building for Windows with Debian's own Rust 1.96 (std rebuilt from rust-web-src),
  # MinGW-w64, NSIS for the installer, and Wine to test the result.
  windows) packages+=(rustc-web cargo-web rust-web-src rust-web-clippy gcc-mingw-w64-x86-64 nsis wine64) ;;
esac
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    echo "cargo is in ~/.cargo/bin: add it to PATH (source ~/.cargo/env)" >&2
  else
    echo "installing the Rust toolchain with rustup"
    curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component rustfmt,clippy
  fi
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "Node.js 20 or newer is needed to build the UI (found ${node_major}); install it from your distribution's backports or nodejs.org" >&2
  exit 1
fi
