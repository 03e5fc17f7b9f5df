"""Guidance: knowledge-base search that understands Arabic and English, and certificate readiness.

Pure: no I/O. The search folds the spelling variants Arabic writers use interchangeably (alef and
hamza forms, ta marbuta and ha, alef maqsura and ya, diacritics, tatweel) and ranks articles with
BM25 over title, keywords and body. Certificate readiness checks a trainee's data against rules
that are data (the administrator edits them), so the rules here only say what each kind means.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache

import nh3
import snowballstemmer
from hijridate import Gregorian
from markdown_it import MarkdownIt

from helpdesk.i18n import N_

# --- guidance pages ---------------------------------------------------------------------------

# Raw HTML in the Markdown is shown as text; nh3 then keeps only harmless tags and attributes, so
# even a compromised administrator account cannot put script on the public pages.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_SAFE_TAGS = {
    *("p", "br", "hr", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre"),
    *("blockquote", "a", "table", "thead", "tbody", "tr", "th", "td"),
}
MAX_PAGE_LENGTH = 50_000


def render_markdown(text: str) -> str:
    """Safe HTML for a guidance page or article written in Markdown."""
    tokens = _MARKDOWN.parse(text)
    for token in tokens:  # the page's title is its only h1: "# x" becomes h2, and so on
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 4)}"
    return nh3.clean(
        _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}),
        tags=_SAFE_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto", "tel"},
    )


def hijri_date(day: date, locale: str) -> str:
    """The Umm al-Qura date, e.g. "14 جمادى الآخرة 1448 هـ" (empty outside its 1937–2077 range)."""
    try:
        hijri = Gregorian(day.year, day.month, day.day).to_hijri()
    except OverflowError:
        return ""
    language = "ar" if locale == "ar" else "en"
    return f"{hijri.day} {hijri.month_name(language)} {hijri.year} {hijri.notation(language)}"


# --- normalisation ----------------------------------------------------------------------------

_TATWEEL = "\u0640"
# Letters NFKD does not decompose into a base letter plus a combining mark.
_FOLD = str.maketrans(
    {
        "\u0671": "ا",  # alef wasla
        "\u0629": "ه",  # ta marbuta -> ha
        "\u0649": "ي",  # alef maqsura -> ya
        "\u06cc": "ي",  # Farsi ya
        "\u06a9": "ك",  # keheh
        "\u0621": "",  # lone hamza: writers drop or seat it at will
        _TATWEEL: "",
    }
)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    """Fold a text to the form both queries and articles are compared in.

    NFKD splits أ إ آ ؤ ئ into a base letter plus a combining hamza or madda, and Latin accents
    likewise; dropping every combining mark then folds the hamza forms and strips the harakat.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_DIGITS))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.translate(_FOLD).casefold()


def is_arabic(word: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in word)


# Light stemming (after Larkey's light10): strip the article and attached conjunctions and
# prepositions, then possessive pronouns, then plural and feminine endings. Written on folded text,
# so ة is ه; a ta marbuta that became ت before a pronoun (شهادتي) is restored first.
_AR_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_AR_PRONOUNS = ("هما", "كما", "هم", "هن", "كم", "كن", "نا", "ها", "ك", "ي")
_AR_ENDINGS = ("ات", "ان", "ون", "ين", "يه", "ه")
_ENGLISH = snowballstemmer.stemmer("english")

_STOP_WORDS_TEXT = (
    "في من الى إلى على عن ما ماذا هل كيف لا لم لن او أو ثم مع هذا هذه ذلك التي الذي ان أن إن "
    "قد كان انا أنا عندي لدي لي هو هي يا و ف ب ل"
    " a an and are be can do does for from have how i in is it me my not of on or the to "
    "what when where why with you your"
)
_STOP_WORDS = frozenset(normalise(w) for w in _STOP_WORDS_TEXT.split())


def _stem_arabic(word: str) -> str:
    for prefix in _AR_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix) :]
            break
    else:
        if word.startswith("و") and len(word) > 3:
            word = word[1:]
    for pronoun in _AR_PRONOUNS:
        if word.endswith(pronoun) and len(word) - len(pronoun) >= 3:
            word = word[: -len(pronoun)]
            if word.endswith("ت") and not word.endswith("ات") and len(word) >= 4:
                word = word[:-1] + "ه"
            break
    for ending in _AR_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            word = word[: -len(ending)]
    return word


@lru_cache(maxsize=20_000)
def _stem(word: str) -> str:
    return _stem_arabic(word) if is_arabic(word) else _ENGLISH.stemWord(word)


def search_terms(text: str) -> list[str]:
    """The stemmed, folded words of a text, stop words left out, in order."""
    return [
        _stem(word)
        for word in _WORD.findall(normalise(text))
        if word not in _STOP_WORDS and not (word.isdigit() and len(word) < 2)
    ]


# --- ranking ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchDocument:
    """What the search knows of one article."""

    key: int
    title: str
    body: str
    keywords: str = ""


@dataclass(frozen=True)
class SearchHit:
    key: int
    score: float


# Where a word appears says how much it is about the article.
_FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.0, "body": 1.0}
_K1, _B = 1.2, 0.75
_PREFIX_CREDIT = 0.6  # "تسج" while typing still finds "التسجيل", for less than a whole word
_MIN_PREFIX = 3


class SearchIndex:
    """An inverted index of the articles, built once and asked many times (BM25 ranking)."""

    def __init__(self, documents: Sequence[SearchDocument]) -> None:
        self.keys = [doc.key for doc in documents]
        self._lengths: list[dict[str, int]] = []
        self._postings: dict[str, list[tuple[int, str, int]]] = {}
        for index, doc in enumerate(documents):
            lengths = {}
            for name in _FIELD_WEIGHTS:
                counts = Counter(search_terms(getattr(doc, name)))
                lengths[name] = sum(counts.values())
                for term, count in counts.items():
                    self._postings.setdefault(term, []).append((index, name, count))
            self._lengths.append(lengths)
        self._vocabulary = sorted(self._postings)
        total = max(1, len(documents))
        self._average = {
            name: max(1.0, sum(lengths[name] for lengths in self._lengths) / total)
            for name in _FIELD_WEIGHTS
        }

    def _frequencies(self, term: str) -> dict[int, dict[str, float]]:
        """Per document and field, how often the term occurs (words it begins count in part)."""
        found: dict[int, dict[str, float]] = {}
        matches = [(term, 1.0)] if term in self._postings else []
        if len(term) >= _MIN_PREFIX:
            start = bisect.bisect_right(self._vocabulary, term)
            for word in self._vocabulary[start:]:
                if not word.startswith(term):
                    break
                matches.append((word, _PREFIX_CREDIT))
        for word, credit in matches:
            for index, name, count in self._postings[word]:
                fields = found.setdefault(index, {})
                fields[name] = fields.get(name, 0.0) + credit * count
        return found

    def rank(
        self, query: str, limit: int = 10, helpful: Mapping[int, int] | None = None
    ) -> list[SearchHit]:
        """Articles that match the query, best first; ties go to the most helpful."""
        helpful = helpful or {}
        total = len(self.keys)
        scores: dict[int, float] = {}
        for term in dict.fromkeys(search_terms(query)):
            frequencies = self._frequencies(term)
            if not frequencies:
                continue
            idf = math.log(1 + (total - len(frequencies) + 0.5) / (len(frequencies) + 0.5))
            for index, fields in frequencies.items():
                for name, tf in fields.items():
                    length = self._lengths[index][name] / self._average[name]
                    norm = tf * (_K1 + 1) / (tf + _K1 * (1 - _B + _B * length))
                    scores[index] = scores.get(index, 0.0) + idf * _FIELD_WEIGHTS[name] * norm
        ordered = sorted(
            scores.items(),
            key=lambda item: (-item[1], -helpful.get(self.keys[item[0]], 0), self.keys[item[0]]),
        )
        return [SearchHit(self.keys[i], round(score, 4)) for i, score in ordered[:limit]]


# --- certificate readiness --------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateField:
    """One piece of data a certificate needs."""

    name: str
    label: str  # English msgid; the page translates it
    input_type: str  # the HTML input the trainee corrects it in
    trainee_can_correct: bool = True
    compact: bool = False  # numbers: spaces and dashes the trainee types mean nothing


CERTIFICATE_FIELDS: tuple[CertificateField, ...] = (
    CertificateField(
        "full_name_ar", N_("Full name in Arabic, as in your identity document"), "text"
    ),
    CertificateField("full_name_en", N_("Full name in English, as in your passport"), "text"),
    CertificateField("national_id", N_("National ID or residence number"), "text", compact=True),
    CertificateField("email", N_("Email"), "email"),
    CertificateField("mobile", N_("Mobile number"), "tel", compact=True),
    CertificateField(
        "attendance_percent", N_("Attendance (% of the course hours)"), "number", False
    ),
    CertificateField("assessments_completed", N_("All assessments completed"), "checkbox", False),
)
FIELDS_BY_NAME = {f.name: f for f in CERTIFICATE_FIELDS}
TRAINEE_FIELDS = tuple(f.name for f in CERTIFICATE_FIELDS if f.trainee_can_correct)


def clean_value(field_name: str, raw: object) -> str:
    """The stored form of what a trainee typed: trimmed, Western digits, no stray separators."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "yes" if raw else ""
    text = unicodedata.normalize("NFC", str(raw)).translate(_DIGITS)
    text = " ".join(text.split())
    spec = FIELDS_BY_NAME.get(field_name)
    if spec and spec.compact:
        text = re.sub(r"[\s\-().]", "", text)
    if field_name == "email":
        text = text.lower()
    return text


class RuleKind(StrEnum):
    REQUIRED = "required"
    MATCHES = "matches"  # the whole value matches the pattern
    MUST_NOT_CONTAIN = "must_not_contain"  # no part of the value matches the pattern
    MIN_WORDS = "min_words"
    CHECKSUM = "checksum"  # parameter names the algorithm
    MINIMUM = "minimum"  # a number at least the parameter
    IS_TRUE = "is_true"


CHECKSUMS = ("luhn",)  # Saudi national ID and residence (iqama) numbers use Luhn over 10 digits
MAX_PATTERN_LENGTH = 300


@dataclass(frozen=True)
class ReadinessRule:
    """One condition on one field; the messages are what the trainee reads when it fails."""

    field: str
    kind: RuleKind
    parameter: str
    message_en: str
    message_ar: str
    position: int = 0
    key: int | None = None

    def message(self, locale: str) -> str:
        return self.message_ar if locale == "ar" else self.message_en

    def passes(self, value: str) -> bool:
        if self.kind is RuleKind.REQUIRED:
            return bool(value)
        if self.kind is RuleKind.IS_TRUE:
            return value == "yes"
        if not value:  # an empty value fails only "required"
            return True
        if self.kind is RuleKind.MATCHES:
            return re.fullmatch(self.parameter, value) is not None
        if self.kind is RuleKind.MUST_NOT_CONTAIN:
            return re.search(self.parameter, value) is None
        if self.kind is RuleKind.MIN_WORDS:
            return len(value.split()) >= int(self.parameter)
        if self.kind is RuleKind.CHECKSUM:
            return luhn_valid(value)
        if self.kind is RuleKind.MINIMUM:
            number = _number(value)
            return number is not None and number >= Decimal(self.parameter)
        raise AssertionError(self.kind)


def luhn_valid(digits: str) -> bool:
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        n = int(char)
        if position % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _number(value: str) -> Decimal | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def rule_problems(rule: ReadinessRule) -> list[str]:
    """Why an administrator's rule cannot be saved (English msgids); empty when it can."""
    problems = []
    if rule.field not in FIELDS_BY_NAME:
        problems.append(N_("Unknown field."))
    if not rule.message_en.strip() or not rule.message_ar.strip():
        problems.append(N_("Write the message in Arabic and in English."))
    if rule.kind in (RuleKind.MATCHES, RuleKind.MUST_NOT_CONTAIN):
        if not rule.parameter or len(rule.parameter) > MAX_PATTERN_LENGTH:
            problems.append(N_("Write a pattern of at most 300 characters."))
        else:
            try:
                re.compile(rule.parameter)
            except re.error:
                problems.append(N_("The pattern is not a valid regular expression."))
    elif rule.kind is RuleKind.MIN_WORDS:
        if not rule.parameter.isdigit() or not 1 <= int(rule.parameter) <= 10:
            problems.append(N_("The number of words must be between 1 and 10."))
    elif rule.kind is RuleKind.MINIMUM:
        if _number(rule.parameter) is None:
            problems.append(N_("The minimum must be a number."))
    elif rule.kind is RuleKind.CHECKSUM and rule.parameter not in CHECKSUMS:
        problems.append(N_("Unknown checksum."))
    return problems


@dataclass(frozen=True)
class FieldStatus:
    field: CertificateField
    value: str
    failed: ReadinessRule | None  # the first rule the value breaks, in the rules' order

    @property
    def ok(self) -> bool:
        return self.failed is None


@dataclass(frozen=True)
class Readiness:
    fields: tuple[FieldStatus, ...]
    problems: tuple[FieldStatus, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "problems", tuple(f for f in self.fields if not f.ok))

    @property
    def ready(self) -> bool:
        return not self.problems

    @property
    def trainee_can_finish(self) -> bool:
        """Everything still missing is data the trainee can correct on the page."""
        return all(p.field.trainee_can_correct for p in self.problems)


def check_readiness(profile: Mapping[str, object], rules: Iterable[ReadinessRule]) -> Readiness:
    """Which certificate data is missing or malformed; each field reports its first broken rule."""
    by_field: dict[str, list[ReadinessRule]] = {}
    for rule in sorted(rules, key=lambda r: (r.position, r.key or 0)):
        by_field.setdefault(rule.field, []).append(rule)
    statuses = []
    for spec in CERTIFICATE_FIELDS:
        value = clean_value(spec.name, profile.get(spec.name))
        failed = next((r for r in by_field.get(spec.name, ()) if not r.passes(value)), None)
        statuses.append(FieldStatus(spec, value, failed))
    return Readiness(tuple(statuses))


_ARABIC_LETTERS = r"\u0621-\u063a\u0641-\u064a"
_ANY_ARABIC = r"[\u0600-\u06ff\u0750-\u077f]"


def _rule(field_name: str, kind: RuleKind, parameter: str, en: str, ar: str) -> ReadinessRule:
    return ReadinessRule(field_name, kind, parameter, en, ar)


# The institute's starting rules; the seed stores them and the administrator edits them there.
DEFAULT_READINESS_RULES: tuple[ReadinessRule, ...] = tuple(
    ReadinessRule(r.field, r.kind, r.parameter, r.message_en, r.message_ar, position=i * 10)
    for i, r in enumerate(
        (
            _rule(
                "full_name_ar",
                RuleKind.REQUIRED,
                "",
                "Your full name in Arabic is missing.",
                "اسمك الكامل بالعربية غير موجود.",
            ),
            _rule(
                "full_name_ar",
                RuleKind.MATCHES,
                rf"[{_ARABIC_LETTERS}\u064b-\u0652 ]+",
                "Write your Arabic name in Arabic letters only.",
                "اكتب اسمك العربي بحروف عربية فقط.",
            ),
            _rule(
                "full_name_ar",
                RuleKind.MIN_WORDS,
                "3",
                "Write your full name as in your identity document: at least three names.",
                "اكتب اسمك الكامل كما في هويتك: ثلاثة أسماء على الأقل.",
            ),
            _rule(
                "full_name_en",
                RuleKind.REQUIRED,
                "",
                "Your full name in English is missing.",
                "اسمك الكامل بالإنجليزية غير موجود.",
            ),
            _rule(
                "full_name_en",
                RuleKind.MUST_NOT_CONTAIN,
                _ANY_ARABIC,
                "Your English name contains Arabic letters.",
                "اسمك بالإنجليزية يحتوي على حروف عربية.",
            ),
            _rule(
                "full_name_en",
                RuleKind.MATCHES,
                r"[A-Za-z][A-Za-z .'\-]*",
                "Use only English letters, spaces, hyphens and apostrophes.",
                "استخدم الحروف الإنجليزية والمسافات والشرطة والفاصلة العليا فقط.",
            ),
            _rule(
                "full_name_en",
                RuleKind.MIN_WORDS,
                "3",
                "Write your full English name as in your passport: at least three names.",
                "اكتب اسمك الإنجليزي الكامل كما في جواز سفرك: ثلاثة أسماء على الأقل.",
            ),
            _rule(
                "national_id",
                RuleKind.REQUIRED,
                "",
                "Your national ID or residence number is missing.",
                "رقم الهوية الوطنية أو الإقامة غير موجود.",
            ),
            _rule(
                "national_id",
                RuleKind.MATCHES,
                r"\d{10}",
                "A national ID or residence number has exactly 10 digits.",
                "رقم الهوية الوطنية أو الإقامة مكوّن من 10 أرقام بالضبط.",
            ),
            _rule(
                "national_id",
                RuleKind.MATCHES,
                r"[12]\d{9}",
                "A national ID starts with 1 and a residence number with 2.",
                "رقم الهوية الوطنية يبدأ بـ 1 ورقم الإقامة يبدأ بـ 2.",
            ),
            _rule(
                "national_id",
                RuleKind.CHECKSUM,
                "luhn",
                "This is not a valid national ID or residence number: check the digits.",
                "هذا ليس رقم هوية أو إقامة صحيحًا: تحقق من الأرقام.",
            ),
            _rule(
                "email",
                RuleKind.REQUIRED,
                "",
                "Your email address is missing.",
                "بريدك الإلكتروني غير موجود.",
            ),
            _rule(
                "email",
                RuleKind.MATCHES,
                r"[^@\s]+@[^@\s]+\.[^@\s]+",
                "Write a valid email address, such as name@example.com.",
                "اكتب بريدًا إلكترونيًا صحيحًا مثل name@example.com.",
            ),
            _rule(
                "mobile",
                RuleKind.REQUIRED,
                "",
                "Your mobile number is missing.",
                "رقم جوالك غير موجود.",
            ),
            _rule(
                "mobile",
                RuleKind.MATCHES,
                r"(05|\+9665|009665)\d{8}",
                "Write a Saudi mobile number such as 05XXXXXXXX or +9665XXXXXXXX.",
                "اكتب رقم جوال سعوديًا مثل 05XXXXXXXX أو ‎+9665XXXXXXXX.",
            ),
            _rule(
                "attendance_percent",
                RuleKind.REQUIRED,
                "",
                "Your attendance has not been recorded yet.",
                "لم يُسجَّل حضورك بعد.",
            ),
            _rule(
                "attendance_percent",
                RuleKind.MINIMUM,
                "80",
                "A certificate needs at least 80% attendance of the course hours.",
                "تتطلب الشهادة حضور 80% على الأقل من ساعات الدورة.",
            ),
            _rule(
                "assessments_completed",
                RuleKind.IS_TRUE,
                "",
                "Some assessments of the course are not completed yet.",
                "بعض تقييمات الدورة لم تكتمل بعد.",
            ),
        )
    )
)
