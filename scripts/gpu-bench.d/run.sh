#!/usr/bin/env bash
# GPU benchmark bundle (made by scripts/gpu-bench in the claimtag repository): claimtag, built
# against PyPI torch 2.11.0+cu130, against the Hugging Face token-classification pipeline on the
# same model and sentences. Needs this host's PyPI PyTorch 2.11 and transformers; no Rust.
#   ./run.sh                              # everything, about 4-5 minutes
#   OUT=/some/dir ./run.sh                # also writes /some/dir/gpu-bench.json
#   DEVICE=cpu PRECISIONS=fp32 HF_DTYPES=fp32 MAX_DOCS=5 ./run.sh   # a smoke run without a GPU
#
# Settings (environment), besides those run_bench.py reads (its docstring; the main ones:
# PRECISIONS, HF_DTYPES, HF_BATCH_SIZES, BATCH_TOKENS, REPEATS, MAX_DOCS, BUDGET_S, WORK):
#   TORCH_DIR  the host's torch package (/opt/torch/.venv/lib/python3.12/site-packages/torch)
#   PYTHON     a Python with that torch and transformers (TORCH_DIR's environment's python)
#   DEVICE     cuda (default) or cpu
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

TORCH_DIR="${TORCH_DIR:-/opt/torch/.venv/lib/python3.12/site-packages/torch}"
[ -f "$TORCH_DIR/lib/libtorch_cpu.so" ] || { echo "run.sh: no libtorch at $TORCH_DIR/lib; set TORCH_DIR" >&2; exit 1; }
if [ -z "${PYTHON:-}" ]; then
    # site-packages/torch sits at VENV/lib/pythonX.Y/site-packages/torch.
    PYTHON="$(cd "$TORCH_DIR/../../../.." && pwd)/bin/python"
    [ -x "$PYTHON" ] || PYTHON=python3
fi
export DEVICE="${DEVICE:-cuda}"

# The binary's rpath names the build machine's torch directory, which does not exist here:
# point the loader at this host's libtorch instead. libtorch_cuda.so then finds the NVIDIA
# libraries through its own $ORIGIN-relative rpath inside this host's environment.
export LD_LIBRARY_PATH="$TORCH_DIR/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

built_with="$(cat "$here/BUILT_WITH_TORCH")"
host_torch="$(sed -nE "s/^__version__[^=]*= *['\"]([^'\"]+)['\"].*/\1/p" "$TORCH_DIR/version.py" | head -n 1)"
echo "run.sh: claimtag built against torch $built_with; this host's torch is $host_torch at $TORCH_DIR" >&2
if [ "$built_with" != "$host_torch" ]; then
    # Another libtorch may still load (same soname) but break at the first changed symbol.
    echo "run.sh: warning: torch versions differ; if claimtag fails to start, that is why" >&2
fi
missing="$(ldd "$here/claimtag" | grep 'not found' || true)"
if [ -n "$missing" ]; then
    echo "run.sh: claimtag's libraries are not all found:" >&2
    echo "$missing" >&2
    exit 1
fi
"$here/claimtag" --version >&2 || { echo "run.sh: the claimtag binary does not start" >&2; exit 1; }

exec "$PYTHON" "$here/py/run_bench.py"
