"""Real RFC 822 messages, written out here as a mail server would deliver them (the encoded
bodies are computed from the text they carry, so that the tests can name it)."""

import base64
import quopri
import struct

PDF = (
    b"%PDF-1.4\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n"
    b"2 0 obj\n<</Type/Pages/Kids[]/Count 0>>\nendobj\ntrailer\n<</Root 1 0 R>>\n%%EOF\n"
)
# a little-endian TIFF header and one empty IFD: what a fax gateway's attachment starts with
TIFF = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 0) + b"\x00\x00\x00\x00"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii")


def qp(data: bytes) -> str:
    return quopri.encodestring(data).decode("ascii")


def word(text: str, charset: str) -> str:
    """An RFC 2047 encoded word."""
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode('ascii')}?="


def utf8_qp_with_attachments(message_id="<utf8-qp-1@example.cn>", sender="ops@example.cn"):
    body = "您好：\n我单位门户网站于今日上午遭受攻击，现将情况报告如下。\n附件为日志。\n"
    return f"""Return-Path: <{sender}>
From: "Zhang San" <{sender}>
To: 12387@12387.example.cn
Subject: {word("网站遭受攻击的报告", "utf-8")}
Date: Wed, 25 Nov 2026 09:30:00 +0800
Message-ID: {message_id}
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XYZ"

--XYZ
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

{qp(body.encode("utf-8"))}
--XYZ
Content-Type: application/pdf; name="log.pdf"
Content-Disposition: attachment; filename="log.pdf"
Content-Transfer-Encoding: base64

{b64(PDF)}
--XYZ
Content-Type: application/octet-stream; name="tool.exe"
Content-Disposition: attachment; filename="tool.exe"
Content-Transfer-Encoding: base64

{b64(EXE)}
--XYZ--
""".encode("ascii")


# "镕" and "堃" are GBK characters outside GB2312: mail labelled GB2312 often carries them
GB2312_TEXT = "朱镕堃报告：服务器被植入挖矿程序。"


def gb2312_base64(message_id="<gb2312-1@example.cn>", sender="li@example.cn", extra=""):
    body = GB2312_TEXT + extra
    return f"""From: {word("李四", "gb2312")} <{sender}>
To: 12387@12387.example.cn
Subject: {word("挖矿程序", "gb2312")}
Date: Wed, 25 Nov 2026 10:00:00 +0800
Message-ID: {message_id}
MIME-Version: 1.0
Content-Type: text/plain; charset="gb2312"
Content-Transfer-Encoding: base64

{b64(body.encode("gb18030"))}""".encode("ascii")


GBK_TEXT = "数据库遭勒索软件加密，赎金要求为比特币。"


def q_word(text: str, charset: str) -> str:
    """An RFC 2047 encoded word in the Q encoding."""
    encoded = "".join(f"={b:02X}" for b in text.encode(charset))
    return f"=?{charset}?Q?{encoded}?="


def gbk_quoted_printable(message_id="<gbk-1@example.cn>"):
    return f"""From: wang@example.cn
To: 12387@12387.example.cn
Subject: {q_word(GBK_TEXT[:5], "GBK")}
Message-ID: {message_id}
Content-Type: text/plain; charset=GBK
Content-Transfer-Encoding: quoted-printable

{qp(GBK_TEXT.encode("gbk"))}""".encode("ascii")


# "𠮷" takes four bytes in GB18030
GB18030_TEXT = "𠮷野家的会员数据疑似泄露。"


def gb18030_html(message_id="<gb18030-1@example.cn>"):
    html = f"<html><body><p>{GB18030_TEXT}</p><script>x()</script></body></html>"
    return f"""From: zhao@example.cn
To: 12387@12387.example.cn
Subject: {word("会员数据泄露", "gb18030")}
Message-ID: {message_id}
Content-Type: text/html; charset=GB18030
Content-Transfer-Encoding: base64

{b64(html.encode("gb18030"))}""".encode("ascii")


def fax_from_gateway(sender="fax-gateway@12387.example.cn"):
    return f"""From: Fax Gateway <{sender}>
To: 12387@12387.example.cn
Subject: Fax from +86 20 1234 5678 (2 pages)
Message-ID: <fax-0001@gateway.example.cn>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="FAX"

--FAX
Content-Type: text/plain; charset=us-ascii

Fax received 2026-11-25 10:12 from +86 20 1234 5678, 2 pages.
--FAX
Content-Type: image/tiff; name="fax-0001.tif"
Content-Disposition: attachment; filename="fax-0001.tif"
Content-Transfer-Encoding: base64

{b64(TIFF)}
--FAX--
""".encode("ascii")


def quoting(reference: str, *, sender: str, message_id: str, with_pdf: bool = True) -> bytes:
    text = f"关于 {reference}：补充攻击源IP 203.0.113.7，日志见附件。"
    attachment = (
        f"""--REF
Content-Type: application/pdf; name="more.pdf"
Content-Disposition: attachment; filename="more.pdf"
Content-Transfer-Encoding: base64

{b64(PDF)}
"""
        if with_pdf
        else ""
    )
    return f"""From: {sender}
To: 12387@12387.example.cn
Subject: Re: {reference}
Message-ID: {message_id}
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="REF"

--REF
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: base64

{b64(text.encode("utf-8"))}
{attachment}--REF--
""".encode("ascii")


# Not a message at all: binary noise where the header block should be.
BROKEN = b"\x00\x13\xfe\xff\x89garbage\r\n\r\n\xff\xfe not an e-mail"
