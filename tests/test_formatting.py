"""Tests for kaltim_research.report.formatting (expected strings written by hand)."""

from __future__ import annotations

import functools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaltim_research.report.formatting import (
    format_idr,
    format_number,
    format_pct,
    format_range,
    format_usd_m,
)

EN_DASH = "\u2013"


@pytest.mark.parametrize(
    ("x", "decimals", "lang", "expected"),
    [
        (1234567.891, 2, "id", "1.234.567,89"),
        (1234567.891, 2, "en", "1,234,567.89"),
        (1234.5, 1, "id", "1.234,5"),
        (1234.5, 1, "en", "1,234.5"),
        (999.0, 0, "id", "999"),
        (1000.0, 0, "id", "1.000"),
        (1000.0, 0, "en", "1,000"),
        (0.25, 2, "id", "0,25"),
        (-1234.56, 1, "id", "-1.234,6"),
        (-1234.56, 1, "en", "-1,234.6"),
        (12.0, 3, "id", "12,000"),
        (-0.04, 1, "id", "0,0"),  # rounds to zero: no "-0,0"
        (10000, 0, "id", "10.000"),
    ],
)
def test_format_number_examples(x, decimals, lang, expected):
    assert format_number(x, decimals, lang) == expected


def test_format_number_default_is_indonesian_one_decimal():
    assert format_number(1234.56) == "1.234,6"


@pytest.mark.parametrize("missing", [float("nan"), None, float("inf"), -math.inf])
def test_missing_values_give_en_dash(missing):
    assert format_number(missing) == EN_DASH
    assert format_usd_m(missing) == EN_DASH
    assert format_usd_m(missing, "en") == EN_DASH
    assert format_idr(missing) == EN_DASH
    assert format_pct(missing, signed=True) == EN_DASH
    assert format_range(missing, 1.0) == EN_DASH
    assert format_range(1.0, missing, format_usd_m, "en") == EN_DASH


def test_unknown_language_rejected():
    with pytest.raises(ValueError):
        format_number(1.0, lang="fr")
    with pytest.raises(ValueError):
        format_usd_m(1.0, lang="ms")


@pytest.mark.parametrize(
    ("value", "expected_id", "expected_en"),
    [
        (1234.0, "US$1,2 miliar", "US$1.2 billion"),
        (103.74, "US$103,7 juta", "US$103.7 million"),
        (1_234_000.0, "US$1,2 triliun", "US$1.2 trillion"),
        (0.5, "US$0,5 juta", "US$0.5 million"),
        (21500.0, "US$21,5 miliar", "US$21.5 billion"),
        (999.96, "US$1,0 miliar", "US$1.0 billion"),  # no "1.000,0 juta"
        (-2500.0, "-US$2,5 miliar", "-US$2.5 billion"),
        (0.0, "US$0,0 juta", "US$0.0 million"),
    ],
)
def test_format_usd_m(value, expected_id, expected_en):
    assert format_usd_m(value, "id") == expected_id
    assert format_usd_m(value, "en") == expected_en


def test_format_usd_m_decimals_and_sign():
    assert format_usd_m(1234.0, "id", decimals=2) == "US$1,23 miliar"
    assert format_usd_m(500.0, "id", signed=True) == "+US$500,0 juta"
    assert format_usd_m(-120.0, "en", signed=True) == "-US$120.0 million"
    assert format_usd_m(0.0, "en", signed=True) == "US$0.0 million"


@pytest.mark.parametrize(
    ("value", "expected_id", "expected_en"),
    [
        (1.2e12, "Rp1,2 triliun", "IDR 1.2 trillion"),
        (350e9, "Rp350,0 miliar", "IDR 350.0 billion"),
        (12.5e6, "Rp12,5 juta", "IDR 12.5 million"),
        (500_000, "Rp500.000", "IDR 500,000"),
        (-3.25e9, "-Rp3,2 miliar", "-IDR 3.2 billion"),  # 3.25 rounds half-even in binary
    ],
)
def test_format_idr(value, expected_id, expected_en):
    assert format_idr(value, "id") == expected_id
    assert format_idr(value, "en") == expected_en


@pytest.mark.parametrize(
    ("x", "kwargs", "expected"),
    [
        (12.5, {}, "12,5%"),
        (12.5, {"signed": True}, "+12,5%"),
        (12.5, {"lang": "en"}, "12.5%"),
        (12.5, {"lang": "en", "signed": True}, "+12.5%"),
        (-3.0, {"signed": True}, "-3,0%"),
        (-3.0, {}, "-3,0%"),
        (0.0, {"signed": True}, "0,0%"),
        (74.0, {"decimals": 0}, "74%"),
        (1234.5, {"lang": "en"}, "1,234.5%"),
    ],
)
def test_format_pct(x, kwargs, expected):
    assert format_pct(x, **kwargs) == expected


def test_format_range():
    assert format_range(1100.0, 1400.0, format_usd_m, "id") == "US$1,1 miliar–US$1,4 miliar"
    assert format_range(1100.0, 1400.0, format_usd_m, "en") == "US$1.1 billion–US$1.4 billion"
    assert format_range(3.0, 20.0, format_pct, "id") == "3,0%–20,0%"
    assert format_range(1.5, 2.25) == "1,5–2,2"
    two = functools.partial(format_number, decimals=2)
    assert format_range(1.5, 2.25, two, "en") == "1.50–2.25"


@given(
    x=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False),
    decimals=st.integers(min_value=0, max_value=4),
)
def test_round_trip_indonesian(x, decimals):
    text = format_number(x, decimals, "id")
    parsed = float(text.replace(".", "").replace(",", "."))
    assert parsed == round(x, decimals)


@given(
    x=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False),
    decimals=st.integers(min_value=0, max_value=4),
)
def test_round_trip_english_and_languages_agree(x, decimals):
    en = format_number(x, decimals, "en")
    idn = format_number(x, decimals, "id")
    assert float(en.replace(",", "")) == round(x, decimals)
    # Same digits, separators swapped.
    assert en.translate(str.maketrans(",.", ".,")) == idn


@given(st.floats(min_value=0.0, max_value=5e7, allow_nan=False))
def test_usd_scale_word_matches_magnitude(v):
    text = format_usd_m(v, "en")
    if round(v, 1) < 1000 and round(v / 1000, 1) < 1.0:
        assert text.endswith(" million")
    elif v >= 1_000_000:
        assert text.endswith(" trillion")
    if text.endswith(" million"):
        # The mantissa is never shown as 1,000.0 million or more.
        assert float(text[3:-8].replace(",", "")) < 1000
