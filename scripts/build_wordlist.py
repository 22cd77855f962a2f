"""Build kgraph/data/common_words.tsv: common Chinese words that are not names.

Source: the dictionary bundled with jieba (MIT licence), Simplified Chinese with
frequencies and part-of-speech tags, converted to Traditional Chinese as Taiwan
writes it with opencc's s2tw (為, 裡, 群眾; plain s2t gives 爲, 裏, 羣衆, which these
reports never use); a word with 臺 is also listed with 台, as both are written.
Person, place and organisation names (tags nr*, ns, nt, nz) are left out: the list
is for telling a name from an ordinary word next to a title (駐台代表, 新任州長), so it
must not contain names itself.

    pip install jieba opencc && python scripts/build_wordlist.py
"""

from __future__ import annotations

import os
from pathlib import Path

import jieba
import opencc

OUT = Path(__file__).resolve().parents[1] / "kgraph" / "data" / "common_words.tsv"
NAME_TAGS = ("nr", "ns", "nt", "nz", "x", "eng")
MIN_FREQ = 30


def main() -> None:
    source = Path(os.path.dirname(jieba.__file__)) / "dict.txt"
    convert = opencc.OpenCC("s2tw")
    words: dict[str, tuple[int, str]] = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        word, freq, tag = line.split(" ")
        if not 2 <= len(word) <= 4 or int(freq) < MIN_FREQ or tag.startswith(NAME_TAGS):
            continue
        trad = convert.convert(word)
        for spelling in {trad, trad.replace("臺", "台")}:
            old = words.get(spelling)
            if old is None or int(freq) > old[0]:
                words[spelling] = (int(freq), tag)
    with OUT.open("w", encoding="utf-8") as fh:
        fh.write(
            "# Common words that are not names, from jieba's dictionary (MIT), in Traditional\n"
        )
        fh.write(
            "# Chinese (opencc s2tw). Built by scripts/build_wordlist.py; do not edit by hand.\n"
        )
        fh.write("# word\tfrequency\tpart of speech\n")
        for word in sorted(words):
            freq, tag = words[word]
            fh.write(f"{word}\t{freq}\t{tag}\n")
    print(f"wrote {len(words)} words to {OUT}")


if __name__ == "__main__":
    main()
