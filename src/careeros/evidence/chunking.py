"""Split an item's text into retrievable chunks (paragraph-aware, bounded size; deterministic ids)."""

from __future__ import annotations

import re

from careeros.evidence.models import Chunk, EvidenceItem, short_hash

MAX_CHARS = 700
MIN_CHARS = 120


def _pieces(text: str, max_chars: int) -> list[str]:
    """Paragraphs, with headings glued to what follows and over-long paragraphs split at sentences/lines."""
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    out: list[str] = []
    carry = ""
    for p in paras:
        if re.fullmatch(r"#{1,6}\s+.{1,120}", p) or (len(p) < 60 and "\n" not in p and not p.endswith(".")):
            carry = f"{carry}\n{p}".strip()  # a heading: attach to the next paragraph
            continue
        p = f"{carry}\n{p}".strip() if carry else p
        carry = ""
        if len(p) <= max_chars:
            out.append(p)
            continue
        buf = ""
        for s in re.split(r"(?<=[.!?])\s+|\n(?=\s*[-*] )", p):
            if len(buf) + len(s) + 1 > max_chars and buf:
                out.append(buf.strip())
                buf = ""
            while len(s) > max_chars:  # no sentence boundary: hard wrap at a space
                cut = s.rfind(" ", 0, max_chars)
                cut = cut if cut > max_chars // 2 else max_chars
                out.append(s[:cut].strip())
                s = s[cut:]
            buf = f"{buf} {s}" if buf else s
        if buf.strip():
            out.append(buf.strip())
    if carry:
        out.append(carry)
    return out


def chunk_texts(text: str, max_chars: int = MAX_CHARS, min_chars: int = MIN_CHARS) -> list[str]:
    """Greedy merge of paragraph pieces into chunks of at most ``max_chars`` (small neighbours merged)."""
    chunks: list[str] = []
    for piece in _pieces(text, max_chars):
        if chunks and (len(chunks[-1]) < min_chars or len(piece) < min_chars) \
                and len(chunks[-1]) + len(piece) + 2 <= max_chars:
            chunks[-1] = f"{chunks[-1]}\n\n{piece}"
        else:
            chunks.append(piece)
    return chunks


def chunk_item(item: EvidenceItem, max_chars: int = MAX_CHARS) -> list[Chunk]:
    """Chunks of one item version; ``chunk_id`` = hash(item id, version, index) so re-runs are idempotent."""
    return [Chunk(chunk_id=short_hash(item.item_id, item.version_sha256, str(i), n=24), item_id=item.item_id,
                  version_sha256=item.version_sha256, index=i, text=t)
            for i, t in enumerate(chunk_texts(item.text, max_chars))]
