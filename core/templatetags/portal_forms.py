"""Form fields in the portal's (Bootstrap) style, for forms the portal does not define
(Django's password reset and change forms)."""

from django import template

register = template.Library()


@register.filter
def with_class(field, css: str):
    """Render a bound field's widget with extra CSS classes (and the invalid state)."""
    classes = css + (" is-invalid" if field.errors else "")
    return field.as_widget(attrs={"class": classes})
