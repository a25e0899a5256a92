#!/usr/bin/env bash
# The Windows leg of `make test` (after `make windows`): the headless end-to-end
# suite run against the Windows xvb.exe under Wine — the same tests as the Linux
# leg, pointed at another binary — and the installer installed into a fresh
# Wine prefix and uninstalled. The GUI cannot be tested here: WebView2 does not
# run under Wine.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/windows/env.sh
installer=$(ls -t "$CARGO_TARGET_DIR"/XVB-Companion-*-x64-setup.exe | head -n 1)
stage=$PWD/$CARGO_TARGET_DIR/wine

# Wine 8 lacks ProcessPrng (bcryptprimitives.dll), which Rust 1.96's std imports:
# a test-only shim beside the exe under test supplies it. Never shipped.
rm -rf "$stage" && mkdir -p "$stage"
release=$CARGO_TARGET_DIR/$WIN_TARGET/release
cp "$release/xvb.exe" "$release/xvb-companion.exe" "$release/WebView2Loader.dll" "$stage/"
x86_64-w64-mingw32-gcc -O2 -shared -o "$stage/bcryptprimitives.dll" tests/wine/processprng.c -ladvapi32
# And what the Credential Manager holds, read independently of xvb.
x86_64-w64-mingw32-gcc -municode -O2 -o "$stage/credread.exe" tests/wine/credread.c -ladvapi32

export WINEPREFIX=$stage/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" WINEARCH=win64
export WINE=/usr/lib/wine/wine64
# A fresh prefix (≈ 10 s, 0.7 GB); ended and removed with the run.
trap '/usr/lib/wine/wineserver -k 2>/dev/null || true; rm -rf "$WINEPREFIX"' EXIT
"$WINE" wineboot -i >/dev/null 2>&1
/usr/lib/wine/wineserver -w
# The first Wine process started before any test: tests starting the first ones
# at once raced to start the wineserver (one hung for a minute). Not a persistent
# wineserver (-p): with one, a kill -9 under load left it spinning and a test hung.
"$WINE" "$stage/xvb.exe" --version

# The host's test runner (rustup's cargo): the tests are Linux programs driving xvb.exe.
export PATH=$HOME/.cargo/bin:$PATH
unset RUSTC RUSTDOC RUSTC_BOOTSTRAP CARGO_TARGET_DIR
# The headless areas (the desktop's, the .deb's and the Linux filesystem faults stay in
# the Linux leg, as does the missing-Secret-Service case: Windows always has its
# Credential Manager; and the notes' pop on D-Bus and PostgreSQL nodes), and the app and
# the installer, ignored in the Linux leg.
# Twice as many test threads as cores: the tests mostly wait on Wine. (The Linux leg keeps
# one per core: its recordings player needs real-time audio, which stalled under that load.)
export RUST_TEST_THREADS=${RUST_TEST_THREADS:-$(( $(nproc) * 2 ))}
# `--workspace`: the features the Linux leg built the suite with, so it is not compiled again.
areas=(listener:: contacts:: sources:: carddav:: crm:: durability:: dialing:: recordings:: g722:: relay:: tunnel:: notes:: windows_app:: windows_installer::)
XVB_WINDOWS_EXE="$stage/xvb.exe" XVB_WINDOWS_INSTALLER="$PWD/$installer" \
  cargo test --workspace --test e2e -- --include-ignored \
  --skip dialing::without_a_secret_service_it_says_how_to_get_one \
  --skip notes::the_next_ring_of_that_caller_tells_the_last_note \
  --skip notes::on_postgresql \
  ${WINDOWS_TESTS:-${areas[@]}}
