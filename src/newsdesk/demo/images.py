"""Pictures the demo outlets serve, drawn from a key so that they need no files: PNG photos, SVG logos."""

from __future__ import annotations

import hashlib
import struct
import zlib
from xml.sax.saxutils import escape

PHOTO_SIZE = (640, 360)


def photo_png(key: str, width: int = PHOTO_SIZE[0], height: int = PHOTO_SIZE[1]) -> bytes:
    """A small landscape (sky, skyline, water), coloured and shaped by key; the same key gives the same bytes."""
    seed = hashlib.sha256(key.encode("utf-8")).digest()
    sky_top, sky_low = _colour(seed, 0, 90, 150), _colour(seed, 3, 160, 90)
    building, water = _colour(seed, 6, 20, 70), _colour(seed, 9, 30, 90)
    horizon = height * (55 + seed[12] % 15) // 100
    columns = 16
    step = width // columns
    tops = [horizon - (seed[13 + i] % (horizon // 2)) for i in range(columns)]
    rows = []
    for y in range(height):
        if y >= horizon:
            shade = (y - horizon) * 60 // max(1, height - horizon)
            pixel = bytes(max(0, c - shade) for c in water)
            rows.append(b"\x00" + pixel * width)
            continue
        sky = bytes(a + (b - a) * y // horizon for a, b in zip(sky_top, sky_low))
        row = b"".join((building if y >= top else sky) * step for top in tops)
        rows.append(b"\x00" + row + sky * (width - step * columns))
    raw = b"".join(rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 6)) + _chunk(b"IEND", b"")


def logo_svg(name: str, colour: str, width: int = 300, height: int = 60) -> bytes:
    """A wordmark: the outlet's name on its colour."""
    return _svg(width, height, f'<rect width="100%" height="100%" fill="{colour}"/>'
                f'<text x="16" y="{height * 0.66:.0f}" font-family="Georgia, serif" font-size="{height * 0.45:.0f}" '
                f'font-weight="bold" fill="#ffffff">{escape(name)}</text>')


def banner_svg(advertiser: str, slogan: str, width: int = 728, height: int = 90) -> bytes:
    """A leaderboard advertisement."""
    return _svg(width, height, '<rect width="100%" height="100%" fill="#f4f1e8" stroke="#c9c2ad"/>'
                f'<text x="20" y="40" font-family="Arial, sans-serif" font-size="24" font-weight="bold" fill="#333">{escape(advertiser)}</text>'
                f'<text x="20" y="70" font-family="Arial, sans-serif" font-size="16" fill="#555">{escape(slogan)}</text>')


def avatar_svg(name: str, colour: str, size: int = 96) -> bytes:
    """A round picture with the person's initials."""
    initials = "".join(part[0] for part in name.replace("-", " ").split()[:2]).upper()
    return _svg(size, size, f'<circle cx="{size / 2}" cy="{size / 2}" r="{size / 2}" fill="{colour}"/>'
                f'<text x="50%" y="58%" text-anchor="middle" font-family="Arial, sans-serif" font-size="{size * 0.4:.0f}" '
                f'fill="#ffffff">{escape(initials)}</text>')


def _svg(width: int, height: int, inner: str) -> bytes:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">{inner}</svg>').encode("utf-8")


def _colour(seed: bytes, at: int, base: int, spread: int) -> bytes:
    return bytes(min(255, base + seed[at + i] % spread) for i in range(3))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
