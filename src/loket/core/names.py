"""Plain names: a person's or business's name that is safe to put in official mail.

Names go into the mail and SMS we send (and onto certificates), so a "name" such as
`Klik https://evil.example` or `<a href=…>` would make our official message carry
someone's link. A name may hold letters, digits, spaces and the punctuation names
use (. , ' ’ - &); it may not hold a link (a scheme, `www`, a dot joining two words
as in a domain) or markup characters.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from loket.core.errors import ValidationError

_MARKUP = re.compile(r"[<>{}\[\]\\/@:;=\"`|#%*+$^~]")
# A scheme or www, or a dot between two word characters ("evil.example", "bit.ly").
_LINK = re.compile(r"(?i)\b(?:https?|ftp|www)\b|\w\.\w")


def is_plain_name(name: str) -> bool:
    return not (_MARKUP.search(name) or _LINK.search(name))


def require_plain_name(name: str, *, field: str) -> None:
    """Raise ValidationError(field=field) if the name holds a link or markup."""
    if not is_plain_name(name):
        raise ValidationError(
            _(
                "Enter the name only, without links, e-mail addresses or symbols such as "
                "< > / @ : (after a full stop, leave a space)."
            ),
            field=field,
        )
