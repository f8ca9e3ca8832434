"""Masking of data values for messages, examples and logs.

Nothing from a data cell reaches a terminal, log, error or report unmasked. Use
:func:`mask_value` for ordinary values (first and last character kept) and
:func:`mask_kind` for personal-data hits (only the kind is shown).
"""

from __future__ import annotations

from typing import Any


def mask_value(value: Any) -> str:
    """Mask a value, keeping only its first and last character and its length.

    Parameters
    ----------
    value : Any
        Raw cell value.

    Returns
    -------
    str
        Masked text; ``"<empty>"`` for empty or missing values.

    Examples
    --------
    >>> mask_value("PX12345678")
    'P********8'
    >>> mask_value("ab")
    '**'
    >>> mask_value(None)
    '<empty>'
    """
    if value is None:
        return "<empty>"
    text = str(value)
    if text == "" or text.lower() == "nan":
        return "<empty>"
    if len(text) <= 3:
        return "*" * len(text)
    return text[0] + "*" * (len(text) - 2) + text[-1]


def mask_kind(kind: str) -> str:
    """Return a fully masked placeholder naming only the kind of personal data.

    Examples
    --------
    >>> mask_kind("email")
    '<email>'
    """
    return f"<{kind}>"


def short_pseudonym(value: str, keep: int = 4) -> str:
    """Shorten a pseudonym for researcher-only views (never for released output).

    Examples
    --------
    >>> short_pseudonym("abcdefghijkl")
    'abcd…'
    """
    return str(value)[:keep] + "…"
