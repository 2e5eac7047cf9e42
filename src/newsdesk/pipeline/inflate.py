"""zlib data inflated without trusting it: stored pages are read back through ``inflate``.

``zlib.decompress`` makes all of its output at once, so a few kilobytes that inflate to
gigabytes (a row written by something other than newsdesk, a restored backup) would fill memory
before anything could look at the size. Here the output stops one byte past the limit.
"""

from __future__ import annotations

import zlib

from .errors import DecodeError, TooLarge

__all__ = ["inflate"]


def inflate(data: bytes, max_bytes: int) -> bytes:
    """Return zlib-compressed ``data`` inflated, when that is at most ``max_bytes`` long.

    Raises TooLarge when it would inflate past ``max_bytes``, and DecodeError when it is not
    whole zlib data.
    """
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise DecodeError(f"the stored page is not readable zlib data ({exc})") from None
    if len(out) > max_bytes:
        raise TooLarge(f"the stored page inflates past the limit of {max_bytes} bytes")
    if not inflater.eof:
        raise DecodeError("the stored page is cut short: its zlib data ends early")
    return out
