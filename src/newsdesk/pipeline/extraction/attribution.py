"""Attribution and teaser lines at the edges of an article body, and ad labels anywhere in it.

Reposting sites and feeds frame a story with lines that are not part of it: "Source link", the
WordPress feed footer ("The post … appeared first on …"), "Originally published at …",
"Continue reading →". Such a line is dropped only where it stands alone (a whole segment)
before the story's first block or after its last; inside a sentence, or between two paragraphs
of the story, the same words are the story's own.

A bare credit such as "Quelle: dpa" or "Source: Reuters" stays: it names who reported the story.

An ad slot's label ("- Advertisement -", "Anzeige", "Story continues below advertisement") is
never the story's, wherever it stands; nor is a pointer to another story ("Read also: <headline>",
"Lesen Sie auch: …", "Lea también: …", or such a label alone over a box of links), nor a
picture's caption closed by its credit ("… (Image: Getty)", "… Photo: Jane Doe") left among the
paragraphs. Nor is what trails the story's last paragraph when it is only headings, one- to
three-word list items (the start of an author box or a list of tags, "About the author",
"Agriculture", whose body was left out) and short calls addressed to the reader to subscribe,
sign up or follow the outlet ("Sign up to our newsletter today!").
"""

from __future__ import annotations

import re
from collections import Counter

from .segment import Segment

# A closing arrow or ellipsis: what marks "Continue reading <title> →" as a link, not a sentence.
_ARROW = r"\s*(?:[→»›]|\.\.\.|…)"
_END = rf"(?:{_ARROW}|\s*[.:!])?\s*"
_NAME = r".{1,200}"  # a publication's name or address, maybe with a date
_SITE = r".{1,100}"  # a site's name
_TITLE = r".{1,300}?"  # a story's headline

_PATTERNS = (
    r"source link",
    # The WordPress (Yoast) feed footer, in English, German, French and Spanish.
    rf"the (?:post|article|story|entry) {_TITLE} (?:appeared first|first appeared) on {_SITE}",
    rf"der (?:beitrag|artikel) {_TITLE} erschien zuerst auf {_SITE}",
    rf"l'article {_TITLE} est apparu en premier sur {_SITE}",
    rf"la entrada {_TITLE} se public[oó] primero en {_SITE}",
    rf"(?:this (?:article|story|post|piece) (?:was |is |has been )?)"
    rf"(?:first|originally) (?:published|posted|appeared) {_NAME}",
    rf"originally (?:published|posted|appeared) (?:at|on|in|by) {_NAME}",
    rf"(?:dieser|der) (?:artikel|beitrag|text) erschien (?:zuerst|erstmals) (?:auf|bei|in|im) {_NAME}",
    rf"read more(?: (?:at|on|via) {_NAME})?",
    rf"read the (?:full|whole|original) (?:article|story|post|piece)(?: (?:at|on|via|here) {_NAME})?",
    rf"(?:continue|keep) reading(?: (?:this (?:article|story|post) )?(?:at|on|via) {_NAME}"
    rf"| {_TITLE}{_ARROW}| ?[\"“']{_TITLE}[\"”'])?",
    r"weiterlesen|mehr lesen|lesen sie weiter|lire la suite|continuer la lecture"
    r"|seguir leyendo|sigue leyendo|leer m[aá]s",
)
_LINE = re.compile("|".join(f"(?:{p}){_END}" for p in _PATTERNS), re.IGNORECASE)
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
MAX_CHARS = 500  # longer text is a paragraph of the story, whatever its first words
_AD_LABEL = re.compile(
    r"[\W_]*(?:advertisements?|advertising|advert|sponsored(?: content)?|anzeige|werbung|publicit[ée]"
    r"|publicidad|pubblicit[aà]|reklama"
    r"|(?:the )?(?:story|article|text) continues (?:below|after) (?:this )?(?:advertisement|ad))[\W_]*",
    re.IGNORECASE)
_TRAILING_ITEM_WORDS = 3

# A pointer to another story set inside this one: "Read also: <headline>", "Lea también: ...",
# "Lesen Sie auch: ...", or the label alone over a box of links. Never the story's own words.
_TEASER_LABELS = (
    r"(?:read|see) also|also (?:read|see)|read more|more on this(?: story| topic)?|related(?: stories"
    r"| articles?| news| coverage| content| posts?| reading)?|recommended(?: reading| for you)?"
    r"|you (?:may|might) also (?:like|be interested in)|don'?t miss(?: this)?|must read|top stories"
    r"|lesen sie (?:auch|mehr)|lies auch|auch interessant|mehr zum thema|siehe auch"
    r"|das (?:thema )?k[öo]nnte (?:sie|dich) auch interessieren"
    r"|(?:[àa] )?lire (?:aussi|[ée]galement)|(?:[àa] )?voir aussi|sur le m[êe]me sujet"
    # "Lea" and "Mire" alone are left out: an interview's "Lea: ..." is the story's own.
    r"|lea (?:tambi[ée]n|adem[aá]s|m[aá]s)|lee tambi[ée]n|vea tambi[ée]n|le puede interesar"
    r"|te puede interesar|noticias? relacionadas?|leia (?:tamb[ée]m|mais)|veja tamb[ée]m|saiba mais"
    r"|leggi anche|vedi anche|czytaj (?:te[zż]|tak[zż]e|r[oó]wnie[zż])|zobacz (?:te[zż]|tak[zż]e)"
    r"|przeczytaj (?:te[zż]|tak[zż]e)|lees ook|zie ook"
)
_TEASER = re.compile(rf"[\W_]*(?:{_TEASER_LABELS})(?:\s*[:|\u2013\u2014>»›]+\s*\S.{{0,250}}|\s*[:.!?\u2026]*)",
                     re.IGNORECASE)
_TEASER_MAX_WORDS = 40
# A call to subscribe, sign up, download the app or follow the outlet, addressed to the reader:
# what trails a story. Both a call and an address ("our", "you", "now", "jetzt", ...) must be there.
_CALL = re.compile(
    r"newsletter|subscri(?:be|ption)|sign(?:ing)? up|download|follow us|join us|share (?:this|it)\b"
    r"|telegram|whatsapp|abonnier|abonnez|abone|inscri(?:vez|bete|ba)|suscr[ií]b|[úu]nete|folgen sie"
    r"|folge uns|assine|iscriviti|zapisz si|obserwuj", re.IGNORECASE)
_ADDRESS = re.compile(
    r"\b(?:our|us|you|your|now|today|here|unser\w*|sie|dich|jetzt|hier|nuestr\w*|ahora|aqu[ií]"
    r"|notre|nos|vous|ici|nosso|nossa|agora|nostr\w*|ora|nasz\w*)\b", re.IGNORECASE)
_CALL_MAX_WORDS = 25
# A photo credit closing a caption left in the body: "(Image: GETTY)", "Photo: Jane Doe".
_CREDIT = re.compile(
    r"(?:\((?:images?|photos?|pictures?|fotos?|bild|credit|source|quelle)\s*:[^)\n|]{0,60}\)"
    r"|\b(?:photos?|images?|fotos?|bild|credits?)\s*:[ \t]*[^.!?\n|:]{1,60}"
    r"|getty images|shutterstock)\s*$", re.IGNORECASE)
_CREDIT_MAX_WORDS = 40


def is_attribution(text: str) -> bool:
    """Whether every line of ``text`` is an attribution or teaser line and nothing else."""
    if not text or len(text) > MAX_CHARS:
        return False
    lines = [" ".join(line.split()).translate(_QUOTES) for line in text.split("\n")]
    lines = [line for line in lines if line]
    return bool(lines) and all(_LINE.fullmatch(line) for line in lines)


def is_ad_label(text: str) -> bool:
    """Whether ``text`` is only an ad slot's label."""
    return len(text) <= 80 and _AD_LABEL.fullmatch(" ".join(text.split())) is not None


def is_teaser(text: str) -> bool:
    """Whether ``text`` is only a pointer to another story ("Read also: ...", "Lea: ...")."""
    if not text or len(text.split()) > _TEASER_MAX_WORDS:
        return False
    return _TEASER.fullmatch(" ".join(text.split()).translate(_QUOTES)) is not None


def is_caption(text: str) -> bool:
    """Whether ``text`` is a short line closed by a photo credit: a picture's caption."""
    return len(text.split()) <= _CREDIT_MAX_WORDS and _CREDIT.search(text[-80:]) is not None


def is_call(text: str) -> bool:
    """Whether ``text`` is a short call to subscribe, sign up, follow or get the app."""
    return (len(text.split()) <= _CALL_MAX_WORDS and _CALL.search(text) is not None
            and _ADDRESS.search(text) is not None)


def drop_labels_and_stubs(kept: list[Segment]) -> list[Segment]:
    """The kept segments without ad labels and pointers to other stories, and without what
    trails the last paragraph but is not the story's: headings and short list items (a box's
    title or tags without their box) and short calls to subscribe or follow."""
    kept = [seg for seg in kept
            if seg.kind == "figure" or not (is_ad_label(seg.text) or is_teaser(seg.text)
                                            or is_caption(seg.text))]
    end = len(kept)
    while end > 0:
        seg = kept[end - 1]
        stub = seg.kind == "heading" or (
            seg.kind == "item" and len(seg.text.split()) <= _TRAILING_ITEM_WORDS) or (
            seg.kind != "figure" and is_call(seg.text))
        if not stub:
            break
        end -= 1
    if not any(seg.kind == "paragraph" for seg in kept[:end]):
        return kept  # nothing but headings and items: a list page, keep it whole
    return kept[:end]


def drop_attribution(kept: list[Segment]) -> list[Segment]:
    """The kept segments without the attribution lines that open or close the story.

    The story is the kept text in the element that holds most of it (the body container). A
    line before its first segment or after its last (past a standfirst, a byline or a figure
    kept outside it) is dropped when it is an attribution line; one between two of its
    segments stays. Returns the list unchanged when there is none.
    """
    marked = [seg.kind != "figure" and is_attribution(seg.text) for seg in kept]
    if not any(marked):
        return kept
    story = _story(kept, marked)
    first, last = (story[0], story[-1]) if story else (len(kept), -1)
    return [seg for i, seg in enumerate(kept) if not marked[i] or first <= i <= last]


def _story(kept: list[Segment], marked: list[bool]) -> list[int]:
    """Indexes of the text segments, attribution lines aside, inside the body container."""
    text = [i for i, seg in enumerate(kept) if not marked[i] and seg.kind != "figure"]
    weight: Counter[int] = Counter()
    for i in text:
        if len(kept[i].path) > 1:
            weight[kept[i].path[-2]] += len(kept[i].text)  # path[-1] is the segment's own element
    if not weight:
        return text
    body = weight.most_common(1)[0][0]
    return [i for i in text if body in kept[i].path[:-1]]
