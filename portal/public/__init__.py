"""The public pages above the stages: the home page and each contest's page, which show what
the stages publish (open contests, the published awards). Blueprint `contests`."""
