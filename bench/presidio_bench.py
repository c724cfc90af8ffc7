"""Time Presidio's AnalyzerEngine on a corpus file, one document at a time, on one core.

Reads our JSONL ("text"), deid gold JSONL ("text") or a presidio-research JSON list
("full_text"). Prints one JSON object: docs/s, MB/s, p50/p99 per-document latency.
Used by bench/presidio.sh; not part of the Rust build.
"""

import json
import sys
import time


def load_texts(path):
    with open(path, encoding="utf-8") as f:
        head = f.read(1)
        f.seek(0)
        if head == "[":
            return [r["full_text"] for r in json.load(f)]
        return [json.loads(line)["text"] for line in f if line.strip()]


def main():
    path, seconds, model = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    # No network here: make tldextract (used by Presidio's e-mail and URL recognizers) use its
    # bundled public-suffix snapshot instead of trying to download the list.
    import logging
    import tldextract
    import tldextract.tldextract as tldmod

    logging.getLogger("tldextract").setLevel(logging.ERROR)
    tldmod.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    conf = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]}
    engine = NlpEngineProvider(nlp_configuration=conf).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
    texts = load_texts(path)
    for t in texts[:20]:  # warm-up: lazy model parts, regex caches
        analyzer.analyze(text=t, language="en")
    lat, nbytes, findings = [], 0, 0
    start = time.perf_counter()
    i = 0
    while True:
        t = texts[i % len(texts)]
        t0 = time.perf_counter()
        findings += len(analyzer.analyze(text=t, language="en"))
        lat.append(time.perf_counter() - t0)
        nbytes += len(t.encode("utf-8"))
        i += 1
        if time.perf_counter() - start >= seconds:
            break
    elapsed = time.perf_counter() - start
    lat.sort()

    def q(p):
        return lat[round((len(lat) - 1) * p)] * 1e6

    print(json.dumps({
        "docs": len(lat),
        "seconds": elapsed,
        "docs_per_s": len(lat) / elapsed,
        "mb_per_s": nbytes / 1e6 / elapsed,
        "p50_us": q(0.5),
        "p99_us": q(0.99),
        "findings_per_doc": findings / len(lat),
    }))


if __name__ == "__main__":
    main()
