"""Chinese text for the archive search: article HTML to plain text, the index terms, the query's
words, the whole-word filter, snippets and highlighting.

The search stores no copy of the text. Its terms are derived from the article's own title and body
by fixed rules — here in Python (SQLite's FTS5 table is fed these), and by the same rules in SQL on
PostgreSQL (``clusters_search_vector``, migration 0006, a GIN expression index on the articles), so
both databases hold the same terms:

- the *index text* (``index_text``): the title, a line break, the body with each block on a line of
  its own, tags removed, the usual entities decoded, spaces collapsed, lower case;
- every pair of adjacent CJK characters, and for the last character of each run of CJK characters
  that character followed by ``$`` (unless a pair of the document starts with it) — so every
  character of the text starts a term, and a one-character query is a prefix query (``芯*`` covers
  芯片, 芯$ …); any substring of two or more characters is found through its pairs, whatever way
  jieba cuts the text;
- Latin words and numbers as written (``gdp``, ``2025``, ``8.3%`` and ``8.3``);
- ``^term`` for the pairs, run ends and Latin words of the title and headings (ranks them first).

Positions are not stored: whether a word of three or more characters occurs as such, or a quoted
phrase occurs contiguously, is checked against the index text of the candidates.

Whole words (jieba's, which rank above pairs that only happen to sit side by side) are kept per
document in a Bloom filter (``word_filter``: 12 bits and 5 hashes per distinct word, about 0.5 %
false positives), not in the index: it only orders results, it never decides whether one matches.

jieba builds its dictionary (about a second, ~100 MB) on first use; ``tokenizer()`` does it once per
process, and ``ClustersConfig.ready`` calls it early when ``CLUSTERS_PRELOAD_TOKENIZER`` is on, so
gunicorn's ``preload_app`` loads it before the workers fork.
"""

import functools
import hashlib
import html
import logging
import os
import re
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .taxonomy_data import SHENZHEN_TERMS

_lock = threading.Lock()
_tokenizer = None
_added_words: set[str] = set()

SEP = "\x1f"  # a word boundary inside a run of CJK characters (in ``segment``'s output)
CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK = re.compile(f"[{CJK_CLASS}]")
CJK_RUN = re.compile(f"[{CJK_CLASS}]+")
CJK_WORD = re.compile(f"[{CJK_CLASS}]{{2,}}")  # on segmented text: a whole word of 2+ characters
# Latin words and numbers are tokens as written: GDP, 2025, 8.3%, 5g. Nothing else is: no other
# punctuation, and `%` only as the end of a number, so it can never act as a wildcard.
LATIN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?%?")
QUERY_TOKEN = re.compile(f"[{CJK_CLASS}]+|[a-z0-9]+(?:\\.[0-9]+)?%?")
HEAD_PREFIX = "^"
RUN_END = "$"  # after the last character of a run of CJK characters
PREFIX = "*"  # a query key ending in it matches every term that starts with the rest
# Characters so common that, next to other words, they narrow nothing.
STOP_CHARACTERS = frozenset("的了和与及在是之对等")
MAX_NEEDLES = 12


def tokenizer():
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                logging.getLogger("jieba").setLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.tmp_dir = os.path.join(tempfile.gettempdir(), "zhiku-jieba")
                os.makedirs(tk.tmp_dir, exist_ok=True)
                tk.initialize()
                for word in SHENZHEN_TERMS:
                    tk.add_word(word)
                    _added_words.add(word)
                _tokenizer = tk
    return _tokenizer


def add_words(words) -> None:
    """Teach jieba our cluster names and aliases, so they come out as whole words."""
    tk = tokenizer()
    for word in words:
        word = (word or "").strip().lower()
        if len(word) > 1 and word not in _added_words:
            tk.add_word(word)
            _added_words.add(word)
            _segment_sentence.cache_clear()


def normalise(value: str) -> str:
    return (value or "").lower()


# --- documents ------------------------------------------------------------------------------------

BLOCK_TAG = re.compile(r"<\s*(/?)\s*(p|h[1-6]|li|tr|td|th|div|blockquote|br|table|ul|ol)\b[^>]*>", re.IGNORECASE)
HEADING_OPEN = re.compile(r"<\s*h[1-6]\b[^>]*>(.*?)<\s*/\s*h[1-6]\s*>", re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<[^>]*>")
SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")


def _plain(fragment: str) -> str:
    return SPACES.sub(" ", html.unescape(TAG.sub("", fragment)).replace(SEP, "")).strip()


def html_blocks(value: str) -> list[str]:
    """The text of each block (paragraph, heading, list item, cell) of article HTML, in order."""
    blocks = (_plain(part) for part in BLOCK_TAG.split(BLOCK_TAG.sub("\n", value or "")) if part)
    return [block for part in blocks for block in part.split("\n") if block.strip()]


def html_headings(value: str) -> list[str]:
    return [text for text in (_plain(m) for m in HEADING_OPEN.findall(value or "")) if text]


def html_to_text(value: str) -> str:
    return " ".join(html_blocks(value))


# The index text: what the terms and the contiguity checks are derived from. Written so that SQL can
# do exactly the same (``clusters_plain``, ``clusters_text``, ``clusters_heads`` in migration 0006):
# regular expressions and plain replacements only, hence only these entities are decoded.
ENTITIES = (("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#39;", "'"), ("&amp;", "&"))
HEADING = re.compile(r"<\s*h[1-6]\b[^>]*>((?:[^<]|<(?!\s*/\s*h[1-6]))*)<\s*/\s*h[1-6]\s*>", re.IGNORECASE)


def index_plain(value: str) -> str:
    value = TAG.sub("", BLOCK_TAG.sub("\n", value or ""))
    for entity, character in ENTITIES:
        value = value.replace(entity, character)
    return SPACES.sub(" ", value)


def index_text(title: str, body: str) -> str:
    """The title, then the body's blocks one per line, in lower case (SQL: ``clusters_text``)."""
    return normalise((title or "") + "\n" + index_plain(body))


def verbatim(body: str) -> bool:
    """Every run of CJK characters of the body's index text stands as such in the HTML (no tag or
    entity inside one): then a CJK word the HTML lacks is not in the index text either."""
    return all(run in (body or "") for run in set(CJK_RUN.findall(index_plain(body))))


def index_heads(title: str, body: str) -> str:
    """The title and the headings, one per line, in lower case (SQL: ``clusters_heads``)."""
    return normalise("\n".join([title or "", *(index_plain(m) for m in HEADING.findall(body or ""))]))


# jieba never joins words across punctuation, so cutting sentence by sentence gives the same words
# as cutting the whole text, and a re-saved article reuses the sentences it already had.
SENTENCE_END = re.compile(r"(?<=[。！？；!?;，,：:])")


@functools.lru_cache(maxsize=65536)
def _segment_sentence(sentence: str) -> str:
    out = []
    previous = ""
    for token in tokenizer().cut(sentence, HMM=False):
        if previous and CJK.match(previous[-1]) and CJK.match(token[:1]):
            out.append(SEP)
        out.append(token)
        previous = token
    return "".join(out)


def segment(text: str) -> str:
    """``text`` with U+001F between adjacent CJK words as jieba cuts them (precise mode)."""
    return "".join(_segment_sentence(s) for s in SENTENCE_END.split(text) if s)


def unsegment(text: str) -> str:
    return (text or "").replace(SEP, "")


def fingerprint(title: str, body_text: str) -> str:
    """The same article (a draft's twin of a signed issue) has the same fingerprint."""
    return hashlib.blake2b(f"{title}\n{body_text}".encode(), digest_size=8).hexdigest()


def _grams(text: str, prefix: str, terms: set[str]) -> None:
    for run in CJK_RUN.findall(text):
        terms.update(prefix + run[i : i + 2] for i in range(len(run) - 1))
        terms.add(prefix + run[-1] + RUN_END)
    for token in LATIN.findall(text):
        terms.add(prefix + token)
        terms.add(prefix + token.rstrip("%"))


def document_terms(title: str, body: str) -> set[str]:
    """The index terms of an article (title and HTML body); see the module doc.

    Must stay in step with ``clusters_search_vector`` in migration 0006 (a test compares them)."""
    terms: set[str] = set()
    _grams(index_text(title, body), "", terms)
    _grams(index_heads(title, body), HEAD_PREFIX, terms)
    # A run end ``字$`` is only needed when no pair starts with 字: ``字*`` finds the pair.
    starts = Counter(term[:-1] for term in terms)
    return {term for term in terms if not (term.endswith(RUN_END) and starts[term[:-1]] > 1)}


# --- whole words ----------------------------------------------------------------------------------
# A Bloom filter of the document's jieba words of two or more CJK characters: 12 bits per word (at
# least 64), 5 bit positions per word from its hash. A word it lacks is certainly not one of the
# document's words; a word it has is one with a probability of about 99.5 %.

WORD_HASHES = 5
WORD_BITS = 12


def word_hashes(word: str) -> list[int]:
    digest = hashlib.blake2b(word.encode(), digest_size=4 * WORD_HASHES).digest()
    return [int.from_bytes(digest[i : i + 4], "little") for i in range(0, len(digest), 4)]


def document_words(title: str, body: str) -> set[str]:
    """jieba's words of two or more CJK characters in the article's index text."""
    return set(CJK_WORD.findall(segment(index_text(title, body))))


def word_filter(words) -> bytes:
    words = set(words)
    size = max(8, (len(words) * WORD_BITS + 7) // 8)
    bits = bytearray(size)
    for word in words:
        for h in word_hashes(word):
            bit = h % (size * 8)
            bits[bit // 8] |= 1 << (bit % 8)  # bit n is bit n % 8 of byte n // 8, as PostgreSQL's get_bit
    return bytes(bits)


def filter_has(words: bytes | None, hashes: str) -> int:
    """1 when the filter ``words`` has every bit of ``hashes`` (comma-separated ``word_hashes``).
    SQLite's ``clusters_word``; PostgreSQL reads the bits with ``get_bit``."""
    if not words:
        return 0
    size = len(words) * 8
    for h in hashes.split(","):
        bit = int(h) % size
        if not words[bit // 8] >> (bit % 8) & 1:
            return 0
    return 1


# --- queries --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Needle:
    """One thing the query asks for: a word (or a quoted phrase) that must occur as written."""

    text: str  # normalised, as it must occur (no word boundaries, no line breaks)
    keys: tuple[str, ...]  # index terms every document containing ``text`` holds (``x*``: a prefix)
    is_word: bool  # ``text`` is a CJK word of 2+ characters (whole-word hits rank higher)
    needs_check: bool  # the keys alone do not prove that ``text`` occurs contiguously
    quoted: bool = False

    @property
    def head_keys(self) -> tuple[str, ...]:
        return tuple(HEAD_PREFIX + key for key in self.keys)


def run_keys(text: str) -> list[str]:
    return _keys(text)


def _keys(text: str) -> list[str]:
    terms: list[str] = []
    for run in CJK_RUN.findall(text):
        terms.extend([run + PREFIX] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
    terms.extend(LATIN.findall(text))
    return list(dict.fromkeys(terms))


def _needle(text: str, *, quoted: bool = False) -> Needle | None:
    keys = _keys(text)
    if not keys:
        return None
    single = QUERY_TOKEN.fullmatch(text) is not None
    is_word = single and CJK.match(text) is not None and len(text) >= 2
    return Needle(
        text=text,
        keys=tuple(keys),
        is_word=is_word,
        needs_check=not (single and len(keys) == 1),
        quoted=quoted,
    )


QUOTED = re.compile(r"\"([^\"]*)\"|“([^”]*)”|「([^」]*)」")
WHITESPACE = re.compile(r"\s+")


def _query_words(run: str) -> list[str]:
    """jieba's words of a run of CJK characters; single characters that jieba leaves side by side
    (a word it does not know, like 新质) stay together as one word."""
    words: list[str] = []
    pending = ""
    for word in tokenizer().cut(run, HMM=False):
        if len(word) == 1 and word not in STOP_CHARACTERS:
            pending += word
            continue
        if pending:
            words.append(pending)
            pending = ""
        words.append(word)
    if pending:
        words.append(pending)
    return words


def parse_query(term: str) -> list[Needle]:
    """The query's needles: each quoted phrase whole, and every other word as the index's tokenizer
    (jieba, precise mode) cuts it; Latin words and numbers as they are. Punctuation separates words
    and is never an operator."""
    term = normalise(term)
    needles: list[Needle] = []
    for match in QUOTED.finditer(term):
        phrase = WHITESPACE.sub(" ", next(g for g in match.groups() if g is not None)).strip()
        needle = _needle(phrase, quoted=True)
        if needle:
            needles.append(needle)
    rest = QUOTED.sub(" ", term)
    words: list[str] = []
    for token in QUERY_TOKEN.findall(rest):
        if CJK.match(token):
            words.extend(_query_words(token))
        else:
            words.append(token)
    if any(w not in STOP_CHARACTERS for w in words):
        words = [w for w in words if w not in STOP_CHARACTERS]
    for word in dict.fromkeys(words):
        needle = _needle(word)
        if needle and needle not in needles:
            needles.append(needle)
    return needles[:MAX_NEEDLES]


def joined_runs(term: str) -> list[str]:
    """Runs of CJK characters typed without spaces that hold several words (深圳新质生产力): an
    article that has such a run as typed ranks above one that has its words apart."""
    rest = QUOTED.sub(" ", normalise(term))
    return [run for run in dict.fromkeys(CJK_RUN.findall(rest)) if len(_query_words(run)) > 1][:MAX_NEEDLES]


# --- snippets -------------------------------------------------------------------------------------


def _pattern(needles: list[Needle]):
    texts = sorted({n.text for n in needles}, key=len, reverse=True)
    if not texts:
        return None
    return re.compile("|".join(re.escape(t) for t in texts), re.IGNORECASE)


def _marked(text: str, pattern) -> str:
    parts, pos = [], 0
    for match in pattern.finditer(text) if pattern else ():
        parts.append(escape(text[pos : match.start()]))
        parts.append("<mark>%s</mark>" % escape(match.group(0)))
        pos = match.end()
    parts.append(escape(text[pos:]))
    return "".join(parts)


def highlight(text: str, needles: list[Needle]) -> SafeString:
    """``text`` escaped, with the query's words (not stray characters of them) in <mark>."""
    return mark_safe(_marked(unsegment(text), _pattern(needles)))  # noqa: S308 - every part escaped


@dataclass(frozen=True)
class SnippetBlock:
    html: SafeString
    is_heading: bool


def snippet(body: str, headings: set[str], needles: list[Needle], *, width: int = 90, blocks: int = 2) -> list[SnippetBlock]:
    """Up to ``blocks`` blocks of the text that hold the most of the query's words, each cut to about
    ``width`` characters around its first match, in document order; block boundaries kept."""
    pattern = _pattern(needles)
    lines = [line for line in unsegment(body).split("\n") if line.strip()]
    if not lines:
        return []
    scored = []
    for index, line in enumerate(lines):
        found = {m.group(0).lower() for m in pattern.finditer(line)} if pattern else set()
        scored.append((-len(found), index))
    chosen = sorted(index for score, index in sorted(scored)[:blocks] if score < 0) or [0]
    result = []
    for index in chosen:
        line = lines[index]
        first = pattern.search(line) if pattern else None
        start = max(0, (first.start() if first else 0) - width // 3)
        end = min(len(line), start + width)
        piece = ("…" if start else "") + line[start:end] + ("…" if end < len(line) else "")
        result.append(SnippetBlock(html=mark_safe(_marked(piece, pattern)), is_heading=line in headings))  # noqa: S308
    return result
