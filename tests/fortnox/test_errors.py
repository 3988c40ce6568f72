import pytest

from fortnox_link.fortnox import (
    AuthError,
    IntegrationLicenceMissingError,
    LicenceMissingError,
    NotFoundError,
    ScopeMissingError,
    ServerError,
    ValidationError,
    normalize_organisation_number,
    to_decimal,
)
from fortnox_link.fortnox.errors import error_from_response, read_error_information


@pytest.mark.parametrize(
    "body",
    [
        {"ErrorInformation": {"error": 1, "message": "Kunde inte hitta konto", "code": 2000423}},
        {"ErrorInformation": {"Error": 1, "Message": "Kunde inte hitta konto", "Code": 2000423}},
        {"errorinformation": {"ERROR": 1, "MESSAGE": "Kunde inte hitta konto", "CODE": "2000423"}},
    ],
)
def test_error_information_is_read_whatever_the_key_case(body: dict[str, object]) -> None:
    assert read_error_information(body) == (2000423, "Kunde inte hitta konto")


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, 2001101, LicenceMissingError),
        (400, 2001103, IntegrationLicenceMissingError),
        (400, 2000663, ScopeMissingError),
        (401, 2000310, AuthError),
        (400, 2000311, AuthError),
        (404, None, NotFoundError),
        (400, 2000204, NotFoundError),
        (400, 2001302, NotFoundError),
        (400, 2000755, ValidationError),
        (503, None, ServerError),
    ],
)
def test_codes_map_to_meaningful_classes(status: int, code: int | None, cls: type[Exception]) -> None:
    body = {"ErrorInformation": {"error": 1, "message": "Meddelande från Fortnox", "code": code}}
    err = error_from_response(status, body, method="GET", path="/3/x")
    assert type(err) is cls
    assert err.status == status and err.code == code
    assert err.message == "Meddelande från Fortnox"
    assert "GET /3/x" in str(err)


def test_error_without_body_still_says_something_swedish() -> None:
    err = error_from_response(404, None, method="GET", path="/3/customers/9")
    assert isinstance(err, NotFoundError)
    assert err.message == "Hittades inte"


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("556677-8899", "5566778899"),
        ("5566778899", "5566778899"),
        ("SE556677889901", "5566778899"),
        ("16556677-8899", "5566778899"),
        (" 556677 8899 ", "5566778899"),
        ("", ""),
    ],
)
def test_organisation_numbers_are_normalized(raw: str, normalized: str) -> None:
    assert normalize_organisation_number(raw) == normalized


def test_amounts_from_strings_and_numbers_become_decimal() -> None:
    from decimal import Decimal

    assert to_decimal("1250.50") == Decimal("1250.50")
    assert to_decimal("1 250,50") == Decimal("1250.50")
    assert to_decimal(Decimal("3.10")) == Decimal("3.10")
    assert to_decimal(None) == Decimal(0)
    with pytest.raises(TypeError):
        to_decimal(1.5)
    with pytest.raises(ValueError, match="not an amount"):
        to_decimal("abc")
