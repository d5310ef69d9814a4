"""The review page's HTTP side (Starlette): thin handlers over ``pages``, ``saving`` and ``edits``.

Safety: only ``127.0.0.1``/``localhost`` Host headers are served (no DNS rebinding);
every request needs the session token (from the link printed at start, then an
HttpOnly SameSite=Strict cookie); every write also carries the token in its form and
must come from the page's own origin; every response has a strict Content-Security-
Policy (no inline script or style, nothing from other origins) and no referrer.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import escape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pipeline.errors import ConflictError, DigestError, EditError, FormError, RunLockedError
from pipeline.review.drafts import read_record
from pipeline.review.web import pages, saving
from pipeline.review.web.dates import list_dates
from pipeline.review.web.markup import safe_link

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
MAX_BODY = 8_000_000  # bytes of a form: a 2 MB draft, percent-encoded
MAX_FIELDS = 16
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # no referrer leaves the page; Origin stays set
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
Handler = Callable[[Request], Awaitable[Response]]


def make_env() -> Environment:
    """Jinja2 for the page's HTML: everything escaped unless marked safe by the view."""
    env = Environment(
        loader=PackageLoader("pipeline.review.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.tests["web"] = lambda url: isinstance(url, str) and safe_link(url)
    return env


class Guard(BaseHTTPMiddleware):
    """Token check for every request, and the security headers on every response."""

    def __init__(self, app: Any, token: str, cookie: str) -> None:
        super().__init__(app)
        self.token, self.cookie = token, cookie

    async def dispatch(self, request: Request, call_next: Handler) -> Response:
        offered = request.query_params.get("token")
        if offered is not None and _same(offered, self.token):
            response: Response = RedirectResponse(_without_token(request), status_code=303)
            response.set_cookie(self.cookie, self.token, httponly=True, samesite="strict", path="/")
        elif not _same(request.cookies.get(self.cookie, ""), self.token):
            response = _forbidden(request)
        else:
            response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _without_token(request: Request) -> str:
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
    return request.url.path + (f"?{urlencode(query)}" if query else "")


def _forbidden(request: Request) -> Response:
    env: Environment = request.app.state.env
    html = env.get_template("forbidden.html.j2").render()
    return HTMLResponse(html, status_code=403)


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page from its template, with the token for forms."""
    env: Environment = request.app.state.env
    html = env.get_template(name).render(token=request.app.state.token, request=request, **context)
    return HTMLResponse(html, status_code=status)


def fail(request: Request, message: str, status: int, **context: Any) -> HTMLResponse:
    """A page that says what went wrong and what to do."""
    return render(request, "error.html.j2", status=status, message=message, **context)


async def read_form(request: Request) -> dict[str, str]:
    """A bounded url-encoded form from the page itself, token checked."""
    if request.headers.get("content-type", "").split(";")[0] != "application/x-www-form-urlencoded":
        raise FormError("a form must be sent url-encoded")
    origin = request.headers.get("origin")
    if origin is not None and origin not in _origins(request):
        raise FormError("this form was not sent from the review page")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise FormError(f"the form is over {MAX_BODY // 1_000_000} MB")
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise FormError(f"the form is malformed: {exc}") from None
    form = {k: v[0] for k, v in fields.items()}
    if not _same(form.get("token", ""), request.app.state.token):
        raise FormError("the form's token is missing or wrong; reload the page")
    return form


def _origins(request: Request) -> set[str]:
    port = request.url.port
    return {f"http://{host}:{port}" for host in ALLOWED_HOSTS}


# --- handlers ---------------------------------------------------------------------------


async def home(request: Request) -> Response:
    """The default format's list, or the date the server was started for."""
    start = request.app.state.start
    return RedirectResponse(start, status_code=303)


async def no_icon(request: Request) -> Response:
    """No favicon: the page loads nothing it does not need."""
    return Response(status_code=204)


async def dates(request: Request) -> Response:
    """The list of dates of a format."""
    fmt = request.path_params["fmt"]
    if fmt not in pages.FORMATS:
        return fail(request, f"no format {fmt!r}", 404)
    site = request.app.state.site
    rows = list_dates(site.output_dir, fmt, site.publication)
    return render(request, "dates.html.j2", fmt=fmt, rows=rows, formats=pages.FORMATS)


async def draft(request: Request) -> Response:
    """A draft beside the sources of the selected story."""
    fmt, stem = request.path_params["fmt"], request.path_params["stem"]
    site: pages.Site = request.app.state.site
    try:
        page = pages.load_draft(site, fmt, stem)
    except DigestError as exc:
        return fail(request, str(exc), 404, fmt=fmt)
    address = request.query_params.get("story") or next((u.address for u in page.view.units()), "")
    sources = _sources_or_none(site, page, address)
    return render(request, "draft.html.j2", page=page, sources=sources, selected=address)


def _sources_or_none(site: pages.Site, page: pages.DraftPage, address: str) -> Any:
    try:
        return pages.sources_of(site, page, address) if address else None
    except DigestError:
        return None


async def sources(request: Request) -> Response:
    """The source pane of one story (the page swaps it in without a reload)."""
    fmt, stem = request.path_params["fmt"], request.path_params["stem"]
    site: pages.Site = request.app.state.site
    try:
        page = await run_in_threadpool(pages.load_draft, site, fmt, stem, lint=False)
        pane = await run_in_threadpool(pages.sources_of, site, page, request.path_params["address"])
    except DigestError as exc:
        return HTMLResponse(f'<p class="error">{escape(str(exc))}</p>', status_code=404)
    return render(request, "sources.html.j2", sources=pane, page=page)


async def record(request: Request) -> Response:
    """The run behind a draft: failures, dropped articles with reasons, notes, numbers."""
    fmt, stem = request.path_params["fmt"], request.path_params["stem"]
    try:
        _, record_path = pages.draft_paths(request.app.state.site, fmt, stem)
    except DigestError as exc:
        return fail(request, str(exc), 404)
    data = read_record(record_path)
    parts = pages.record_parts(data)
    return render(
        request, "record.html.j2", fmt=fmt, stem=stem, record=data, path=record_path, **parts
    )


async def edit(request: Request) -> Response:
    """The Markdown editor, with the lint messages of the text on disk."""
    fmt, stem = request.path_params["fmt"], request.path_params["stem"]
    try:
        page = pages.load_draft(request.app.state.site, fmt, stem)
    except DigestError as exc:
        return fail(request, str(exc), 404, fmt=fmt)
    saved = request.query_params.get("saved")
    return render(request, "edit.html.j2", page=page, text=page.text, base=page.sha256, saved=saved)


async def save(request: Request) -> Response:
    """Save the editor's Markdown (refused if the file changed since it was opened)."""
    fmt, stem = request.path_params["fmt"], request.path_params["stem"]
    site: pages.Site = request.app.state.site
    form: dict[str, str] = {}
    try:
        form = await read_form(request)
        markdown, _ = pages.draft_paths(site, fmt, stem)
        key = saving.lock_key(fmt, stem)
        result = await run_in_threadpool(
            saving.save_text,
            markdown,
            form.get("text", ""),
            form.get("base", ""),
            data_dir=site.data_dir,
            key=key,
            publication=site.publication,
        )
    except ConflictError as exc:
        return _conflict(request, fmt, stem, str(exc), exc.disk_text, form.get("text", ""))
    except RunLockedError as exc:
        return _locked(request, fmt, stem, str(exc), form.get("text", ""), form.get("base", ""))
    except DigestError as exc:  # the editor's text is shown back: nothing typed is lost
        return fail(request, str(exc), 400, fmt=fmt, stem=stem, text=form.get("text"))
    flag = "1" if result.changed else "same"
    return RedirectResponse(f"/{fmt}/{stem}/edit?saved={flag}", status_code=303)


def _conflict(
    request: Request, fmt: str, stem: str, message: str, disk: str, mine: str
) -> Response:
    page = pages.load_draft(request.app.state.site, fmt, stem)
    return render(
        request,
        "edit.html.j2",
        status=409,
        page=page,
        text=saving.normalize(mine),
        base=page.sha256,
        conflict=message,
        diff=pages.conflict_diff(disk, saving.normalize(mine)),
    )


def _locked(request: Request, fmt: str, stem: str, message: str, mine: str, base: str) -> Response:
    page = pages.load_draft(request.app.state.site, fmt, stem)
    text = saving.normalize(mine)
    return render(
        request, "edit.html.j2", status=409, page=page, text=text, base=base, locked=message
    )


async def action(request: Request) -> Response:
    """One editor action on the draft (drop, move, 更多动态, resolve a marker, undo)."""
    fmt, stem = request.path_params["fmt"], request.path_params["stem"]
    site: pages.Site = request.app.state.site
    try:
        form = await read_form(request)
        markdown, _ = pages.draft_paths(site, fmt, stem)
        await run_in_threadpool(_act, site, markdown, fmt, stem, form)
    except ConflictError as exc:
        return fail(request, f"{exc}: reload the page and try again", 409, fmt=fmt, stem=stem)
    except (FormError, EditError) as exc:
        return fail(request, str(exc), 400, fmt=fmt, stem=stem)
    except DigestError as exc:
        return fail(request, str(exc), 409, fmt=fmt, stem=stem)
    anchor = form.get("next", "")
    return RedirectResponse(f"/{fmt}/{stem}{_next(anchor)}", status_code=303)


def _act(site: pages.Site, markdown: Path, fmt: str, stem: str, form: dict[str, str]) -> None:
    """Undo, or apply one action to the text on disk and save it (blocking: run in a thread)."""
    key, base = saving.lock_key(fmt, stem), form.get("base", "")
    if form.get("action") == "undo":
        saving.undo(markdown, base, data_dir=site.data_dir, key=key, publication=site.publication)
        return
    text, _ = saving.read_current(markdown)
    new = pages.apply_action(site, text, fmt, form)
    saving.save_text(
        markdown, new, base, data_dir=site.data_dir, key=key, publication=site.publication
    )


def _next(anchor: str) -> str:
    """Where to go back to after an action: a story or flag of the same page, nothing else."""
    safe = "".join(ch for ch in anchor if ch.isalnum() or ch in "-.")
    return f"?story={safe}#u-{safe}" if safe else ""


def create_app(site: pages.Site, token: str, *, start: str = "/daily/", port: int = 0) -> Starlette:
    """The review web app over a site; ``token`` protects every request."""
    routes = [
        Route("/", home),
        Route("/favicon.ico", no_icon),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
        Route("/{fmt}/", dates),
        Route("/{fmt}/{stem}", draft),
        Route("/{fmt}/{stem}/edit", edit),
        Route("/{fmt}/{stem}/record", record),
        Route("/{fmt}/{stem}/sources/{address}", sources),
        Route("/{fmt}/{stem}/save", save, methods=["POST"]),
        Route("/{fmt}/{stem}/action", action, methods=["POST"]),
    ]
    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=ALLOWED_HOSTS),
        Middleware(Guard, token=token, cookie=f"digest_review_{port}"),
    ]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.site, app.state.token, app.state.start = site, token, start
    app.state.env = make_env()
    return app
