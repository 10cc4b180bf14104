"""The push route: push, status, withdraw and report (run.py) over the Pusher, its journal and settings."""
