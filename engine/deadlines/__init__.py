"""The timer table poller and APScheduler jobs; each job is a few lines calling a service.

Imports engine.services; never api/ or Flask.
"""
