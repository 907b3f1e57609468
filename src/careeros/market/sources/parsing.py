"""Text helpers shared by the posting parsers: HTML to text, salaries, locations, remote, seniority."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

# ---------------------------------------------------------------- HTML

_BLOCK = re.compile(r"<\s*(p|br|li|div|tr|h\d)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r"<a\s[^>]*href\s*=\s*\"([^\"]*)\"[^>]*>(.*?)</a>", re.I | re.S)
_SPACES = re.compile(r"[ \t\u00a0]+")
#: ``<script>``/``<style>`` elements with their content (an unclosed one runs to the end of the text).
_SCRIPT = re.compile(r"<\s*(script|style)\b[^>]*>.*?(?:<\s*/\s*\1\s*>|\Z)", re.I | re.S)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)


def drop_scripts(fragment: str) -> str:
    """Remove ``<script>``/``<style>`` elements (content included) and HTML comments from markup."""
    if "<" not in fragment:
        return fragment
    return _COMMENT.sub("", _SCRIPT.sub("", fragment))


def html_to_text(fragment: str | None) -> str:
    """Plain text from an HTML fragment: paragraphs become blank lines, tags dropped, entities decoded.

    ``<script>``/``<style>`` elements are dropped with their content. Links keep their full target (HN
    truncates the visible text of long URLs with ``...``).
    """
    if not fragment:
        return ""
    s = _LINK.sub(lambda m: html.unescape(m.group(1)), drop_scripts(fragment))
    s = _BLOCK.sub("\n", s)
    s = _TAG.sub("", s)
    s = html.unescape(s)
    lines = [_SPACES.sub(" ", ln).strip() for ln in s.replace("\r", "").split("\n")]
    return "\n".join(ln for ln in lines if ln).strip()


# ---------------------------------------------------------------- salary

#: Annualisation factors by period (2080 working hours, 260 working days, 52 weeks, 12 months).
PERIOD_FACTORS = {"year": 1.0, "month": 12.0, "week": 52.0, "day": 260.0, "hour": 2080.0}
#: Annual salaries outside this range (in the posting's currency) are rejected as implausible.
SALARY_BOUNDS = (3_000.0, 2_000_000.0)
#: Currencies with small units where plausible annual numbers are much larger.
_BIG_UNIT_CURRENCIES = {"JPY": 200.0, "INR": 100.0, "KRW": 1500.0, "HUF": 400.0, "CLP": 900.0, "IDR": 15000.0}

_SYMBOLS = {
    "US$": "USD",
    "C$": "CAD",
    "CA$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "NZ$": "NZD",
    "S$": "SGD",
    "HK$": "HKD",
    "R$": "BRL",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "₪": "ILS",
    "zł": "PLN",
    "kr": "SEK",
    "CHF": "CHF",
    "Fr.": "CHF",
}
_CODES = (
    "USD EUR GBP CAD AUD NZD CHF SEK NOK DKK PLN CZK HUF INR JPY SGD HKD BRL MXN ZAR ILS KRW CNY RMB AED IDR"
    " CLP TRY RON BGN"
).split()
_CUR = r"(?:US\$|C\$|CA\$|A\$|AU\$|NZ\$|S\$|HK\$|R\$|\$|€|£|¥|₹|₩|₪|" + "|".join(_CODES) + r")"
_NUM = r"\d{1,3}(?:[,.\u202f' ]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_AMOUNT = (
    rf"(?P<@cur1>{_CUR})?\s?(?P<@num>{_NUM})\s?(?P<@k>[kK](?![a-zA-Z]))?\s?(?P<@cur2>{_CUR}(?![a-zA-Z]))?"
)
_RANGE = re.compile(
    r"(?P<upto>\b(?:up\s+to|max(?:imum)?|<)\s*)?"
    + _AMOUNT.replace("@", "a")
    + r"(?:\s*(?:-|–|—|to|~)\s*"
    + _AMOUNT.replace("@", "b")
    + r")?"
    + r"(?P<plus>\s*\+(?!\s*(?:equity|bonus|benefits|stock|options|commission)))?"
    + r"(?P<period>\s*(?:/|per|an|a|p\.?|each)?\s*"
    r"(?:hour|hr|h|year|yr|annum|annual|month|mo|day|week|wk)\b|\s+(?:hourly|annually|yearly|monthly|daily|weekly|"
    r"pa|p\.a\.|ote|base|salary|gross|ral)\b)?",
    re.I,
)
_PERIOD_WORDS = {
    "hour": "hour",
    "hr": "hour",
    "h": "hour",
    "hourly": "hour",
    "year": "year",
    "yr": "year",
    "annum": "year",
    "annual": "year",
    "annually": "year",
    "yearly": "year",
    "pa": "year",
    "p.a.": "year",
    "month": "month",
    "mo": "month",
    "monthly": "month",
    "day": "day",
    "daily": "day",
    "week": "week",
    "wk": "week",
    "weekly": "week",
}
_NOT_SALARY = re.compile(
    r"\b(raised|raise|funding|funded|series [a-d]|seed|valuation|revenue|arr|customers|users|bonus|grant|"
    r"stipend|budget|market|years?|yrs?|employees|people|visa)\b",
    re.I,
)


@dataclass
class Salary:
    """A parsed salary: annualised bounds in the stated currency, the original period and warnings."""

    min: float | None = None
    max: float | None = None
    currency: str | None = None
    period: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        """True when at least one bound was parsed."""
        return self.min is not None or self.max is not None


def _to_number(text: str) -> float:
    t = text.replace("\u202f", "").replace("'", "").replace(" ", "")
    # "60.000" (European thousands) vs "62.5" (decimal): a dot followed by exactly 3 digits is a separator
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", t):
        t = t.replace(".", "")
    return float(t.replace(",", ""))


def _currency(token: str | None) -> str | None:
    if not token:
        return None
    up = token.upper()
    if up in _CODES:
        return "CNY" if up == "RMB" else up
    return _SYMBOLS.get(token) or _SYMBOLS.get(up)


def parse_salary(
    text: str | None, default_period: str | None = None, require_currency: bool = False
) -> Salary:
    """Find the first salary in ``text`` and annualise it (hour x 2080, day x 260, week x 52, month x 12).

    Handles ranges ("$150k-$200k", "€60–80k", "150,000 - 180,000 USD"), single values ("£70k", "CAD 120k"),
    "up to $200k" (max only), "$150k+" (min only) and periods ("$65/hr"). Values outside
    :data:`SALARY_BOUNDS` after annualising are dropped with a warning. ``require_currency`` ignores
    numbers without a currency sign or code (used for free text, where "8+ years" is not a salary).
    """
    out = Salary()
    if not text:
        return out
    for m in _RANGE.finditer(text):
        g = m.groupdict()
        tokens = [t for t in (g["acur1"], g["acur2"], g["bcur1"], g["bcur2"]) if t]
        # an explicit code ("$300-600K AUD") beats the ambiguous dollar sign
        cur = _currency(next((t for t in tokens if t.upper() in _CODES), tokens[0] if tokens else None))
        has_k = bool(g["ak"] or g["bk"])
        explicit_period = bool(
            g["period"] and re.search(r"/|per|hour|year|annum|month|day|week", g["period"], re.I)
        )
        if not (cur or has_k or (explicit_period and _to_number(g["anum"]) >= 10)):
            continue
        if re.match(r"401\s*\(?k", m.group(0).strip(), re.I):
            continue
        if require_currency and not cur:
            continue
        tail = text[m.end() : m.end() + 12]
        if re.match(r"\s*(?:m\b|mm\b|b\b|bn\b|million|billion|%)", tail, re.I):
            continue
        window = text[max(0, m.start() - 25) : m.end() + 25]
        if _NOT_SALARY.search(window) and not re.search(r"salary|comp|base|pay|rate|ote", window, re.I):
            continue
        lo = _to_number(g["anum"])
        hi = _to_number(g["bnum"]) if g["bnum"] else None
        if g["ak"]:
            lo *= 1000
        if hi is not None and g["bk"]:
            hi *= 1000
            if not g["ak"] and lo < 1000:  # "60–80k": the k applies to both ends
                lo *= 1000
        if hi is None and not has_k and lo < 1000 and not g["period"]:
            continue  # a bare small number with only a currency ("$5") is not a salary
        period_word = (g["period"] or "").strip().lower()
        period_word = re.sub(r"^(?:/|per|an|a|p\.?|each)\s*", "", period_word).strip()
        period = _PERIOD_WORDS.get(period_word) or default_period
        if period is None:
            # a bare "$65" .. "$250" with no k reads as an hourly rate; thousands read as yearly
            period = "hour" if (hi or lo) < 500 and not has_k else "year"
        factor = PERIOD_FACTORS[period]
        lo_a: float | None = lo * factor
        hi_a = hi * factor if hi is not None else None
        upto = bool(g["upto"])
        if upto and hi_a is None:
            lo_a, hi_a = None, lo_a
        elif g["plus"] and hi_a is None:
            hi_a = None
        elif hi_a is None:
            hi_a = lo_a
        if lo_a is not None and hi_a is not None and lo_a > hi_a:
            out.warnings.append(f"salary bounds swapped: {m.group(0).strip()}")
            lo_a, hi_a = hi_a, lo_a
        scale = _BIG_UNIT_CURRENCIES.get(cur or "", 1.0)
        lo_b, hi_b = SALARY_BOUNDS[0] * scale, SALARY_BOUNDS[1] * scale
        bad = [v for v in (lo_a, hi_a) if v is not None and not (lo_b <= v <= hi_b)]
        if bad:
            out.warnings.append(f"salary out of range: {m.group(0).strip()!r} -> {bad[0]:,.0f}/year")
            continue
        out.min, out.max, out.currency, out.period = lo_a, hi_a, cur, period
        return out
    return out


def annualise(lo: float | None, hi: float | None, period: str | None, currency: str | None = None) -> Salary:
    """Annualise structured salary bounds given in ``period``; implausible values dropped with a warning."""
    out = Salary(currency=currency, period=period)
    factor = PERIOD_FACTORS.get(period or "year")
    if factor is None:
        out.warnings.append(f"unknown salary period: {period!r}")
        return out
    vals = [None if v is None or v != v or v <= 0 else float(v) * factor for v in (lo, hi)]
    if vals[0] is not None and vals[1] is not None and vals[0] > vals[1]:
        out.warnings.append("salary bounds swapped")
        vals = [vals[1], vals[0]]
    scale = _BIG_UNIT_CURRENCIES.get(currency or "", 1.0)
    for v in vals:
        if v is not None and not (SALARY_BOUNDS[0] * scale <= v <= SALARY_BOUNDS[1] * scale):
            out.warnings.append(f"salary out of range: {lo}-{hi} per {period} -> {v:,.0f}/year")
            return out
    out.min, out.max = vals
    return out


# ---------------------------------------------------------------- remote / location

_REMOTE = re.compile(
    r"\b(remote|wfh|work from home|work-from-home|telework|distributed|anywhere|worldwide)\b", re.I
)
_NO_REMOTE = re.compile(r"\b(no remote|not remote|non-remote|remote not|no wfh)\b", re.I)
_HYBRID = re.compile(r"\bhybrid\b|\b\d\s*(?:-\s*\d\s*)?days?\s*(?:/|a|per)?\s*(?:week|wk)\b", re.I)
_ONSITE = re.compile(r"\b(on-?site|in[- ]office|in[- ]person|office-based|onsite-only)\b", re.I)


def parse_remote(text: str | None) -> str | None:
    """Remote status of a phrase: "remote" when remote is offered, else "hybrid", "onsite" or None."""
    if not text:
        return None
    if _REMOTE.search(text) and not _NO_REMOTE.search(text):
        return "remote"
    if _HYBRID.search(text):
        return "hybrid"
    if _ONSITE.search(text) or _NO_REMOTE.search(text):
        return "onsite"
    return None


_US_STATES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND"
    " OH OK"
    " OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC"
).split()
_US_STATE_NAMES = (
    "alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii idaho "
    "illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota "
    "mississippi missouri montana nebraska nevada new hampshire|new jersey|new mexico|new york|"
    "north carolina|"
    "north dakota|ohio oklahoma oregon pennsylvania rhode island|south carolina|south dakota|tennessee texas "
    "utah vermont virginia washington|west virginia|wisconsin wyoming"
)
_COUNTRY_WORDS: dict[str, str] = {
    # United States
    "us": "United States",
    "usa": "United States",
    "u.s.": "United States",
    "united states": "United States",
    "america": "United States",
    "north america": "United States",
    "sf": "United States",
    "san francisco": "United States",
    "bay area": "United States",
    "nyc": "United States",
    "new york": "United States",
    "seattle": "United States",
    "boston": "United States",
    "los angeles": "United States",
    "la": "United States",
    "chicago": "United States",
    "austin": "United States",
    "denver": "United States",
    "atlanta": "United States",
    "miami": "United States",
    "dallas": "United States",
    "houston": "United States",
    "palo alto": "United States",
    "mountain view": "United States",
    "menlo park": "United States",
    "san jose": "United States",
    "san diego": "United States",
    "washington dc": "United States",
    "philadelphia": "United States",
    "pittsburgh": "United States",
    "portland": "United States",
    "salt lake city": "United States",
    "phoenix": "United States",
    "sfo": "United States",
    "sea": "United States",
    "atx": "United States",
    "bellevue": "United States",
    "redmond": "United States",
    "brooklyn": "United States",
    "oakland": "United States",
    # others
    "uk": "United Kingdom",
    "united kingdom": "United Kingdom",
    "england": "United Kingdom",
    "london": "United Kingdom",
    "lon": "United Kingdom",
    "manchester": "United Kingdom",
    "edinburgh": "United Kingdom",
    "cambridge, uk": "United Kingdom",
    "oxford": "United Kingdom",
    "canada": "Canada",
    "toronto": "Canada",
    "vancouver": "Canada",
    "montreal": "Canada",
    "ottawa": "Canada",
    "germany": "Germany",
    "berlin": "Germany",
    "munich": "Germany",
    "hamburg": "Germany",
    "ger": "Germany",
    "france": "France",
    "paris": "France",
    "netherlands": "Netherlands",
    "amsterdam": "Netherlands",
    "delft": "Netherlands",
    "eindhoven": "Netherlands",
    "rotterdam": "Netherlands",
    "spain": "Spain",
    "barcelona": "Spain",
    "madrid": "Spain",
    "portugal": "Portugal",
    "lisbon": "Portugal",
    "porto": "Portugal",
    "italy": "Italy",
    "milan": "Italy",
    "rome": "Italy",
    "ireland": "Ireland",
    "dublin": "Ireland",
    "cork": "Ireland",
    "sweden": "Sweden",
    "stockholm": "Sweden",
    "norway": "Norway",
    "oslo": "Norway",
    "trondheim": "Norway",
    "denmark": "Denmark",
    "copenhagen": "Denmark",
    "finland": "Finland",
    "helsinki": "Finland",
    "switzerland": "Switzerland",
    "zurich": "Switzerland",
    "zürich": "Switzerland",
    "geneva": "Switzerland",
    "austria": "Austria",
    "vienna": "Austria",
    "belgium": "Belgium",
    "brussels": "Belgium",
    "ghent": "Belgium",
    "poland": "Poland",
    "warsaw": "Poland",
    "krakow": "Poland",
    "czech republic": "Czechia",
    "czechia": "Czechia",
    "prague": "Czechia",
    "estonia": "Estonia",
    "tallinn": "Estonia",
    "greece": "Greece",
    "athens": "Greece",
    "romania": "Romania",
    "bucharest": "Romania",
    "cyprus": "Cyprus",
    "israel": "Israel",
    "tel aviv": "Israel",
    "india": "India",
    "bangalore": "India",
    "bengaluru": "India",
    "noida": "India",
    "mumbai": "India",
    "delhi": "India",
    "hyderabad": "India",
    "pune": "India",
    "singapore": "Singapore",
    "japan": "Japan",
    "tokyo": "Japan",
    "china": "China",
    "shenzhen": "China",
    "shanghai": "China",
    "beijing": "China",
    "hong kong": "Hong Kong",
    "taiwan": "Taiwan",
    "taipei": "Taiwan",
    "korea": "South Korea",
    "seoul": "South Korea",
    "australia": "Australia",
    "au": "Australia",
    "sydney": "Australia",
    "melbourne": "Australia",
    "brisbane": "Australia",
    "new zealand": "New Zealand",
    "auckland": "New Zealand",
    "brazil": "Brazil",
    "são paulo": "Brazil",
    "sao paulo": "Brazil",
    "mexico": "Mexico",
    "mexico city": "Mexico",
    "argentina": "Argentina",
    "buenos aires": "Argentina",
    "colombia": "Colombia",
    "bogota": "Colombia",
    "chile": "Chile",
    "uae": "United Arab Emirates",
    "dubai": "United Arab Emirates",
    "vietnam": "Vietnam",
    "ho chi minh city": "Vietnam",
    "philippines": "Philippines",
    "south africa": "South Africa",
    "cape town": "South Africa",
    "nigeria": "Nigeria",
    "lagos": "Nigeria",
    "kenya": "Kenya",
    "nairobi": "Kenya",
    "turkey": "Turkey",
    "istanbul": "Turkey",
    "ukraine": "Ukraine",
    "kyiv": "Ukraine",
    "serbia": "Serbia",
    "belgrade": "Serbia",
    "croatia": "Croatia",
    "zagreb": "Croatia",
    "hungary": "Hungary",
    "budapest": "Hungary",
    "lithuania": "Lithuania",
    "vilnius": "Lithuania",
    "latvia": "Latvia",
    "riga": "Latvia",
    "luxembourg": "Luxembourg",
    "indonesia": "Indonesia",
    "jakarta": "Indonesia",
    "malaysia": "Malaysia",
    "thailand": "Thailand",
    "bangkok": "Thailand",
    "pakistan": "Pakistan",
    "egypt": "Egypt",
}
_STATE_NAME_RE = re.compile(
    r"\b("
    + "|".join(
        [
            re.escape(x)
            for x in _US_STATE_NAMES.replace("|", " ").split()
            if x not in {"new", "north", "south", "west", "rhode"}
        ]
        + [
            "new hampshire",
            "new jersey",
            "new mexico",
            "north carolina",
            "north dakota",
            "south carolina",
            "south dakota",
            "west virginia",
            "rhode island",
        ]
    )
    + r")\b",
    re.I,
)
_COUNTRY_RE = re.compile(
    r"(?<![\w.])("
    + "|".join(re.escape(k) for k in sorted(_COUNTRY_WORDS, key=len, reverse=True))
    + r")(?![\w])",
    re.I,
)
_CITY_COUNTRY_CODE = re.compile(
    r"\b[A-Z][A-Za-z .'-]+,\s*(NL|FR|ES|SE|NO|DK|FI|CH|AT|BE|PL|IE|PT|CZ|JP|SG|AU|NZ|BR|MX|UK|GB)\b"
)
_COUNTRY_CODES = {
    "NL": "Netherlands",
    "FR": "France",
    "ES": "Spain",
    "SE": "Sweden",
    "NO": "Norway",
    "DK": "Denmark",
    "FI": "Finland",
    "CH": "Switzerland",
    "AT": "Austria",
    "BE": "Belgium",
    "PL": "Poland",
    "IE": "Ireland",
    "PT": "Portugal",
    "CZ": "Czechia",
    "JP": "Japan",
    "SG": "Singapore",
    "AU": "Australia",
    "NZ": "New Zealand",
    "BR": "Brazil",
    "MX": "Mexico",
    "UK": "United Kingdom",
    "GB": "United Kingdom",
}
_CITY_STATE = re.compile(r"\b[A-Z][A-Za-z .'-]+,\s*(" + "|".join(_US_STATES) + r")\b")
_CASE_SENSITIVE_SHORT = {"us", "la", "au", "sea", "lon", "ger", "uk", "sf", "nyc", "usa", "atx", "sfo", "uae"}


def guess_country(text: str | None) -> str | None:
    """Best-effort country of a location phrase ("Remote (US)" -> United States, "Berlin" -> Germany)."""
    if not text:
        return None
    if _CITY_STATE.search(text):
        return "United States"
    m_code = _CITY_COUNTRY_CODE.search(text)
    if m_code:
        return _COUNTRY_CODES[m_code.group(1)]
    for m in _COUNTRY_RE.finditer(text):
        word = m.group(1)
        key = word.lower()
        # short tokens ("US", "LA", "SEA") only count in capitals, so "us"/"la"/"sea" in prose do not match
        if key in _CASE_SENSITIVE_SHORT and not word.isupper():
            continue
        return _COUNTRY_WORDS[key]
    if _STATE_NAME_RE.search(text):
        return "United States"
    if re.search(r"\b(EU|Europe|EMEA)\b", text):
        return None
    return None


_LOC_NOISE = re.compile(
    r"\b(remote|fully|100%|remote-first|remote-friendly|remote friendly|hybrid|on-?site|in[- ]office|"
    r"in[- ]person|"
    r"onsite-hybrid|work from home|wfh|only|ok|possible|preferred|preferably|first|friendly|optional|"
    r"days?|per|"
    r"week|/wk|open to|full[- ]?time|part[- ]?time|contract|locations?\s*:|multiple (?:positions|roles) in|"
    r"\d+x?)\b",
    re.I,
)


def parse_location(text: str | None) -> tuple[str | None, str | None, str | None]:
    """Split a location phrase into (location without remote words, country, remote status).

    "Remote (US)" -> ("US", "United States", "remote"); "Hybrid - NYC" -> ("NYC", "United States", "hybrid");
    "REMOTE" -> (None, None, "remote"); "Onsite in SF" -> ("SF", "United States", "onsite").
    """
    if not text:
        return None, None, None
    remote = parse_remote(text)
    loc = re.sub(r"\([^()]*\b(?:days?|week|wk|visa|sponsor\w*|relocation)\b[^()]*\)", " ", text, flags=re.I)
    loc = _NO_REMOTE.sub(" ", loc)
    loc = _LOC_NOISE.sub(" ", loc)
    loc = re.sub(r"[()\[\]]", " ", loc)
    loc = re.sub(r"^\W*(?:in|at|from|within|based in)\b", " ", loc.strip(), flags=re.I)
    loc = re.sub(r"\s+([,;])", r"\1", re.sub(r"\s+", " ", loc))
    loc = re.sub(r"(?:\s*[-–—:;,/|+&]\s*){2,}", ", ", loc)
    for _ in range(2):
        loc = re.sub(r"^(?:\W|or\b|and\b|in\b)+|(?:\W|\bor|\band|\bin)+$", "", loc.strip(), flags=re.I)
        loc = re.sub(r"\b(or|and)\s+(or|and)\b", r"\1", loc, flags=re.I)
    if loc.lower() in {"", "us only"}:
        loc = ""
    return (loc or None), guess_country(text), remote


# ---------------------------------------------------------------- seniority

_LEVEL_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "executive",
        re.compile(
            r"\b(chief|c[teiofm]o|vp|vice president|svp|evp|president|executive director|"
            r"head of (?:engineering|product|technology))\b",
            re.I,
        ),
    ),
    ("director", re.compile(r"\b(director|head of|head)\b", re.I)),
    ("principal", re.compile(r"\b(principal|principle|distinguished|fellow)\b", re.I)),
    ("lead", re.compile(r"\b(lead|staff|tech lead|team lead|supervisory|supervisor|foreman)\b", re.I)),
    ("senior", re.compile(r"\b(senior|sr\.?|snr|iii|iv)\b", re.I)),
    ("mid", re.compile(r"\b(mid|mid-level|intermediate|ii)\b", re.I)),
    (
        "junior",
        re.compile(r"\b(junior|jr\.?|entry[- ]level|entry|graduate|new grad|trainee|apprentice|i)\b", re.I),
    ),
    ("intern", re.compile(r"\b(intern|internship|co-op|student)\b", re.I)),
]
# the more specific low levels win over generic words such as "student trainee"
_LEVEL_ORDER = ["intern", "executive", "director", "principal", "lead", "senior", "mid", "junior"]


def experience_from_title(title: str | None) -> str | None:
    """Seniority from title words (intern ... executive), or None when the title says nothing."""
    if not title:
        return None
    found = {level for level, rx in _LEVEL_RULES if rx.search(title)}
    for level in _LEVEL_ORDER:
        if level in found:
            return level
    return None


def experience_from_gs_grade(grade: str | int | None, pay_plan: str | None = None) -> str | None:
    """Seniority from a federal General Schedule grade (GS/GL/GG 1-15; ES/SES -> executive)."""
    plan = (pay_plan or "").upper()
    if plan in {"ES", "SES", "EX", "SL", "ST"}:
        return "executive"
    if plan and plan not in {"GS", "GL", "GG", "GM"}:
        return None
    try:
        g = int(str(grade).strip())
    except (TypeError, ValueError):
        return None
    if g <= 0:
        return None
    if g <= 7:
        return "junior"
    if g <= 11:
        return "mid"
    if g <= 13:
        return "senior"
    return "lead" if g == 14 else "principal"


def title_case_if_shouting(title: str) -> str:
    """Title-case an ALL-CAPS title, keeping short acronyms ("IT SPECIALIST" -> "IT Specialist")."""
    if not title.isupper():
        return title
    keep = {"IT", "HR", "GS", "NA", "WG", "WS", "US", "USA", "RN", "LPN", "IV", "II", "III", "VA", "QA", "DC"}
    return re.sub(
        r"[A-Z][A-Z'&]*", lambda m: m.group(0) if m.group(0) in keep else m.group(0).capitalize(), title
    )


def plain_field(s: object) -> str | None:
    """A one-line text field (title, company, location) without markup; None when empty.

    Scripts/styles and tags are dropped, entities decoded (repeatedly, so ``&lt;b&gt;`` markup goes too) and
    whitespace collapsed.
    """
    t = clean(s)
    if t is None or ("<" not in t and "&" not in t):
        return t
    for _ in range(3):
        t = html.unescape(_TAG.sub(" ", drop_scripts(t)))
        if not _TAG.search(t):
            break
    else:
        t = _TAG.sub(" ", t)
    return clean(re.sub(r"\s+", " ", t))


def clean(s: object) -> str | None:
    """Strip a value to a non-empty string or None."""
    if s is None:
        return None
    t = str(s).strip()
    return t or None
