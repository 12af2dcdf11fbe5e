#!/usr/bin/env bash
# Compresses the part files of a deploy/slurm-array.sh run once every shard is complete:
#
#   jobid=$(sbatch --parsable deploy/slurm-array.sh)
#   sbatch --dependency=afterany:$jobid deploy/slurm-compress.sh
#
# afterany, not afterok: with afterok a single cancelled or failed task leaves this job pending
# for ever (Slurm never satisfies the dependency), even after that task has been resubmitted as
# a new job. This job runs however the tasks ended and checks for itself: every shard's task
# writes out/part-<task>.done when it finishes. If one is missing, nothing is compressed, the
# job fails and its log names the shards to rerun; submit it again after the rerun:
#
#   rerun=$(sbatch --parsable --array=3 deploy/slurm-array.sh)
#   sbatch --dependency=afterany:$rerun deploy/slurm-compress.sh
#
# Compression waits for the end because --resume can only continue a plain part file. zstd when
# it is installed, else gzip. Takes the same OUT_DIR and NUM_SHARDS as deploy/slurm-array.sh.
#
#SBATCH --job-name=claimtag-compress
#SBATCH --cpus-per-task=1
#SBATCH --mem=1G
#SBATCH --time=01:00:00
#SBATCH --open-mode=append
#SBATCH --output=logs/claimtag-compress-%j.log
set -euo pipefail

NUM_SHARDS="${NUM_SHARDS:-16}"
OUT_DIR="${OUT_DIR:-out}"

missing=()
for ((shard = 0; shard < NUM_SHARDS; shard++)); do
    [ -e "$OUT_DIR/part-$shard.done" ] || missing+=("$shard")
done
if [ "${#missing[@]}" -gt 0 ]; then
    rerun="$(IFS=,; echo "${missing[*]}")"
    echo "claimtag: ${#missing[@]} of $NUM_SHARDS shards are not complete in $OUT_DIR (no part-N.done): $rerun." \
        "Rerun them with: sbatch --array=$rerun deploy/slurm-array.sh, then submit this again." \
        "Nothing was compressed." >&2
    exit 1
fi

if command -v zstd >/dev/null 2>&1; then
    compress=(zstd -q -f --rm)
else
    compress=(gzip -f)
fi
for ((shard = 0; shard < NUM_SHARDS; shard++)); do
    part="$OUT_DIR/part-$shard.jsonl"
    # Already compressed by an earlier run of this job.
    [ -e "$part" ] || continue
    # -f: a compressed file left by a run of this job that was killed part-way is redone.
    "${compress[@]}" "$part"
done
echo "claimtag: the $NUM_SHARDS part files in $OUT_DIR are compressed (${compress[0]})"
