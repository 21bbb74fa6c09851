"""`$util.str`: case, literal replacement and Unicode normalisation."""

from __future__ import annotations

import unicodedata
from typing import Any

from amplify_local.mock.appsync.errors import TemplateError
from amplify_local.mock.appsync.vtl.values import to_string


def normalize(frame: Any, value: Any, form: Any) -> str:
    form_name = to_string(form).upper()
    if form_name not in ("NFC", "NFD", "NFKC", "NFKD"):
        raise TemplateError(f"$util.str.normalize: unknown normalization form {to_string(form)}")
    return unicodedata.normalize(form_name, to_string(value))  # type: ignore[arg-type]


FUNCTIONS: dict[str, Any] = {
    "toUpper": lambda frame, value: to_string(value).upper(),
    "toLower": lambda frame, value: to_string(value).lower(),
    "toReplace": lambda frame, value, old, new: to_string(value).replace(to_string(old), to_string(new)),
    "normalize": normalize,
}
