# shellcheck shell=bash
# Sourced by scripts/check-alternate-libtorch and scripts/gpu-bench: installs a given PyPI torch
# version into a virtual environment of its own, for building and testing claimtag against a
# libtorch other than the 2.4.0 of scripts/lib/libtorch.sh (which this does not touch).
#
# The environment lives outside the repository (~/.cache/claimtag/torch-VERSION, like the 2.4.0
# one) so that reruns and other clones reuse it; the CUDA wheels it pulls in are gigabytes.

# claimtag_torch_venv_install VERSION [DIR]
# Installs torch==VERSION into DIR (default ~/.cache/claimtag/torch-VERSION) once, and prints the
# torch package directory (DIR/lib/pythonX.Y/site-packages/torch) on stdout.
claimtag_torch_venv_install() {
    local version="$1"
    local venv="${2:-$HOME/.cache/claimtag/torch-$version}"
    # A marker written only after pip succeeded and torch imported, so that an interrupted or
    # broken install is redone rather than trusted. It holds the version, so that a directory
    # given for another version is not taken for this one.
    local marker="$venv/.claimtag-complete"
    if [ ! -f "$marker" ] || [ "$(cat "$marker")" != "torch==$version" ]; then
        echo "claimtag: installing torch==$version into $venv; this happens once and downloads several GB" >&2
        rm -rf "$venv"
        mkdir -p "$(dirname "$venv")"
        python3 -m venv "$venv" || return 1
        # Not --quiet: a multi-GB download that prints nothing for many minutes looks hung.
        "$venv/bin/pip" install --no-cache-dir --progress-bar off "torch==$version" >&2 || {
            echo "claimtag: pip could not install torch==$version into $venv" >&2
            return 1
        }
        # Importing proves the CUDA dependency wheels are there too: libtorch_cuda.so, which
        # claimtag links when it exists, needs them even on a machine without a GPU.
        "$venv/bin/python" -c 'import torch' || {
            echo "claimtag: torch==$version installed into $venv but does not import" >&2
            return 1
        }
        echo "torch==$version" > "$marker"
    fi
    "$venv/bin/python" -c 'import os, torch; print(os.path.dirname(torch.__file__))'
}
