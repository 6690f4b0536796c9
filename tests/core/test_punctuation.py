"""Full-width punctuation in Chinese text (issue 13, point 10): the Chinese UI uses ，。：；
（）！？ and not the ASCII , . : ; ( ) ! ? next to Chinese characters. ASCII stays where it
belongs: inside placeholders (%(name)s), codes, URLs, file names and numbers."""

import ast
import gettext
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# CJK ideographs and the CJK and full-width punctuation blocks
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
ASCII_PUNCTUATION = re.escape(",.:;()!?")
# ASCII punctuation touching a Chinese character, or one space away from it
WRONG = re.compile(
    rf"[{CJK}] ?[{ASCII_PUNCTUATION}]|[{ASCII_PUNCTUATION}] ?[{CJK}]",
)
# what may carry ASCII punctuation: placeholders (Python and template), inline code, URLs,
# e-mail addresses; replaced by a neutral letter before the check
CODE = re.compile(
    r"%\(\w+\)[sdif]|%[sdif%]|\{\{[^}]*\}\}|\{%[^%]*%\}|\{\w*\}|`[^`]*`|https?://\S+"
    r"|[\w.+-]+@[\w-]+(\.[\w-]+)+|<[^>]*>"
)


def offences(text: str) -> list[str]:
    neutral = CODE.sub("X", text)
    return [match.group() for match in WRONG.finditer(neutral)]


def test_the_rule_itself():
    assert offences("已提交,请核对") == ["交,"]
    assert offences("时间: 10:00") == ["间:"]
    assert offences("下载回执(PDF)") == ["执("]
    assert offences("1–2. 事件情况") == [". 事"]
    assert offences("…… 完毕!") == ["毕!"]
    # placeholders, codes, URLs, numbers and full-width punctuation pass
    assert offences("%(ref)s 被%(authority)s 降为%(level)s：%(reason)s") == []
    assert offences("筛选条件有误：`{字段: [提示信息]}`。") == []
    assert offences("见 https://www.example.cn/a.b?c=1，完毕。") == []
    assert offences("应为 0 到 1 之间的数值列表，例如 [0.5, 0.8]。") == []
    assert offences("下载回执（PDF）。按时：在法定时限内提交！") == []


def _catalogue() -> dict:
    """The zh_Hans catalogue as msgfmt compiles it (what `make setup` serves)."""
    if shutil.which("msgfmt") is None:
        pytest.skip("GNU gettext (msgfmt) not installed")
    compiled = subprocess.run(
        ["msgfmt", "--check", "-o", "-", str(CATALOGUE)], capture_output=True, check=True
    ).stdout
    return gettext.GNUTranslations(io.BytesIO(compiled))._catalog


def test_the_chinese_catalogue_uses_full_width_punctuation():
    catalogue = _catalogue()
    wrong = {}
    for msgid, msgstr in catalogue.items():
        if not msgid or not isinstance(msgstr, str):
            continue  # the header
        found = offences(msgstr)
        if found:
            wrong[msgstr] = found
    assert len(catalogue) > 500
    assert wrong == {}


def _chinese(text: str) -> bool:
    """A Chinese string: it has ideographs and more of them than Latin letters (English
    text that names a Chinese term, "Late report (迟报)", is English)."""
    ideographs = len(IDEOGRAPH.findall(text))
    return ideographs > 0 and ideographs > len(re.findall("[A-Za-z]", text))


def _docstrings(tree) -> set[int]:
    """Docstrings are for developers, not the UI."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _python_literals():
    for path in sorted(ROOT.glob("*/**/*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {".venv", "node_modules", "tests", "var", "static"} or "migrations" in parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
            ):
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node.value


def _template_lines():
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            yield f"{path.relative_to(ROOT)}:{number}", CODE.sub("X", line)


def test_chinese_literals_in_code_and_templates_use_full_width_punctuation():
    """Chinese text written straight into code or templates (not through the catalogue:
    a message id is the English source, its translation is checked above)."""
    msgids = set(_catalogue())
    wrong = {
        where: offences(text)
        for where, text in (*_python_literals(), *_template_lines())
        if text not in msgids and _chinese(CODE.sub("X", text)) and offences(text)
    }
    assert wrong == {}
