#!/usr/bin/env python3
"""Assembles the oracle benchmark's corpus: real English/technical text found on every Debian
machine (package documentation and English manual pages), decompressed, exact duplicates dropped,
in path order, as JSON lines ({"text": ...}), cut at the requested size in UTF-8 bytes."""
import gzip, hashlib, json, os, sys

def files(roots):
    for root in roots:
        for d, dirs, names in os.walk(root):
            dirs.sort()
            for n in sorted(names):
                yield os.path.join(d, n)

SKIPPED = (".html", ".htm", ".ps", ".eps", ".pdf", ".map", ".sum", ".log", ".json", ".xml", ".svg")

def prose(path, text):
    """Text meant for people: no markup or machine output by name, and mostly letters and spaces
    (drops symbol tables, PostScript and test logs that Debian ships as documentation)."""
    name = path[:-3] if path.endswith(".gz") else path
    if name.endswith(SKIPPED) or "/test" in path:
        return False
    sample = text[:200_000]
    letters = sum(1 for c in sample if c.isalpha() or c == " ")
    return letters >= 0.7 * len(sample)

def main():
    out, limit = sys.argv[1], int(sys.argv[2])
    roots = ["/usr/share/doc"] + [f"/usr/share/man/man{s}" for s in "12345678"]
    seen, total, docs = set(), 0, 0
    digest = hashlib.sha256()
    with open(out, "w", encoding="utf-8") as f:
        for path in files(roots):
            if os.path.islink(path):
                continue
            try:
                raw = open(path, "rb").read()
                if path.endswith(".gz"):
                    raw = gzip.decompress(raw)
                text = raw.decode("utf-8")
            except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile):
                continue
            if "\x00" in text or not text.strip() or not prose(path, text):
                continue
            key = hashlib.sha256(raw).digest()
            if key in seen:
                continue
            seen.add(key)
            size = len(raw)
            if total + size > limit:
                # cut at a character boundary so the total is at most `limit` bytes
                text = raw[: limit - total].decode("utf-8", errors="ignore")
                size = len(text.encode("utf-8"))
            if size == 0:
                break
            f.write(json.dumps({"text": text}) + "\n")
            digest.update(text.encode("utf-8"))
            total += size
            docs += 1
            if total >= limit:
                break
    print(json.dumps({"documents": docs, "bytes": total, "sha256": digest.hexdigest()}))
    if total < limit:
        sys.exit(f"only {total} bytes of text found, {limit} wanted")

main()
