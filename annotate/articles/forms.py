from django import forms

from annotate.form_helpers import AppForm


class ArticleForm(AppForm):
    url = forms.CharField(required=False, label="Address of the article", max_length=2000,
                          widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "url"}))
    file = forms.FileField(required=False, label="Or a saved page (HTML or MHTML)",
                           widget=forms.ClearableFileInput(attrs={"accept": ".html,.htm,.mht,.mhtml,text/html"}))
    title = forms.CharField(required=False, max_length=500, label="Title",
                            help_text="Leave empty to take the page's headline.")
