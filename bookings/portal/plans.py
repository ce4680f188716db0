"""The services & plans page of the bookings portal."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from autolab.permissions import Permission, staff_required
from bookings import catalogue, forms, selectors
from bookings.portal.common import page
from staffapp.actions import post_action
from staffapp.rendering import render_page


@page("bookings/catalogue/", "bookings-catalogue", "Services & plans", (Permission.CATALOGUE_MANAGE,), order=50)
@require_http_methods(["GET", "POST"])
def catalogue_page(request: HttpRequest) -> HttpResponse:
    plans = selectors.service_price_list()
    editing = _plan_initial(request, plans)
    form = forms.PlanForm(request.POST or None, initial=editing)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = post_action(
            request,
            lambda: catalogue.service_plan_save(
                **{**data, "features": data["features"].splitlines()}, actor=staff_required(request)
            ),
            success=lambda plan: f"Saved {plan.service_name}: {plan.plan_name}.",
            redirect_to="admin:bookings-catalogue",
            form=form,
        )
        if done:
            return done
    return render_page(
        request, "bookings/catalogue.html", {"plans": plans, "form": form, "editing": editing}, title="Services & plans"
    )


def _plan_initial(request: HttpRequest, plans: list) -> dict[str, Any]:
    wanted = request.GET.get("edit", "")
    plan = next((p for p in plans if f"{p.service_id}:{p.plan_id}" == wanted), None)
    if plan is None:
        return {"active": True, "duration_minutes": 120}
    return {
        "service_id": plan.service_id,
        "plan_id": plan.plan_id,
        "service_name": plan.service_name,
        "plan_name": plan.plan_name,
        "price": plan.price,
        "duration_minutes": plan.duration_minutes,
        "features": "\n".join(plan.features or []),
        "active": plan.active,
    }
