"""Chinese text helpers: plain text from article HTML, jieba tokens, highlighting.

jieba builds its dictionary (about a second) on first use; we do that once, lazily, with its
cache file in a writable temporary folder and its logging quiet.
"""

import functools
import html
import logging
import os
import re
import tempfile
import threading

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from .taxonomy_data import SHENZHEN_TERMS

_lock = threading.Lock()
_tokenizer = None
_added_words: set[str] = set()

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Anything that is neither a letter, a digit nor CJK separates words for our purposes.
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
TOKEN_RUN = re.compile(r"[0-9a-z]+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


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
            _sentence_words.cache_clear()


def html_to_text(value: str) -> str:
    text = html.unescape(strip_tags(value or ""))
    return re.sub(r"\s+", " ", text).strip()


def normalise(value: str) -> str:
    return (value or "").lower()


# jieba never joins words across punctuation, so cutting sentence by sentence gives the same words
# as cutting the whole text, and lets a re-saved article reuse the sentences it already had.
SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])")


@functools.lru_cache(maxsize=65536)
def _sentence_words(sentence: str) -> tuple[str, ...]:
    words = []
    for token in tokenizer().cut_for_search(sentence, HMM=False):
        if WORD.fullmatch(token):
            words.append(token)
        else:
            words.extend(WORD.findall(token))
    return tuple(words)


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def document_tokens(text: str) -> str:
    """What the index holds for a text, space-separated.

    - jieba's search-mode words (cluster names and aliases are in its dictionary), for ranking;
    - every pair of adjacent CJK characters, so a query matches whatever way jieba cut the text
      (CJK bigrams, as Lucene's CJK analyser does);
    - every distinct CJK character once, for one-character queries.
    """
    text = normalise(text)
    words: list[str] = []
    for sentence in SENTENCE_END.split(text):
        sentence = sentence.strip()
        if sentence:
            words.extend(_sentence_words(sentence))
    runs = CJK_RUN.findall(text)
    pairs = [pair for run in runs for pair in _bigrams(run)]
    chars = dict.fromkeys(c for run in runs for c in run)
    return " ".join(words + pairs + list(chars))


def query_tokens(term: str) -> list[str]:
    """The words of a query (jieba, precise mode), in order, without duplicates; punctuation and
    operators dropped."""
    term = normalise(term).strip()
    words = []
    for token in tokenizer().cut(term, HMM=False):
        words.extend(WORD.findall(token))
    return list(dict.fromkeys(words))


MAX_QUERY_WORDS = 8


def query_terms(term: str) -> tuple[list[list[str]], list[str]]:
    """(phrases, words) for a query.

    Phrases: each run of CJK characters in the query (runs are split by spaces and punctuation)
    becomes the sequence of its bigrams (its character when it has only one), each run of Latin
    letters or digits itself. Each phrase must occur as such, which for bigrams means the run
    occurs as a substring, whatever way jieba cut the text; separate runs may occur anywhere.
    Words: the query's jieba words, used only to rank articles where jieba found the same words
    higher.
    """
    normalised = normalise(term)
    phrases: list[list[str]] = []
    for run in TOKEN_RUN.findall(normalised)[:MAX_QUERY_WORDS]:
        phrase = _bigrams(run) if CJK.match(run) and len(run) > 1 else [run]
        if phrase not in phrases:
            phrases.append(phrase)
    return phrases, query_tokens(term)[: MAX_QUERY_WORDS * 4]


def highlight(text: str, term: str, *, width: int = 60) -> SafeString:
    """A snippet of ``text`` around the first match with matches in <mark>; everything else escaped."""
    text = text or ""
    # What must occur is each run of characters as typed (see query_terms), so that is what is marked.
    needles = list(dict.fromkeys(TOKEN_RUN.findall(normalise(term))))
    needles.sort(key=len, reverse=True)
    if not needles:
        return escape(text[: width * 2])
    pattern = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)
    first = pattern.search(text)
    if width:
        start = max(0, (first.start() if first else 0) - width // 2)
        end = min(len(text), start + width * 2)
        snippet = text[start:end]
        prefix = "…" if start > 0 else ""
        suffix = "…" if end < len(text) else ""
    else:
        snippet, prefix, suffix = text, "", ""
    parts = []
    pos = 0
    for match in pattern.finditer(snippet):
        parts.append(escape(snippet[pos : match.start()]))
        parts.append(f"<mark>{escape(match.group(0))}</mark>")
        pos = match.end()
    parts.append(escape(snippet[pos:]))
    return mark_safe(escape(prefix) + "".join(parts) + escape(suffix))  # noqa: S308 - every part escaped
