"""Inspection pages of the staff portal: checklists (ADMIN), the reports awaiting review, a car's
inspections and their comparison, and the fill page a mechanic uses on site; plus the inspection's
section of the appointment page. Importing the modules registers them; specific routes
(``inspections/templates/``) come before ``inspections/<appointment_id>/``."""

from inspections.portal import checklists  # noqa: I001  (first: its routes before inspections/<id>/)
from inspections.portal import history, review, fill, panel

__all__ = ["checklists", "fill", "history", "panel", "review"]
