#!/usr/bin/env bash
# Installs what `make test` / `make run` need on Debian or Ubuntu, only when missing.
# Usage: scripts/install-deps.sh [test|run|bench]
set -euo pipefail
purpose=${1:-test}

packages=(build-essential pkg-config curl ca-certificates)
case "$purpose" in
  test) packages+=(dbus dbus-x11 gnome-keyring libsecret-tools keyutils) ;;
  run) packages+=(dbus) ;;
  bench) ;;
esac

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
