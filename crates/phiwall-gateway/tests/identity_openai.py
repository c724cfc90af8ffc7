"""Caller verification and disclosure control (issue 5) with the official `openai` client.

Run by tests/identity_openai.rs with PHIWALL_BASE_URL, PHIWALL_API_KEY and PHIWALL_FACTS (a JSON
file with the plaintext facts of synthetic patients p, q, r (has a representative), t and u,
and what each may or may not see). The verify endpoint is not an OpenAI endpoint; it is called
with urllib from the standard library. Exits non-zero on the first failed check.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

import openai

base = os.environ["PHIWALL_BASE_URL"]
key = os.environ["PHIWALL_API_KEY"]
with open(os.environ["PHIWALL_FACTS"]) as f:
    facts = json.load(f)
root = base.rsplit("/v1", 1)[0]
checks = 0


def check(cond, what):
    global checks
    if not cond:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    checks += 1


def client_for(session):
    headers = {"X-Phiwall-Session": session} if session else {}
    return openai.OpenAI(base_url=base, api_key=key, max_retries=0, timeout=20, default_headers=headers)


def ask(session, *patients, stream=False):
    c = client_for(session)
    msgs = [{"role": "user", "content": "please read record " + " ".join(str(facts[p]["index"]) for p in patients)}]
    if not stream:
        r = c.chat.completions.create(model="stub-model", messages=msgs)
        return r.choices[0].message.content
    parts = []
    for chunk in c.chat.completions.create(model="stub-model", messages=msgs, stream=True):
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
    return "".join(parts)


def verify(session, claims, caller=None):
    headers = {"Authorization": f"Bearer {key}"}
    if caller:
        headers["X-Phiwall-Caller-Number"] = caller
    headers["Content-Type"] = "application/json"
    req = urllib.request.Request(
        f"{root}/phiwall/v1/sessions/{session}/verify",
        data=json.dumps(claims).encode(),
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def sees(text, p):
    return all(v in text for v in facts[p]["values"])


def sees_none(text, p):
    return not any(v in text for v in facts[p]["values"])


for stream in (False, True):
    mode = "stream" if stream else "plain"
    # Unverified: P's values are redacted.
    out = ask(f"py-unverified-{mode}", "p", stream=stream)
    check(sees_none(out, "p"), f"{mode}: unverified session got P's PHI: {out!r}")
    check("[NAME]" in out or "[DATE]" in out, f"{mode}: redaction markers: {out!r}")

# Verified for P: P's data, never Q's.
s, v = verify("py-p", facts["p"]["claims"], caller="+1 617 555 0100")
check(s == 200 and v["verified"] is True, f"verify P: {s} {v}")
for stream in (False, True):
    mode = "stream" if stream else "plain"
    out = ask("py-p", "p", stream=stream)
    check(sees(out, "p"), f"{mode}: verified P does not see P: {out!r}")
    out = ask("py-p", "p", "q", stream=stream)
    check(sees(out, "p") and sees_none(out, "q"), f"{mode}: P's session saw Q: {out!r}")

# A representative gets the patient's data.
s, v = verify("py-rep", facts["r"]["claims"])
check(s == 200 and v["verified"] is True, f"verify representative: {s} {v}")
for stream in (False, True):
    out = ask("py-rep", "r", stream=stream)
    check(sees(out, "r"), f"representative does not see R: {out!r}")

# Brute-force DOB guessing from one session: locked within session_max attempts.
limit = facts["limits"]["session_max"]
locked_at = None
for i, guess in enumerate(facts["t"]["wrong_dobs"][: limit + 2], start=1):
    claims = dict(facts["t"]["claims"], birth_date=guess)
    s, v = verify("py-bf", claims)
    if s == 429:
        locked_at = i
        break
    check(s == 200 and v == {"verified": False, "session": "py-bf"}, f"guess {i}: {s} {v}")
    time.sleep(1.1)  # past the configured backoff
check(locked_at is not None and locked_at <= limit, f"one-session guessing not locked within {limit}: {locked_at}")
s, _ = verify("py-bf", facts["t"]["claims"])
check(s == 429, "the right answer is refused while locked")

# Spread over many sessions and caller numbers: the patient counter catches it.
limit = facts["limits"]["patient_max"]
locked_at = None
for i, guess in enumerate(facts["u"]["wrong_dobs"][: limit + 2], start=1):
    claims = dict(facts["u"]["claims"], birth_date=guess)
    s, v = verify(f"py-spread-{i}", claims, caller=f"+1 212 555 {1000 + i}")
    if s == 429:
        locked_at = i
        break
    time.sleep(1.1)
check(locked_at is not None and locked_at <= limit, f"spread guessing not locked within {limit}: {locked_at}")
s, _ = verify("py-spread-fresh", facts["u"]["claims"], caller="+1 305 555 4444")
check(s == 429, "patient locked for a fresh session")
out = ask("py-spread-fresh", "u")
check(sees_none(out, "u"), f"locked-out patient's data leaked: {out!r}")

print(f"identity: {checks} checks passed")
