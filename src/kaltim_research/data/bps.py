"""BPS WebAPI client: ``kaltim-research data fetch bps``.

What the API looks like is documented in ``../shared/data/bps_webapi/README.md`` (URL styles,
reply envelopes, the ``datacontent`` key rule, ``tahun`` = year − 1900, ``turtahun`` 13 =
annual, not-available and error replies, the firewall page a client without a browser
User-Agent gets, paging). This module:

* builds URLs in the path style (``.../list/model/var/lang/ind/domain/6400/key/KEY/``) and the
  query style; :func:`redact` removes the key from every URL that is shown or stored;
* sends every request through one :class:`httpx.Client` with a browser User-Agent (the BPS
  "Perimeter WAF Block" answers bare clients with an HTML page) and turns each failure into a
  :class:`BpsError` of a named kind (``missing_key``, ``http``, ``blocked``, ``bad_reply``,
  ``api_error``, ``not_available``, ``wrong_domain``);
* reads lists page by page, parses dynamic tables by the ``datacontent`` key rule, and reads
  static tables (HTML-escaped HTML) with a small standard-library table reader;
* discovers a province's export variables by listing its variables and matching titles.

The key comes only from the ``BPS_API_KEY`` environment variable. It is never printed, logged,
stored in a snapshot or put in an error message. Tests run offline with
:class:`httpx.MockTransport` serving recorded replies (``tests/fixtures/bps/``).

Why not BPS's own ``stadata`` package (PyPI 1.0.0): it sends no User-Agent (blocked by the
firewall), turns a non-200 reply into a warning and returns ``None``, parses replies with
``res.json()`` (an HTML or truncated reply raises a bare JSONDecodeError), fetches lists of
tables from third-party gists at run time and skips the last page of press releases; the
failure replies this workbook must tell apart are not handled, so a thin httpx client is used.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import logging
import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import httpx

BASE_URL = "https://webapi.bps.go.id/v1/api/"
KEY_ENV = "BPS_API_KEY"
#: A browser User-Agent: the BPS web firewall blocks clients that do not send one
#: (Borneo_Tracker field notes, 2026-06-23). The project is named so BPS can tell who calls.
USER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/126.0 Safari/537.36 kaltim-research")
DOMAINS = {"6400": "Kalimantan Timur", "6500": "Kalimantan Utara"}
#: The official package asks for this many rows per page to avoid paging; we still follow
#: ``pages`` in case the server caps it.
PER_PAGE = 1000
#: Bounds on what one fetch may cost (judgement: a BPS reply is a few KB to ~1 MB; a
#: province has a few hundred variables, i.e. one page of 1000): beyond them the reply is
#: refused, never buffered or followed without end.
MAX_REPLY_BYTES = 10_000_000
MAX_PAGES = 50
DEADLINE_S = 300.0
MAX_COLSPAN = 200
MAX_REDIRECTS = 3
EXPORT_TITLE = re.compile(r"\bekspor\b|\bexport", re.IGNORECASE)
VALUE_TITLE = re.compile(r"nilai|value", re.IGNORECASE)


class BpsError(Exception):
    """A failed call, with a kind the caller can act on and a message without the key."""

    def __init__(self, kind: str, message: str):
        self.kind = kind
        super().__init__(message)


def api_key(environ: dict[str, str] | None = None) -> str:
    """The key from ``BPS_API_KEY``; a BpsError naming the variable if it is not set."""
    key = (environ if environ is not None else os.environ).get(KEY_ENV, "").strip()
    if not key:
        raise BpsError("missing_key", f"{KEY_ENV} is not set: register at "
                       "https://webapi.bps.go.id/developer/ for an application ID and run "
                       f"`export {KEY_ENV}=...` (the key is never written to disk)")
    return key


def check_domain(domain: str) -> str:
    d = str(domain).strip()
    if d not in DOMAINS:
        raise BpsError("wrong_domain", f"domain {d!r} is not a province of this workbook; "
                       "expected 6400 (Kalimantan Timur) or 6500 (Kalimantan Utara)")
    return d


def path_url(kind: str, model: str, domain: str, key: str, lang: str = "ind",
             **params: Any) -> str:
    """Path-style URL: ``{BASE}{kind}/model/{model}/lang/{lang}/domain/{d}/{k}/{v}/key/{KEY}/``."""
    parts = [kind, "model", model, "lang", lang, "domain", domain]
    for k, v in params.items():
        if v is not None and v != "":
            parts += [k, str(v)]
    return BASE_URL + "/".join(parts) + f"/key/{key}/"


def query_url(model: str, domain: str, key: str, lang: str = "ind", **params: Any) -> str:
    """Query-style URL: ``{BASE}list?model=...&domain=...&...&key=KEY``."""
    q = {"model": model, "domain": domain, "lang": lang,
         **{k: v for k, v in params.items() if v is not None and v != ""}, "key": key}
    return BASE_URL + "list?" + urlencode(q)


def redact(text: str, key: str | None) -> str:
    """The text with the key replaced by ``{KEY}`` (path and query styles)."""
    out = str(text)
    if key:
        out = out.replace(key, "{KEY}")
    out = re.sub(r"(/key/)[^/?#]+", r"\1{KEY}", out)
    return re.sub(r"([?&]key=)[^&#]+", r"\1{KEY}", out)


class _RedactKey(logging.Filter):
    """httpx logs every request URL at INFO; the key is part of the URL, so redact it in
    every record of the HTTP loggers before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        clean = redact(text, None)
        if clean != text:
            record.msg, record.args = clean, ()
        return True


_REDACT = _RedactKey()


def _guard_http_logs() -> None:
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if _REDACT not in logger.filters:
            logger.addFilter(_REDACT)


@dataclass(frozen=True)
class Reply:
    """One reply: the URL without the key, when it came, its bytes, sha256 and payload."""

    url: str
    retrieved: str
    body: bytes
    sha256: str
    payload: dict[str, Any]

    @property
    def available(self) -> bool:
        return self.payload.get("data-availability") == "available"


def parse_reply(body: bytes, url: str, content_type: str = "") -> dict[str, Any]:
    """Check a reply's shape; raise a BpsError of the right kind (README, 'Reply envelopes')."""
    head = body.lstrip()[:200].lower()
    if "html" in content_type.lower() or head.startswith(b"<"):
        blocked = b"waf" in body.lower() or b"blocked" in body.lower()
        raise BpsError("blocked", f"{url}: an HTML page came back instead of JSON"
                       + (" (the BPS web firewall blocked the request; it needs a browser "
                          "User-Agent and may block a busy address for a while)" if blocked
                          else " (maintenance or a changed address?)"))
    try:
        payload = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BpsError("bad_reply", f"{url}: reply is not UTF-8 ({exc})") from None
    except json.JSONDecodeError as exc:
        raise BpsError("bad_reply", f"{url}: reply is not complete JSON ({exc.msg} at byte "
                       f"{exc.pos} of {len(body)}; truncated download?)") from None
    if not isinstance(payload, dict) or "status" not in payload:
        raise BpsError("bad_reply", f"{url}: reply has no 'status'; not a BPS WebAPI reply")
    if payload["status"] != "OK":
        raise BpsError("api_error", f"{url}: BPS WebAPI error: "
                       f"{payload.get('message', payload['status'])}")
    return payload


@dataclass
class BpsClient:
    """A thin client; pass ``transport`` (e.g. :class:`httpx.MockTransport`) in tests.

    The key goes in the URL: the BPS WebAPI documents no header for it (README, "URL styles"),
    so it cannot go in a header; it is therefore redacted from every message, stored URL and
    reply (:func:`redact`), and a redirect to another host is refused rather than followed
    with the key in the URL. Replies are streamed with a byte cap, and all calls of one client
    share an overall deadline."""

    key: str
    transport: httpx.BaseTransport | None = None
    timeout: float = 60.0
    lang: str = "ind"
    replies: list[Reply] = field(default_factory=list)
    deadline_s: float = DEADLINE_S
    max_bytes: int = MAX_REPLY_BYTES

    def __post_init__(self) -> None:
        import time

        _guard_http_logs()
        self._http = httpx.Client(transport=self.transport, timeout=self.timeout,
                                  follow_redirects=False,
                                  headers={"User-Agent": USER_AGENT,
                                           "Accept": "application/json"})
        self._t0 = time.monotonic()

    def _left(self, shown: str) -> float:
        import time

        left = self.deadline_s - (time.monotonic() - self._t0)
        if left <= 0:
            raise BpsError("http", f"{shown}: the fetch took longer than {self.deadline_s:g} s "
                           "in all; stopped (try again later or fetch fewer variables)")
        return left

    def _download(self, url: str, shown: str) -> tuple[int, bytes, str, str]:
        """(status, body, content type, final URL) with redirects on the same host only."""
        import time
        from urllib.parse import urljoin, urlsplit

        host = urlsplit(url).hostname
        for _hop in range(MAX_REDIRECTS + 1):
            left = self._left(shown)
            with self._http.stream("GET", url, timeout=min(self.timeout, left)) as r:
                if r.is_redirect:
                    target = urljoin(url, r.headers.get("location", ""))
                    parts = urlsplit(target)
                    if parts.hostname != host or parts.scheme != "https" and \
                            urlsplit(url).scheme == "https":
                        raise BpsError("http", f"{shown}: HTTP {r.status_code} redirect to "
                                       f"{parts.scheme}://{parts.hostname}/ refused (another "
                                       "host or plain http; the key would travel with it)")
                    url = target
                    continue
                body = bytearray()
                for chunk in r.iter_bytes():
                    body += chunk
                    if len(body) > self.max_bytes:
                        raise BpsError("bad_reply", f"{shown}: reply larger than "
                                       f"{self.max_bytes:,} bytes; stopped reading")
                    if time.monotonic() - self._t0 > self.deadline_s:
                        self._left(shown)
                return r.status_code, bytes(body), r.headers.get("content-type", ""), url
        raise BpsError("http", f"{shown}: more than {MAX_REDIRECTS} redirects")

    def get(self, url: str) -> Reply:
        shown = redact(url, self.key)
        try:
            status, content, ctype, final = self._download(url, shown)
            shown = redact(final, self.key)
            if status != 200:
                if b"<" in content[:200] and status in (403, 406, 429):
                    parse_reply(content, shown, ctype)
                raise BpsError("http", f"{shown}: HTTP {status}")
            payload = parse_reply(content, shown, ctype)
        except httpx.HTTPError as exc:
            raise BpsError("http", f"{shown}: {redact(str(exc), self.key)}") from None
        except BpsError as exc:  # a reply that echoes the key must not print it
            raise BpsError(exc.kind, redact(str(exc), self.key)) from None
        reply = Reply(shown, dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                      content, hashlib.sha256(content).hexdigest(), payload)
        self.replies.append(reply)
        return reply

    # -- lists ----------------------------------------------------------------------------
    def list_rows(self, model: str, domain: str, **params: Any) -> list[dict[str, Any]]:
        """Every row of a paginated list (``data[0]`` page info, ``data[1]`` rows)."""
        rows, page, pages = [], 1, 1
        while page <= pages:
            reply = self.get(path_url("list", model, domain, self.key, self.lang,
                                      perpage=PER_PAGE, page=page, **params))
            if reply.payload.get("data-availability") in ("not-available",
                                                           "list-not-available"):
                return rows
            data = reply.payload.get("data")
            if not (isinstance(data, list) and len(data) == 2 and isinstance(data[1], list)
                    and isinstance(data[0], dict)):
                raise BpsError("bad_reply", f"{reply.url}: list reply without [page info, rows]")
            try:
                pages = int(data[0].get("pages", 1) or 1)
            except (TypeError, ValueError):
                raise BpsError("bad_reply", f"{reply.url}: page info 'pages' is "
                               f"{data[0].get('pages')!r}; expected a whole number") from None
            if pages > MAX_PAGES:
                raise BpsError("bad_reply", f"{reply.url}: the reply claims {pages:,} pages; "
                               f"expected at most {MAX_PAGES} (refused, not followed)")
            if not all(isinstance(r, dict) for r in data[1]):
                raise BpsError("bad_reply", f"{reply.url}: list rows are not objects")
            rows += data[1]
            page += 1
        return rows

    def export_variables(self, domain: str) -> list[dict[str, Any]]:
        """Variables of ``domain`` whose title speaks of exports (value tables first).

        No export variable ID for 6400/6500 is published (README): var IDs are per domain,
        so they are discovered by title."""
        rows = self.list_rows("var", check_domain(domain))
        hits = [r for r in rows if EXPORT_TITLE.search(str(r.get("title", "")))]
        return sorted(hits, key=lambda r: (not VALUE_TITLE.search(str(r["title"])),
                                           int(r.get("var_id", 0))))

    def years(self, domain: str, var: int) -> dict[int, int]:
        """Calendar year -> ``th_id`` for a variable (``th_id`` = year − 1900)."""
        rows = self.list_rows("th", domain, var=var)
        return {int(r["th"]): int(r["th_id"]) for r in rows}

    def dynamic_table(self, domain: str, var: int, th: int | str) -> Reply:
        """One dynamic table; ``th`` may be one id or a range 'a:b' (at most ~2 years)."""
        return self.get(path_url("list", "data", check_domain(domain), self.key, self.lang,
                                 var=var, th=th))

    def static_tables(self, domain: str, keyword: str = "ekspor") -> list[dict[str, Any]]:
        return self.list_rows("statictable", check_domain(domain), keyword=keyword)

    def press_releases(self, domain: str, keyword: str = "ekspor") -> list[dict[str, Any]]:
        return self.list_rows("pressrelease", check_domain(domain), keyword=keyword)

    def view(self, model: str, domain: str, item_id: str) -> Reply:
        return self.get(path_url("view", model, check_domain(domain), self.key, self.lang,
                                 id=item_id))


# --------------------------------------------------------------------------------------------
# parsing
# --------------------------------------------------------------------------------------------

def _split_key(key: str, lists: list[list[str]]) -> list[str] | None:
    """Split ``key`` into one value of each list, left to right, longest match first.

    Segments have no fixed width, so a wrong early choice is undone (backtracking); each
    (position, list) is tried once (memo), so the work is bounded by len(key) × values and a
    hostile reply cannot make it run for minutes."""
    options = [sorted(dict.fromkeys(c for c in lst if c), key=len, reverse=True) for lst in lists]
    failed: set[tuple[int, int]] = set()

    def walk(pos: int, depth: int) -> list[str] | None:
        if depth == len(options):
            return [] if pos == len(key) else None
        if (pos, depth) in failed:
            return None
        for cand in options[depth]:
            if key.startswith(cand, pos):
                rest = walk(pos + len(cand), depth + 1)
                if rest is not None:
                    return [cand, *rest]
        failed.add((pos, depth))
        return None

    return walk(0, 0)


def parse_datacontent(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of a dynamic table: the ``datacontent`` key is ``vervar + var + turvar + tahun +
    turtahun`` (``val``s concatenated); ``tahun`` labels are calendar years."""
    dims = ["vervar", "var", "turvar", "tahun", "turtahun"]
    meta = {d: {str(x["val"]): x for x in payload.get(d) or []} for d in dims}
    missing = [d for d in dims if not meta[d]]
    if missing:
        raise BpsError("bad_reply", "dynamic table without metadata list(s): "
                       + ", ".join(missing))
    rows, bad = [], []
    for key, value in (payload.get("datacontent") or {}).items():
        parts = _split_key(str(key), [list(meta[d]) for d in dims])
        if parts is None:
            bad.append(key)
            continue
        vv, var, tv, th, tt = (meta[d][p] for d, p in zip(dims, parts, strict=True))
        rows.append({"key": key, "vervar": vv["label"], "vervar_val": str(vv["val"]),
                     "var": int(var["val"]), "turvar": str(tv["val"]),
                     "turvar_label": tv["label"], "tahun": str(th["label"]),
                     "turtahun": tt["label"], "turtahun_val": int(tt["val"]), "value": value})
    if bad:
        raise BpsError("bad_reply", f"{len(bad)} datacontent key(s) do not split into the "
                       f"metadata lists, e.g. {bad[0]!r}")
    return rows


class _TableReader(HTMLParser):
    """Cells of every <tr> of an HTML table (colspans repeated as empty cells)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
            span = str(dict(attrs).get("colspan") or "1").strip()
            self._span = int(span) if span.isdigit() else 1
            if not 1 <= self._span <= MAX_COLSPAN:
                raise BpsError("bad_reply", f"static table cell with colspan={span}; expected "
                               f"1 to {MAX_COLSPAN}")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            if not self.rows:
                self.rows.append([])
            self.rows[-1] += [" ".join("".join(self._cell).split())] + [""] * (self._span - 1)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def static_table_cells(payload: dict[str, Any]) -> tuple[str, list[list[str]]]:
    """(title, cells) of a static table view: ``data.table`` is HTML-escaped HTML."""
    data = payload.get("data") or {}
    if not isinstance(data, dict) or "table" not in data:
        raise BpsError("bad_reply", "static table view without data.table")
    reader = _TableReader()
    reader.feed(html.unescape(str(data["table"])))
    title = html.unescape(str(data.get("title", "")))
    return title, [[title]] + [r for r in reader.rows if any(c for c in r)]


def province_rows(rows: list[dict[str, Any]], domain: str) -> list[dict[str, Any]]:
    """The province-total rows, chosen by label (Kaltim's total row is 6499, not 6400)."""
    name = DOMAINS[domain]
    short = {"6400": "kaltim", "6500": "kaltara"}[domain]
    labels = {r["vervar"] for r in rows}
    pick = [lab for lab in labels if name.lower() in lab.lower() or lab.lower() == short
            or lab.lower().startswith(("provinsi", "jumlah", "total"))]
    if len(labels) == 1 and not pick:
        only = next(iter(labels))
        if only.lower() in ("tidak ada", "-", ""):
            pick = [only]
    if not pick:
        raise BpsError("wrong_domain", f"the table has no row for {name} (rows: "
                       f"{', '.join(sorted(labels)[:6])}); the variable may belong to another "
                       "domain")
    return [r for r in rows if r["vervar"] in pick[:1]]
