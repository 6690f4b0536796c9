from django.core.validators import MaxLengthValidator
from django.db import models

TEXT_MAX = 20_000  # "oversized text" is refused beyond this


class BoundedTextField(models.TextField):
    """A TextField whose `max_length` is enforced in validation (Django only passes it to
    the form widget), so every writer — form, API, admin, service — refuses oversized text."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(MaxLengthValidator(self.max_length))
