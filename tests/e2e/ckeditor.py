"""Driving CKEditor 5 in the article inline of the issue page."""


def type_new_paragraph(page, text: str, *, field: str = "articles-0-body") -> None:
    """Click into the first editor, put the caret at the end, press Enter and type ``text``; wait
    until the editor has written it back into the form's textarea."""
    editable = page.locator(".ck-editor__editable").first
    editable.wait_for()
    editable.click()
    # Put the caret after the last paragraph through CKEditor's own model (Ctrl+End depends on
    # where the click landed and on scrolling); the typing below is real keyboard input.
    editable.evaluate(
        "el => el.ckeditorInstance.model.change(w => w.setSelection("
        "w.createPositionAt(el.ckeditorInstance.model.document.getRoot(), 'end')))"
    )
    page.keyboard.press("Enter")
    # insert_text is how an IME delivers composed Chinese to the page.
    page.keyboard.insert_text(text)
    page.wait_for_function(
        "([name, text]) => document.querySelector('textarea[name=\"' + name + '\"]').value.includes(text)",
        arg=[field, text],
    )
