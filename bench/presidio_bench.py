"""Time Presidio's AnalyzerEngine on a corpus file, one document at a time, on one core.

Reads our JSONL ("text"), deid gold JSONL ("text") or a presidio-research JSON list
("full_text"). Prints one JSON object: docs/s, MB/s, p50/p99 per-document latency.
With a fourth argument, also analyzes every document once and writes Presidio's findings,
mapped to phiwall's types, as a predictions file for `phiwall eval phi --predictions`.
Used by bench/presidio.sh; not part of the Rust build.
"""
import os

# Presidio entity -> phiwall type (None: not a Safe Harbor identifier, dropped; entities not
# listed, such as non-US national ids, become OTHER_ID: Presidio would redact them).
TYPE_MAP = {
    "PERSON": "NAME",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "US_SSN": "SSN",
    "US_ITIN": "OTHER_ID",
    "US_PASSPORT": "OTHER_ID",
    "CREDIT_CARD": "CREDIT_CARD",
    "DATE_TIME": "DATE",
    "LOCATION": "ADDRESS",
    "IP_ADDRESS": "IP_ADDRESS",
    "URL": "URL",
    "US_DRIVER_LICENSE": "LICENSE_NUMBER",
    "MEDICAL_LICENSE": "LICENSE_NUMBER",
    "IBAN_CODE": "ACCOUNT_NUMBER",
    "US_BANK_NUMBER": "ACCOUNT_NUMBER",
    "NRP": None,
    "CRYPTO": None,
}

import json
import sys
import time


def load_docs(path):
    """(id, text) pairs with the ids phiwall's readers give the same documents."""
    with open(path, encoding="utf-8") as f:
        head = f.read(1)
        f.seek(0)
        if head == "[":
            stem = os.path.splitext(os.path.basename(path))[0]
            return [(f"{stem}#{i}", r["full_text"]) for i, r in enumerate(json.load(f))]
        docs = []
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            doc_id = r["id"] if "id" in r else f"p{r['patient_id']}-n{r['note_id']}"
            docs.append((doc_id, r["text"]))
        return docs


def main():
    path, seconds, model = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    predictions_out = sys.argv[4] if len(sys.argv) > 4 else None
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
    docs = load_docs(path)
    texts = [t for _, t in docs]
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
    if predictions_out:
        with open(predictions_out, "w", encoding="utf-8") as out:
            for doc_id, text in docs:
                found = []
                for r in analyzer.analyze(text=text, language="en"):
                    kind = TYPE_MAP.get(r.entity_type, "OTHER_ID")
                    if kind is not None:
                        found.append({"type": kind, "start": r.start, "end": r.end, "score": r.score})
                out.write(json.dumps({"id": doc_id, "findings": found}) + "\n")

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
