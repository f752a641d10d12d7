"""Project format overrides (settings.FORMAT_MODULE_PATH): only what Django's locale gets wrong
for our pages; everything not named here comes from Django's own locale formats."""
