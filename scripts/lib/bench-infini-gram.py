#!/usr/bin/env python3
"""Side-by-side reference for the oracle benchmark: infini-gram 2.6.0 (a suffix-array n-gram
engine, PyPI `infini-gram`) indexes the same corpus byte by byte and counts the same patterns, so
its build time, build memory, index size and count latency can be set beside ours, and its counts
checked against ours.

  python3 scripts/lib/bench-infini-gram.py --venv DIR --corpus FILE.jsonl --queries FILE.hex \
      --work DIR --counts-out FILE

1. Makes a venv at --venv with this machine's python3 (3.11: the wheel is cp311 only) holding the
   pinned packages below, unless one with exactly those versions is already there.
2. Runs infini-gram's own indexer (`python -m infini_gram.indexing`) without a tokenizer, which
   stores the UTF-8 bytes of each document's "text" (token_dtype u8), each document preceded by
   the separator byte 0xff, into --work/index (tokenized.0: that text; table.0: its suffix array;
   offset.0: where each document starts); it times the whole process tree and measures its
   memory (see build_index). 0xff never occurs in UTF-8, so no pattern taken from the text can
   match across a document boundary: the counts are occurrences (overlapping ones included)
   within documents, as ours are.
3. Loads `InfiniGramEngine` on that index, makes one untimed pass over all the patterns of
   --queries (one per line, lowercase hex of the pattern's bytes), then times
   `engine.count(input_ids=...)` for each pattern with perf_counter_ns, under three settings (see
   COUNT_BENCH: the package's defaults; without its disk prefetching; that, pinned to one cpu),
   and writes the counts, one decimal per line in query order, to --counts-out.
4. Prints one JSON line on stdout (sizes in bytes, memory in MiB, latencies in microseconds:
   count_* for the defaults, count_noprefetch_* and count_noprefetch_1cpu_* for the others);
   progress goes to stderr.
   The timings mean something only on an otherwise idle machine: *_other_cpu_seconds is the CPU
   time the rest of the machine used meanwhile, and a warning says when it was not small.
"""
import argparse
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

VERSION = "2.6.0"

# The whole install, pinned. infini-gram declares only tqdm, but its indexing.py imports numpy at
# module level and runs `import transformers` at the start of its tokenize step even when no
# tokenizer is given (the byte-level case), so both are needed; transformers brings the rest.
# The versions are those of May 2025, when infini-gram 2.6.0 came out. No torch: transformers
# imports without it, and only its logging module is used. The engine itself needs nothing but
# its compiled extension.
PINS = [
    f"infini-gram=={VERSION}",
    "numpy==2.2.6",
    "tqdm==4.67.1",
    "transformers==4.51.3",
    "certifi==2026.10.18",
    "charset-normalizer==3.5.2",
    "filelock==4.2.11",
    "fsspec==2026.9.0",
    "hf-xet==1.8.0",
    "huggingface_hub==0.36.2",
    "idna==3.20",
    "packaging==26.3",
    "PyYAML==6.0.3",
    "regex==2026.11.15",
    "requests==2.34.2",
    "safetensors==0.8.0",
    "tokenizers==0.21.4",
    "typing_extensions==4.16.0",
    "urllib3==2.8.0",
]

# Exits non-zero unless every pin is installed at its version and the engine imports.
VENV_CHECK = r"""
import importlib.metadata as md, sys
for pin in sys.argv[1:]:
    name, version = pin.split("==")
    assert md.version(name) == version, pin
import infini_gram.engine
"""

# Runs inside the venv: argv is index dir, queries file, counts file. Times every pattern under
# each engine setting of SETTINGS and prints {setting: [latency ns per pattern]} as JSON. The
# engine's count result is {"count", "approx"} only: it has no latency field of its own
# (infini-gram's API server adds one, the package does not).
COUNT_BENCH = r"""
import json, os, sys, time
from infini_gram.engine import InfiniGramEngine

# "default" is the engine as the package sets it up: the index mmapped, and every binary-search
# step madvise(WILLNEED)-ing the suffix-array and text pages the next steps may touch, which pays
# off for an index on disk but costs a few hundred system calls a count. "noprefetch" turns that
# prefetching off, the better setting for an index that is already in memory, as this one is
# (page cache, warmed by a first pass). Each count also starts and joins one std::thread per
# shard; on an idle machine the new thread mostly wakes the other, idle cpu, which costs more than
# the search itself, so "noprefetch_1cpu" also pins the process (and so its threads) to one cpu.
NOPREFETCH = {"ds_prefetch_depth": 0, "sa_prefetch_depth": 0, "od_prefetch_depth": 0}
ALL_CPUS = os.sched_getaffinity(0)
SETTINGS = {
    "default": ({}, ALL_CPUS),
    "noprefetch": (NOPREFETCH, ALL_CPUS),
    "noprefetch_1cpu": (NOPREFETCH, {min(ALL_CPUS)}),
}
index_dir, queries_path, counts_path = sys.argv[1:]
with open(queries_path) as f:
    patterns = [list(bytes.fromhex(line)) for line in f.read().split()]

latencies, counts = {}, None
for name, (setting, cpus) in SETTINGS.items():
    os.sched_setaffinity(0, cpus)
    # Byte-level index: token ids are bytes (u8). The engine finds the document separator by
    # itself (0xff for u8). vocab_size is passed to C++ as a u8, so 255 is the largest it takes,
    # and the wrapper wants eos_token_id < vocab_size; neither plays any part in count
    # (eos_token_id only names the separator in next-token distributions, vocab_size only bounds
    # precomputed unigram counts).
    engine = InfiniGramEngine(index_dir=index_dir, eos_token_id=0, vocab_size=255, version=4,
                              token_dtype="u8", **setting)

    def count(pattern):
        result = engine.count(input_ids=pattern)
        if "error" in result or result["approx"]:
            sys.exit(f"count failed for {bytes(pattern).hex()}: {result}")
        return result["count"]

    warm = [count(p) for p in patterns]
    timed, clock = [], time.perf_counter_ns
    for p in patterns:
        start = clock()
        n = count(p)
        timed.append(clock() - start)
        if n != warm[len(timed) - 1]:
            sys.exit(f"{name}: count of {bytes(p).hex()} changed between passes")
    if counts is not None and warm != counts:
        sys.exit(f"{name}: counts differ from the other setting's")
    latencies[name], counts = timed, warm
    del engine

with open(counts_path, "w") as f:
    f.writelines(f"{n}\n" for n in counts)
print(json.dumps(latencies))
"""

MIB = 1 << 20
PAGE = os.sysconf("SC_PAGE_SIZE")


def log(msg):
    print(f"bench-infini-gram: {msg}", file=sys.stderr, flush=True)


def ensure_venv(venv):
    py = venv / "bin" / "python"
    check = [py, "-c", VENV_CHECK, *PINS]
    if py.exists() and subprocess.run(check, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL).returncode == 0:
        log(f"venv {venv} is ready")
        return py
    log(f"creating venv {venv} and installing infini-gram {VERSION}")
    subprocess.run([sys.executable, "-m", "venv", "--clear", venv], check=True)
    subprocess.run([py, "-m", "pip", "install", "--quiet", "--no-input", "--only-binary=:all:",
                    *PINS], stdout=sys.stderr, check=True)
    subprocess.run(check, check=True)
    return py


def corpus_size(path):
    """UTF-8 bytes of all the documents' text, and the number of documents."""
    total = docs = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            total += len(json.loads(line)["text"].encode("utf-8"))
            docs += 1
    return total, docs


def tree_pids(root):
    children = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return pids


def rss_and_pss(pid):
    """Resident and proportional set size of one process, in bytes (0, 0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            rss = int(f.read().split()[1]) * PAGE
        with open(f"/proc/{pid}/smaps_rollup") as f:
            pss = next(int(line.split()[1]) * 1024 for line in f if line.startswith("Pss:"))
    except (OSError, IndexError, ValueError, StopIteration):
        return 0, 0
    return rss, pss


class TreeMemorySampler(threading.Thread):
    """Every 50 ms, sums RSS and PSS over a process and all its descendants, keeping the peaks.
    The RSS sum counts pages shared between processes (copy-on-write pages of forked workers, a
    file mapped by two processes) once per process, so it can overstate; the PSS sum splits
    shared pages between their sharers. Both include resident pages of mapped files. A peak
    shorter than the interval can be missed."""

    def __init__(self, root):
        super().__init__(daemon=True)
        self.root, self.done = root, threading.Event()
        self.peak_rss = self.peak_pss = 0

    def run(self):
        while not self.done.wait(0.05):
            sizes = [rss_and_pss(pid) for pid in tree_pids(self.root)]
            self.peak_rss = max(self.peak_rss, sum(r for r, _ in sizes))
            self.peak_pss = max(self.peak_pss, sum(p for _, p in sizes))


def machine_busy_seconds():
    """CPU seconds that the whole machine has spent busy since boot (first line of /proc/stat)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(
        int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def run_measured(what, cmd, cpus, capture=False, sample_memory=False):
    """Runs cmd (`what` names it in messages) to its end. Returns its stdout (if captured, else
    it joins our stderr), the wall seconds, the rusage of its process tree, the memory sampler (if
    asked for), and the CPU seconds the rest of the machine spent meanwhile: anything but small
    means the timings were slowed by other work, and a warning then says so."""
    self_before = resource.getrusage(resource.RUSAGE_SELF)
    busy_before = machine_busy_seconds()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE if capture else sys.stderr, text=True)
    sampler = TreeMemorySampler(proc.pid) if sample_memory else None
    if sampler:
        sampler.start()
    out = proc.stdout.read() if capture else None
    # wait4 gives the rusage of this child and of the descendants it waited for, and nothing of
    # our other children (pip): its ru_maxrss is the peak RSS of the largest single process of the
    # tree, not of the tree as a whole (Linux keeps a max, never a sum, as for RUSAGE_CHILDREN),
    # hence the sampled sums for a tree that runs processes side by side.
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if sampler:
        sampler.done.set()
        sampler.join()
    if proc.returncode != 0:
        sys.exit(f"{what} failed with exit code {proc.returncode}")
    self_after = resource.getrusage(resource.RUSAGE_SELF)
    ours = (usage.ru_utime + usage.ru_stime + self_after.ru_utime + self_after.ru_stime
            - self_before.ru_utime - self_before.ru_stime)
    other = max(0.0, machine_busy_seconds() - busy_before - ours)
    if other > 0.05 * cpus * seconds:
        log(f"warning: other processes used {other:.1f} cpu-seconds during the {seconds:.1f} s of "
            f"{what} on {cpus} cpus: its timings are slowed")
    return out, seconds, usage, sampler, other


def build_index(py, corpus, work, corpus_bytes, docs, cpus):
    data, index, tmp = work / "data", work / "index", work / "tmp"
    for d in (data, index, tmp):
        d.mkdir()
    # The indexer takes every **/*.json* below --data_dir, and reads .jsonl as plain JSON lines.
    (data / "corpus.jsonl").symlink_to(corpus.resolve())
    # --mem only sets how many rounds of `cpus` parallel suffix-array parts the build makes: the
    # smallest round count r with r * (mem GiB // 12) >= tokenized bytes (12 bytes per u8 token).
    # The tokenized file holds the text plus one separator byte per document; this is the least
    # whole number of GiB that gives a single round (more changes nothing, less adds rounds).
    mem = math.ceil(12 * (corpus_bytes + docs) / (1 << 30))
    # The indexer sets RLIMIT_NOFILE to --ulimit (soft and hard); the current hard limit needs no
    # privilege to set, and is far above the handful of files a one-shard build opens.
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    cmd = [py, "-m", "infini_gram.indexing", "--data_dir", data, "--save_dir", index,
           "--temp_dir", tmp, "--version", "4", "--token_dtype", "u8", "--cpus", str(cpus),
           "--mem", str(mem), "--ulimit", str(nofile)]
    log("indexing: " + " ".join(map(str, cmd)))
    # The indexer's own stdout (its step timings) joins our stderr.
    _, seconds, usage, sampler, other = run_measured("indexing", cmd, cpus, sample_memory=True)
    tmp.rmdir()  # the indexer removes its parts and merges; an empty tmp is left
    files = {p.name: p.stat().st_size for p in sorted(index.iterdir())}
    log(f"index files: {files}")
    return {
        "build_seconds": round(seconds, 3),
        "build_cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
        "build_other_cpu_seconds": round(other, 1),
        "build_peak_rss_mb": round(sampler.peak_rss / MIB, 1),
        "build_peak_pss_mb": round(sampler.peak_pss / MIB, 1),
        "build_maxrss_mb": round(usage.ru_maxrss * 1024 / MIB, 1),
        "index_bytes": sum(files.values()),
    }


def count_queries(py, index, queries, counts_out, cpus):
    log(f"counting the patterns of {queries}")
    cmd = [py, "-c", COUNT_BENCH, index, queries, counts_out]
    out, _, _, _, other = run_measured("counting", cmd, cpus, capture=True)
    latencies = json.loads(out)
    result = {"queries": len(latencies["default"]), "count_other_cpu_seconds": round(other, 1)}
    if not result["queries"]:
        sys.exit(f"no patterns in {queries}")
    for setting, nanos in latencies.items():
        micros = sorted(ns / 1000 for ns in nanos)
        prefix = "count_" if setting == "default" else f"count_{setting}_"
        result[prefix + "median_us"] = round(statistics.median(micros), 2)
        result[prefix + "p99_us"] = round(micros[math.ceil(0.99 * len(micros)) - 1], 2)
        result[prefix + "mean_us"] = round(statistics.fmean(micros), 2)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--venv", type=Path, required=True)
    ap.add_argument("--corpus", type=Path, required=True, help="JSON lines of {\"text\": ...}")
    ap.add_argument("--queries", type=Path, required=True, help="one pattern a line, in hex")
    ap.add_argument("--work", type=Path, required=True, help="made anew for the index")
    ap.add_argument("--counts-out", type=Path, required=True)
    args = ap.parse_args()
    if sys.version_info[:2] != (3, 11):
        sys.exit("infini-gram 2.6.0 ships a CPython 3.11 wheel only: run this with python 3.11")

    work = args.work.resolve()
    marker = work / ".bench-infini-gram"
    if work.exists():
        if any(work.iterdir()) and not marker.exists():
            sys.exit(f"{work} is not empty and was not made by this script: not removing it")
        shutil.rmtree(work)
    work.mkdir(parents=True)
    marker.touch()

    py = ensure_venv(args.venv.resolve())
    corpus_bytes, docs = corpus_size(args.corpus)
    cpus = len(os.sched_getaffinity(0))
    log(f"corpus: {corpus_bytes} bytes of text in {docs} documents; {cpus} cpus")
    result = {"tool": "infini-gram", "version": VERSION, "corpus_bytes": corpus_bytes, "cpus": cpus}
    result |= build_index(py, args.corpus, work, corpus_bytes, docs, cpus)
    result |= count_queries(py, work / "index", args.queries.resolve(), args.counts_out.resolve(),
                            cpus)
    print(json.dumps(result))


main()
