"""Renditions of pictures, and pictures that are not what they claim: bombs, truncated files, markup."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageCms

from newsdesk.demo.images import photo_png
from newsdesk.pipeline import images
from newsdesk.pipeline.errors import PipelineError
from newsdesk.pipeline.images import ImageError, ImageOptions, ImageTooLarge, check_content_type, credit, renditions


def encode(picture: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    picture.save(out, fmt, **params)
    return out.getvalue()


def decoded(rendition: images.Rendition) -> Image.Image:
    picture = Image.open(io.BytesIO(rendition.data))
    picture.load()
    return picture


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` and holds a few bytes of pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def test_a_photo_gets_webp_and_jpeg_renditions_at_each_width_it_covers():
    made = renditions(photo_png("harbour", 1600, 900))
    assert (made.format, made.width, made.height) == ("png", 1600, 900)
    assert [(r.width, r.format) for r in made.renditions] == [
        (320, "webp"), (320, "jpeg"), (640, "webp"), (640, "jpeg"), (960, "webp"), (960, "jpeg"),
        (1280, "webp"), (1280, "jpeg")]
    for rendition in made.renditions:
        picture = decoded(rendition)
        assert picture.format == {"webp": "WEBP", "jpeg": "JPEG"}[rendition.format]
        assert picture.size == (rendition.width, rendition.height)
        assert rendition.height == round(900 * rendition.width / 1600)
    assert len(made.sha256) == 64


def test_a_small_picture_is_never_made_larger_and_has_one_width():
    made = renditions(photo_png("small", 200, 120))
    assert {(r.width, r.height) for r in made.renditions} == {(200, 120)}
    made = renditions(photo_png("mid", 700, 400))
    assert sorted({r.width for r in made.renditions}) == [320, 640, 700]


def test_a_picture_declaring_too_many_pixels_is_refused_before_it_is_decoded():
    # 30,000 x 30,000 pixels would take 2.7 GB decoded; the file is a few dozen bytes.
    bomb = png_header_only(30_000, 30_000)
    assert len(bomb) < 200
    with pytest.raises(ImageTooLarge, match="megapixels|too large"):
        renditions(bomb)
    # Far past Pillow's own limit: its DecompressionBombError becomes ours.
    with pytest.raises(ImageTooLarge):
        renditions(png_header_only(100_000, 100_000))
    with pytest.raises(ImageTooLarge):
        renditions(photo_png("ok", 400, 300), ImageOptions(max_pixels=100_000))


def test_a_gif_declaring_a_huge_screen_is_refused():
    gif = bytearray(encode(Image.new("P", (10, 10)), "GIF"))
    gif[6:10] = struct.pack("<HH", 65535, 65535)  # the logical screen: 4.3 gigapixels
    with pytest.raises(ImageTooLarge):
        renditions(bytes(gif))


def test_a_truncated_picture_is_an_image_error():
    whole = encode(Image.effect_noise((800, 600), 60).convert("RGB"), "JPEG", quality=90)
    with pytest.raises(ImageError, match="truncated|damaged|cannot be read"):
        renditions(whole[: len(whole) // 3])
    png = photo_png("cut", 800, 500)
    with pytest.raises(ImageError):
        renditions(png[: len(png) // 2])


@pytest.mark.parametrize("data, content_type, message", [
    (b"", "image/jpeg", "no bytes"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>', "image/png",
     "SVG"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', None, "SVG"),
    (b"<!doctype html><html><body>Please log in</body></html>", "image/jpeg", "HTML"),
    (b"GIF8", "image/gif", "not a JPEG, PNG, GIF or WebP"),
    (b"BM" + b"\x00" * 60, "image/bmp", "not a JPEG, PNG, GIF or WebP"),
])
def test_bytes_that_are_not_a_raster_picture_are_refused_whatever_the_server_says(data, content_type, message):
    with pytest.raises(ImageError, match=message):
        renditions(data, content_type=content_type)


def test_the_content_type_must_be_a_raster_image_type():
    png = photo_png("typed", 64, 64)
    assert check_content_type("image/png", png) == "png"
    assert check_content_type("image/jpeg; charset=binary", png) == "png"  # the bytes decide the decoder
    assert check_content_type("application/octet-stream", png) == "png"
    assert check_content_type(None, png) == "png"
    with pytest.raises(ImageError, match="text/html"):
        check_content_type("text/html; charset=utf-8", png)
    with pytest.raises(ImageError, match="SVG"):
        check_content_type("image/svg+xml", png)


def test_an_animated_gif_gives_its_first_frame():
    frames = [Image.new("RGB", (120, 80), colour) for colour in ("red", "blue", "green")]
    gif = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    made = renditions(gif)
    assert made.format == "gif"
    picture = decoded(made.renditions[-1]).convert("RGB")
    assert not getattr(picture, "is_animated", False)
    red, green, blue = picture.getpixel((60, 40))
    assert red > 200 and green < 60 and blue < 60


def test_palette_transparency_stays_in_webp_and_is_flattened_on_white_in_jpeg():
    picture = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    picture.paste((200, 0, 0, 255), (25, 25, 75, 75))
    made = renditions(encode(picture, "PNG"))
    webp = decoded(next(r for r in made.renditions if r.format == "webp"))
    jpeg = decoded(next(r for r in made.renditions if r.format == "jpeg"))
    assert webp.mode == "RGBA" and webp.getpixel((5, 5))[3] == 0
    assert jpeg.mode == "RGB" and min(jpeg.getpixel((5, 5))) > 240
    palette = Image.new("P", (100, 100), 0)
    palette.putpalette([0, 0, 0, 200, 0, 0] + [0] * 762)
    palette.paste(1, (25, 25, 75, 75))
    for fmt in ("PNG", "GIF"):
        made = renditions(encode(palette, fmt, transparency=0))
        webp = decoded(next(r for r in made.renditions if r.format == "webp"))
        jpeg = decoded(next(r for r in made.renditions if r.format == "jpeg"))
        assert webp.mode == "RGBA" and webp.getpixel((5, 5))[3] == 0 and webp.getpixel((50, 50))[3] == 255
        assert min(jpeg.getpixel((5, 5))) > 240 and jpeg.getpixel((50, 50))[0] > 150


def test_a_cmyk_jpeg_becomes_rgb():
    made = renditions(encode(Image.new("CMYK", (400, 300), (0, 255, 255, 0)), "JPEG"))
    picture = decoded(made.renditions[0]).convert("RGB")
    red, green, blue = picture.getpixel((10, 10))
    assert red > 200 and green < 80 and blue < 80


def test_a_sixteen_bit_grey_png_is_read():
    picture = Image.new("I;16", (300, 200), 40000)
    made = renditions(encode(picture, "PNG"))
    grey = decoded(made.renditions[0]).convert("L").getpixel((5, 5))
    assert 140 < grey < 170  # 40000 / 65535 of white


def test_exif_orientation_is_applied_and_all_metadata_is_dropped():
    picture = Image.new("RGB", (800, 400), "white")
    picture.paste((0, 0, 255), (0, 0, 100, 400))  # a blue band on the left as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned 90 degrees clockwise
    exif[0x010F] = "Camera maker"
    exif.get_ifd(0x8825)[2] = (48.0, 51.0, 24.0)  # GPS latitude
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(picture, "JPEG", exif=exif, icc_profile=profile, comment=b"secret note")
    assert b"Camera maker" in data
    made = renditions(data)
    assert (made.width, made.height) == (400, 800)  # upright
    for rendition in made.renditions:
        out = decoded(rendition)
        assert out.width < out.height
        assert not dict(out.getexif())
        assert "exif" not in out.info and "icc_profile" not in out.info and "comment" not in out.info
        assert b"Camera maker" not in rendition.data and b"secret note" not in rendition.data
    top = decoded(next(r for r in made.renditions if r.format == "jpeg")).convert("RGB")
    # Turned clockwise, the left band is now along the top.
    assert top.getpixel((top.width // 2, 5))[2] > 200 and top.getpixel((top.width // 2, 5))[0] < 80


def test_a_webp_picture_is_read():
    made = renditions(encode(Image.new("RGB", (500, 300), "green"), "WEBP"))
    assert made.format == "webp" and made.width == 500


def test_a_large_jpeg_reports_its_full_size():
    made = renditions(encode(Image.new("RGB", (4000, 3000), "grey"), "JPEG"))
    assert (made.width, made.height) == (4000, 3000)
    assert max(r.width for r in made.renditions) == 1280


def test_every_failure_is_a_pipeline_error():
    for data in (b"\xff\xd8\xff" + b"\x00" * 100, b"\x89PNG\r\n\x1a\n" + b"\xff" * 40, b"RIFF\x00\x00\x00\x00WEBPVP8 ",
                 b"GIF89a" + b"\xff" * 20):
        with pytest.raises(PipelineError):
            renditions(data)


def test_credit_is_read_from_the_caption():
    assert credit("The quay at dawn. Photo: Ana Ruiz/Reuters") == "Ana Ruiz/Reuters"
    assert credit("Crowds on the pier (Photo by Jo Bloggs)") == "Jo Bloggs"
    assert credit("The ferry leaves at nine") == ""
