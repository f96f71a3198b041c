"""The web pages (task inbox, start page, sign-in) and their static assets, over the JSON API.

Imports api/ (auth, wiring) and engine/; never saksflyt/, and api/ never imports web/.
"""
