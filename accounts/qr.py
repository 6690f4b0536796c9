"""QR codes as inline SVG, drawn on the server (segno, pure Python): no image service, no
CDN, no script."""

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str, *, title: str = "") -> SafeString:
    """`data` as a QR code (error correction M), black on white with the quiet zone, as an
    inline <svg> element."""
    code = segno.make(data, error="m")
    svg = code.svg_inline(
        scale=4, border=4, dark="#000", light="#fff", title=title or None, svgclass="otp-qr"
    )
    return mark_safe(svg)  # segno escapes the title; the rest is its own markup
