"""Chinese text helpers: plain text from article HTML, jieba tokens, highlighting.

jieba builds its dictionary (about a second) on first use; we do that once, lazily, with its
cache file in a writable temporary folder and its logging quiet.
"""

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


def html_to_text(value: str) -> str:
    text = html.unescape(strip_tags(value or ""))
    return re.sub(r"\s+", " ", text).strip()


def normalise(value: str) -> str:
    return (value or "").lower()


def document_tokens(text: str) -> str:
    """Search-mode words plus each distinct CJK character (for one-character queries)."""
    text = normalise(text)
    words = []
    for token in tokenizer().cut_for_search(text, HMM=False):
        words.extend(WORD.findall(token))
    chars = dict.fromkeys(CJK.findall(text))
    return " ".join(words + [c for c in chars if c not in words])


def query_tokens(term: str) -> list[str]:
    """The words of a query, in order, without duplicates; punctuation and operators dropped."""
    term = normalise(term).strip()
    words = []
    for token in tokenizer().cut(term, HMM=False):
        words.extend(WORD.findall(token))
    return list(dict.fromkeys(words))


def highlight(text: str, term: str, *, width: int = 60) -> SafeString:
    """A snippet of ``text`` around the first match with matches in <mark>; everything else escaped."""
    text = text or ""
    needles = [t for t in dict.fromkeys([term.strip(), *query_tokens(term)]) if t]
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
