"""{% issue_page_part "name" %}…{% end_issue_page_part %}: a part of the issue page kept between
requests (briefs.issue_page): served from what was kept, or rendered and handed over to be kept."""

from django import template

from briefs.issue_page import PARTS, render_part

register = template.Library()


class IssuePagePartNode(template.Node):
    def __init__(self, name: str, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        return render_part(self.name, self.nodelist, context)


@register.tag("issue_page_part")
def issue_page_part(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1].strip("\"'") not in PARTS:
        raise template.TemplateSyntaxError("issue_page_part takes one of %s" % ", ".join(PARTS))
    nodelist = parser.parse(("end_issue_page_part",))
    parser.delete_first_token()
    return IssuePagePartNode(bits[1].strip("\"'"), nodelist)
