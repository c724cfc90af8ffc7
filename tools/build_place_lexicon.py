#!/usr/bin/env python3
"""Build the derived US place-name list embedded by phiwall-scan's city recognizer.

Exact command (from the repository root; installs the pinned `zipcodes` package from PyPI into a
throwaway virtual environment, so nothing is installed on the machine):

    python3 -m venv /tmp/places-venv
    /tmp/places-venv/bin/pip install zipcodes==3.0.0
    /tmp/places-venv/bin/python tools/build_place_lexicon.py \
        --out crates/phiwall-scan/data/places/us_places.txt

Input
  * The `zipcodes` package (MIT licence; https://github.com/seanpianka/zipcodes), which embeds the
    USPS ZIP code table: for every ZIP its type, whether it is active, and its primary city name.
    Only the primary and the acceptable city names of active STANDARD and PO BOX ZIP codes are
    read (MILITARY codes name APO/FPO, UNIQUE codes name organisations such as "Internal Revenue
    Service"); acceptable names add suburbs a ZIP shares with its city ("Parma Heights").
  * crates/phiwall-scan/data/places/us_cities.txt, the hand-written list: its names are skipped
    here, so its casing rules ('*') stay authoritative.
  * crates/phiwall-scan/data/names/lexicon.txt (tools/build_name_lexicon.py): English-word ('w'),
    clinical stop-term ('x'), given-name ('g') and surname ('s') flags per lowercase word.

Rules (Safe Harbor removes cities; states and countries are not PHI):
  * dropped: names shorter than 4 letters, names with a character other than a letter, space,
    hyphen or apostrophe, abbreviated words (one letter, or no vowel as in "Hts"), names that are
    also a US state, a country or a region (NOT_PLACES below), and one-word names that are an
    English word or a clinical term ("Hope", "Normal", "Paradise"): in a note "transferred to
    Surgery" or "from Home" must stay, and the lexicon cannot tell those from a town;
  * '*' (taken only in Title Case after a locative cue, like the hand list's ambiguous names):
    one-word names that are a given name or surname ("Medina", "Wadsworth"), and multi-word names
    whose every word is an English word ("Spring Hill", "Oak Grove");
  * the rest is taken in any case after a locative cue ("in parma heights", "from north
    royalton").

Output: a header, then one name per line, sorted, Title Case as USPS writes it in mixed case.
Only the standard library and the `zipcodes` package are used.
"""

import argparse
import os
import sys

# Names of US states, territories, countries and regions that are also USPS town names
# ("Nevada, MO", "Mexico, ME", "Lebanon, PA", "Peru, IN"). A state or a country is not PHI.
NOT_PLACES = {
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut",
    "delaware", "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas",
    "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan", "minnesota",
    "mississippi", "missouri", "montana", "nebraska", "nevada", "new hampshire", "new jersey",
    "new mexico", "new york", "north carolina", "north dakota", "ohio", "oklahoma", "oregon",
    "pennsylvania", "rhode island", "south carolina", "south dakota", "tennessee", "texas", "utah",
    "vermont", "virginia", "washington", "west virginia", "wisconsin", "wyoming",
    "puerto rico", "guam", "america", "american", "united states",
    "afghanistan", "albania", "algeria", "argentina", "armenia", "australia", "austria",
    "belgium", "belize", "bolivia", "brazil", "bulgaria", "canada", "chile", "china", "colombia",
    "cuba", "cyprus", "denmark", "ecuador", "egypt", "england", "ethiopia", "finland", "france",
    "germany", "ghana", "greece", "guatemala", "haiti", "honduras", "hungary", "india",
    "indonesia", "iran", "iraq", "ireland", "israel", "italy", "jamaica", "japan", "jordan",
    "kenya", "korea", "laos", "lebanon", "liberia", "mexico", "morocco", "nepal", "netherlands",
    "nicaragua", "nigeria", "norway", "pakistan", "panama", "peru", "philippines", "poland",
    "portugal", "romania", "russia", "scotland", "senegal", "somalia", "spain", "sweden",
    "switzerland", "syria", "taiwan", "thailand", "turkey", "uganda", "ukraine", "venezuela",
    "vietnam", "wales", "yemen", "africa", "asia", "europe", "arabia", "siberia", "bermuda",
    "holland", "bavaria", "dakota", "carolina", "new england", "midwest",
}

VOWELS = set("aeiouy")


def lexicon_flags(path):
    flags = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#") or "\t" not in line:
                continue
            key, code = line.split("\t", 1)
            flags[key] = code
    return flags


def hand_list(path):
    names = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                names.add(line.lstrip("*").strip().lower())
    return names


def title(name):
    """USPS writes names in upper case; give each word an initial capital ("Mc" kept simple)."""
    out = []
    for w in name.split(" "):
        out.append("-".join(p[:1].upper() + p[1:].lower() for p in w.split("-")))
    return " ".join(out)


def classify(name, flags):
    """Return None (drop), '*' (Title Case only) or '' (any case)."""
    low = name.lower()
    if len(low.replace(" ", "")) < 4 or low in NOT_PLACES:
        return None
    if any(not (c.isascii() and (c.isalpha() or c in " -'")) for c in name):
        return None
    words = low.replace("-", " ").split()
    if any(len(w) < 2 or not (set(w) & VOWELS) for w in words):
        return None
    codes = [flags.get(w.replace("'", ""), "") for w in words]
    is_word = ["w" in c or "x" in c for c in codes]
    is_name = [("g" in c or "s" in c) for c in codes]
    if len(words) == 1:
        if is_word[0]:
            return None
        return "*" if is_name[0] else ""
    return "*" if all(is_word) else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--lexicon", default="crates/phiwall-scan/data/names/lexicon.txt")
    ap.add_argument("--hand", default="crates/phiwall-scan/data/places/us_cities.txt")
    args = ap.parse_args()
    try:
        import zipcodes  # noqa: PLC0415 (only inside the throwaway venv)
    except ImportError:
        sys.exit("zipcodes is not installed: run this in the venv named in the module docstring")

    flags = lexicon_flags(args.lexicon)
    hand = hand_list(args.hand)
    names = set()
    for rec in zipcodes.list_all():
        if not rec.get("active") or rec.get("zip_code_type") not in ("STANDARD", "PO BOX"):
            continue
        for city in [rec.get("city") or ""] + list(rec.get("acceptable_cities") or []):
            city = city.strip()
            if city:
                names.add(title(city) if city.isupper() else city)
    kept = {}
    for n in names:
        if n.lower() in hand:
            continue
        mark = classify(n, flags)
        if mark is not None:
            kept[n] = mark
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(
            "# US city and town names derived from the USPS ZIP code table (primary and acceptable\n"
            "# city names of active standard and PO box ZIP codes) in the `zipcodes` package (MIT), by\n"
            "# tools/build_place_lexicon.py (the exact command is in its docstring). Names in\n"
            "# us_cities.txt are left out. '*' marks a name taken only in Title Case, as there.\n"
        )
        for n in sorted(kept):
            f.write(f"{kept[n]}{n}\n")
    os.replace(tmp, args.out)
    amb = sum(1 for m in kept.values() if m)
    print(f"{len(kept)} names ({amb} Title Case only) from {len(names)} USPS city names",
          file=sys.stderr)


if __name__ == "__main__":
    main()
