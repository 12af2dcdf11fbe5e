"""Tags a JSONL corpus with claimtag inside a Spark job, through RDD.pipe.

Every partition streams its lines through one `claimtag tag --pipe` process, which answers each
input line with exactly one output line, in order: entities and claims, or an error record for a
line it could not read as a document. The job then writes tagged documents and error records
apart. The records are the ones `claimtag tag FILE ...` writes for the same files, ids included.

    spark-submit --conf spark.executor.cores=8 --conf spark.task.cpus=8 \\
        deploy/pyspark_pipe.py 'hdfs:///corpus/*.jsonl' hdfs:///claimtag-out

claimtag must be installed at the same path on every executor (CLAIMTAG_BIN), with the libtorch
it was built against (see deploy/README.md). scripts/check-engines runs this on Spark local[2,4]
with a task killed mid-partition and compares the output with a single claimtag run.
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
    same ones, so a small sh wrapper turns 3 into 0. Fatal errors (1), usage errors (2) and a
    killed claimtag (128 + signal) still fail the task, and Spark retries it
    (spark.task.maxFailures); nothing of a failed attempt's output is kept.

    --progress none: stdout is the data; stderr goes to the executor's log."""
    claimtag = shlex.join([
        CLAIMTAG_BIN, "tag", "--pipe", "--input-format", "jsonl", "--format", "jsonl",
        "--threads", str(threads), "--device", "cpu", "--progress", "none",
    ])
    script = f'{claimtag}; status=$?; [ "$status" -eq 3 ] && exit 0; exit "$status"'
    # PySpark splits the command with shlex, so the script must be one quoted argument.
    return shlex.join(["/bin/sh", "-c", script])


def input_files(sc, source):
    """The files SOURCE names (a Hadoop glob; a directory stands for the files directly in it,
    as textFile reads it), sorted, so that every run numbers the same lines the same way."""
    hadoop = sc._jvm.org.apache.hadoop.fs
    pattern = hadoop.Path(source)
    fs = pattern.getFileSystem(sc._jsc.hadoopConfiguration())
    files = []
    for status in fs.globStatus(pattern) or []:
        children = fs.listStatus(status.getPath()) if status.isDirectory() else [status]
        for child in children:
            name = child.getPath().getName()
            # Hadoop's own convention: _SUCCESS, .crc files and the like are not data.
            if child.isFile() and not name.startswith(("_", ".")):
                files.append(child.getPath().toString())
    if not files:
        sys.exit(f"pyspark_pipe.py: {source} matches no file")
    return sorted(files)


def numbered_lines(sc, path):
    """(file name, line number from 1, line) for every line of one file.

    claimtag names a record without an "id" FILE:line:N, and its error records say which line
    was bad; piped through stdin it only knows the line's place in its partition ("stdin, line
    8"), which several partitions share. zipWithIndex numbers the file's lines across its
    partitions: for a file of one partition (minPartitions=1: one per block) that costs nothing,
    for a larger one an extra pass over its text, cheap beside tagging."""
    name = path.rsplit("/", 1)[-1]
    return sc.textFile(path, minPartitions=1).zipWithIndex().map(lambda pair: (name, pair[1] + 1, pair[0]))


def has_own_id(line):
    """Whether claimtag takes this line's id from the line itself (a JSON object whose "id" is a
    string or a number), rather than naming it by its place."""
    try:
        record = json.loads(line)
    except ValueError:
        return False
    own = record.get("id") if isinstance(record, dict) else None
    return isinstance(own, (str, int, float)) and not isinstance(own, bool)


def located(pairs, source_names):
    """Puts the file and line back into the records of one partition: pairs are
    ((file name, line number, line), claimtag's output line), the k-th line of the partition
    being claimtag's "stdin, line k"."""
    for k, ((name, number, line), output) in enumerate(pairs, start=1):
        record = json.loads(output)
        if record.get("id") == f"line:{k}" and not has_own_id(line):
            record["id"] = f"{name}:line:{number}"
        error = record.get("error")
        if isinstance(error, dict):
            prefix = f"stdin, line {k}: "
            if error.get("message", "").startswith(prefix):
                error["message"] = f"{source_names[name]}, line {number}: {error['message'][len(prefix):]}"
        yield record


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

    # Input lines are {"id": ..., "text": ...} objects, passed through as they are. Each
    # partition starts claimtag and loads the model once (about a second): with thousands of
    # small files, add .coalesce(N) to `lines` (pipe and zip below then both see the coalesced
    # partitions, so the pairing holds).
    files = input_files(sc, source)
    source_names = {path.rsplit("/", 1)[-1]: path for path in files}
    if len(source_names) != len(files):
        sys.exit("pyspark_pipe.py: two input files share a name, so records without an id would share ids; "
                 "rename one, or give every record an \"id\"")
    # claimtag skips blank lines in a file but, piped, answers each with a blank_line error
    # record; leaving them out here gives the records a file run gives.
    lines = sc.union([numbered_lines(sc, path) for path in files]).filter(lambda item: item[2].strip())

    # PySpark's pipe replaces the child's environment with `env` rather than adding to it, so
    # anything claimtag needs (its model, its libraries) has to be named here.
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin"}
    for name in ("CLAIMTAG_MODEL", "LD_LIBRARY_PATH", "HOME"):
        if name in os.environ:
            env[name] = os.environ[name]
    outputs = lines.map(lambda item: item[2]).pipe(claimtag_command(threads), env=env, checkCode=True)
    # pipe answers every line with one line in the same partition, so zip pairs each record with
    # the line it came from (zip fails the job if the counts ever differ).
    records = lines.zip(outputs).mapPartitions(lambda pairs: located(pairs, source_names))

    # Two outputs are written from the same records; persist them, or each write would run
    # claimtag over the whole corpus again.
    records.persist(StorageLevel.MEMORY_AND_DISK)

    def compact(record):
        # claimtag's own compact form, so `grep '"error":{'` works on both outputs.
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"))

    tagged = records.filter(lambda record: "error" not in record)
    errors = records.filter(lambda record: "error" in record)
    tagged.map(compact).saveAsTextFile(
        f"{destination}/tagged", compressionCodecClass="org.apache.hadoop.io.compress.GzipCodec")
    errors.map(compact).saveAsTextFile(f"{destination}/errors")

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
