"""Print-faithful output of an issue: one IssueDocument, three renderings (HTML, PDF, DOCX).

``selectors.issue_document(issue)`` reads the database once and returns plain frozen
dataclasses (``document``); the renderers in ``html``, ``pdf`` and ``docx`` are pure functions
of that value, so the three outputs cannot disagree. At 签发 the document is frozen as JSON with
its SHA-256 (``services``, ``serialize``, ``models.FrozenDocument``) and every output of a signed
issue comes from it; ``archive`` keeps the signed PDF.
"""
