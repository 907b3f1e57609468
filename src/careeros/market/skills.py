"""Skill extraction from posting text: an Aho-Corasick automaton over normalised text, then context rules.

Nodes: O*NET technology examples (``tech:<slug>``, canonical labels from :mod:`careeros.graph.tech_labels`),
careeros-curated technologies from ``data/skill_aliases.yaml`` (``tech:<slug>``, taxonomy ``careeros``),
O*NET tools (``tool:<slug>``) and ESCO skills/knowledge (``esco:<uuid>``, lower score).
Short or common-word surface forms (Go, Rust, R, C, Spring, Rails, Express...) are accepted only in a
technology context: next to other technologies in a list, or after/before cues such as "written in",
"experience with", "developer", "(...)".
"""

from __future__ import annotations

import html as _html
import pickle
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import ahocorasick
import polars as pl

from careeros.graph.ids import concept_id, esco_id, skill_slug, tech_id, tool_id
from careeros.graph.tech_labels import canonical_technology, load_alias_table, load_concept_table

FORMAT_VERSION = 12  # 12: forms read by the document's field (GCP: Good Clinical Practice beside clinical research, else Google Cloud); 11: an acronym a concept names is no product ("HVAC tools software"); 10: concept aliases in the other number ("head-to-toe assessments"); 9: forms that count only beside another technology ("React / RN"); 8: forms that count as a whole list item ("trial balance, Excel"); 7: products after "<Maker> Software" ("MadCap Flare"); 6: after their maker ("Westlaw")
# match modes
INSENSITIVE, CASED, CONTEXT = 0, 1, 2

_WS = re.compile(r"\s")
_URL = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|"
    r"\b[\w-]+(?:\.[\w-]+)*\.(?:com|io|ai|dev|org|co|xyz|app|inc|tech|so|fm|live|health|computer|de|nl|uk|eu|fyi|"
    r"us|gg|sh|me|ly|se|fr|ch|at|in|gov|edu)\b(?:/\S*)?",
    re.IGNORECASE,
)
_URLISH = re.compile(r"[^\s<>\"'`]*[.@][^\s<>\"'`]*")
_TAG_P = re.compile(r"<\s*(?:p|br|li|div|pre)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SCRIPT = re.compile(r"<\s*(script|style)\b[^>]*>.*?(?:<\s*/\s*\1\s*>|\Z)", re.IGNORECASE | re.DOTALL)
_GAP_LIST = re.compile(r"^(?:[\s,/|&+;:()\[\]·•*\-]|\band\b|\bor\b|\bwith\b)*$", re.IGNORECASE)
_LEFT_CUE = re.compile(
    r"(?:\bexperience (?:with|in|using)|\bwritten in|\bproficien\w* (?:in|with)|\bknowledge of|\bexpertise (?:in|with)"
    r"|\bfamiliar\w* with|\bstack|\blanguages?|\bskills?|\btech(?:nologies)?|\bstrong"
    r"|\bidiomatic|\bmodern|\bsenior|\bsr\.?|\bjunior|\blead|\bstaff"
    r"|\b(?:document|chart)(?:ed|ing)? (?:in|on|using)|\bsuper[- ]?users? (?:for|of|on|in))\s*[:\-]?\s*\(?$",
    re.IGNORECASE,
)
_RIGHT_CUE = re.compile(
    r"^\s*\)?\s*(?:developers?|engineers?|engineering|programming|programmers?|code(?:base)?|backend|back-end|services?"
    r"|lang\b|language|experience|expertise|required|is a plus|a plus|preferred|shop|sdk|framework|ecosystem|stack"
    r"|skills?|monolith|apps?|libraries|modules?|internals|\(golang\)|super[- ]?users?|/|,)",
    re.IGNORECASE,
)
#: words and the joiners of a coordinated phrase ("brake and suspension repair", "accounts payable & receivable")
_COORD_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9+#]*|&|/")
_COORD_JOIN = frozenset({"and", "or", "&", "/"})
#: words that never start a skill read out of a coordinated phrase
_COORD_STOP = frozenset("a an the in of to for with on at by from as up out both either is are was were be our my "
                        "their your his her its new all any each other more most and or nor not".split())
#: a skill read out of a coordinated phrase scores this share of a written one
COORD_SCORE = 0.9
_ITEM_BEFORE = re.compile(r"(?:^|[,;:|\u2022\u00b7]|^\s*[-*])\s*$")
_ITEM_AFTER = re.compile(r"^\s*(?:[,;|\u2022\u00b7)]|\.?\s*$)")


def _beside_technology(text: str, start: int, end: int, tech_spans: list[tuple[int, int]], max_gap: int = 4) -> bool:
    """Whether [start, end) sits beside a technology of a list on its line ("React / RN", "RN, Expo").

    At most ``max_gap`` characters apart, all of them list separators.
    """
    for s, e in tech_spans:
        gap = text[e:start] if e <= start else text[end:s]
        if len(gap) <= max_gap and _GAP_LIST.match(gap) and "\n" not in gap:
            return True
    return False


def _list_item(text: str, start: int, end: int, after: re.Pattern[str] = _ITEM_AFTER) -> bool:
    """Whether [start, end) is a whole item of a list or a line of its own ("trial balance, Excel", "Tools: Excel").

    ``after``: what may follow the item on its line (a credential's issuer in parentheses, "BLS (AHA)", for one).
    """
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    return bool(_ITEM_BEFORE.search(text[line_start:start]) and after.match(text[end:line_end]))


#: a heading (markdown, bold, or a short line ending in a colon) or an inline label that opens a list of credentials
_CREDENTIAL_HEADING = re.compile(r"^\s*(?:#+\s*|\*\*)?[^\n]{0,40}?\b(?:certifications?|certificates?|licen[cs]es?|"
                                 r"licensure|credentials?)\b[^\n]{0,30}$", re.IGNORECASE)
#: ... and another credential's acronym joined to it ("BLS and ACLS, American Heart Association")
_CREDENTIAL_ITEM_AFTER = re.compile(r"^\s*(?:(?:and|&|/)\s*[A-Z][A-Z0-9+-]{1,9}\s*)?(?:\([^()\n]{0,40}\))?\s*"
                                    r"(?:[,;|\u2022\u00b7]|\.?\s*$)")
_HEADING_LINE = re.compile(r"^\s*(?:#+\s+\S|\*\*[^*\n]{1,60}\*\*\s*$|[A-Z][^\n]{0,40}:\s*$)")


def _credential_list_item(text: str, start: int, end: int) -> bool:
    """Whether [start, end) is a whole item of a list under a credentials heading.

    "## Certifications" then "- BLS", or "Licenses: RN, BLS": there a bare acronym names the credential.
    """
    # a whole item, maybe with its issuer or state in parentheses: "BLS (AHA)", "RN (Ohio)"
    if not _list_item(text, start, end, _CREDENTIAL_ITEM_AFTER):
        return False
    line_start = text.rfind("\n", 0, start) + 1
    if _CREDENTIAL_HEADING.match(text[line_start:start].rstrip(" :").rstrip()) and ":" in text[line_start:start]:
        return True  # an inline label: "Certifications: BLS"
    pos = line_start - 1
    for _ in range(12):  # the nearest heading above, within a dozen lines
        if pos <= 0:
            return False
        prev_start = text.rfind("\n", 0, pos) + 1
        line = text[prev_start:pos]
        if _HEADING_LINE.match(line):
            return bool(_CREDENTIAL_HEADING.match(line))
        pos = prev_start - 1
    return False


#: ", AZ" after a word: a US city and its state
_PLACE_AFTER = re.compile(r"^,\s*(?:A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|S[CD]"
                          r"|T[NX]|UT|V[AT]|W[AIVY])\b(?![a-z])")
_WEAK_LEFT_CUE = re.compile(r"(?:\busing|\buse|\bin|\bwith)\s*$", re.IGNORECASE)
_SINGLE_RIGHT_CUE = re.compile(r"^\s*(?:programming|language|developers?|engineers?|code|\+\+)", re.IGNORECASE)
_SINGLE_LEFT_CUE = re.compile(r"(?:\bin|\bwritten in|\bexperience (?:with|in)|\blanguages?:?)\s*$", re.IGNORECASE)
_SINGLE_BAD_LEFT = re.compile(
    r"(?:series|round|type|plan|vitamin|grade|class|level|tier|section|part|b2|team|block|suite|option|model|"
    r"phase|stage|line|gate|pre|post|rated)\s*$",
    re.IGNORECASE,
)
_YEAR_AFTER = re.compile(r"^\s*(?:19|20)\d\d\b")
_GENERIC_TAIL = re.compile(r"\b(?:software|systems?|sites|tools|programs?|applications|suites?)$", re.IGNORECASE)
_BUILTIN_COMMON = frozenset(
    "go make chef puppet shell spring rails express excel ruby swift rust react flask unity zoom slack blender "
    "scheme julia maya delphi access project teams outlook word note notes analyze magic dig cents hotspot "
    "honeypot cyclone ferret diameter google compilers debuggers emulators excavator abbott algae blink "
    "bootstrap prometheus selenium postman hive spark maven lean metal ray bun expo temporal cursor claude "
    "gemini codex envoy vault consul nomad packer stripe sentry honeycomb cypress jest rider boost remix astro "
    "crystal dart electron prisma drizzle celery pinecone chroma beam spanner snowflake helm triton nix zig nim "
    "phoenix opera mercury atlas apex echo pulse canvas render storm tableau wiki webinar chatbot logger autopilot "
    "multitask softphone biofeedback compounder disassembler gaussian pulsar pegasus enigma dossier latitude "
    "interviewer penta brokerage antivirus listserv".split()
)


@dataclass(frozen=True, slots=True)
class SkillMatch:
    """One extracted skill with its matched surface text and character span in the (plain) input text."""

    skill_id: str
    label: str
    kind: str
    taxonomy: str
    score: float
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (for JSON output)."""
        return asdict(self)


def html_to_text(text: str) -> str:
    """Turn HN-style HTML (``<p>``, ``<a href>``, ``&#x2F;`` entities) into plain text; plain text passes through.

    ``<script>``/``<style>`` elements are dropped with their content (code is not skill evidence).
    """
    if "<" not in text and "&" not in text:
        return text
    s = _TAG_P.sub("\n", _SCRIPT.sub("", text))
    s = _TAG.sub("", s)
    return _html.unescape(s)


#: a hyphen joining two words or numbers
_WORD_HYPHEN = re.compile(r"(?<=[a-z0-9])-(?=[a-z0-9])", re.IGNORECASE)


def _normalise(text: str) -> str:
    """Length-preserving lower-case copy with whitespace as spaces and URLs/e-mails blanked out."""
    low = text.lower()
    if len(low) != len(text):  # rare Unicode case mappings that change length
        low = "".join(c.lower()[:1] or c for c in text)
    low = _WS.sub(" ", low)
    # a hyphen between two words reads as a space ("new-hire paperwork" is the alias "new hire paperwork"); every
    # hyphenated alias is also held in its spaced form (_variants)
    low = _WORD_HYPHEN.sub(" ", low)
    if "." not in low and "@" not in low:
        return low
    parts: list[str] = []
    pos = 0
    for tok in _URLISH.finditer(low):  # cheap pre-filter: only tokens with "." or "@" can be URLs
        sub = _URL.sub(lambda m: " " * (m.end() - m.start()), tok.group())
        if sub != tok.group():
            parts.append(low[pos:tok.start()])
            parts.append(sub)
            pos = tok.end()
    if not parts:
        return low
    parts.append(low[pos:])
    return "".join(parts)


def _variants(surface: str) -> set[str]:
    """Spelling variants of a surface form (hyphen/space, .js suffix)."""
    out = {surface}
    if "-" in surface:
        out.add(surface.replace("-", " "))
    if surface.lower().endswith(".js"):
        base = surface[:-3]
        out.update({base + "js", base + " js", base + ".JS"})
    return {v for v in out if v.strip()}


def _other_number(surface: str) -> str | None:
    """A several-word phrase with its last noun in the other number ("... assessment" and "... assessments").

    "care plans" and "care plan"; None where the last word is no plain noun (gerunds, participles, "-ss", "-us", "-is"
    endings, short words, abbreviations). A form no text uses matches nothing.
    """
    words = surface.strip().split(" ")
    last = words[-1]
    if len(words) < 2 or len(last) < 4 or not last.isalpha() or not last.islower():
        return None
    if last.endswith(("ing", "ed", "ss", "us", "is")):
        return None
    if last.endswith("ies"):
        other = last[:-3] + "y"
    elif last.endswith(("ches", "shes", "xes", "sses")):
        other = last[:-2]
    elif last.endswith("s"):
        other = last[:-1]
    elif last.endswith("y") and last[-2] not in "aeiou":
        other = last[:-1] + "ies"
    elif last.endswith(("ch", "sh", "x")):
        other = last + "es"
    else:
        other = last + "s"
    return " ".join([*words[:-1], other])


def _is_common_word(token: str, common: frozenset[str]) -> bool:
    return token.lower() in common


#: endings of generic first words ("Teleconferencing software", "Crystallography software")
_GENERIC_WORD_END = re.compile(r"(?:ing|ion|ogy|phy|ics|ic|age|ware|er|or)$")


def _brand_first(words: list[str], common: frozenset[str], esco_words: frozenset[str]) -> bool:
    """Whether an O*NET example with a generic tail starts with a product name ("HubSpot software").

    The first word is a product name when it is shaped like one (inner capitals or digits: HubSpot, Pix4D,
    PointClickCare; or all capitals, 4+ letters: MEDITECH) or, capitalised, is no word ESCO's descriptions use and
    does not end like an English noun of activity (Procore, Workday, Yardi; not Teleconferencing, Encoder).
    """
    first = words[0]
    core = re.sub(r"[^A-Za-z0-9]", "", first)
    if len(words) < 2 or len(core) < 3 or not first[:1].isupper() or "-" in first:
        return False
    low = core.lower()
    if _is_common_word(low, common):
        return False
    if re.search(r"[a-z][A-Z]|\d", first) or (first.isupper() and len(core) >= 4):
        return True
    return low not in esco_words and not _GENERIC_WORD_END.search(low)


def _product_after_vendor(words: list[str], last_words: Counter[str], common: frozenset[str],
                          esco_words: frozenset[str]) -> str | None:
    """The product name at the end of an O*NET example that starts with its maker's name, else None.

    "Cerner PowerChart" -> PowerChart, "Thomson Reuters WestlawNext" -> WestlawNext: every word before it is a
    capitalised name, the last word is shaped like a product (inner capitals or digits, and :func:`_brand_first`), not
    an acronym (the label rule handles those), and no other example ends in it.
    """
    if len(words) < 2 or not all(w[:1].isupper() or re.search(r"[a-z][A-Z]", w) for w in words[:-1]):
        return None
    last = words[-1]
    core = re.sub(r"[^A-Za-z0-9]", "", last)
    if len(core) < 4 or last.isupper() or "/" in last or last_words[last.lower()] != 1:
        return None
    # shaped like a product (inner capitals or digits): a plain capitalised word may be English ("Sunrise",
    # "Innovators") that no word list here knows
    if not re.search(r"[a-z][A-Z]|[A-Za-z]\d|\d[A-Za-z]", last):
        return None
    return last if _brand_first([last, "x"], common, esco_words) else None


#: words that continue a maker's name after "Software" ("Newgen Software Technologies OmniDocs")
_MAKER_TAILS = frozenset("Group Consulting Services Solutions Development Associations Associates Technologies "
                         "International Systems Corporation Corp Inc Limited Ltd LLC Company Engineering House Center".split())


def _product_after_software(words: list[str]) -> str | None:
    """The product named after "<Maker> Software" in an O*NET example, else None.

    "MadCap Software MadCap Flare" -> MadCap Flare, "AEC Software FastTrack Schedule" -> FastTrack Schedule: the
    maker's words capitalised, one to three capitalised product words, one of them shaped like a product (inner
    capitals or digits, or an acronym of four letters or more beside other words). A lone plain or acronym word
    ("BMC Software Control", "Asure Software HCM") is not written alone as the product.
    """
    if "Software" not in words[1:-1]:
        return None
    i = words.index("Software", 1)
    while i + 1 < len(words) - 1 and words[i + 1] in _MAKER_TAILS:  # "Culinary Software Services ChefTec"
        i += 1
    maker, product = words[:i], words[i + 1:]
    if not all(w[:1].isupper() for w in maker) or not 1 <= len(product) <= 3:
        return None
    if not all(w[:1].isupper() or w[:1].isdigit() for w in product):
        return None
    inner = [w for w in product if re.search(r"[a-z][A-Z]|[A-Za-z]\d|\d[A-Za-z]", w)]
    acro = [w for w in product if w.isupper() and len(re.sub(r"[^A-Z]", "", w)) >= 4]
    if inner or (acro and len(product) > 1):
        return " ".join(product)
    return None


class SkillExtractor:
    """Dictionary extractor for technologies, tools and ESCO skills; build once, scan many texts."""

    def __init__(self) -> None:
        self.nodes: list[tuple[str, str, str, str]] = []  # (skill_id, label, kind, taxonomy)
        self.implies: dict[int, tuple[int, ...]] = {}
        #: nodes whose context-only forms also count as a whole item of a list ("trial balance, Excel")
        self.listed: frozenset[int] = frozenset()
        #: nodes whose cased and context forms are read by the document's field (``only_doc``, ``unless_doc``,
        #: ``keep_doc``): "GCP" is Good Clinical Practice in a clinical research resume, Google Cloud elsewhere
        self.doc_rules: dict[int, tuple[re.Pattern[str] | None, re.Pattern[str] | None, re.Pattern[str] | None]] = {}
        self.beside: frozenset[int] = frozenset()
        self.automaton: Any = None

    # ------------------------------------------------------------------ build
    @classmethod
    def build(
        cls,
        technology: pl.DataFrame,
        tools: pl.DataFrame | None = None,
        esco_skills: pl.DataFrame | None = None,
        aliases_path: Path | None = None,
        postings_sample: Iterable[str] | None = None,
    ) -> SkillExtractor:
        """Build the automaton from O*NET technology/tool frames, ESCO skills and the alias table."""
        self = cls()
        table = load_alias_table(str(aliases_path) if aliases_path else None)
        overrides: dict[str, dict[str, Any]] = table["onet"]
        common = set(_BUILTIN_COMMON)
        counts: dict[str, int] = {}
        if esco_skills is not None and "text" in esco_skills.columns:
            for t in esco_skills["text"].drop_nulls().to_list():
                for w in re.findall(r"(?<![\w.])[a-z]{2,}(?![\w])", t):
                    counts[w] = counts.get(w, 0) + 1
            common.update(w for w, c in counts.items() if c >= 5)
        common_f = frozenset(common)
        esco_words = frozenset(counts)
        # surface (lower) -> list of (original surface, mode, node index, score)
        table_s: dict[str, list[tuple[str, int, int, float]]] = {}
        node_index: dict[str, int] = {}
        label_index: dict[str, int] = {}
        pending_implies: dict[int, list[str]] = {}

        def add_node(skill_id: str, label: str, kind: str, taxonomy: str) -> int:
            if skill_id in node_index:
                return node_index[skill_id]
            node_index[skill_id] = len(self.nodes)
            self.nodes.append((skill_id, label, kind, taxonomy))
            return node_index[skill_id]

        def add_surface(surface: str, mode: int, idx: int, score: float, prio: bool = False,
                        shared: bool = False) -> None:
            """``shared``: a form read by the document's field, kept beside another node's same form."""
            for v in _variants(surface.strip()):
                key = v.lower()
                if len(key) < 1:
                    continue
                entries = table_s.setdefault(key, [])
                if any(e[0] == v and e[1] == mode and (not shared or e[2] == idx) for e in entries):
                    continue
                if any(e[2] != idx for e in entries) and not prio:
                    # a surface already owned by another node: first (higher priority) owner wins
                    if any(e[1] == INSENSITIVE or mode != INSENSITIVE for e in entries):
                        continue
                entry = (v, mode, idx, score)
                if prio:
                    entries.insert(0, entry)
                else:
                    entries.append(entry)

        def auto_mode(surface: str) -> int:
            toks = surface.split()
            if len(toks) > 1:
                return INSENSITIVE
            tok = toks[0]
            core = re.sub(r"[^A-Za-z0-9]", "", tok)
            if any(ch in tok for ch in "+#") or tok.startswith("."):
                return INSENSITIVE  # C++, C#, F#, .NET are unambiguous as written
            if len(core) <= 2 or _is_common_word(core, common_f) or _is_common_word(tok, common_f):
                return CONTEXT
            if tok.isupper() and len(core) <= 5:
                return CASED
            return INSENSITIVE

        listed: set[int] = set()
        beside: set[int] = set()

        def doc_rule(idx: int, entry: dict[str, Any]) -> bool:
            """Record an entry's document-field rule for its cased and context forms; whether it has one."""
            got = tuple(re.compile(str(entry[k]), re.I) if entry.get(k) else None
                        for k in ("only_doc", "unless_doc", "keep_doc"))
            if got[0] is None and got[1] is None:
                return False
            self.doc_rules[idx] = got  # type: ignore[assignment]
            return True

        def add_entry(idx: int, label: str, entry: dict[str, Any], extra: list[str], base: float) -> None:
            doc_rule(idx, entry)
            if entry.get("listed"):
                listed.add(idx)
            if entry.get("beside"):
                beside.add(idx)
            cased = [str(x) for x in entry.get("cased", [])]
            context = [str(x) for x in [*entry.get("context", []), *entry.get("beside", [])]]
            explicit = {x.lower() for x in cased + context}
            for s in cased:
                add_surface(s, CASED, idx, base, prio=True)
            for s in context:
                add_surface(s, CONTEXT, idx, base - 0.15, prio=True)
            for s in entry.get("aliases", []):
                add_surface(str(s), INSENSITIVE, idx, base - 0.03, prio=True)
            if label.lower() not in explicit:
                m = auto_mode(label)
                if m == CONTEXT and not entry:
                    pass  # uncurated common-word label: never extracted
                elif m == INSENSITIVE and " " in label and all(w.lower() in common_f for w in label.split()):
                    add_surface(label, CASED, idx, base, prio=True)
                else:
                    add_surface(label, m, idx, base, prio=True)
            for s in extra:
                core = re.sub(r"[^A-Za-z0-9]", "", s)
                if s.lower() in explicit or (" " not in s.strip() and len(core) <= 3):
                    continue  # rule-derived short acronyms (AI, ASP...) are too ambiguous without curation
                m = auto_mode(s)
                if m == CONTEXT:
                    continue  # uncurated common words (Director, Analyze...) are never extracted
                if m == INSENSITIVE and " " in s.strip() and all(w.lower() in common_f for w in s.split()):
                    m = CASED  # "Pure Data" only as written, not "pure data"
                add_surface(s, m, idx, base - 0.05)
            if entry.get("implies"):
                pending_implies[idx] = [str(x) for x in entry["implies"]]

        # 1. O*NET technology (override entries first so they own their surfaces)
        tech = technology.group_by("example").agg(
            pl.len().alias("n"), pl.col("hot_technology").any().alias("hot") if "hot_technology" in technology.columns
            else pl.lit(False).alias("hot"),
        )
        tech = tech.with_columns(pl.col("example").is_in(list(overrides)).alias("ovr")).sort(
            ["ovr", "hot", "n", "example"], descending=[True, True, True, False]
        )
        last_words = Counter(ex.split()[-1].lower() for ex in tech["example"].to_list())
        # an acronym the concept table names as a skill or field ("HVAC", "RFID", "ADMS") is no product name:
        # "HVAC tools software" must not take "HVAC" from HVAC systems
        concepts = load_concept_table()["concepts"]  # parsed once: read here and by the concept pass below
        concept_acronyms = frozenset(
            str(s) for e in concepts for s in [*(e.get("aliases") or []), *(e.get("cased") or [])]
            if str(s).isupper() and " " not in str(s).strip())
        for ex in tech["example"].to_list():
            entry = overrides.get(ex, {})
            label, aliases = canonical_technology(ex, aliases_path)
            words = ex.split()
            generic = not entry and (
                ex[:1].islower()
                or (_GENERIC_TAIL.search(ex) is not None and all(w.islower() or w.isupper() for w in words[1:]))
                or (len(words) > 1 and all(w.islower() for w in words[1:]) and words[0][1:].islower())
                or (len(words) == 1 and ex.endswith("s") and ex[:-1].lower() in common_f)
            )
            if label in label_index and not entry:
                idx = label_index[label]  # another example already owns this label (e.g. "Sun Microsystems Java")
                continue
            idx = add_node(tech_id(ex), label, "technology", "onet")
            label_index.setdefault(label, idx)
            if generic and not entry and words[0] not in concept_acronyms and _brand_first(words, common_f, esco_words):
                # "HubSpot software", "Procore software", "MEDITECH software": a product named with a generic
                # tail; resumes and postings write the product name alone, exactly as cased
                add_surface(words[0], CASED, idx, 0.95)
                continue
            if generic or entry.get("match") is False:
                continue
            add_entry(idx, label, entry, aliases if not entry else [a for a in aliases if " " in a], 0.95)
            if not entry and (product := _product_after_vendor(words, last_words, common_f, esco_words)):
                # "Cerner PowerChart", "Thomson Reuters UltraTax": people write the product without its maker
                add_surface(product, CASED, idx, 0.9)
            if not entry and (product := _product_after_software(words)) and product.lower() != label.lower():
                # "MadCap Software MadCap Flare": people write "MadCap Flare"
                add_surface(product, CASED, idx, 0.9)
        # 2. curated technologies
        for entry in table["curated"]:
            label = str(entry["label"])
            if label in label_index:
                idx = label_index[label]
            else:
                idx = add_node(f"tech:{skill_slug(label)}", label, "technology", "careeros")
                label_index[label] = idx
            if entry.get("match") is False:
                continue
            add_entry(idx, label, entry, [], 0.93)
        # 2b. concept-level skills (machine learning, statistics, curriculum design, HIPAA ...): after the
        # technologies, so a technology keeps a surface both could claim; before ESCO's long verb phrases
        inflected: list[tuple[str, int]] = []
        for entry in concepts:
            label = str(entry["label"])
            idx = add_node(concept_id(label), label, "concept", "careeros")
            ruled = doc_rule(idx, entry)  # a form read by the document's field may share a technology's form
            for s in entry.get("cased") or []:
                add_surface(str(s), CASED, idx, 0.9, prio=ruled, shared=ruled)
            for s in entry.get("context") or []:
                add_surface(str(s), CONTEXT, idx, 0.75)
            aliases = [str(a) for a in entry.get("aliases") or []]
            # a one-word label ("Sales") is a surface only when listed as an alias too: common words mislead
            own = [label] if " " in label or label.lower() in {a.lower() for a in aliases} else []
            for s in [*own, *aliases]:
                s = str(s)
                core = re.sub(r"[^A-Za-z0-9]", "", s)
                mode = CASED if (" " not in s.strip() and s.isupper() and len(core) <= 5) else INSENSITIVE
                add_surface(s, mode, idx, 0.9)
                if mode == INSENSITIVE and (other := _other_number(s)):
                    inflected.append((other, idx))
        # a concept's alias in the other number ("head-to-toe assessments"), after every written alias: a form
        # another concept writes out stays that concept's
        for other, idx in inflected:
            add_surface(other, INSENSITIVE, idx, 0.9)
        for idx, implied in pending_implies.items():
            self.implies[idx] = tuple(label_index[lb] for lb in implied if lb in label_index and label_index[lb] != idx)
        # 3. O*NET tools (multi-word examples only; low score)
        if tools is not None and tools.height:
            for ex in sorted(set(tools["example"].drop_nulls().to_list())):
                if len(ex.split()) < 2 or len(ex) < 8:
                    continue
                idx = add_node(tool_id(ex), ex, "tool", "onet")
                add_surface(ex, INSENSITIVE, idx, 0.6)
                if ex.endswith("s") and not ex.endswith("ss"):
                    add_surface(ex[:-1], INSENSITIVE, idx, 0.6)
        # 4. ESCO skills / knowledge (multi-word preferred labels, not too frequent in postings)
        if esco_skills is not None and esco_skills.height:
            labels: list[tuple[str, str, str, str]] = []
            for uri, lab, stype in esco_skills.select("skill_uri", "preferred_label", "skill_type").iter_rows():
                if not lab:
                    continue
                clean = re.sub(r"\s*\([^)]*\)\s*$", "", lab).strip()
                if len(clean.split()) < 2 or len(clean) < 8 or clean.lower() in table_s:
                    continue
                labels.append((uri, lab, clean, "knowledge" if stype == "knowledge" else "skill"))
            too_common: set[str] = set()
            if postings_sample is not None:
                docs = [_normalise(html_to_text(t)) for t in postings_sample]
                if docs:
                    probe = ahocorasick.Automaton()
                    for _, _, clean, _ in labels:
                        probe.add_word(clean.lower(), clean.lower())
                    probe.make_automaton()
                    df: dict[str, int] = {}
                    for d in docs:
                        for k in {v for _, v in probe.iter(d)}:
                            df[k] = df.get(k, 0) + 1
                    too_common = {k for k, c in df.items() if c / len(docs) > 0.05}
            for uri, lab, clean, kind in labels:
                if clean.lower() in too_common:
                    continue
                idx = add_node(esco_id(uri), lab, kind, "esco")
                add_surface(clean, INSENSITIVE, idx, 0.5)
        auto = ahocorasick.Automaton()
        for key, entries in table_s.items():
            auto.add_word(key, (len(key), tuple(entries)))
        auto.make_automaton()
        self.automaton = auto
        self.listed = frozenset(listed)
        self.beside = frozenset(beside)
        return self

    # ------------------------------------------------------------------ persistence
    def save(self, path: Path) -> Path:
        """Pickle the built extractor (automaton included) to ``path``."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        with tmp.open("wb") as f:
            pickle.dump({"version": FORMAT_VERSION, "nodes": self.nodes, "implies": self.implies,
                         "listed": self.listed, "beside": self.beside, "doc_rules": self.doc_rules,
                         "automaton": self.automaton}, f,
                        protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: Path) -> SkillExtractor:
        """Load an extractor saved by :meth:`save` (raises ValueError on a format mismatch)."""
        with Path(path).open("rb") as f:
            data = pickle.load(f)  # noqa: S301 - our own cache file
        if data.get("version") != FORMAT_VERSION:
            raise ValueError("skill extractor cache has an old format")
        self = cls()
        self.nodes, self.implies, self.automaton = data["nodes"], data["implies"], data["automaton"]
        self.listed = frozenset(data.get("listed", ()))
        self.beside = frozenset(data.get("beside", ()))
        self.doc_rules = data.get("doc_rules", {})
        return self

    # ------------------------------------------------------------------ extraction
    def extract(self, text: str) -> list[SkillMatch]:
        """Skills found in ``text`` (HTML is converted first), one per skill, best score and first span kept."""
        best: dict[int, SkillMatch] = {}
        for j, m in self._mentions(text):
            prev = best.get(j)
            if prev is None:
                best[j] = m
            elif m.score > prev.score:
                best[j] = replace(m, text=prev.text, start=prev.start, end=prev.end)
        return list(best.values())

    def extract_all(self, text: str) -> list[SkillMatch]:
        """Every mention of a skill in ``text``, in order (a skill named twice is two matches).

        What a mention shows can depend on where it is ("CPhT" after the person's name, "PTCB Certified Pharmacy
        Technician" under certifications): callers that weigh mentions one by one read them all.
        """
        return [m for _, m in self._mentions(text)]

    def _mentions(self, text: str) -> list[tuple[int, SkillMatch]]:
        """Every accepted span and the skills it implies, in order, each with its node."""
        text, accepted = self._accepted(text)
        out: list[tuple[int, SkillMatch]] = []
        for start, end, idx, score, _ in accepted:
            for j, sc in ((idx, score), *((k, min(score, 0.8)) for k in self.implies.get(idx, ()))):
                sid, label, kind, taxo = self.nodes[j]
                out.append((j, SkillMatch(sid, label, kind, taxo, round(sc, 3), text[start:end], start, end)))
        return out

    def _accepted(self, text: str) -> tuple[str, list[tuple[int, int, int, float, int]]]:
        """The text read (HTML converted) and the spans accepted in it: (start, end, node, score, mode), in order."""
        if "<" in text or "&" in text:
            text = html_to_text(text)
        norm = _normalise(text)
        n = len(norm)
        cands: list[tuple[int, int, int, float, int]] = []  # start, end, node, score, mode
        field_ok: dict[int, bool] = {}  # per node with a document-field rule, read once per document
        for end_i, (length, entries) in self.automaton.iter(norm):
            start = end_i - length + 1
            end = end_i + 1
            if start > 0 and (norm[start - 1].isalnum() or norm[start - 1] == "_"):
                continue
            if end < n:
                nxt = norm[end]
                if nxt.isalnum() or nxt in "+#_":
                    continue
                if nxt == "." and end + 1 < n and norm[end + 1].isalnum():
                    continue
            for surface, mode, idx, score in entries:
                # as written for a cased form, a hyphen read as a space on both sides ("ICD-10" is "ICD-10")
                if mode != INSENSITIVE and text[start:end] != surface and (
                        _WORD_HYPHEN.sub(" ", text[start:end]) != _WORD_HYPHEN.sub(" ", surface)):
                    continue
                if mode != INSENSITIVE and idx in self.doc_rules and not self._field_ok(idx, text, field_ok):
                    continue  # a form of another field in this document: the next node of the form may take it
                cands.append((start, end, idx, score, mode))
                break
        coords = self._coordinated(text)
        if not cands and not coords:
            return text, []
        # longest match wins on overlaps (technology before tool before ESCO on equal length)
        taxo_rank = {"technology": 0, "concept": 1, "tool": 1, "skill": 2, "knowledge": 2}
        cands.sort(key=lambda c: (-(c[1] - c[0]), taxo_rank[self.nodes[c[2]][2]], c[0]))
        # concepts are a layer of their own: "SQL queries" (a concept) must not hide "SQL" (a technology)
        taken: dict[bool, list[tuple[int, int]]] = {True: [], False: []}
        chosen: list[tuple[int, int, int, float, int]] = []
        for c in cands:
            layer = taken[self.nodes[c[2]][2] == "concept"]
            if any(c[0] < e and s < c[1] for s, e in layer):
                continue
            layer.append((c[0], c[1]))
            chosen.append(c)
        chosen.sort()
        accepted = [c for c in chosen if c[4] != CONTEXT]
        pending = [c for c in chosen if c[4] == CONTEXT]
        tech_spans = [(c[0], c[1]) for c in accepted if self.nodes[c[2]][2] == "technology"]
        strong = list(tech_spans)  # proximity counts only unambiguous technologies
        changed = True
        while pending and changed:
            changed = False
            rest = []
            for c in pending:
                if c[2] in self.beside:
                    ok = _beside_technology(text, c[0], c[1], tech_spans)
                else:
                    ok = self._in_context(text, norm, c[0], c[1], tech_spans, strong) or (
                        c[2] in self.listed and _list_item(text, c[0], c[1])) or _credential_list_item(
                        text, c[0], c[1])
                if ok:
                    accepted.append(c)
                    tech_spans.append((c[0], c[1]))
                    changed = True
                else:
                    rest.append(c)
            pending = rest
        accepted.extend(coords)
        accepted.sort()
        return text, accepted

    def _field_ok(self, idx: int, text: str, seen: dict[int, bool]) -> bool:
        """Whether the document reads a node's cased or context forms as that node (``doc_rules``)."""
        if idx not in seen:
            only, unless, keep = self.doc_rules[idx]
            seen[idx] = (only is None or only.search(text) is not None) and (
                unless is None or unless.search(text) is None or (keep is not None and keep.search(text) is not None))
        return seen[idx]

    def _coordinated(self, text: str) -> list[tuple[int, int, int, float, int]]:
        """Skills a coordinated phrase names without writing them out.

        "brake and suspension repair" names brake repair; "accounts payable and receivable" names accounts
        receivable; "pediatric and adult critical care" names pediatric critical care. Only a phrase that is, whole, a
        form matched without context (case as written for a cased one) counts, at COORD_SCORE of its score.
        """
        toks = [(m.group(), m.start(), m.end()) for m in _COORD_TOKEN.finditer(text)]
        out: list[tuple[int, int, int, float, int]] = []

        def joined(a: int, b: int) -> bool:  # tokens a..b only apart by spaces
            return all(not text[toks[k][2]:toks[k + 1][1]].strip() for k in range(a, b))

        def look(words: list[str], start: int, end: int) -> None:
            phrase = " ".join(words)
            hit = self.automaton.get(phrase.lower(), None)
            if hit is None:
                return
            for surface, mode, idx, score in hit[1]:
                if mode == INSENSITIVE or (mode == CASED and surface == phrase):
                    out.append((start, end, idx, round(score * COORD_SCORE, 3), mode))
                    return

        for i in range(1, len(toks) - 1):
            if toks[i][0].lower() not in _COORD_JOIN:
                continue
            left, right = toks[i - 1][0], toks[i + 1][0]
            if left.lower() in _COORD_STOP or right.lower() in _COORD_STOP or right in _COORD_JOIN:
                continue
            # a shared last word (or two): "brake and suspension repair", "pediatric and adult critical care"
            for k in (2, 3):
                if i + k < len(toks) and joined(i - 1, i + k) and toks[i + k][0].lower() not in _COORD_JOIN:
                    look([left, *(t[0] for t in toks[i + 2:i + k + 1])], toks[i - 1][1], toks[i + k][2])
            # a shared first word: "accounts payable and receivable"
            if i >= 2 and joined(i - 2, i + 1) and toks[i - 2][0].lower() not in _COORD_STOP | _COORD_JOIN:
                look([toks[i - 2][0], right], toks[i - 2][1], toks[i + 1][2])
        return out

    def extract_many(self, texts: Iterable[str]) -> list[list[SkillMatch]]:
        """Run :meth:`extract` on every text."""
        return [self.extract(t) for t in texts]

    @staticmethod
    def _in_context(
        text: str, norm: str, start: int, end: int, tech_spans: list[tuple[int, int]], strong: list[tuple[int, int]]
    ) -> bool:
        """True when an ambiguous surface at [start, end) sits in a technology context."""
        surface = text[start:end]
        single = len(surface) == 1
        line_start = norm.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        after = text[end:min(line_end, end + 30)]
        before = text[max(line_start, start - 30):start]
        if after[:1] == "-" and after[1:2].isalpha():  # Go-to-market, C-suite
            return False
        if _PLACE_AFTER.match(after):  # a city and its state ("Phoenix, AZ"), not an item of a list
            return False
        if single and (_SINGLE_BAD_LEFT.search(before) or after[:1] in "&'’" or before[-1:] in "&-'"):
            return False
        if _beside_technology(text, start, end, tech_spans, max_gap=16):
            return True
        if single:
            return bool(strong) and bool(
                _SINGLE_RIGHT_CUE.match(after) or (_SINGLE_LEFT_CUE.search(before) and not after[:1].isalpha())
            )
        if _YEAR_AFTER.match(after):
            return False
        if _LEFT_CUE.search(before) or _RIGHT_CUE.match(after):
            return True
        if strong and _WEAK_LEFT_CUE.search(before) and not after[:1].isalpha():
            return True  # "services in Go", only in a text that names other technologies
        if before.endswith("(") and after.startswith(")"):
            return True
        return any(abs(s - end) <= 60 or abs(start - e) <= 60 for s, e in strong
                   if line_start <= s < line_end)
