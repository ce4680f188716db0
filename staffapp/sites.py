"""The staff portal: Django's admin site, with pages contributed by each app's ``portal.py``.

There are no ORM models to register, so apps register plain views as pages. The index is the
dashboard: the panels apps register (``register_panel``) that the signed-in staff member's roles
allow, each re-fetched alone from ``dashboard/<panel>/`` when a live event makes it stale, and below
them the sections and pages those roles allow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.text import slugify

from autolab import login_guard
from autolab.permissions import Permission, StaffIdentity, staff_of, staff_required
from staffapp import pwa


@dataclass(frozen=True)
class PortalPage:
    section: str
    title: str
    route: str
    name: str
    view: Callable[..., Any]
    permissions: tuple[Permission, ...]
    in_index: bool
    order: int

    def allowed_for(self, staff: StaffIdentity | None) -> bool:
        if staff is None:
            return False
        return not self.permissions or any(staff.has(perm) for perm in self.permissions)


PanelContext = Callable[[StaffIdentity], dict[str, Any]]


@dataclass(frozen=True)
class DashboardPanel:
    """A box of the dashboard: ``context(staff)`` reads what it shows (through the app's selectors,
    by key or index), ``template`` renders its body. ``refresh_on`` names the live events (their
    ``type``) after which the open dashboard fetches the body again."""

    name: str
    title: str
    template: str
    context: PanelContext
    permissions: tuple[Permission, ...]
    refresh_on: tuple[str, ...]
    order: int

    def allowed_for(self, staff: StaffIdentity | None) -> bool:
        return staff is not None and (not self.permissions or any(staff.has(perm) for perm in self.permissions))


RecordPanelContext = Callable[[HttpRequest, Any], dict[str, Any] | None]


@dataclass(frozen=True)
class RecordPanel:
    """A section another app adds to a record's page (the inspection beside its appointment), so the
    page's app never imports the contributing one. ``context(request, record)`` reads what it shows
    (None: nothing to show this member on this record); ``template`` renders it."""

    record_type: str
    name: str
    template: str
    context: RecordPanelContext
    order: int


class StaffPortalSite(AdminSite):
    site_header = "Auto Lab Solutions staff portal"
    site_title = "Auto Lab staff"
    index_title = "Staff portal"
    enable_nav_sidebar = False
    index_template = "staffapp/index.html"  # "Recent actions" from the audit trail

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name=name)
        self._pages: list[PortalPage] = []
        self._panels: dict[str, DashboardPanel] = {}
        self._record_panels: dict[tuple[str, str], RecordPanel] = {}

    def register_page(
        self,
        *,
        section: str,
        title: str,
        route: str,
        name: str,
        permissions: tuple[Permission, ...] = (),
        in_index: bool = True,
        order: int = 100,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: serve ``view`` at /admin/<route> to staff holding any of ``permissions``."""

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            page = PortalPage(section, title, route, name, view, tuple(permissions), in_index, order)
            self._pages = [existing for existing in self._pages if existing.name != name] + [page]
            return view

        return decorator

    def pages(self) -> list[PortalPage]:
        return sorted(self._pages, key=lambda page: (page.order, page.title))

    def register_panel(
        self,
        *,
        name: str,
        title: str,
        template: str,
        permissions: tuple[Permission, ...] = (),
        refresh_on: tuple[str, ...] = (),
        order: int = 100,
    ) -> Callable[[PanelContext], PanelContext]:
        """Decorator: ``context(staff)`` feeds the dashboard panel ``name`` for staff holding any of
        ``permissions``."""

        def decorator(context: PanelContext) -> PanelContext:
            self._panels[name] = DashboardPanel(
                name, title, template, context, tuple(permissions), tuple(refresh_on), order
            )
            return context

        return decorator

    def panels_for(self, staff: StaffIdentity | None) -> list[DashboardPanel]:
        panels = [panel for panel in self._panels.values() if panel.allowed_for(staff)]
        return sorted(panels, key=lambda panel: (panel.order, panel.title))

    def register_record_panel(
        self, *, record_type: str, name: str, template: str, order: int = 100
    ) -> Callable[[RecordPanelContext], RecordPanelContext]:
        """Decorator: ``context(request, record)`` feeds the section ``name`` of every ``record_type``
        page that renders ``{% record_panels record_type record %}``."""

        def decorator(context: RecordPanelContext) -> RecordPanelContext:
            self._record_panels[(record_type, name)] = RecordPanel(record_type, name, template, context, order)
            return context

        return decorator

    def render_record_panels(self, request: HttpRequest, record_type: str, record: Any) -> list[str]:
        """The bodies of ``record_type``'s panels that have something to show on ``record``, in order."""
        panels = sorted(
            (panel for panel in self._record_panels.values() if panel.record_type == record_type),
            key=lambda panel: (panel.order, panel.name),
        )
        bodies: list[str] = []
        for panel in panels:
            context = panel.context(request, record)
            if context is not None:
                bodies.append(render_to_string(panel.template, {**context, "record": record}, request=request))
        return bodies

    def render_panel(self, request: HttpRequest, panel: DashboardPanel) -> str:
        """The panel's body as it stands now (the index and the panel's own URL render the same)."""
        context = {**panel.context(staff_required(request)), "panel": panel}
        return render_to_string(panel.template, context, request=request)

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        panels = [
            {"panel": panel, "body": self.render_panel(request, panel)} for panel in self.panels_for(staff_of(request))
        ]
        return super().index(request, {"panels": panels, **(extra_context or {})})

    def dashboard_panel(self, request: HttpRequest, panel: str) -> HttpResponse:
        """One panel's body, for the open dashboard to swap in: 404 for a panel nobody registered,
        403 for one the member's roles do not show."""
        found = self._panels.get(panel)
        if found is None:
            raise Http404("No such dashboard panel")
        if not found.allowed_for(staff_of(request)):
            raise PermissionDenied
        return HttpResponse(self.render_panel(request, found))  # admin_view: never cached

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """Django's login, with failed attempts throttled per address and per account."""
        if request.method != "POST":
            return super().login(request, extra_context)
        ip, email = login_guard.client_ip(request.META), request.POST.get("username", "")
        if login_guard.is_locked(ip, email):
            context = {**self.each_context(request), "title": "Log in", "locked_out": True}
            return TemplateResponse(request, "staffapp/login_locked.html", context, status=429)
        response = super().login(request, extra_context)
        if response.status_code == 302:
            login_guard.reset(ip, email)
        else:
            login_guard.record_failure(ip, email)
        return response

    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and staff_of(request) is not None

    def _guarded(self, page: PortalPage) -> Callable[..., Any]:
        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not page.allowed_for(staff_of(request)):
                raise PermissionDenied
            return page.view(request, *args, **kwargs)

        view.__name__ = getattr(page.view, "__name__", page.name)
        return self.admin_view(view)

    def get_urls(self) -> list[URLResolver | URLPattern]:
        # Registration order, not display order: an app lists specific routes before general ones.
        pages: list[URLResolver | URLPattern] = [
            path(page.route, self._guarded(page), name=page.name) for page in self._pages
        ]
        panel = path("dashboard/<slug:panel>/", self.admin_view(self.dashboard_panel), name="dashboard-panel")
        app = [  # the installable app: no login, a browser fetches them without the session
            path("manifest.webmanifest", pwa.manifest, name="pwa-manifest"),
            path("service-worker.js", pwa.service_worker, name="pwa-service-worker"),
        ]
        return [*app, *pages, panel, *super().get_urls()]

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        staff = staff_of(request)
        sections: dict[str, dict[str, Any]] = {}
        for page in self.pages():
            if not page.in_index or not page.allowed_for(staff):
                continue
            url = reverse(f"{self.name}:{page.name}")
            section = sections.setdefault(page.section, self._section(page.section, url))
            section["models"].append(
                {
                    "name": page.title,
                    "object_name": page.name,
                    "admin_url": url,
                    "add_url": None,
                    "view_only": True,
                    "perms": {"view": True},
                }
            )
        return list(sections.values())

    @staticmethod
    def _section(title: str, url: str) -> dict[str, Any]:
        return {"name": title, "app_label": slugify(title), "app_url": url, "has_module_perms": True, "models": []}

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        # "View site" opens the customer website (the portal's own "/" is no page).
        context["site_url"] = settings.FRONTEND_ROOT_URL
        context["staff"] = staff_of(request) if request.user.is_authenticated else None
        return context


portal_site = StaffPortalSite()
