"""What one engine step writes: instance, history, tasks, timers, reminders, mail, wake-ups.

`steps.apply` stores an outcome and then runs the followers routines registered
(`followers.py`); this package names no routine and imports no use case or routine.
"""
