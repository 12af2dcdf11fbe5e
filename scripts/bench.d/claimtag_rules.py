"""claimtag's word casing, entity decoding and edge trimming, ported to Python.

The benchmark runs claimtag's model through Hugging Face transformers. To feed that model what
claimtag feeds it, and to tell model differences from post-processing differences, it needs the
same rules. Ported from src/ner/casing.rs (casing_of) and src/ner/decode.rs (Tag::parse,
words_to_entities, trim_entity); keep them in step when those change.
"""

import unicodedata

# The class of special tokens and padding (CASING_NONE in casing.rs).
CASING_NONE = 5


def _is_numeric(c):
    # Rust's char::is_numeric is the general categories Nd, Nl and No. Python's str.isnumeric is
    # wider (it takes CJK numerals such as "二", which are letters), so ask for the categories.
    return unicodedata.category(c) in ("Nd", "Nl", "No")


def casing_of(word):
    """lower (0), Title (1), UPPER (2), mIxed (3), has a digit (4), other: no letters (5).

    `word` is the original, not lowercased, text of one word (a WordPiece pre-token)."""
    if any(_is_numeric(c) for c in word):
        return 4
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return CASING_NONE
    first, rest = letters[0], letters[1:]
    if first.islower() and not any(c.isupper() for c in rest):
        return 0
    if first.isupper() and not any(c.isupper() for c in rest):
        return 1
    if first.isupper() and not any(c.islower() for c in rest):
        return 2
    return 3


def parse_tag(label):
    """A label as (scheme letter, type): ("O", None), ("B", "PER"), ("I", "ORG"), ("E", ...), ("S", ...)."""
    if label in ("O", ""):
        return ("O", None)
    for separator in ("-", "_"):
        if separator in label:
            prefix, kind = label.split(separator, 1)
            if prefix == "B":
                return ("B", kind)
            if prefix == "I":
                return ("I", kind)
            if prefix in ("E", "L"):
                return ("E", kind)
            if prefix in ("S", "U"):
                return ("S", kind)
            break
    # A bare type (IO scheme) continues an open entity of that type, like I-.
    return ("I", label)


def words_to_entities(words, tags):
    """Groups words into entities the way claimtag does.

    `words` are (start, end, label index, probability) per word, from the word's first sub-token;
    `tags` are parse_tag() of every label. An I-X with no open X entity starts one, and a change
    of type closes the open entity. Returns (start, end, type, score) with the score the mean of
    the words' probabilities."""
    entities = []
    open_entity = None  # [start, end, type, probability sum, word count]

    def close():
        nonlocal open_entity
        if open_entity is not None:
            start, end, kind, total, count = open_entity
            entities.append((start, end, kind, total / count))
            open_entity = None

    for start, end, label, probability in words:
        scheme, kind = tags[label] if label < len(tags) else ("O", None)
        if scheme in ("I", "E") and open_entity is not None and open_entity[2] == kind:
            open_entity[1] = end
            open_entity[3] += probability
            open_entity[4] += 1
        else:
            close()
            if kind is not None:
                open_entity = [start, end, kind, probability, 1]
        if scheme in ("E", "S"):
            close()
    close()
    return entities


# Punctuation that never begins or ends a name (EDGE_PUNCTUATION in decode.rs). Periods stay
# ("U.S."), as do apostrophes inside words ("O'Brien").
EDGE_PUNCTUATION = frozenset("\"'“”‘’«»„()[]{}-–—,;:•")


def trim_entity(text):
    """The part of an entity's text claimtag keeps, as (chars trimmed at the start, chars kept),
    or None when nothing with a letter or digit is left."""
    def is_edge(c):
        return c.isspace() or c in EDGE_PUNCTUATION

    leading = 0
    while leading < len(text) and is_edge(text[leading]):
        leading += 1
    end = len(text)
    while end > leading and is_edge(text[end - 1]):
        end -= 1
    kept = text[leading:end]
    if not any(c.isalpha() or _is_numeric(c) for c in kept):
        return None
    return leading, len(kept)


def _self_test():
    # The cases of casing.rs and decode.rs's unit tests, so a drift in the port shows at once.
    assert [casing_of(w) for w in ("said", "Putin", "Зеленський", "ISW", "U.S.", "McDonald",
                                   "iPhone", "2024", "“", "I")] == [0, 1, 1, 2, 2, 3, 3, 4, 5, 1]
    assert trim_entity("“Putin") == (1, 5)
    assert trim_entity("Kyiv ”") == (0, 4)
    assert trim_entity("U.S.") == (0, 4)
    assert trim_entity("–") is None
    assert trim_entity("« »") is None
    tags = [parse_tag(label) for label in ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]]

    def decode(labels):
        words = [(i * 2, i * 2 + 1, label, 0.5) for i, label in enumerate(labels)]
        return [(s, e, k) for s, e, k, _ in words_to_entities(words, tags)]

    assert decode([0, 1, 2, 0]) == [(2, 5, "PER")]
    assert decode([0, 2, 2]) == [(2, 5, "PER")]
    assert decode([1, 4, 4]) == [(0, 1, "PER"), (2, 5, "LOC")]
    assert decode([1, 1, 2]) == [(0, 1, "PER"), (2, 5, "PER")]
    bioes = [parse_tag(label) for label in ["O", "S-PER", "B-ORG", "E-ORG", "I-ORG"]]
    spans = [(s, e) for s, e, _, _ in words_to_entities(
        [(i, i + 1, label, 1.0) for i, label in enumerate([1, 1, 2, 3, 4])], bioes)]
    assert spans == [(0, 1), (1, 2), (2, 4), (4, 5)]


if __name__ == "__main__":
    _self_test()
    print("claimtag_rules: self-test passed")
