"""Bytes off the wire to text, with every decompression bounded by its output.

A compressed body is a promise about its size that the sender does not have to keep:
6 KB of brotli can inflate to 4 GiB. httpx decodes each network chunk whole before a
caller can count it, and chains stacked encodings (``Content-Encoding: gzip, gzip``),
so the client reads the raw stream and decodes here, asking each decompressor for at
most the bytes still allowed (``zlib``'s ``max_length``, brotli's
``output_buffer_limit``). The same bound applies to a gzip body sent without saying so
and to the archived pages stored zlib-compressed in the database.

One encoding is accepted (gzip, deflate or br, plus ``identity``); a stacked or unknown
one is refused as a permanent error, because no server needs it.
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Iterable

import brotli
from charset_normalizer import from_bytes

from .errors import FetchError

ACCEPT_ENCODING = "gzip, deflate, br"
GZIP_MAGIC = b"\x1f\x8b"


class TooLarge(FetchError):
    """The decoded body passed the byte limit; reading stopped there."""

    def __init__(self, max_bytes: int, *, url: str = "", status: int | None = None, what: str = "response"):
        super().__init__(
            f"The {what} exceeded the {max_bytes:,} byte limit once decoded; stopped reading.",
            permanent=True,
            url=url,
            status=status,
        )


class _Identity:
    def feed(self, data: bytes, room: int) -> bytes:
        return data


class _Zlib:
    """gzip (``wbits=31``, several members allowed) or deflate (zlib-wrapped, else raw)."""

    def __init__(self, wbits: int):
        self.wbits = wbits
        self.inner = zlib.decompressobj(wbits)
        self.started = False

    def feed(self, data: bytes, room: int) -> bytes:
        if not self.started and data:
            self.started = True
            if self.wbits == zlib.MAX_WBITS:
                try:
                    return self._feed(data, room)
                except zlib.error:
                    # "deflate" sent as raw deflate without the zlib header: common enough to accept.
                    self.inner = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._feed(data, room)

    def _feed(self, data: bytes, room: int) -> bytes:
        # max_length is never 0 here (0 would mean "no limit"): room + 1 - len(out) >= 1.
        out = self.inner.decompress(data, room + 1)
        while self.wbits > zlib.MAX_WBITS and self.inner.eof and self.inner.unused_data and len(out) <= room:
            rest = self.inner.unused_data
            self.inner = zlib.decompressobj(self.wbits)  # the next gzip member
            out += self.inner.decompress(rest, room + 1 - len(out))
        return out


class _Brotli:
    def __init__(self):
        self.inner = brotli.Decompressor()

    def feed(self, data: bytes, room: int) -> bytes:
        # Output stops growing at the limit; reaching it means the body is over the cap.
        return self.inner.process(data, output_buffer_limit=room + 1)


def content_decoder(header: str, *, url: str = ""):
    """The decoder for a ``Content-Encoding`` header; stacked or unknown encodings are refused."""
    names = [name.strip().lower() for name in (header or "").split(",") if name.strip()]
    names = [name for name in names if name != "identity"]
    if len(names) > 1:
        raise FetchError(
            f"The server stacked encodings ({header!r}); only one of {ACCEPT_ENCODING} is accepted.",
            permanent=True,
            url=url,
        )
    name = names[0] if names else ""
    if name in ("gzip", "x-gzip"):
        return _Zlib(16 + zlib.MAX_WBITS)
    if name == "deflate":
        return _Zlib(zlib.MAX_WBITS)
    if name == "br":
        return _Brotli()
    if name:
        raise FetchError(
            f"Unknown content encoding {header!r}; only {ACCEPT_ENCODING} is accepted.",
            permanent=True,
            url=url,
        )
    return _Identity()


def decode_stream(
    chunks: Iterable[bytes], decoder, *, max_bytes: int, url: str = "", status: int | None = None
) -> bytes:
    """Decode raw chunks, counting decoded bytes; ``TooLarge`` as soon as they pass ``max_bytes``."""
    parts, size = [], 0
    try:
        for chunk in chunks:
            out = decoder.feed(chunk, max_bytes - size)
            size += len(out)
            if size > max_bytes:
                raise TooLarge(max_bytes, url=url, status=status)
            parts.append(out)
    except (zlib.error, brotli.error) as exc:
        raise FetchError(f"Could not decompress the body of {url}: {exc}", permanent=False, url=url) from exc
    return b"".join(parts)


def inflate(data: bytes, *, max_bytes: int, wbits: int = zlib.MAX_WBITS, truncate: bool = False) -> bytes:
    """zlib/gzip data decompressed to at most ``max_bytes``: cut there, or ``TooLarge``."""
    inner = zlib.decompressobj(wbits)
    out = inner.decompress(data, max_bytes + 1)
    if len(out) > max_bytes:
        if truncate:
            return out[:max_bytes]
        raise TooLarge(max_bytes, what="compressed data")
    return out


def undo_hidden_gzip(body: bytes, *, max_bytes: int, url: str = "") -> bytes:
    """Undo a gzip the server applied without saying so (seen in the wild), within the same limit."""
    if body[:2] != GZIP_MAGIC:
        return body
    try:
        return inflate(body, max_bytes=max_bytes, wbits=16 + zlib.MAX_WBITS)
    except TooLarge as exc:
        raise TooLarge(max_bytes, url=url) from exc
    except zlib.error:
        return body


# --- Charsets ---------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-.]+)["']""", re.I)


def _header_charset(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", content_type, re.I)
    return match.group(1) if match else None


def _valid_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def garbage_ratio(text: str) -> float:
    """Share of replacement and control characters: high means the bytes were not text."""
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n\r\f"))
    return bad / len(sample)


def _declared_charsets(body: bytes, declared: str | None) -> list[str | None]:
    head = body[:4096]
    xml_match = _XML_ENCODING.search(head)
    meta_match = _META_CHARSET.search(head)
    return [
        declared,
        xml_match.group(1).decode("ascii") if xml_match else None,
        meta_match.group(1).decode("ascii") if meta_match else None,
    ]


def decode_body(body: bytes, content_type: str = "") -> tuple[str, str]:
    """Bytes to text: BOM, then declared charsets (header, XML, meta) that decode cleanly, then detection."""
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8", errors="replace"), "utf-8"
    declared = _valid_codec(_header_charset(content_type))
    if declared and declared.startswith(("utf-16", "utf-32")):
        try:
            return body.decode(declared), declared
        except UnicodeDecodeError:
            pass
    try:
        # Valid UTF-8 with non-ASCII bytes is almost never an accident, while "charset=iso-8859-1"
        # on a UTF-8 page is a common lie: prefer UTF-8 whenever it decodes strictly.
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for name in _declared_charsets(body, declared):
        codec = _valid_codec(name)
        if not codec:
            continue
        try:
            return body.decode(codec), codec
        except UnicodeDecodeError:
            continue  # a declared charset that does not fit the bytes: the declaration lies
    best = from_bytes(body[:200_000]).best()
    if best is not None and best.encoding:
        return body.decode(best.encoding, errors="replace"), best.encoding
    return body.decode("utf-8", errors="replace"), "utf-8"


def decode_checked(
    body: bytes, content_type: str = "", *, url: str = "", max_bytes: int | None = None
) -> tuple[str, str]:
    """Decode and refuse garbage, so a misdecoded or binary body never becomes an announcement."""
    from django.conf import settings

    body = undo_hidden_gzip(body, max_bytes=max_bytes or settings.SCRAPER_MAX_BYTES, url=url)
    text, encoding = decode_body(body, content_type)
    ratio = garbage_ratio(text)
    if ratio > 0.02:
        raise FetchError(
            f"The body does not decode to text ({ratio:.0%} replacement or control characters); "
            "it is probably compressed or binary data served as text.",
            permanent=False,
            url=url,
        )
    return text, encoding
