"""Taking a departed person's name and address out of text the app wrote about them.

Erasure (coachprog.privacy) replaces a person's identity with a placeholder. Text that the
app rendered with their name in it, such as an e-mail to a lead saying who commented, is
rewritten with the placeholder instead. Words people typed themselves are not rewritten:
they are someone's record of the work (see `person_erase`).
"""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.html import escape


def _pattern(term: str) -> re.Pattern:
    # Whole words only, so erasing "Ana" leaves "Analysis" alone.
    return re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)", re.IGNORECASE)


@dataclass
class Redaction:
    """A person's names and addresses (as typed, HTML-escaped or JSON-encoded) and what replaces them."""

    replacements: list[tuple[re.Pattern, str]] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, *, names: Iterable[str], addresses: Iterable[str], name: str, address: str) -> "Redaction":
        redaction = cls()
        # Addresses first: a name can be part of an address ("dana" in dana@example.org).
        found = [(a.strip(), address) for a in addresses if a and a.strip()]
        found += [(n.strip(), name) for n in names if n and n.strip()]
        for term, placeholder in sorted(set(found), key=lambda pair: (pair[1] == name, -len(pair[0]))):
            for form, replacement in ((term, placeholder), (escape(term), escape(placeholder))):
                redaction.replacements.append((_pattern(form), replacement))
            redaction.terms += sorted({term, escape(term), json.dumps(term)[1:-1]})
        return redaction

    def text(self, value: str) -> str:
        for pattern, replacement in self.replacements:
            value = pattern.sub(replacement, value)
        return value

    def data(self, value):
        """The same for every string inside JSON data (attachments, headers)."""
        if isinstance(value, str):
            # An iCalendar attachment folds long lines, which could split a name in two.
            unfolded = value.replace("\r\n ", "").replace("\n ", "")
            redacted = self.text(unfolded)
            return redacted if redacted != unfolded else value
        if isinstance(value, list):
            return [self.data(item) for item in value]
        if isinstance(value, dict):
            return {key: self.data(item) for key, item in value.items()}
        return value
