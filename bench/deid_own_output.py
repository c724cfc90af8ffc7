"""Convert the PhysioNet deid package's own output (GSoutput/id.phi: untyped spans per note) into
a predictions file for `phiwall eval phi --predictions`, as a check of the harness: scored with
`--split all --count-years`, the redaction "touched" recall should equal the package README's
recall (0.967: 1720 of 1779 gold spans).

Usage: python3 bench/deid_own_output.py ../shared/data/phi/DEID-2023/GSoutput/id.phi > /tmp/deid-own.jsonl
Every span is typed OTHER_ID (the file has no types): read only the type-agnostic scores.
"""

import json
import re
import sys


def main():
    notes = {}
    current = None
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"Patient (\d+)\tNote (\d+)", line)
            if m:
                current = f"p{m.group(1)}-n{m.group(2)}"
                notes.setdefault(current, [])
                continue
            parts = line.split("\t")
            if current is not None and len(parts) == 3:
                # Columns: index, start, end (code points, end exclusive) in the note body.
                notes[current].append({"type": "OTHER_ID", "start": int(parts[1]), "end": int(parts[2])})
    for doc_id, findings in notes.items():
        print(json.dumps({"id": doc_id, "findings": findings}))


if __name__ == "__main__":
    main()
