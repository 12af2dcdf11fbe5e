"""Tags a JSONL corpus with claimtag inside a Spark job, through RDD.pipe.

Every partition streams its lines through one `claimtag tag --pipe` process, which answers each
input line with exactly one output line, in order: entities and claims, or an error record for a
document it could not tag. The job then splits tagged documents from error records.

    spark-submit --conf spark.executor.cores=8 --conf spark.task.cpus=8 \\
        deploy/pyspark_pipe.py hdfs:///corpus/*.jsonl hdfs:///claimtag-out

claimtag must be installed at the same path on every executor (CLAIMTAG_BIN), with the libtorch
it was built against (see deploy/README.md).
"""

import json
import os
import shlex
import sys

from pyspark import StorageLevel
from pyspark.sql import SparkSession

CLAIMTAG_BIN = os.environ.get("CLAIMTAG_BIN", "/opt/claimtag/bin/claimtag")


def claimtag_command(threads):
    """The command line for RDD.pipe.

    Spark's pipe raises on a non-zero exit only when asked to (checkCode=True below), and then
    fails the task. claimtag exits 3 when it finished but some documents got error records: those
    records are already in its output, one per failed document, and a retry would produce the
    same ones, so a small sh wrapper turns 3 into 0. Fatal errors (1) and usage errors (2) still
    fail the task, and Spark retries it (spark.task.maxFailures); nothing of a failed task's
    output is kept.

    --progress none: stdout is the data; stderr goes to the executor's log."""
    claimtag = shlex.join([
        CLAIMTAG_BIN, "tag", "--pipe", "--input-format", "jsonl", "--format", "jsonl",
        "--threads", str(threads), "--device", "cpu", "--progress", "none",
    ])
    script = f'{claimtag}; status=$?; [ "$status" -eq 3 ] && exit 0; exit "$status"'
    # PySpark splits the command with shlex, so the script must be one quoted argument.
    return shlex.join(["/bin/sh", "-c", script])


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: pyspark_pipe.py INPUT_JSONL_GLOB OUTPUT_DIR")
    source, destination = sys.argv[1], sys.argv[2]
    spark = SparkSession.builder.appName("claimtag").getOrCreate()
    sc = spark.sparkContext

    # One claimtag process per task, with as many libtorch threads as the task has CPUs. Setting
    # spark.task.cpus = spark.executor.cores (as in the spark-submit line above) runs one task,
    # one model copy in memory, per executor, using all its cores, rather than a model per core.
    threads = int(sc.getConf().get("spark.task.cpus", "1"))

    # Input lines are {"id": ..., "text": ...} objects, passed through as they are. textFile
    # makes a partition per file block or small file. Each partition starts claimtag and loads
    # the model once (about a second): with thousands of small files, coalesce() to fewer.
    lines = sc.textFile(source)

    # PySpark's pipe replaces the child's environment with `env` rather than adding to it, so
    # anything claimtag needs (its model, its libraries) has to be named here.
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin"}
    for name in ("CLAIMTAG_MODEL", "LD_LIBRARY_PATH", "HOME"):
        if name in os.environ:
            env[name] = os.environ[name]
    records = lines.pipe(claimtag_command(threads), env=env, checkCode=True).map(json.loads)

    # Two outputs are written from the same records; persist them, or each write would run
    # claimtag over the whole corpus again.
    records.persist(StorageLevel.MEMORY_AND_DISK)

    tagged = records.filter(lambda record: "error" not in record)
    errors = records.filter(lambda record: "error" in record)
    tagged.map(lambda record: json.dumps(record, ensure_ascii=False)).saveAsTextFile(
        f"{destination}/tagged", compressionCodecClass="org.apache.hadoop.io.compress.GzipCodec")
    errors.map(lambda record: json.dumps(record, ensure_ascii=False)).saveAsTextFile(f"{destination}/errors")

    # Or as a DataFrame, e.g. one row per entity:
    #   from pyspark.sql import functions as F
    #   frame = spark.read.json(tagged.map(json.dumps))
    #   frame.select("id", F.explode("entities").alias("e")).select("id", "e.label", "e.text")

    print(f"claimtag: {tagged.count()} documents tagged, {errors.count()} error records "
          f"(in {destination}/errors)")
    records.unpersist()
    spark.stop()


if __name__ == "__main__":
    main()
