"""Runs the recipes in deploy/ on real engines on this one machine and checks that what each
writes, gathered, is what a single `claimtag tag` run writes for the same input: the same ids,
each exactly once, the same records (entities, claims, error records). Driven by
scripts/check-engines, which installs the engines and says which it could not; standard library
only.

- Spark: deploy/pyspark_pipe.py under spark-submit, master local[2,4] (2 threads; a failed task
  is tried up to 4 times, as spark.task.maxFailures on a cluster: plain local[2] never retries).
  Run twice: undisturbed (timed), then with one claimtag process killed (SIGKILL) once it has
  answered its first lines, so that Spark retries the task.
- Slurm: munged, slurmctld and slurmd started here as a one-node cluster on 127.0.0.1 with a
  generated slurm.conf; deploy/slurm-array.sh as 4 array tasks, undisturbed (timed), then with
  one task cancelled (scancel) once its part file holds records, and resubmitted with
  --array=N: the rerun must keep what the cancelled task wrote and tag only the rest. Both runs
  are gathered with deploy/slurm-compress.sh, which must refuse while a shard is missing.
- Kubernetes: no cluster can be installed from the package registries here, so
  deploy/k8s-indexed-job.yaml is only validated (kubernetes-validate --strict) against the
  Kubernetes schemas of every version from 1.29, the oldest it supports.

Input: a generated corpus of short news-like documents in 4 JSONL files, with ids, without ids,
with numeric ids and extra fields, curly quotes, Cyrillic and emoji, and bad lines (invalid
JSON, not an object, no text, text not a string, a bad id, blank lines).

Everything this starts it stops by pid, also on failure or interruption.
"""

import argparse
import collections
import glob
import gzip
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time

NUM_FILES = 4
SLURM_TASKS = 4
SPARK_MASTER = "local[2,4]"
ENGINE_TIMEOUT_S = 900


class CheckFailed(Exception):
    """An engine ran, but what it did is wrong."""


class EngineDown(Exception):
    """An engine could not be started."""


def log(message):
    print(f"check-engines: {message}", file=sys.stderr, flush=True)


# --- the corpus -------------------------------------------------------------------------------

PEOPLE = ["Vladimir Putin", "Olaf Scholz", "Angela Merkel", "Joe Biden", "Volodymyr Zelensky",
          "Emmanuel Macron", "Ursula von der Leyen", "Jens Stoltenberg", "Дмитрий Песков", "Kaja Kallas"]
ORGS = ["the Institute for the Study of War", "NATO", "the European Commission", "Reuters", "the Kremlin",
        "the United Nations", "Gazprom", "the World Bank", "Amnesty International"]
PLACES = ["Kyiv", "Moscow", "Berlin", "Washington", "Brussels", "Paris", "Warsaw", "Odesa", "Київ", "Tallinn"]
CUES = ["said", "told reporters", "warned", "claimed", "reported", "argued", "insisted"]
TOPICS = ["talks would resume next week", "sanctions were working", "the ceasefire had collapsed",
          "grain exports from {place} would double", "{org} had no plans to intervene",
          "the budget for {place} was unrealistic", "energy prices would fall by spring"]
# Lines claimtag cannot read as documents; each must come back as an error record of this kind.
BAD_LINES = [
    ('{{"id": "broken-{n}", "text": oops}}', "invalid_json"),
    ('[1, 2]', "not_an_object"),
    ('{{"id": "no-text-{n}"}}', "missing_text"),
    ('{{"id": "number-text-{n}", "text": 5}}', "text_not_string"),
    ('{{"id": ["a"], "text": "x"}}', "bad_id"),
]


def sentence(rng):
    person, org, place = rng.choice(PEOPLE), rng.choice(ORGS), rng.choice(PLACES)
    topic = rng.choice(TOPICS).format(place=rng.choice(PLACES), org=rng.choice(ORGS))
    return rng.choice([
        f"{person} {rng.choice(CUES)} in {place} on Tuesday that {topic}.",
        f"“{topic[0].upper()}{topic[1:]},” {person} {rng.choice(CUES)}.",
        f"According to {org}, {topic}.",
        f"{org[0].upper()}{org[1:]} {rng.choice(CUES)} that {person} had met officials in {place} 🇺🇦.",
        f"Officials in {place} met {person} and representatives of {org} on Monday.",
    ])


def write_corpus(folder, documents):
    """Writes NUM_FILES JSONL files of `documents` documents in all, bad lines among them.
    Returns the paths and the number of bad lines."""
    rng = random.Random(18)
    os.makedirs(folder)
    paths, bad, n = [], 0, 0
    for f in range(NUM_FILES):
        path = os.path.join(folder, f"news-{f + 1}.jsonl")
        with open(path, "w", encoding="utf-8") as out:
            for _ in range(documents // NUM_FILES + (f < documents % NUM_FILES)):
                n += 1
                record = {"id": f"doc-{n:04d}", "text": " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))}
                if n % 17 == 0:
                    del record["id"]  # named FILE:line:N by claimtag
                elif n % 23 == 0:
                    record["id"] = n  # a number: its decimal form is the id
                if n % 11 == 0:
                    record["source"] = rng.choice(ORGS)  # extra fields come back in the record
                if n % 97 == 0:
                    record["text"] = ""  # empty text is a document, not an error
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                if n % 29 == 5:
                    line, _kind = BAD_LINES[bad % len(BAD_LINES)]
                    out.write(line.format(n=n) + "\n")
                    bad += 1
                if n % 41 == 3:
                    out.write("\n" if n % 2 else "   \n")  # skipped, as in any claimtag run
        paths.append(path)
    return paths, bad


# --- processes ----------------------------------------------------------------------------------

class Processes:
    """Every process this check starts, so that all of them are stopped by pid at the end."""

    def __init__(self):
        self.started = []

    def start(self, name, command, **options):
        log_path = options.pop("log")
        with open(log_path, "ab") as out:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                       **options)
        self.started.append((name, process, log_path))
        return process

    def stop(self, process, name):
        """SIGTERM, then SIGKILL after 10 s, to the process and then to whatever it started that
        is still running (found through /proc, by parent pid)."""
        family = descendants(process.pid)
        for pid in [process.pid] + family:
            signal_pid(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for pid in [process.pid] + family:
            while alive(pid) and time.monotonic() < deadline:
                if pid == process.pid and process.poll() is not None:
                    break
                time.sleep(0.1)
            if alive(pid) and not (pid == process.pid and process.poll() is not None):
                log(f"{name}: pid {pid} did not stop on SIGTERM; SIGKILL")
                signal_pid(pid, signal.SIGKILL)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            log(f"{name}: pid {process.pid} is still there after SIGKILL")

    def stop_all(self):
        for name, process, _ in reversed(self.started):
            if process.poll() is None:
                self.stop(process, name)
        self.started.clear()


def signal_pid(pid, number):
    try:
        os.kill(pid, number)
    except ProcessLookupError:
        pass


def alive(pid):
    """Running, and not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def parents():
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    table[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    return table


def descendants(pid):
    table = parents()
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in table.items() if parent in frontier]
        found += children
        frontier = children
    return found


def command_line(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return [part.decode("utf-8", "replace") for part in cmdline.read().split(b"\0") if part]
    except OSError:
        return []


def is_binary(arguments, binary):
    """Whether a command line runs `binary` (a real path), however the path was spelt."""
    return bool(arguments) and os.path.realpath(arguments[0]) == binary


def bytes_written(pid):
    try:
        with open(f"/proc/{pid}/io") as io:
            return next(int(line.split()[1]) for line in io if line.startswith("wchar:"))
    except (OSError, StopIteration):
        return 0


def tail(path, lines=25):
    try:
        with open(path, encoding="utf-8", errors="replace") as text:
            return "".join(collections.deque(text, lines))
    except OSError as error:
        return f"({path}: {error})"


def run(command, timeout=ENGINE_TIMEOUT_S, **options):
    return subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
                          **options)


# --- records ------------------------------------------------------------------------------------

def read_records(path):
    if path.endswith(".gz"):
        opened = gzip.open(path, "rt", encoding="utf-8")
    elif path.endswith(".zst"):
        text = run(["zstd", "-dc", path]).stdout
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    else:
        opened = open(path, encoding="utf-8")
    with opened as lines:
        return [json.loads(line) for line in lines if line.strip()]


def fnv1a(text):
    """claimtag's shard hash (src/batch/shard.rs), to know what each Slurm task should write."""
    value = 0xCBF29CE484222325
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x100000001B3) % (1 << 64)
    return value


WHERE = re.compile(r"^(.*), line (\d+): ")


def error_location(message):
    """The file name and line number an error message starts with, and the rest: a file run says
    `corpus/news-1.jsonl, line 7: ...`, Spark `file:/.../news-1.jsonl, line 7: ...`."""
    match = WHERE.match(message)
    if not match:
        return None, message
    return (os.path.basename(match.group(1)), int(match.group(2))), message[match.end():]


def without_scores(entities):
    return [{key: value for key, value in entity.items() if key != "score"} for entity in entities]


def record_difference(expected, got):
    """What differs between two records of the same id (scores within 1e-4), or None."""
    if ("error" in expected) != ("error" in got):
        return "an error record on one side only"
    if "error" in expected:
        if expected["error"].get("kind") != got["error"].get("kind"):
            return f"error kind {got['error'].get('kind')!r}, expected {expected['error'].get('kind')!r}"
        if error_location(expected["error"]["message"]) != error_location(got["error"]["message"]):
            return f"error message {got['error']['message']!r}, expected {expected['error']['message']!r}"
        return None
    if set(expected) != set(got):
        return f"fields {sorted(got)}, expected {sorted(expected)}"
    for key in expected:
        if key == "entities":
            if without_scores(expected[key]) != without_scores(got[key]):
                return "entities differ"
            for a, b in zip(expected[key], got[key]):
                if abs(a["score"] - b["score"]) > 1e-4:
                    return f"entity {a['text']!r} scored {b['score']}, expected {a['score']}"
        elif expected[key] != got[key]:
            return f"{key} differs"
    return None


def compare(engine, reference, parts):
    """Checks the union of `parts` ({name: records in file order}) against the single run's
    records: every id exactly once, nothing else, each record the same, each part in input order.
    Returns the counts; raises CheckFailed listing the first problems."""
    position = {record["id"]: n for n, record in enumerate(reference)}
    by_id = {record["id"]: record for record in reference}
    seen = collections.Counter()
    problems = []
    for name, records in sorted(parts.items()):
        last = -1
        for record in records:
            doc = record.get("id")
            seen[doc] += 1
            if doc not in by_id:
                problems.append(f"{name}: unexpected id {doc!r}")
                continue
            if position[doc] < last:
                problems.append(f"{name}: {doc!r} is out of input order")
            last = position[doc]
            difference = record_difference(by_id[doc], record)
            if difference:
                problems.append(f"{name}: {doc!r}: {difference}")
    missing = [doc for doc in by_id if seen[doc] == 0]
    repeated = [doc for doc, count in seen.items() if count > 1]
    if missing:
        problems.append(f"{len(missing)} ids missing, e.g. {missing[:5]}")
    if repeated:
        problems.append(f"{len(repeated)} ids written more than once, e.g. {repeated[:5]}")
    if problems:
        raise CheckFailed(f"{engine}: {len(problems)} problem(s): " + "; ".join(problems[:8]))
    errors = sum(1 for records in parts.values() for record in records if "error" in record)
    return {"records": sum(seen.values()), "errors": errors, "parts": len(parts)}


# --- the single run -----------------------------------------------------------------------------

def single_run(args, corpus, work):
    """One `claimtag tag` over the corpus files: the reference, and the throughput to beat."""
    output = os.path.join(work, "single.jsonl")
    command = [args.binary, "tag", *corpus, "--format", "jsonl", "--output", output, "--threads", "1",
               "--progress", "none"]
    started = time.monotonic()
    result = run(command)
    seconds = time.monotonic() - started
    if result.returncode != 3:
        raise CheckFailed(f"single run: exit {result.returncode}, expected 3 (the corpus has bad lines):\n"
                          f"{result.stderr[-2000:]}")
    return read_records(output), seconds


# --- Spark --------------------------------------------------------------------------------------

class TaskKiller(threading.Thread):
    """Kills (SIGKILL) the first `claimtag tag --pipe` below `root` that has written output, so
    that its Spark task fails part-way through its partition."""

    def __init__(self, root, binary):
        super().__init__(daemon=True)
        self.root, self.binary = root, os.path.realpath(binary)
        self.killed = None
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set() and self.killed is None:
            for pid in descendants(self.root):
                arguments = command_line(pid)
                if (is_binary(arguments, self.binary) and "--pipe" in arguments
                        and alive(pid) and bytes_written(pid) > 0):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        continue  # it finished in between: wait for another
                    self.killed = pid
                    break
            time.sleep(0.02)


def spark_run(args, processes, corpus_glob, work, name, kill):
    out_dir = os.path.join(work, name)
    venv_bin = os.path.join(args.spark_venv, "bin")
    env = dict(os.environ, CLAIMTAG_BIN=args.binary, PYSPARK_PYTHON=os.path.join(venv_bin, "python"),
               SPARK_LOCAL_IP="127.0.0.1")
    # spark-submit finds Spark through the Python first on PATH, which must be the venv's.
    env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
    command = [os.path.join(venv_bin, "spark-submit"), "--master", SPARK_MASTER,
               # No web UI: its port 4040 may be taken, and nobody looks at it here.
               "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1",
               os.path.join(args.repo, "deploy", "pyspark_pipe.py"), f"file://{corpus_glob}", f"file://{out_dir}"]
    log_path = os.path.join(work, f"{name}.log")
    started = time.monotonic()
    try:
        process = processes.start(f"spark-submit ({name})", command, env=env, log=log_path, cwd=work)
    except OSError as error:
        raise EngineDown(f"could not start spark-submit: {error}") from error
    killer = TaskKiller(process.pid, args.binary) if kill else None
    if killer:
        killer.start()
    try:
        status = process.wait(timeout=ENGINE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        processes.stop(process, "spark-submit")
        raise CheckFailed(f"Spark ({name}): no result after {ENGINE_TIMEOUT_S} s; log {log_path}:\n{tail(log_path)}")
    finally:
        if killer:
            killer.done.set()
    seconds = time.monotonic() - started
    with open(log_path, encoding="utf-8", errors="replace") as text:
        spark_log = text.read()
    if status != 0:
        failure = EngineDown if "Running Spark version" not in spark_log else CheckFailed
        raise failure(f"Spark ({name}): spark-submit exited {status}; log {log_path}:\n{tail(log_path)}")
    lost = len(re.findall(r"Lost task \S+ in stage", spark_log))
    if kill:
        if killer.killed is None:
            raise CheckFailed(f"Spark ({name}): no claimtag --pipe process was found to kill")
        if lost == 0:
            raise CheckFailed(f"Spark ({name}): claimtag pid {killer.killed} was killed but Spark lost no task "
                              "(it had finished already?)")
    parts = {}
    for path in sorted(glob.glob(os.path.join(out_dir, "tagged", "part-*")) +
                       glob.glob(os.path.join(out_dir, "errors", "part-*"))):
        parts[os.path.relpath(path, out_dir)] = read_records(path)
    # The first job that writes is the one that runs claimtag; the rest reads the cached records.
    stage = re.search(r"Job \d+ finished: runJob at SparkHadoopWriter\.scala:\d+, took ([\d.]+) s", spark_log)
    return parts, seconds, {"lost_tasks": lost, "killed_pid": killer.killed if killer else None,
                            "tagging_s": float(stage.group(1)) if stage else float("nan")}


# --- Slurm --------------------------------------------------------------------------------------

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SlurmCluster:
    """munged, slurmctld and slurmd as one node on 127.0.0.1, all state under `folder`."""

    NODE = "claimtag-node"

    def __init__(self, processes, folder):
        self.processes, self.folder = processes, folder
        self.conf = os.path.join(folder, "slurm.conf")
        self.env = dict(os.environ, SLURM_CONF=self.conf)
        self.daemons = []

    def start(self):
        try:
            self._start()
        except OSError as error:  # a daemon missing, a folder that cannot be made
            raise EngineDown(f"could not start munged, slurmctld or slurmd: {error}") from error

    def _start(self):
        folder = self.folder
        for sub in ("munge", "state", "spool", "log"):
            os.makedirs(os.path.join(folder, sub))
        os.chmod(os.path.join(folder, "munge"), 0o700)
        key = os.path.join(folder, "munge", "munge.key")
        with open(key, "wb") as out:
            out.write(os.urandom(1024))
        os.chmod(key, 0o400)
        socket_path = os.path.join(folder, "munge.socket")
        log_dir = os.path.join(folder, "log")
        # --force: munged wants every directory above its socket world-searchable, and a
        # private temporary directory is not; the key stays readable by root only.
        self.daemons.append(("munged", self.processes.start("munged", [
            "munged", "--foreground", "--force", f"--key-file={key}", f"--socket={socket_path}",
            f"--pid-file={folder}/munge/munged.pid", f"--seed-file={folder}/munge/munged.seed",
            f"--log-file={log_dir}/munged.log"], log=os.path.join(log_dir, "munged.out"))))
        wait_for(lambda: os.path.exists(socket_path), 15, "munged did not create its socket",
                 os.path.join(log_dir, "munged.out"), failure=EngineDown)
        host = socket.gethostname().split(".")[0]
        cpus = os.cpu_count() or 1
        memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
        with open(self.conf, "w") as conf:
            conf.write(f"""# Generated by scripts/lib/check_engines.py: a one-node cluster on 127.0.0.1.
ClusterName=claimtag-check
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={socket_path}
StateSaveLocation={folder}/state
SlurmdSpoolDir={folder}/spool
SlurmctldPidFile={folder}/slurmctld.pid
SlurmdPidFile={folder}/slurmd.pid
SlurmctldLogFile={log_dir}/slurmctld.log
SlurmdLogFile={log_dir}/slurmd.log
MailProg=/bin/true
MpiDefault=none
# No cgroups: nothing to set up on the host, and jobs are tracked through /proc.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
KillWait=5
NodeName={self.NODE} NodeHostname={host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory_mb} State=UNKNOWN
PartitionName=check Nodes={self.NODE} Default=YES MaxTime=INFINITE State=UP
""")
        self.daemons.append(("slurmctld", self.processes.start(
            "slurmctld", ["slurmctld", "-D", "-f", self.conf], log=os.path.join(log_dir, "slurmctld.out"),
            env=self.env)))
        self.daemons.append(("slurmd", self.processes.start(
            "slurmd", ["slurmd", "-D", "-f", self.conf, "-N", self.NODE], log=os.path.join(log_dir, "slurmd.out"),
            env=self.env)))

        def idle():
            for name, daemon in self.daemons:
                if daemon.poll() is not None:
                    raise EngineDown(f"{name} exited ({daemon.returncode}) on start:\n"
                                     f"{tail(os.path.join(log_dir, name + '.out'))}")
            state = run(["sinfo", "-h", "-n", self.NODE, "-o", "%T"], env=self.env, timeout=30)
            return state.returncode == 0 and state.stdout.strip() == "idle"

        wait_for(idle, 60, "the Slurm node did not come up idle", os.path.join(log_dir, "slurmd.log"),
                 failure=EngineDown)

    def sbatch(self, arguments, cwd, env):
        result = run(["sbatch", "--parsable", *arguments], env=dict(self.env, **env), cwd=cwd)
        if result.returncode != 0:
            raise CheckFailed(f"Slurm: sbatch {' '.join(arguments)} failed: {result.stderr.strip()}")
        return result.stdout.strip().split(";")[0]

    def tasks(self, job):
        """{array task id: state} of a job (scontrol keeps finished jobs for MinJobAge, 300 s)."""
        result = run(["scontrol", "-o", "show", "job", job], env=self.env, timeout=30)
        states = {}
        for line in result.stdout.splitlines():
            fields = dict(field.split("=", 1) for field in line.split() if "=" in field)
            task = fields.get("ArrayTaskId", "0")
            if task.isdigit():
                states[int(task)] = fields.get("JobState")
            elif "JobState" in fields:
                states[task] = fields.get("JobState")  # still pending, as a range like 0-3
        return states

    def wait(self, job, timeout=ENGINE_TIMEOUT_S):
        def finished():
            states = self.tasks(job)
            return states and all(state not in ("PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED")
                                  for state in states.values())
        wait_for(finished, timeout, f"Slurm job {job} did not finish",
                 os.path.join(self.folder, "log", "slurmctld.log"))
        return self.tasks(job)

    def stop(self):
        """Cancels whatever is still queued or running, waits for it to go, then stops the daemons."""
        if any(daemon.poll() is None for _, daemon in self.daemons):
            queued = run(["squeue", "-h", "-o", "%A"], env=self.env, timeout=30).stdout.split()
            if queued:
                run(["scancel", *queued], env=self.env, timeout=30)
                try:
                    wait_for(lambda: not run(["squeue", "-h"], env=self.env, timeout=30).stdout.strip(), 30, "", None)
                except CheckFailed:
                    log("Slurm: jobs still listed 30 s after scancel; stopping the daemons anyway")
        for name, daemon in reversed(self.daemons):
            if daemon.poll() is None:
                self.processes.stop(daemon, name)


def wait_for(condition, timeout, what, log_path, failure=CheckFailed):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise failure(f"{what} within {timeout} s" + (f"; {log_path}:\n{tail(log_path)}" if log_path else ""))


def slurm_parts(out_dir):
    parts = {}
    for path in sorted(glob.glob(os.path.join(out_dir, "part-*.jsonl*"))):
        parts[os.path.basename(path)] = read_records(path)
    return parts


def slurm_env(args, corpus_glob):
    return {"INPUTS": corpus_glob, "OUT_DIR": "out", "NUM_SHARDS": str(SLURM_TASKS), "CLAIMTAG": args.binary}


# sbatch options that override the recipe's #SBATCH lines for this machine: 16 tasks of 8 CPUs
# and 8 GB would never fit on a small node.
SLURM_FIT = ["--cpus-per-task=1", "--mem=1G"]


def slurm_job_dir(work, name):
    folder = os.path.join(work, name)
    os.makedirs(os.path.join(folder, "logs"))  # as deploy/README.md says: sbatch does not create it
    return folder


def slurm_compress(cluster, args, folder, env, after):
    """deploy/slurm-compress.sh after `after` (afterany); returns (exit code, its log)."""
    job = cluster.sbatch([f"--dependency=afterany:{after}", *SLURM_FIT,
                          os.path.join(args.repo, "deploy", "slurm-compress.sh")], folder, env)
    states = cluster.wait(job, timeout=120)
    log_path = os.path.join(folder, "logs", f"claimtag-compress-{job}.log")
    return states, tail(log_path, 10)


def slurm_clean_run(cluster, args, corpus_glob, work):
    folder = slurm_job_dir(work, "slurm-clean")
    env = slurm_env(args, corpus_glob)
    started = time.monotonic()
    job = cluster.sbatch([f"--array=0-{SLURM_TASKS - 1}", *SLURM_FIT,
                          os.path.join(args.repo, "deploy", "slurm-array.sh")], folder, env)
    states = cluster.wait(job)
    seconds = time.monotonic() - started
    if set(states.values()) != {"COMPLETED"}:
        raise CheckFailed(f"Slurm (clean): array tasks ended {states}; logs in {folder}/logs:\n"
                          + "".join(tail(path, 5) for path in glob.glob(os.path.join(folder, "logs", "*.log"))))
    states, compress_log = slurm_compress(cluster, args, folder, env, job)
    if set(states.values()) != {"COMPLETED"} or glob.glob(os.path.join(folder, "out", "part-*.jsonl")):
        raise CheckFailed(f"Slurm (clean): slurm-compress.sh ended {states}:\n{compress_log}")
    return slurm_parts(os.path.join(folder, "out")), seconds


def claimtag_of_part(binary, folder, task):
    """The pid of the claimtag writing out/part-<task>.jsonl from `folder`, or None."""
    binary = os.path.realpath(binary)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            arguments = command_line(int(entry))
            if is_binary(arguments, binary) and f"out/part-{task}.jsonl" in arguments:
                try:
                    if os.readlink(f"/proc/{entry}/cwd") == folder and alive(int(entry)):
                        return int(entry)
                except OSError:
                    pass
    return None


def whole_lines(path):
    with open(path, "rb") as part:
        data = part.read()
    return data[:data.rfind(b"\n") + 1]


def slurm_cancel_run(cluster, args, corpus_glob, work, reference):
    """4 tasks; the first whose part file holds records is frozen (SIGSTOP, so that the cancel
    lands mid-run however fast the machine) and cancelled; compressing must then refuse; the
    task is resubmitted alone and must continue its part file, not start it over."""
    folder = slurm_job_dir(work, "slurm-cancel")
    env = slurm_env(args, corpus_glob)
    out = os.path.join(folder, "out")
    job = cluster.sbatch([f"--array=0-{SLURM_TASKS - 1}", *SLURM_FIT,
                          os.path.join(args.repo, "deploy", "slurm-array.sh")], folder, env)
    shard_size = collections.Counter(fnv1a(record["id"]) % SLURM_TASKS for record in reference)
    victim = None
    deadline = time.monotonic() + ENGINE_TIMEOUT_S
    while victim is None and time.monotonic() < deadline:
        for task in range(SLURM_TASKS):
            part = os.path.join(out, f"part-{task}.jsonl")
            pid = claimtag_of_part(args.binary, folder, task)
            if pid and os.path.exists(part) and whole_lines(part):
                signal_pid(pid, signal.SIGSTOP)
                if whole_lines(part).count(b"\n") < shard_size[task]:
                    victim = task
                    break
                signal_pid(pid, signal.SIGCONT)  # finished already: let it go, try another
        time.sleep(0.05)
    if victim is None:
        raise CheckFailed("Slurm (cancel): no task was caught mid-run")
    cancel = run(["scancel", f"{job}_{victim}"], env=cluster.env, timeout=30)
    if cancel.returncode != 0:
        raise CheckFailed(f"Slurm (cancel): scancel {job}_{victim} failed: {cancel.stderr.strip()}")
    states = cluster.wait(job)
    if states.get(victim) != "CANCELLED" or any(s != "COMPLETED" for t, s in states.items() if t != victim):
        raise CheckFailed(f"Slurm (cancel): after scancel {job}_{victim} the tasks ended {states}")
    kept = whole_lines(os.path.join(out, f"part-{victim}.jsonl"))
    kept_records = kept.count(b"\n")
    if not 0 < kept_records < shard_size[victim]:
        raise CheckFailed(f"Slurm (cancel): the cancelled part holds {kept_records} of {shard_size[victim]} records")

    # Gathering now must refuse, name the shard, and leave every part file as it is.
    states, compress_log = slurm_compress(cluster, args, folder, env, job)
    if set(states.values()) != {"FAILED"} or f"--array={victim} " not in compress_log:
        raise CheckFailed(f"Slurm (cancel): slurm-compress.sh with shard {victim} missing ended {states}, "
                          f"expected FAILED naming --array={victim}:\n{compress_log}")
    if len(glob.glob(os.path.join(out, "part-*.jsonl"))) != SLURM_TASKS:
        raise CheckFailed("Slurm (cancel): slurm-compress.sh compressed part files although a shard was missing")

    rerun = cluster.sbatch([f"--array={victim}", *SLURM_FIT,
                            os.path.join(args.repo, "deploy", "slurm-array.sh")], folder, env)
    states = cluster.wait(rerun)
    rerun_log = os.path.join(folder, "logs", f"claimtag-{rerun}_{victim}.log")
    if states.get(victim) != "COMPLETED":
        raise CheckFailed(f"Slurm (cancel): the resubmitted task ended {states}:\n{tail(rerun_log)}")
    with open(rerun_log, encoding="utf-8", errors="replace") as text:
        summary = re.search(r"(\d+) already in the output", text.read())
    if not summary or int(summary.group(1)) != kept_records:
        raise CheckFailed(f"Slurm (cancel): the resubmitted task did not resume from the {kept_records} records "
                          f"the cancelled one wrote:\n{tail(rerun_log)}")
    if not whole_lines(os.path.join(out, f"part-{victim}.jsonl")).startswith(kept):
        raise CheckFailed("Slurm (cancel): the resubmitted task rewrote what the cancelled one had written")

    states, compress_log = slurm_compress(cluster, args, folder, env, rerun)
    if set(states.values()) != {"COMPLETED"} or glob.glob(os.path.join(out, "part-*.jsonl")):
        raise CheckFailed(f"Slurm (cancel): slurm-compress.sh after the rerun ended {states}:\n{compress_log}")

    # Once more after compressing (a stray resubmission): nothing may be tagged again.
    again = cluster.sbatch([f"--array={victim}", *SLURM_FIT,
                            os.path.join(args.repo, "deploy", "slurm-array.sh")], folder, env)
    states = cluster.wait(again)
    again_log = tail(os.path.join(folder, "logs", f"claimtag-{again}_{victim}.log"))
    if states.get(victim) != "COMPLETED" or "already complete and compressed" not in again_log \
            or glob.glob(os.path.join(out, "part-*.jsonl")):
        raise CheckFailed(f"Slurm (cancel): a task resubmitted after compression ended {states} and did not "
                          f"leave its compressed part alone:\n{again_log}")
    return slurm_parts(out), {"cancelled_task": victim, "kept": kept_records, "shard": shard_size[victim]}


# --- Kubernetes ---------------------------------------------------------------------------------

def kubernetes_check(args, work):
    """Validates the manifest against every Kubernetes version the validator knows from 1.29 on,
    and makes sure the validator rejects a manifest with a misspelt field (so a pass means
    something)."""
    import_dir = run([os.path.join(os.path.dirname(args.kubernetes_validate), "python"), "-c",
                      "import kubernetes_validate, os; print(os.path.dirname(kubernetes_validate.__file__))"]).stdout
    schemas = os.path.join(import_dir.strip(), "kubernetes-json-schema")
    versions = sorted({tuple(map(int, re.match(r"v(\d+)\.(\d+)\.(\d+)", name).groups()))
                       for name in os.listdir(schemas) if re.match(r"v\d+\.\d+\.\d+-local-strict$", name)})
    versions = [".".join(map(str, v)) for v in versions if v >= (1, 29, 0)]
    if not versions:
        raise CheckFailed(f"Kubernetes: no schemas for 1.29 or later under {schemas}")
    manifest = os.path.join(args.repo, "deploy", "k8s-indexed-job.yaml")
    for version in versions:
        result = run([args.kubernetes_validate, "--strict", "-k", version, manifest], timeout=120)
        if result.returncode != 0:
            raise CheckFailed(f"Kubernetes: {manifest} is not valid for {version}:\n{result.stdout}{result.stderr}")
    broken = os.path.join(work, "k8s-misspelt.yaml")
    with open(manifest, encoding="utf-8") as original, open(broken, "w", encoding="utf-8") as out:
        out.write(original.read().replace("backoffLimitPerIndex:", "backoffLimitPerIndx:"))
    if run([args.kubernetes_validate, "--strict", "-k", versions[0], broken], timeout=120).returncode == 0:
        raise CheckFailed("Kubernetes: the validator accepted a misspelt field, so its pass proves nothing")
    return versions


# --- the check ----------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--work", required=True, help="an empty folder for the corpus, outputs and the cluster")
    parser.add_argument("--documents", type=int, default=400)
    parser.add_argument("--spark-venv", help="a virtual environment with pyspark")
    parser.add_argument("--slurm", action="store_true", help="slurm-wlm and munge are installed")
    parser.add_argument("--kubernetes-validate", help="the kubernetes-validate program")
    parser.add_argument("--skipped", action="append", default=[], metavar="ENGINE=REASON",
                        help="an engine that could not be installed, reported as skipped")
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)

    processes = Processes()

    def interrupted(number, _frame):
        raise KeyboardInterrupt(f"signal {number}")

    signal.signal(signal.SIGTERM, interrupted)
    outcomes = []  # (engine, "passed" | "FAILED" | "NOT STARTED" | "SKIPPED", details)
    try:
        corpus, bad_lines = write_corpus(os.path.join(args.work, "corpus"), args.documents)
        corpus_glob = os.path.join(args.work, "corpus", "news-*.jsonl")
        reference, single_s = single_run(args, corpus, args.work)
        documents = sum(1 for record in reference if "error" not in record)
        errors = len(reference) - documents
        if errors != bad_lines:
            raise CheckFailed(f"single run: {errors} error records for {bad_lines} bad lines")
        log(f"single run: {documents} documents and {errors} error records in {single_s:.1f} s")
        outcomes.append(("single claimtag run", "passed",
                         f"{documents} documents + {errors} error records, {single_s:.1f} s, "
                         f"{documents / single_s:.1f} documents/s (1 process, --threads 1)"))

        if args.spark_venv:
            try:
                parts, seconds, clean = spark_run(args, processes, corpus_glob, args.work, "spark-clean", kill=False)
                counts = compare("Spark (clean)", reference, parts)
                log(f"Spark clean run: {counts} in {seconds:.1f} s")
                parts, killed_s, fault = spark_run(args, processes, corpus_glob, args.work, "spark-kill", kill=True)
                kill_counts = compare("Spark (task killed)", reference, parts)
                outcomes.append(("Spark " + SPARK_MASTER, "passed",
                                 f"{counts['records']} records ({counts['errors']} errors) in {counts['parts']} part "
                                 f"files, {seconds:.1f} s, {documents / seconds:.1f} documents/s (spark-submit "
                                 f"wall time; the tagging job {clean['tagging_s']:.1f} s); "
                                 f"with claimtag pid {fault['killed_pid']} killed: "
                                 f"{fault['lost_tasks']} task(s) lost and retried, {kill_counts['records']} records, "
                                 f"none lost or repeated, {killed_s:.1f} s"))
            except EngineDown as error:
                outcomes.append(("Spark " + SPARK_MASTER, "NOT STARTED", str(error)))
            except CheckFailed as error:
                outcomes.append(("Spark " + SPARK_MASTER, "FAILED", str(error)))

        if args.slurm:
            cluster = SlurmCluster(processes, os.path.join(args.work, "slurm"))
            try:
                cluster.start()
                parts, seconds = slurm_clean_run(cluster, args, corpus_glob, args.work)
                counts = compare("Slurm (clean)", reference, parts)
                log(f"Slurm clean run: {counts} in {seconds:.1f} s")
                parts, fault = slurm_cancel_run(cluster, args, corpus_glob, args.work, reference)
                cancel_counts = compare("Slurm (cancel and resubmit)", reference, parts)
                outcomes.append((f"Slurm array ({SLURM_TASKS} tasks, {os.cpu_count()} CPUs)", "passed",
                                 f"{counts['records']} records ({counts['errors']} errors) in {counts['parts']} part "
                                 f"files, {seconds:.1f} s, {documents / seconds:.1f} documents/s (sbatch to last "
                                 f"task done); task {fault['cancelled_task']} cancelled at {fault['kept']} of "
                                 f"{fault['shard']} records, resubmitted, resumed from {fault['kept']}: "
                                 f"{cancel_counts['records']} records, none lost or repeated; compressed by "
                                 "slurm-compress.sh, which refused while the shard was missing"))
            except EngineDown as error:
                outcomes.append(("Slurm", "NOT STARTED", str(error)))
            except CheckFailed as error:
                outcomes.append(("Slurm", "FAILED", str(error)))
            finally:
                cluster.stop()

        if args.kubernetes_validate:
            try:
                versions = kubernetes_check(args, args.work)
                outcomes.append(("Kubernetes (schema only)", "passed",
                                 f"deploy/k8s-indexed-job.yaml valid for Kubernetes {versions[0]} to {versions[-1]} "
                                 "(kubernetes-validate --strict); no cluster was run"))
            except (CheckFailed, OSError, subprocess.SubprocessError) as error:
                outcomes.append(("Kubernetes (schema only)", "FAILED", str(error)))
    except CheckFailed as error:
        outcomes.append(("single claimtag run", "FAILED", str(error)))
    except KeyboardInterrupt as stop:
        outcomes.append(("check", "FAILED", f"interrupted ({stop})"))
    finally:
        processes.stop_all()

    for skipped in args.skipped:
        engine, _, reason = skipped.partition("=")
        outcomes.append((engine, "SKIPPED", reason))
    print("\ncheck-engines:")
    for engine, verdict, details in outcomes:
        print(f"  {verdict:<11} {engine}: {details}")
    failed = [engine for engine, verdict, _ in outcomes if verdict in ("FAILED", "NOT STARTED")]
    skipped = [engine for engine, verdict, _ in outcomes if verdict == "SKIPPED"]
    passed = sum(1 for _, verdict, _ in outcomes if verdict == "passed")
    if skipped:
        print(f"check-engines: NOT CHECKED (could not be installed): {', '.join(skipped)}")
    if failed:
        print(f"check-engines: FAILED or NOT STARTED: {', '.join(failed)}")
    print(f"check-engines: {passed} passed, {len(failed)} failed" + (f", {len(skipped)} skipped" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
