# Sourced by the Windows scripts: cross-building for x86_64-pc-windows-gnu with
# Debian 12's own Rust 1.96 (rustc-web, cargo-web, rust-web-src) and MinGW-w64.
# std is rebuilt for the target from rust-web-src (-Zbuild-std): Debian ships no
# prebuilt Windows std, and no toolchain or target is fetched any other way.
export WIN_TARGET=x86_64-pc-windows-gnu
export RUSTC=/usr/bin/rustc
export RUSTDOC=/usr/bin/rustdoc
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR_WINDOWS:-target/windows}
# Debian's cargo and clippy come first (rustup's, in ~/.cargo/bin, know no Windows std).
export PATH=/usr/bin:$PATH
WIN_CARGO=(/usr/bin/cargo)
WIN_BUILD_STD=(-Zbuild-std=std,panic_abort --target "$WIN_TARGET")
