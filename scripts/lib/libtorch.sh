# shellcheck shell=bash
# Sourced by the scripts in scripts/: makes sure libtorch is present and tells cargo where it is.
#
# libtorch comes from the PyPI wheel torch==2.4.0 (the version tch 0.17 is built for), installed
# once into a virtual environment outside the repository so that every clone and every CI run
# reuses it. Override the location with CLAIMTAG_TORCH_DIR.
#
# After sourcing, torch-sys builds through LIBTORCH_USE_PYTORCH=1: it asks that environment's
# Python for the include and lib directories and the C++ ABI, so nothing machine-specific is
# written into the repository.

CLAIMTAG_TORCH_VERSION="2.4.0"
CLAIMTAG_TORCH_DIR="${CLAIMTAG_TORCH_DIR:-$HOME/.cache/claimtag/torch-$CLAIMTAG_TORCH_VERSION}"

claimtag_install_libtorch() {
    # A marker written only after pip succeeds, so an interrupted install is redone, not trusted.
    local marker="$CLAIMTAG_TORCH_DIR/.claimtag-complete"
    if [ -f "$marker" ]; then
        return 0
    fi
    echo "claimtag: installing torch==$CLAIMTAG_TORCH_VERSION (libtorch) into $CLAIMTAG_TORCH_DIR; this happens once" >&2
    rm -rf "$CLAIMTAG_TORCH_DIR"
    mkdir -p "$(dirname "$CLAIMTAG_TORCH_DIR")"
    python3 -m venv "$CLAIMTAG_TORCH_DIR" || return 1
    "$CLAIMTAG_TORCH_DIR/bin/pip" install --quiet --no-cache-dir "torch==$CLAIMTAG_TORCH_VERSION" || {
        echo "claimtag: pip could not install torch==$CLAIMTAG_TORCH_VERSION into $CLAIMTAG_TORCH_DIR" >&2
        return 1
    }
    touch "$marker"
}

claimtag_libtorch_env() {
    claimtag_install_libtorch || return 1
    export LIBTORCH_USE_PYTORCH=1
    # torch-sys runs `python` when VIRTUAL_ENV is set, so put this environment's first on PATH.
    export VIRTUAL_ENV="$CLAIMTAG_TORCH_DIR"
    export PATH="$CLAIMTAG_TORCH_DIR/bin:$PATH"
    # A LIBTORCH left in the caller's environment would win over the Python lookup above.
    unset LIBTORCH LIBTORCH_INCLUDE LIBTORCH_LIB
}

# The release binary `cargo build --release` writes: under CARGO_TARGET_DIR when that is set.
#   claimtag_release_binary REPO
claimtag_release_binary() {
    echo "${CARGO_TARGET_DIR:-$1/target}/release/claimtag"
}

# Brings the release build of REPO up to date (cargo's output to stderr) and prints the binary's
# path; fails when the build does. Call it after claimtag_libtorch_env, and on a line of its own
# (`bin="$(claimtag_build_release "$repo")"`): `export bin="$(...)"` would hide a failed build.
#   claimtag_build_release REPO
claimtag_build_release() {
    cargo build --release --quiet --manifest-path "$1/Cargo.toml" >&2 || return 1
    claimtag_release_binary "$1"
}
