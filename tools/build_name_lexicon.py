#!/usr/bin/env python3
"""Build the compact name lexicon embedded by phiwall-scan's NAME recognizer.

Exact command (from the repository root; needs Debian's `wamerican` package for the word list):

    apt-get install -y wamerican
    python3 tools/build_name_lexicon.py \
        --census /work/shared/data/lexicons/census-1990 \
        --words /usr/share/dict/american-english \
        --out crates/phiwall-scan/data/names/lexicon.txt

Inputs
  * US Census 1990 name files (public domain): dist.all.last, dist.female.first, dist.male.first,
    columns: name, frequency %, cumulative %, rank.
  * tools/name_lists/*.txt: curated given names ([given]) and surnames ([surname]) from US
    communities the 1990 lists under-cover, so recall does not depend on a name's origin.
  * tools/name_lists/stop/*.txt: clinical vocabulary (drugs, eponymous diseases and devices,
    abbreviations, months, weekdays) that must not count as a name by itself; words_extra.txt
    (informal words missing from the dictionary) and names_not_words.txt (names such as "john"
    whose dictionary sense is rare) adjust the word flags.
  * a plain English word list (one word per line; only all-lowercase ASCII entries are used, as
    capitalised entries are proper nouns). It flags names that are also words ("will", "hope",
    "brown") and lets the recognizer tell ordinary words from unknown tokens.

Cut-off: census surnames ranked below SURNAME_MAX_RANK (50,000 of 88,799; cumulative frequency
about 85.9 %) are dropped. The tail is mostly single-family spellings whose presence in the
lexicon would add little recall (context patterns catch unknown names) and lots of size.

Output: one entry per line, `key<TAB>code`, sorted by key. `key` is lowercase ASCII with accents
folded and apostrophes removed ("Núñez" -> "nunez", "O'Brien" -> "obrien"); hyphenated and spaced
names are split into their parts. `code` is a sequence of flags:
  gN  given name, frequency class N (4 very common .. 1 rare)
  sN  surname, frequency class N
  w   a common English word
  x   clinical stop term (never a name without strong context)
Only stdlib is used.
"""

import argparse
import os
import sys
import unicodedata

SURNAME_MAX_RANK = 50_000

# Characters that NFD does not decompose; the Rust side (lexicon.rs `fold_char`) uses the same map.
SPECIAL_FOLD = {
    "đ": "d", "ð": "d", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "ı": "i",
    "þ": "th", "ħ": "h", "ŧ": "t",
}


def fold(name: str) -> str:
    """Lowercase, strip accents and apostrophes; keep a-z only (hyphen/space separate parts)."""
    out = []
    for ch in unicodedata.normalize("NFD", name.lower()):
        if unicodedata.combining(ch):
            continue
        ch = SPECIAL_FOLD.get(ch, ch)
        out.append(ch)
    s = "".join(out)
    return "".join(c for c in s if ("a" <= c <= "z") or c in " -")


def parts(name: str):
    return [p for p in fold(name).replace("-", " ").split() if p]


def given_class(freq: float) -> int:
    if freq >= 0.1:
        return 4
    if freq >= 0.01:
        return 3
    if freq >= 0.002:
        return 2
    return 1


def surname_class(rank: int) -> int:
    if rank <= 1_000:
        return 4
    if rank <= 5_000:
        return 3
    if rank <= 20_000:
        return 2
    return 1


def read_census(path):
    with open(path, encoding="ascii") as f:
        for line in f:
            cols = line.split()
            if len(cols) == 4:
                yield cols[0], float(cols[1]), int(cols[3])


def read_curated(path):
    section = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if line in ("[given]", "[surname]"):
                section = line[1:-1]
                continue
            if section is None:
                sys.exit(f"{path}: names before a [given]/[surname] header")
            for name in line.split():
                yield section, name


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--census", required=True)
    ap.add_argument("--words", required=True)
    ap.add_argument("--lists", default=os.path.join(os.path.dirname(__file__), "name_lists"))
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    given = {}
    surname = {}

    def put(table, key, cls):
        if len(key) >= 2 and table.get(key, 0) < cls:
            table[key] = cls

    for fname in ("dist.female.first", "dist.male.first"):
        for name, freq, _rank in read_census(os.path.join(args.census, fname)):
            for p in parts(name):
                put(given, p, given_class(freq))
    for name, _freq, rank in read_census(os.path.join(args.census, "dist.all.last")):
        if rank > SURNAME_MAX_RANK:
            break
        for p in parts(name):
            put(surname, p, surname_class(rank))

    # Curated names get class 3: common in their communities, whatever their census rank.
    for fname in sorted(os.listdir(args.lists)):
        if not fname.endswith(".txt"):
            continue
        for section, name in read_curated(os.path.join(args.lists, fname)):
            keys = parts(name)
            if len(keys) > 1:
                keys.append("".join(keys))  # "Min-jun" is also written "Minjun"
            for key in keys:
                put(given if section == "given" else surname, key, 3)

    words = set()
    with open(args.words, encoding="utf-8", errors="replace") as f:
        for line in f:
            w = line.strip()
            if w and w.isascii() and w.isalpha() and w.islower():
                words.add(w)
    # stop/words_extra.txt adds words, stop/names_not_words.txt removes dictionary words that are
    # mostly names, every other stop/*.txt lists clinical stop terms.
    stop = set()
    not_words = set()
    stop_dir = os.path.join(args.lists, "stop")
    for fname in sorted(os.listdir(stop_dir)):
        if not fname.endswith(".txt"):
            continue
        target = {"words_extra.txt": words, "names_not_words.txt": not_words}.get(fname, stop)
        with open(os.path.join(stop_dir, fname), encoding="utf-8") as f:
            for line in f:
                line = line.split("#", 1)[0]
                for w in line.split():
                    for p in parts(w):
                        target.add(p)
    words -= not_words
    # Single letters are initials, handled by the recognizer, not the lexicon.
    keys = {k for k in set(given) | set(surname) | words | stop if len(k) >= 2}
    with open(args.out, "w", encoding="ascii", newline="\n") as out:
        for k in sorted(keys):
            code = ""
            if k in given:
                code += f"g{given[k]}"
            if k in surname:
                code += f"s{surname[k]}"
            if k in words:
                code += "w"
            if k in stop:
                code += "x"
            out.write(f"{k}\t{code}\n")
    print(f"wrote {len(keys)} entries ({len(given)} given, {len(surname)} surnames, "
          f"{len(words)} words, {len(stop)} stop terms) to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
