"""File names from text: readable, ASCII, and safe wherever the text came from.

Corpus file names come from headlines and topic names come from users: neither may
climb out of its folder ("../../etc/passwd") or carry characters a file system refuses.
"""

from __future__ import annotations

import re
import unicodedata


def slug(text: str, limit: int = 50) -> str:
    """Lower-case ASCII words joined by hyphens: safe as a file name, whatever the text."""
    ascii_text = unicodedata.normalize("NFKD", re.sub(r"['’]", "", text)).encode("ascii", "ignore").decode()
    tokens = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = ""
    for word in tokens:
        if out and len(out) + 1 + len(word) > limit:
            break
        out = f"{out}-{word}" if out else word[:limit]
    return out
