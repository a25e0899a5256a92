#!/usr/bin/env bash
# `make windows`: xvb.exe and xvb-companion.exe (release) for x86_64-pc-windows-gnu,
# cross-built on Debian, and the per-user installer made with NSIS's makensis.
# Prints the installer's path last.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh windows
# The app embeds the built UI (ui/dist); `make windows` builds it first.
test -f ui/dist/index.html || { echo "ui/dist is missing: run \`make windows\`" >&2; exit 1; }
source scripts/windows/env.sh

"${WIN_CARGO[@]}" build "${WIN_BUILD_STD[@]}" --release -p xvb-cli -p xvb-companion
release=$CARGO_TARGET_DIR/$WIN_TARGET/release

# The app links WebView2Loader.dll (Microsoft's redistributable loader, from the
# webview2-com-sys crate): it ships beside the exe.
loader=$(ls -t "$release"/build/webview2-com-sys-*/out/x64/WebView2Loader.dll | head -n 1)
cp "$loader" "$release/WebView2Loader.dll"

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
installer=$CARGO_TARGET_DIR/XVB-Companion-$version-x64-setup.exe
makensis -V2 -WX -DVERSION="$version" -DBUILD_DIR="$PWD/$release" -DICON="$PWD/icons/icon.ico" \
  -DOUTFILE="$PWD/$installer" src-tauri/windows/installer.nsi >&2
echo "$installer"
