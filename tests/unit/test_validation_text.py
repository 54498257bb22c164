"""validation_text: a pydantic error in the words every face shows, with the offending value."""

from datetime import date

import pydantic
import pytest

from landbridge.errors import validation_text


class _Shipment(pydantic.BaseModel):
    depart: date | None = None
    feu: float = 1.0

    @pydantic.field_validator("feu")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError(f"must be positive (got {value:g})")
        return value


def _text(**fields: object) -> str:
    with pytest.raises(pydantic.ValidationError) as caught:
        _Shipment(**fields)  # type: ignore[arg-type]
    return validation_text(caught.value.errors()[0])


def test_impossible_date_names_the_value_and_the_format() -> None:
    text = _text(depart="2026-02-30")
    assert "day value is outside expected range" in text
    assert "(got '2026-02-30'; expected a date YYYY-MM-DD)" in text


def test_unparsable_number_names_the_value() -> None:
    assert _text(feu="lots").endswith("(got 'lots')")


def test_own_validator_message_is_kept_as_written() -> None:
    assert _text(feu=0) == "must be positive (got 0)"


def test_long_or_structured_input_is_not_echoed() -> None:
    assert "got" not in _text(feu="x" * 200)
    assert "got" not in _text(feu={"a": 1})
