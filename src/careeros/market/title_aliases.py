"""Generic vocabulary for job-title cleaning: abbreviations, seniority words and posting noise."""

from __future__ import annotations

#: Abbreviation (lower case, single token after tokenisation) -> expansion.
ABBREVIATIONS: dict[str, str] = {
    # software / IT
    "swe": "software engineer", "sde": "software development engineer", "sdet": "software development engineer test",
    "sre": "site reliability engineer", "sres": "site reliability engineer", "swes": "software engineer",
    "qa": "quality assurance", "qc": "quality control", "dba": "database administrator",
    "ml": "machine learning", "ai": "artificial intelligence", "genai": "generative artificial intelligence",
    "llm": "artificial intelligence", "nlp": "natural language processing", "cv": "computer vision",
    "ux": "user experience", "ui": "user interface", "it": "information technology",
    "fullstack": "full stack", "frontend": "front end", "backend": "back end",
    "dev": "developer", "devs": "developer", "eng": "engineer", "engr": "engineer", "sw": "software",
    "hw": "hardware", "sysadmin": "systems administrator", "netops": "network operations",
    "infosec": "information security", "cybersecurity": "cyber security", "secops": "security operations",
    "bi": "business intelligence", "gis": "geographic information systems", "erp": "enterprise resource planning",
    "crm": "customer relationship management", "ios": "mobile", "android": "mobile",
    "ecommerce": "e commerce", "elearning": "e learning", "ediscovery": "e discovery",
    "em": "engineering manager", "ems": "engineering manager", "tpm": "technical program manager",
    "pm": "product manager", "pmo": "project management office",
    # US federal 2210 (IT management) parenthetical specialties
    "appsw": "applications software", "sysanalysis": "systems analysis", "custspt": "customer support",
    "datamgt": "data management", "inet": "internet web", "netwrk": "network", "plcypln": "policy planning",
    "entarch": "enterprise architecture", "cybermgt": "information security", "os": "operating systems",
    # public safety: a number the cleaner would drop as noise names the field ("911 Dispatcher" is no truck dispatcher)
    "911": "emergency",
    # health care
    "rn": "registered nurse", "rns": "registered nurse", "lpn": "licensed practical nurse",
    "lvn": "licensed vocational nurse", "cna": "certified nursing assistant", "np": "nurse practitioner",
    "aprn": "nurse practitioner", "crna": "certified registered nurse anesthetist",
    "cnm": "certified nurse midwife", "md": "physician", "do": "physician", "dvm": "veterinarian",
    "rdh": "dental hygienist", "cota": "certified occupational therapy assistant",
    "pta": "physical therapist assistant", "slp": "speech language pathologist", "emt": "emergency medical technician",
    "cma": "certified medical assistant", "mlt": "medical laboratory technician",
    "mls": "medical laboratory scientist", "pharmd": "pharmacist", "icu": "intensive care",
    "nicu": "neonatal intensive care", "er": "emergency", "ed": "emergency", "med": "medical",
    "surg": "surgical", "tele": "telemetry", "pcu": "progressive care", "or": "operating room",
    "ot": "occupational therapist", "psych": "psychiatric", "cnc": "computer numerically controlled",
    # business
    "vp": "vice president", "svp": "senior vice president", "evp": "executive vice president",
    "avp": "vice president", "ceo": "chief executive officer", "cfo": "chief financial officer",
    "cto": "chief technology officer", "cio": "chief information officer", "coo": "chief operating officer",
    "cmo": "chief marketing officer", "ciso": "chief information security officer", "gm": "general manager",
    "hr": "human resources", "hrbp": "human resources business partner", "cpa": "certified public accountant",
    "ae": "account executive", "csm": "customer success manager", "sdr": "sales development representative",
    "bdr": "business development representative", "ba": "business analyst", "fp": "financial planning",
    "mgr": "manager", "mgmt": "management", "asst": "assistant", "assoc": "associate", "admin": "administrator",
    "rep": "representative", "reps": "representative", "coord": "coordinator", "spec": "specialist",
    "acct": "account", "ops": "operations", "tech": "technician", "techs": "technician",
    "dir": "director", "exec": "executive", "supv": "supervisor", "supvy": "supervisory",
    "hvac": "heating air conditioning", "cdl": "truck driver", "csr": "customer service representative",
    # credentials people write as their title
    "bcba": "behavior analyst", "bcaba": "assistant behavior analyst", "rbt": "behavior technician",
    "lcsw": "licensed clinical social worker", "lmsw": "social worker", "msw": "social worker",
    "lpc": "licensed professional counselor", "lmft": "marriage family therapist", "mft": "marriage family therapist",
    "cpht": "pharmacy technician", "hha": "home health aide", "rrt": "respiratory therapist",
    "ccma": "medical assistant", "cfp": "financial planner", "hris": "human resources information systems",
    "ehs": "environmental health safety", "sped": "special education", "esl": "english second language",
    # operations and security teams
    "wfm": "workforce management", "iam": "identity access management",
}

#: Abbreviations whose expansion is only applied when the token is not the whole title's only context.
#: (kept generic: tokens that are also ordinary English words and appear in titles only as abbreviations)
AMBIGUOUS_SHORT = {"it", "or", "do", "er", "ed", "os", "ot", "cv"}

#: Seniority / level words: dropped unless they are the last (head) word of the title.
SENIORITY = {
    "senior", "sr", "snr", "junior", "jr", "lead", "leading", "principal", "staff", "mid", "midlevel",
    "entry", "level", "experienced", "trainee", "apprentice", "ii", "iii", "iv", "v", "vi", "vii", "i",
    "1", "2", "3", "4", "5", "supervisory", "founding", "first", "hire", "distinguished", "expert",
    "head", "chief", "associate", "assistant", "deputy", "acting", "interim", "new", "grad", "graduate",
}
#: of SENIORITY, the words that change the occupation (kept; e.g. Chief Executive, Assistant, Associate Professor)
SENIORITY_KEEP = {"chief", "assistant", "associate", "head", "deputy", "apprentice", "trainee"}

#: Posting noise: employment type, schedule, work place, hiring boilerplate.
NOISE = {
    "remote", "hybrid", "onsite", "wfh", "anywhere", "fulltime", "parttime", "ft", "pt", "prn",
    "contractor", "temp", "permanent", "seasonal", "days", "nights", "weekend", "weekends", "evenings",
    "rotating", "rotate", "hiring", "now", "immediate", "immediately", "interview", "urgent", "urgently",
    "needed", "wanted", "jobs", "position", "positions", "role", "roles", "opening", "openings", "opportunity",
    "multiple", "various", "several", "bonus", "relocation", "available", "make", "earn", "wk", "week",
    "hourly", "only", "us", "usa", "u", "s", "eu", "uk", "emea", "apac", "latam", "based", "relocate", "visa",
    "sponsorship", "local", "notice", "flyer", "reemployed", "annuitant", "recent", "graduates", "fpl", "gs",
    "gg", "ad", "de", "mp", "dh", "fy", "qtr", "tbd", "x", "the", "a", "an", "at", "for", "with", "to", "our",
    "join", "we", "are", "intern", "internship", "summer", "fall", "spring", "winter", "yoe", "years", "year",
    "salary", "k", "m", "oa", "deu", "cbo", "cboc", "opc", "ok", "new", "grads",
}
#: US state and territory postal codes (a title ending ", PA" names a place); OR is left out ("Surgical Tech, OR" is
#: the operating room)
US_STATE_CODES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK "
    "PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI".split()
)
#: Posting noise only at the end of a title ("Founding Engineer, $180k + equity"); a word that qualifies what follows
#: it stays ("Equity Research Associate", "Private Equity Analyst").
TRAILING_NOISE = {"equity"}
#: Multi-word posting noise removed before tokenising (regular expressions, lower case).
NOISE_PHRASES = (
    r"\b(?:full|part)[\s-]*time\b", r"\bon[\s-]*site\b", r"\bin[\s-]*office\b", r"\bwork(?:ing)? from home\b",
    r"\bsign[\s-]*on\b", r"\bper[\s-]*diem\b", r"\bdirect[\s-]*hire(?: authority)?\b", r"\bpublic notice\b",
    r"\bcontract[\s-]*to[\s-]*hire\b", r"\bentry[\s-]*level\b", r"\bmid[\s-]*level\b", r"\bmid[\s-]*senior\b",
    r"\bjob available in\b.*$", r"\bnew grad(?:uate)?s?\b", r"\brecent graduate\b", r"\bup to\b",
    r"\b(?:g[sgl]|ad|es|wg|ws|wl|gm|nf|vn|zp|zs|zt|zp)[\s-]*\d{3,4}(?:[\s-]*\d{1,2}(?:[\s/-]+\d{1,2})*)?\b",
)
#: Connectors that separate several roles in one posting title.
ROLE_SEPARATORS = r"\s*(?:/|&|\+|,|;|\bor\b|\band\b|\|)\s*"
