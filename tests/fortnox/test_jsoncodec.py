from decimal import Decimal

import pytest

from fortnox_link.fortnox import jsoncodec


def test_decimal_roundtrip_is_exact_to_the_ore() -> None:
    payload = {"Price": Decimal("1234.50"), "Rows": [Decimal("0.10"), Decimal("0.20")], "n": 3}
    text = jsoncodec.dumps(payload)
    assert text == '{"Price":1234.50,"Rows":[0.10,0.20],"n":3}'
    back = jsoncodec.loads(text)
    assert back["Price"] == Decimal("1234.50")
    assert sum(back["Rows"]) == Decimal("0.30")  # would be 0.30000000000000004 with float
    assert isinstance(back["n"], int)


def test_text_stays_utf8_not_escaped() -> None:
    text = jsoncodec.dumps({"Name": "Åkerlund & Öberg AB", "City": "Malmö"})
    assert "Åkerlund" in text and "\\u" not in text
    assert jsoncodec.dump_bytes({"City": "Malmö"}) == '{"City":"Malmö"}'.encode()


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError, match="Decimal"):
        jsoncodec.dumps({"Price": 12.5})


def test_non_finite_amount_is_refused() -> None:
    with pytest.raises(ValueError, match="non-finite"):
        jsoncodec.dumps({"Price": Decimal("NaN")})


def test_large_and_small_decimals_are_not_written_in_exponent_form() -> None:
    assert jsoncodec.dumps(Decimal("1E+3")) == "1000"
    assert jsoncodec.dumps(Decimal("0.0000001")) == "0.0000001"
    assert jsoncodec.dumps([True, None, "x"]) == '[true,null,"x"]'
