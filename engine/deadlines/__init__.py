"""The scheduler edge: APScheduler pumps that fire due timers and send the outbox, transports.

Imports engine.services (and the stdlib's smtplib, psycopg for LISTEN); never api/ or Flask.
"""
