"""Unified social credit code (GB 32100-2015) check digit."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Organization
from accounts.validators import (
    USCC_ALPHABET,
    is_valid_uscc,
    make_uscc,
    uscc_check_char,
    validate_uscc,
)
from demo.world import DEMO_ORGANIZATIONS


def _with_check(first17: str) -> str:
    return first17 + uscc_check_char(first17)


VALID = [
    *[o["uscc"] for o in DEMO_ORGANIZATIONS.values()],
    make_uscc("440100", 1),
    make_uscc("650000", 999_999_999, registration="52"),
    _with_check("91350100M000100Y4"),  # letters in the organisation code
    _with_check("12100000400000624"),
    "91350100M000100Y43",  # the example code printed in GB 32100-2015
]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes(code):
    assert is_valid_uscc(code)
    validate_uscc(code)


def test_the_check_character_is_in_the_alphabet_for_every_remainder():
    seen = {uscc_check_char(f"9144010000000{n:04d}") for n in range(200)}
    assert seen <= set(USCC_ALPHABET)
    assert len(seen) == 31  # all 31 remainders occur


@pytest.mark.parametrize("code", VALID)
def test_every_other_check_character_is_wrong(code):
    for c in USCC_ALPHABET:
        if c != code[17]:
            assert not is_valid_uscc(code[:17] + c)


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_illegal_letters(letter):
    base = make_uscc("440100", 1)
    for position in (0, 10, 17):
        code = base[:position] + letter + base[position + 1 :]
        assert not is_valid_uscc(code)
        with pytest.raises(ValidationError):
            validate_uscc(code)


@pytest.mark.parametrize(
    "code",
    [
        "",
        make_uscc("440100", 1)[:17],
        make_uscc("440100", 1) + "0",
        "91350100m000100y43",  # lower case
        " " + make_uscc("440100", 1)[1:],
        None,
        914401000000000011,
    ],
)
def test_wrong_length_or_type(code):
    assert not is_valid_uscc(code)


def test_the_division_code_must_be_digits():
    first17 = "91ABCDEF000000001"
    assert not is_valid_uscc(_with_check(first17))


def test_uscc_check_char_needs_17_characters():
    with pytest.raises(ValueError):
        uscc_check_char("9144")


@pytest.mark.django_db
def test_organization_full_clean_refuses_a_bad_code():
    good = make_uscc("440100", 4242)
    bad = good[:17] + next(c for c in USCC_ALPHABET if c != good[17])
    org = Organization(name="示例", uscc=bad, province_id="440000")
    with pytest.raises(ValidationError) as exc:
        org.full_clean()
    assert list(exc.value.message_dict) == ["uscc"]
    assert exc.value.error_dict["uscc"][0].code == "invalid_uscc"
    org.uscc = good
    org.full_clean()
