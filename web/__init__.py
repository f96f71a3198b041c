"""The web pages (task inbox, start page, sign-in) and their static assets, over the JSON API."""
