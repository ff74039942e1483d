#!/usr/bin/env python3
"""Prints the reliability suite's table from the rows its cases wrote, with the secrets row made
from every case's search, and (given a file) rewrites that file's figures section with it."""
import datetime
import json
import os
import subprocess
import sys

rows_path = sys.argv[1]
doc = sys.argv[2] if len(sys.argv) > 2 else None
rows = []
if os.path.exists(rows_path):
    with open(rows_path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
rows.sort(key=lambda r: r["case"])
searched = sum(r["secrets_searched"] for r in rows)
found = sum(r["secrets_found"] for r in rows)

head = "| case | pass | cases | faults injected | documents checked | lost | duplicated | seconds | seed |"
lines = [head, "|---|---|---|---|---|---|---|---|---|"]
for r in rows:
    lines.append(f"| {r['case']} | {r['pass']} | {r['cases']} | {r['faults']} | {r['documents']} | {r['lost']} | {r['duplicated']} | {r['secs']} | {r['seed']} |")
lines.append(f"| 6. secrets: every file of each case's home, every command output and every request a simulator received | - | {len(rows)} | - | {searched} searched | - | - | - | - |")
table = "\n".join(lines)
details = "\n".join(f"- **{r['case']}**: {r['detail']}" for r in rows)
verdict = "no secret found" if found == 0 else f"**{found} secrets found**"
missing = [c for c in ("1.", "2.", "3.", "4.", "5.") if not any(r["case"].startswith(c) for r in rows)]
if missing:
    verdict += f"; **cases without a row (failed before writing one): {', '.join(missing)}**"
commit = os.environ.get("OBMEN_COMMIT", "")
if not commit:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = "?"
when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
section = (
    f"Written by `make reliability` on {when}, commit {commit}, {os.cpu_count()} cores. Secrets: {verdict}.\n\n"
    f"{table}\n\n{details}\n"
)
print(section)
if doc and rows:
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    start, end = "<!-- figures: make reliability writes this section -->", "<!-- /figures -->"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        with open(doc, "w", encoding="utf-8") as f:
            f.write(f"{before}{start}\n{section}{end}{after}")
        print(f"obmen: wrote the figures into {doc}", file=sys.stderr)
