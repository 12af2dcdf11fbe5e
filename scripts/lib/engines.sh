# shellcheck shell=bash
# Sourced by scripts/check-engines: installs the engines the deploy/ recipes run on, once, and
# reuses them afterwards. Debian packages through apt-get (as root, or through sudo); Python
# packages into virtual environments of their own under ~/.cache/claimtag/, outside the
# repository, like libtorch (scripts/lib/libtorch.sh). Every function prints why it failed on
# stderr and returns non-zero, so that the caller can report the engine as not installed.

CLAIMTAG_PYSPARK_VERSION="3.5.9"
CLAIMTAG_KUBERNETES_VALIDATE_VERSION="1.37.0"

# claimtag_apt_install PACKAGE...: installs the Debian packages that are missing.
claimtag_apt_install() {
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    local sudo_if_needed=()
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "claimtag: ${missing[*]} missing, and no root or sudo to install them" >&2
            return 1
        fi
        sudo_if_needed=(sudo -n)
    fi
    echo "claimtag: installing ${missing[*]} (apt-get); this happens once" >&2
    # The package lists may be missing or stale on a fresh machine: update once, then install.
    "${sudo_if_needed[@]}" apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive "${sudo_if_needed[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >&2 || { echo "claimtag: apt-get could not install ${missing[*]}" >&2; return 1; }
}

# claimtag_python_venv_install DIR REQUIREMENT IMPORT: REQUIREMENT (pip's form) in a venv at DIR,
# checked by importing IMPORT; a marker written last makes an interrupted install redo itself.
claimtag_python_venv_install() {
    local venv="$1" requirement="$2" module="$3"
    local marker="$venv/.claimtag-complete"
    if [ -f "$marker" ] && [ "$(cat "$marker")" = "$requirement" ]; then
        return 0
    fi
    echo "claimtag: installing $requirement into $venv; this happens once" >&2
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    if ! python3 -m venv "$venv" >&2; then
        echo "claimtag: python3 -m venv $venv failed (Debian: apt-get install python3-venv)" >&2
        return 1
    fi
    "$venv/bin/pip" install --quiet --no-cache-dir "$requirement" >&2 \
        || { echo "claimtag: pip could not install $requirement into $venv" >&2; return 1; }
    if ! "$venv/bin/python" -c "import $module" >&2; then
        echo "claimtag: $requirement installed into $venv but does not import" >&2
        return 1
    fi
    echo "$requirement" > "$marker"
}

# Prints the venv holding pyspark; Spark itself needs Java (Debian's default-jre-headless).
claimtag_spark_install() {
    local venv="$HOME/.cache/claimtag/pyspark-$CLAIMTAG_PYSPARK_VERSION"
    command -v java >/dev/null 2>&1 || claimtag_apt_install default-jre-headless || return 1
    claimtag_python_venv_install "$venv" "pyspark==$CLAIMTAG_PYSPARK_VERSION" pyspark || return 1
    echo "$venv"
}

claimtag_slurm_install() {
    claimtag_apt_install slurm-wlm munge || return 1
    local program
    for program in munged slurmctld slurmd sbatch scancel scontrol squeue sinfo; do
        if ! command -v "$program" >/dev/null 2>&1; then
            echo "claimtag: $program is not on PATH after installing slurm-wlm" >&2
            return 1
        fi
    done
}

# Prints the kubernetes-validate program.
claimtag_kubernetes_validate_install() {
    local venv="$HOME/.cache/claimtag/kubernetes-validate-$CLAIMTAG_KUBERNETES_VALIDATE_VERSION"
    claimtag_python_venv_install "$venv" "kubernetes-validate==$CLAIMTAG_KUBERNETES_VALIDATE_VERSION" \
        kubernetes_validate || return 1
    echo "$venv/bin/kubernetes-validate"
}
