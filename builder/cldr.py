"""CLDR's decimal symbol and plural rule of a locale, without loading its data at every start.

Babel keeps each locale's CLDR data in a pickle; the first question about a locale (its decimal symbol,
its plural rule) loads it with its parents: about 15 ms for English, in every process. A build needs only
those two figures, so `templates/cldr-numbers.json` holds them for the languages coursepack ships
catalogues for, written by `python -m builder.cldr` with the Babel it names. A table written by another
Babel version is not used (Babel is asked, as for every other locale), so the answers never differ from
Babel's; tests/test_locale.py checks the table against the installed Babel.
"""

from __future__ import annotations

import json
from functools import cache
from typing import NamedTuple

import babel
from babel import Locale
from babel.numbers import get_decimal_symbol
from babel.plural import PluralRule

from builder.resources import templates

TABLE = templates() / "cldr-numbers.json"


class Numbers(NamedTuple):
    """How a locale writes numbers: its decimal symbol with Western digits, and its cardinal plural rule."""

    decimal: str
    plural: PluralRule


@cache
def _table() -> dict[str, dict]:
    """The shipped figures by locale id ('pt_PT'), or none when another Babel version wrote them."""
    data = json.loads(TABLE.read_text(encoding="utf-8"))
    return data["locales"] if data["babel"] == babel.__version__ else {}


@cache
def numbers(locale: Locale) -> Numbers:
    """`locale`'s figures: from the shipped table when it has them, else from Babel's locale data."""
    known = _table().get(str(locale))
    if known is not None:
        return Numbers(known["decimal"], PluralRule(known["plural"]))
    return Numbers(get_decimal_symbol(locale, numbering_system="latn"), locale.plural_form)


def table(codes: list[str]) -> bytes:
    """The table for `codes` (locale ids), as Babel's locale data gives it."""
    locales = {code: Locale.parse(code) for code in sorted(codes)}
    data = {"babel": babel.__version__,
            "locales": {code: {"decimal": get_decimal_symbol(locale, numbering_system="latn"),
                               "plural": locale.plural_form.rules} for code, locale in locales.items()}}
    return (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def shipped_codes() -> list[str]:
    """The locale ids of coursepack's own catalogues (templates/locales/*.yaml): 'en', 'pt_PT'."""
    return sorted(str(Locale.parse(path.stem, sep="-")) for path in (templates() / "locales").glob("*.yaml"))


if __name__ == "__main__":  # python -m builder.cldr: after adding a catalogue or upgrading Babel
    from builder.package import write_file

    write_file(TABLE, table(shipped_codes()))
    print(TABLE.relative_to(templates().parent))
