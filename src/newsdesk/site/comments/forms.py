"""The "Leave a Reply" form: every check that needs only what was posted."""

from __future__ import annotations

from django import forms

from . import guards
from .text import count_links, normalise


class CommentForm(forms.Form):
    """A comment or a reply. ``limits`` sets the length and link caps and the form-age window."""

    comment = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 8, "cols": 45}),
                              strip=False, error_messages={"required": "Please type your comment."})
    name = forms.CharField(label="Name", max_length=100,
                           error_messages={"required": "Please enter your name.",
                                           "max_length": "Please keep your name under %(limit_value)d characters."})
    email = forms.EmailField(label="Email", max_length=254,
                             error_messages={"required": "Please enter your email address.",
                                             "invalid": "Please enter a valid email address, like name@example.com.",
                                             "max_length": "That email address is too long."})
    url = forms.URLField(label="Website", required=False, max_length=200, assume_scheme="https",
                         error_messages={"invalid": "Please enter a web address like https://example.com, "
                                                    "or leave the field empty.",
                                         "max_length": "That web address is too long (at most 200 characters)."})
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    stamp = forms.CharField(required=False, widget=forms.HiddenInput)
    # Hidden from people by the stylesheet and labelled "leave this empty"; form-filling robots fill it.
    homepage = forms.CharField(required=False, label="Leave this field empty")

    def __init__(self, *args, limits: guards.Limits | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.limits = limits or guards.Limits.from_settings()

    def clean_comment(self) -> str:
        text = normalise(self.cleaned_data["comment"]).strip()
        if not text:
            raise forms.ValidationError("Please type your comment.", code="required")
        if len(text) > self.limits.max_chars:
            raise forms.ValidationError(
                "Your comment is too long: %(length)d characters, at most %(limit)d.",
                code="max_length", params={"length": len(text), "limit": self.limits.max_chars})
        if count_links(text) > self.limits.max_links:
            raise forms.ValidationError("Please include at most %(limit)d links in a comment.",
                                        code="links", params={"limit": self.limits.max_links})
        return text

    def clean_name(self) -> str:
        name = " ".join(normalise(self.cleaned_data["name"]).split())
        if not name:
            raise forms.ValidationError("Please enter your name.", code="required")
        return name

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Please enter a web address starting with http:// or https://.",
                                        code="invalid")
        return url

    def clean(self):
        cleaned = super().clean()
        if self.data.get(guards.HONEYPOT):
            raise forms.ValidationError("Your comment could not be accepted.", code="spam")
        age = guards.stamp_age(self.data.get("stamp", ""))
        if age is None or age > self.limits.max_form_age:
            raise forms.ValidationError("This form had expired. Your comment is kept below: "
                                        "please send it again.", code="expired")
        if age < self.limits.min_seconds:
            raise forms.ValidationError("That was quicker than anyone can read. Please wait a few seconds "
                                        "and send your comment again.", code="too_fast")
        return cleaned
