"""Print-faithful output of an issue: one IssueDocument, three renderings (HTML, PDF, DOCX).

``selectors.issue_document(issue)`` reads the database once and returns plain frozen
dataclasses (``document``); the renderers in ``html``, ``pdf`` and ``docx`` are pure functions
of that value, so the three outputs cannot disagree. ``archive`` keeps the signed PDF.
"""
