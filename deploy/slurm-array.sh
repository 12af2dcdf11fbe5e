#!/usr/bin/env bash
# Tags a corpus with claimtag as a Slurm job array: every array task tags its shard of the
# documents (by a stable hash of their ids) and writes out/part-<task>.jsonl.
#
#   mkdir -p logs && sbatch deploy/slurm-array.sh
#   INPUTS='corpus/*.jsonl' OUT_DIR=out sbatch deploy/slurm-array.sh      # variables pass through sbatch
#
# Safe to run again, whole or in part: with --resume a task continues its part file where the
# last attempt stopped, and tags nothing twice. Rerun tasks that failed or were cancelled with
#   sbatch --array=3,7 deploy/slurm-array.sh
# A task that finishes writes out/part-<task>.done; deploy/slurm-compress.sh compresses the part
# files once every shard has one (see deploy/README.md). scripts/check-engines runs this on a
# one-node Slurm cluster, with a task cancelled mid-run and resubmitted.
#
#SBATCH --job-name=claimtag
#SBATCH --array=0-15
#SBATCH --cpus-per-task=8
#SBATCH --mem=8G
#SBATCH --time=04:00:00
# Requeued after a node failure or preemption instead of failing; --resume makes the rerun
# continue rather than start over. Append, so that a requeued attempt does not wipe the log of
# the one before it.
#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --output=logs/claimtag-%A_%a.log
# GPU nodes instead: uncomment, and set DEVICE=cuda (PRECISION=fp16 halves the memory).
##SBATCH --gres=gpu:1
##SBATCH --partition=gpu
set -euo pipefail

# The number of shards is fixed here, not taken from Slurm: claimtag would default it to
# SLURM_ARRAY_TASK_COUNT, which is 2 when `sbatch --array=3,7` reruns two failed tasks, and
# would then shard the documents differently from the first run. Keep it equal to the size of
# the --array range above.
NUM_SHARDS="${NUM_SHARDS:-16}"
INPUTS="${INPUTS:-corpus/*.jsonl}"       # a glob or a space-separated list; each task reads them all
OUT_DIR="${OUT_DIR:-out}"
CLAIMTAG="${CLAIMTAG:-claimtag}"         # a path, if claimtag is not on PATH on the compute nodes
DEVICE="${DEVICE:-cpu}"
PRECISION="${PRECISION:-fp32}"

task="${SLURM_ARRAY_TASK_ID:?run this with sbatch as an array job}"
out="$OUT_DIR/part-$task.jsonl"
# Written when the shard is complete, for deploy/slurm-compress.sh; removed first, so that a
# requeued or resubmitted task counts as complete only once it has finished again.
done_marker="$OUT_DIR/part-$task.done"
mkdir -p "$OUT_DIR"
rm -f "$done_marker"

# Once compressed, the part file is gone and --resume would start it over, tagging the whole
# shard a second time into a new file beside the compressed one.
for compressed in "$out.zst" "$out.gz"; do
    if [ -e "$compressed" ] && [ ! -e "$out" ]; then
        echo "claimtag: shard $task is already complete and compressed ($compressed); nothing to do"
        echo "compressed" > "$done_marker"
        exit 0
    fi
done

# INPUTS is split and globbed on purpose.
# shellcheck disable=SC2086
set -- $INPUTS

# The shard is the array task id itself (as above, not claimtag's default, which subtracts
# SLURM_ARRAY_TASK_MIN and so also shifts when only some tasks are rerun). The output stays
# uncompressed: --resume reads back and appends to a plain file.
status=0
"$CLAIMTAG" tag "$@" \
    --input-format auto --format jsonl \
    --output "$out" --resume \
    --shard-index "$task" --num-shards "$NUM_SHARDS" \
    --device "$DEVICE" --precision "$PRECISION" \
    --threads "${SLURM_CPUS_PER_TASK:-1}" \
    --progress plain || status=$?

case "$status" in
    0)
        echo "complete" > "$done_marker"
        echo "claimtag: shard $task of $NUM_SHARDS complete: $out" ;;
    3)
        # Some documents got error records instead of entities (unreadable HTML, say). Rerunning
        # would give the same errors, and a failed task would hold back `--dependency=afterok`
        # jobs such as the compression step, so the task succeeds and says so in its log; find
        # the records with: grep '"error":{' out/part-*.jsonl
        # (compact JSON: inside a document's text the quotes would be escaped, so text cannot match)
        errors="$(grep -c '"error":{' "$out" || true)"
        echo "complete, $errors error record(s)" > "$done_marker"
        echo "claimtag: shard $task of $NUM_SHARDS complete, with $errors error record(s) in $out" ;;
    *)
        # 1 (fatal) or 2 (usage): the task fails; a rerun resumes.
        echo "claimtag: shard $task failed with exit code $status" >&2
        exit "$status" ;;
esac
