"""Pictures: an outlet's image bytes -> the renditions the site serves (WebP and JPEG, several widths).

Only the raster formats Pillow decodes well and browsers show (JPEG, PNG, GIF, WebP) are read,
each by its own decoder chosen from the file's first bytes, never from the name or the server's
word. The pixel count the header declares is checked before anything is decoded, so a small file
that would expand to gigabytes (a decompression bomb) is refused for the cost of its header.
Renditions keep no metadata: EXIF (camera, time, GPS position), XMP and comments are dropped; the
EXIF orientation is applied first and a colour profile is converted to sRGB, so that what the
reader sees is what the photographer meant.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps

from .errors import PipelineError, TooComplex, unexpected_errors

__all__ = ["ImageError", "ImageOptions", "ImageSet", "ImageTooLarge", "Rendition", "check_content_type",
           "credit", "renditions", "sniff"]


class ImageError(PipelineError):
    """The bytes are not a picture newsdesk serves (not a raster image, truncated, refused by type)."""


class ImageTooLarge(ImageError, TooComplex):
    """The picture declares more pixels than ``ImageOptions.max_pixels`` (a decompression bomb, or
    a poster far beyond what a page shows)."""


@dataclass(frozen=True)
class ImageOptions:
    """Which renditions to make. Widths are in pixels; a picture is never made wider than it is."""

    widths: tuple[int, ...] = (320, 640, 960, 1280)
    max_pixels: int = 40_000_000
    webp_quality: int = 80
    jpeg_quality: int = 82
    webp_effort: int = 2
    """libwebp's ``method``, 0 (fastest) to 6. At 2 a picture encodes in half the time it takes
    at libwebp's default of 4, for files 3 to 5 % larger: each picture of every article is encoded
    at every width, so this is most of what storing pictures costs."""


@dataclass(frozen=True)
class Rendition:
    """One encoded size of a picture. ``format`` is "webp" or "jpeg"."""

    width: int
    height: int
    format: str
    data: bytes

    @property
    def media_type(self) -> str:
        return f"image/{self.format}"


@dataclass(frozen=True)
class ImageSet:
    """A picture as read (its format, and its size upright) and its renditions, narrowest first,
    each width in WebP then in JPEG. ``sha256`` is the hex digest of the original bytes."""

    sha256: str
    format: str
    width: int
    height: int
    renditions: tuple[Rendition, ...]


# First bytes of each format read (WebP: RIFF, four bytes of length, WEBP), and Pillow's decoders.
_MAGIC = ((b"\xff\xd8\xff", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"GIF87a", "gif"), (b"GIF89a", "gif"))
_DECODERS = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}
# Served without a type, or as "some bytes": the first bytes decide.
_UNTYPED = {"", "application/octet-stream", "binary/octet-stream", "application/binary"}


def sniff(data: bytes) -> str | None:
    """The format the first bytes announce: "jpeg", "png", "gif", "webp", or None."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def check_content_type(content_type: str | None, data: bytes) -> str:
    """The format of ``data`` when both the server's Content-Type and the bytes say it is a
    picture newsdesk reads; returns "jpeg", "png", "gif" or "webp".

    A missing or generic type (application/octet-stream) leaves it to the bytes; any other type
    must be image/* and not SVG. Raises ImageError naming what it got instead.
    """
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared == "image/svg+xml":
        raise ImageError("the server sent an SVG drawing (image/svg+xml); only raster pictures are served")
    if declared not in _UNTYPED and not declared.startswith("image/"):
        raise ImageError(f"the server sent {declared}, not a picture")
    found = sniff(data)
    if found is None:
        raise ImageError(_not_an_image(data, declared))
    return found


def _not_an_image(data: bytes, declared: str) -> str:
    said = f" though served as {declared}" if declared else ""
    if not data:
        return f"the server sent no bytes{said}"
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<"):
        kind = "an SVG drawing" if b"<svg" in data[:4096].lower() else "HTML or XML markup"
        return f"the server sent {kind}{said}, not a raster picture"
    return f"the bytes are not a JPEG, PNG, GIF or WebP picture{said}"


@unexpected_errors(ImageError, "the picture")
def renditions(data: bytes, options: ImageOptions | None = None, *, content_type: str | None = None) -> ImageSet:
    """Read a picture and make its renditions: WebP (keeping transparency) and JPEG (flattened on
    white) at each of ``options.widths`` narrower than the picture, and at its own width when
    that is narrower than the widest; always at least one width.

    Returns an ImageSet. Raises ImageTooLarge for a picture over ``options.max_pixels``, and
    ImageError for anything else that is not a readable JPEG, PNG, GIF or WebP.
    """
    options = options or ImageOptions()
    found = check_content_type(content_type, data)
    picture, (width, height) = _open(data, found, options)
    sizes = _sizes(*picture.size, options.widths)
    made: list[Rendition] = []
    # The widest from the picture, the narrower ones from the widest: far fewer pixels to read.
    widest = picture if sizes[-1] == picture.size else _scaled(picture, sizes[-1])
    for target in sizes:
        scaled = widest if target == widest.size else _scaled(widest, target)
        made.append(Rendition(*target, "webp", _encode_webp(scaled, options)))
        made.append(Rendition(*target, "jpeg", _encode_jpeg(scaled, options)))
    return ImageSet(sha256=hashlib.sha256(data).hexdigest(), format=found, width=width, height=height,
                    renditions=tuple(made))


def _open(data: bytes, found: str, options: ImageOptions) -> tuple[Image.Image, tuple[int, int]]:
    """The picture's first frame decoded, upright, in RGB or RGBA, sRGB, without metadata (a
    JPEG perhaps decoded at a half, a quarter or an eighth of its size), and its full size upright."""
    try:
        picture = Image.open(io.BytesIO(data), formats=[_DECODERS[found]])
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge(f"the {found.upper()} picture is far too large to decode ({exc})") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"the {found.upper()} picture cannot be read ({exc})") from exc
    width, height = picture.size
    if width < 1 or height < 1:
        raise ImageError(f"the {found.upper()} picture declares no pixels ({width}x{height})")
    if width * height > options.max_pixels:
        raise ImageTooLarge(f"the {found.upper()} picture declares {width}x{height} pixels, over the limit of "
                            f"{options.max_pixels / 1e6:g} megapixels")
    if found == "jpeg" and options.widths:
        # Decode at the smallest scale (1/2, 1/4, 1/8) still at least as large as the widest
        # rendition in both directions, whichever way the picture turns out to be oriented.
        widest = max(options.widths)
        picture.draft(picture.mode, (widest, widest))
    try:
        picture.load()  # the first frame of an animated GIF or WebP
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge(f"the {found.upper()} picture is far too large to decode ({exc})") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageError(f"the {found.upper()} picture is truncated or damaged ({exc})") from exc
    decoded = picture.size
    try:
        ImageOps.exif_transpose(picture, in_place=True)
    except Exception:  # noqa: BLE001 - a damaged EXIF block is no reason to refuse the picture
        pass
    turned = picture.size != decoded
    clean = _to_srgb(picture)
    # Renditions inherit ``info``: emptied, no EXIF, XMP, comment or profile travels on.
    clean.info = {}
    return clean, (height, width) if turned else (width, height)


def _has_alpha(picture: Image.Image) -> bool:
    return picture.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in picture.info


def _to_srgb(picture: Image.Image) -> Image.Image:
    """RGB or RGBA in sRGB: CMYK, palette, grey and 16-bit pictures converted, a colour profile applied."""
    profile = picture.info.get("icc_profile")
    if profile and picture.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            target = ImageCms.createProfile("sRGB")
            mode = "RGBA" if picture.mode == "RGBA" else "RGB"
            return ImageCms.profileToProfile(picture, source, target, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a broken profile: convert as if there were none
    if picture.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit and float grey: scale to 8 bits (Pillow's convert clips instead).
        picture = picture.convert("I").point(lambda v: v / 256).convert("L")
    if picture.mode in ("RGB", "RGBA"):
        return picture
    return picture.convert("RGBA" if _has_alpha(picture) else "RGB")


def _sizes(width: int, height: int, widths: tuple[int, ...]) -> list[tuple[int, int]]:
    """(width, height) of each rendition: never wider than the picture, at least one."""
    widest = max(widths) if widths else width
    chosen = sorted({w for w in widths if 0 < w < width} | {min(width, widest)})
    return [(w, max(1, round(height * w / width))) for w in chosen]


def _scaled(picture: Image.Image, size: tuple[int, int]) -> Image.Image:
    return picture.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _encode_webp(picture: Image.Image, options: ImageOptions) -> bytes:
    out = io.BytesIO()
    picture.save(out, "WEBP", quality=options.webp_quality, method=options.webp_effort)
    return out.getvalue()


def _encode_jpeg(picture: Image.Image, options: ImageOptions) -> bytes:
    if picture.mode == "RGBA":
        flat = Image.new("RGB", picture.size, (255, 255, 255))
        flat.paste(picture, mask=picture.getchannel("A"))
        picture = flat
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=options.jpeg_quality, optimize=True, progressive=True)
    return out.getvalue()


_CREDIT = re.compile(r"(?:\b(?:photo(?:graph)?s?|pictures?|images?|credit)\b\s*(?:by\b|:)|©|\(c\))\s*"
                     r"([^.;|()\[\]]{2,120}?)\s*(?:[.;|)\]]|$)", re.IGNORECASE)


def credit(caption: str) -> str:
    """Who a caption credits for its picture ("Photo: Ana Ruiz/Reuters" -> "Ana Ruiz/Reuters"), or ""."""
    match = _CREDIT.search(caption or "")
    return " ".join(match[1].split())[:300] if match else ""
