"""Prompt rendering: jinja2 templates under ``prompts/`` with untrusted text only ever inside data blocks.

Untrusted text (postings, documents, web pages) is passed separately from the trusted context and wrapped
in :class:`UntrustedText`; the environment's ``finalize`` refuses to print such a value directly, so the
only way into a prompt is the ``untrusted`` macro of ``_macros.j2``, which quotes it with
:func:`quote_untrusted`: delimiter look-alikes are escaped and the block id is a hash of the content, so
the text cannot close its own block or open a fake one.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel

from careeros.resources import prompts_path

#: Characters that look like the block delimiters' angle brackets (after NFKC normalisation).
_ANGLE_OPEN = "<\u2039\u00ab\u2329\u27e8\u276e\u02c2\u1438\u227a\u3008\u300a\u276c\u2770\u29fc\u2264\u226a"
_ANGLE_CLOSE = ">\u203a\u00bb\u232a\u27e9\u276f\u02c3\u1433\u227b\u3009\u300b\u276d\u2771\u29fd\u2265\u226b"
_ANGLES = {**{c: "&lt;" for c in _ANGLE_OPEN}, **{c: "&gt;" for c in _ANGLE_CLOSE}}
# zero-width, bidi controls and other invisible format characters: they hide text from a human reviewer
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MARKER_WORDS = re.compile(r"(BEGIN|END)(\s*)(UNTRUSTED)(\s*)(DATA)", re.IGNORECASE)

BEGIN, END = "<<<BEGIN UNTRUSTED DATA", "<<<END UNTRUSTED DATA"


class UntrustedText(str):
    """Text from outside (postings, documents, web pages): printable only through the untrusted macro."""

    __slots__ = ()


class PromptSafetyError(ValueError):
    """A template tried to print untrusted text outside a data block."""


def quote_untrusted(text: str) -> str:
    """Neutralise untrusted text for a data block: NFKC, drop invisible characters, escape delimiters."""
    s = unicodedata.normalize("NFKC", str(text))
    s = _INVISIBLE.sub("", s)
    s = _CONTROL.sub(" ", s)
    s = s.replace("&", "&amp;")
    s = "".join(_ANGLES.get(c, c) for c in s)
    # the marker words are harmless without the angles, but spell them differently so a reader never
    # sees a line that looks like a block boundary
    s = _MARKER_WORDS.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3).lower()}{m.group(4)}{m.group(5).lower()}", s)
    return s


def block_id(name: str, text: str) -> str:
    """Content hash naming one data block (deterministic, and not forgeable from inside the text)."""
    return hashlib.sha256(f"{name}\0{text}".encode()).hexdigest()[:12]


def _finalize(value: Any) -> Any:
    if isinstance(value, UntrustedText):
        raise PromptSafetyError("untrusted text must be rendered with the `untrusted` macro of _macros.j2")
    return "" if value is None else value


def _to_json(value: Any) -> str:
    def default(o: Any) -> Any:
        if isinstance(o, BaseModel):
            return o.model_dump(mode="json")
        return str(o)

    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=default)


def prompts_dir() -> Path:
    """The folder of prompt templates (``prompts/`` at the checkout root)."""
    return prompts_path()


@lru_cache(maxsize=4)
def environment(folder: str | None = None) -> jinja2.Environment:
    """A strict jinja2 environment over the prompts folder (undefined names are errors)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder or str(prompts_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # prompts are plain text; untrusted text is escaped by quote_untrusted
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters["quote_untrusted"] = quote_untrusted
    env.filters["block_id"] = lambda text, name: block_id(name, text)
    env.filters["tojson_pretty"] = _to_json
    return env


def output_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema the model must answer with."""
    return model.model_json_schema()


def render_messages(
    template: str,
    context: Mapping[str, Any],
    output_model: type[BaseModel],
    untrusted: Mapping[str, str] | None = None,
    *,
    purpose: str | None = None,
    folder: str | None = None,
) -> list[dict[str, str]]:
    """Render a purpose template into chat messages: a fixed system message plus the user prompt."""
    env = environment(folder)
    data = {name: UntrustedText(text) for name, text in (untrusted or {}).items()}
    schema = output_schema(output_model)
    variables = {
        "context": dict(context), "untrusted": data, "untrusted_names": sorted(data),
        "schema": schema, "schema_json": _to_json(schema), "output_name": output_model.__name__,
        "purpose": purpose or template.split(".", 1)[0],
    }
    macros = env.get_template("_macros.j2").make_module(variables)
    system = str(macros.system_rules()).strip() + "\n"  # type: ignore[attr-defined]
    user = env.get_template(template).render(variables)
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def render_repair(
    bad_output: str, error: str, output_model: type[BaseModel], *, folder: str | None = None
) -> str:
    """The follow-up user message of the single repair retry (the bad answer is quoted as data)."""
    env = environment(folder)
    schema = output_schema(output_model)
    return env.get_template("repair.md.j2").render(
        data={"previous_answer": UntrustedText(bad_output[:8000]),
                   "validation_error": UntrustedText(error[:2000])},
        schema_json=_to_json(schema), output_name=output_model.__name__,
    )


def messages_text(messages: list[dict[str, str]]) -> str:
    """All messages as one text (for golden files and scans)."""
    return "".join(f"## {m['role']}\n{m['content']}\n" for m in messages)
