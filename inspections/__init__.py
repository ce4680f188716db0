"""Digital inspection reports (#15, ARCHITECTURE.md §8): checklist templates per service plan, an
inspection per appointment filled on a phone, and the branded PDF added to the appointment's reports."""
