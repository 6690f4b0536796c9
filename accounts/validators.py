"""Unified social credit code (统一社会信用代码, GB 32100-2015) with its check digit."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    if not isinstance(code, str) or len(code) != 18:
        return False
    if any(c not in USCC_ALPHABET for c in code):
        return False
    if not code[2:8].isdigit():  # administrative division code
        return False
    return uscc_check_char(code[:17]) == code[17]


def make_uscc(division: str, serial: int, registration: str = "91") -> str:
    """A valid unified social credit code: registration authority and kind ("91": market
    regulation, enterprise; "11": organ), the division code, a 9-character organisation
    code, then the check digit."""
    body = f"{registration}{division}{serial:09d}"
    return body + uscc_check_char(body)


def validate_uscc(value: str) -> None:
    if not is_valid_uscc(value):
        raise ValidationError(
            _(
                "Enter a valid 18-character unified social credit code "
                "(the last character is a check digit)."
            ),
            code="invalid_uscc",
        )
